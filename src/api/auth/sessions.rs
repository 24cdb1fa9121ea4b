//! `/api/v1/auth` session management: list and revoke sessions, logout, logout everywhere.

use chrono::{DateTime, Utc};
use poem::web::cookie::CookieJar;
use poem_openapi::{Object, OpenApi, param::Path};

use crate::api::{
    auth::{NoContent, cookies},
    error::{ApiResult, Success, ok},
    security::{Auth, State},
    tags::ApiTags,
};
use crate::{domain::ids::SessionId, dto::ts, service::sessions};

/// Session endpoints.
#[derive(Default)]
pub struct SessionsApi;

/// One signed-in session.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct SessionInfo {
    /// Session id.
    pub id: String,
    /// When it signed in.
    pub created_at: DateTime<Utc>,
    /// Last request made with it.
    pub last_seen_at: DateTime<Utc>,
    /// Client software, as reported by it.
    pub user_agent: String,
    /// Client IP at sign-in.
    pub ip: String,
    /// Whether this is the session making the request.
    pub current: bool,
}

/// The caller's live sessions, newest first.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct SessionList {
    /// Sessions.
    pub items: Vec<SessionInfo>,
    /// How many (every one is listed).
    pub total: u64,
}

#[OpenApi(prefix_path = "/api/v1/auth", tag = "ApiTags::Sessions")]
impl SessionsApi {
    /// List the caller's live sessions
    #[oai(path = "/sessions", method = "get", operation_id = "listSessions")]
    async fn list(&self, state: State<'_>, auth: Auth) -> ApiResult<Success<SessionList>> {
        let ctx = auth.ctx();
        let items: Vec<SessionInfo> = sessions::list(&state, ctx)
            .await?
            .into_iter()
            .map(|s| SessionInfo {
                id: s.id.to_string(),
                created_at: ts(s.created_at),
                last_seen_at: ts(s.last_seen_at),
                user_agent: s.user_agent,
                ip: s.ip,
                current: s.id == ctx.session_id,
            })
            .collect();
        ok(SessionList { total: items.len() as u64, items })
    }

    /// Revoke one of the caller's sessions
    ///
    /// Takes effect at once: its access token fails on the next request.
    #[oai(path = "/sessions/:id", method = "delete", operation_id = "revokeSession")]
    async fn revoke(&self, state: State<'_>, auth: Auth, id: Path<SessionId>) -> ApiResult<NoContent> {
        sessions::revoke_one(&state, auth.ctx(), id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// Sign out of this session
    #[oai(path = "/logout", method = "post", operation_id = "logout")]
    async fn logout(&self, state: State<'_>, auth: Auth, jar: &CookieJar) -> ApiResult<NoContent> {
        sessions::logout(&state, auth.ctx()).await?;
        cookies::clear_session(jar, &state.config);
        Ok(NoContent::NoContent)
    }

    /// Sign out of every session of this account
    #[oai(path = "/logout-all", method = "post", operation_id = "logoutAll")]
    async fn logout_all(&self, state: State<'_>, auth: Auth, jar: &CookieJar) -> ApiResult<NoContent> {
        sessions::revoke_all(&state, auth.ctx().user_id, None).await?;
        cookies::clear_session(jar, &state.config);
        Ok(NoContent::NoContent)
    }
}
