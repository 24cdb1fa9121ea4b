//! Authentication for operations: a bearer access token (API clients) or the HttpOnly
//! `p2p_access` cookie (browsers). Both are declared in the spec so Swagger UI's Authorize
//! works. Cookie-authenticated writes must come from an allowed Origin (CSRF defence).

use std::sync::{Arc, Mutex};

use poem::{Request, http::Method, web::Data};
use poem_openapi::{
    SecurityScheme,
    auth::{ApiKey, Bearer},
};

use crate::error::ErrorCode;
use crate::{
    error::AppError,
    service::{
        ClientMeta,
        sessions::{self, AuthContext},
    },
    state::AppState,
};

/// Name of the access-token cookie.
pub const ACCESS_COOKIE: &str = "p2p_access";

/// Access token in `Authorization: Bearer <token>`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT", checker = "check_bearer")]
pub struct BearerAuth(AuthContext);

/// Access token in the `p2p_access` cookie set at sign-in.
#[derive(SecurityScheme)]
#[oai(ty = "api_key", key_in = "cookie", key_name = "p2p_access", checker = "check_cookie")]
pub struct CookieAuth(AuthContext);

/// A signed-in caller, by either transport.
#[derive(SecurityScheme)]
pub enum Auth {
    Bearer(BearerAuth),
    Cookie(CookieAuth),
}

impl Auth {
    /// Who is calling.
    pub fn ctx(&self) -> AuthContext {
        match self {
            Self::Bearer(b) => b.0,
            Self::Cookie(c) => c.0,
        }
    }
}

fn state(req: &Request) -> poem::Result<&AppState> {
    req.data::<AppState>().ok_or_else(|| AppError::internal(anyhow::anyhow!("application state missing")).into())
}

/// Why authentication failed, kept for the answer.
///
/// poem-openapi tries the bearer scheme, then the cookie scheme, and reports only a generic
/// 401 when both fail; the middleware puts one of these in every request so the client is
/// told the real reason (`session_idle`, `bad_origin`, …), the bearer's taking precedence.
#[derive(Clone, Default)]
pub struct AuthFailure(Arc<Mutex<Option<(AppError, bool)>>>);

impl AuthFailure {
    fn record(req: &Request, err: &AppError, from_bearer: bool) {
        if let Some(slot) = req.extensions().get::<AuthFailure>()
            && let Ok(mut guard) = slot.0.lock()
            && (from_bearer || guard.is_none())
        {
            let copy = AppError::new(err.kind.clone(), err.code, err.message.clone());
            *guard = Some((copy, from_bearer));
        }
    }

    /// The recorded failure, if any.
    pub fn take(&self) -> Option<AppError> {
        self.0.lock().ok().and_then(|mut g| g.take()).map(|(e, _)| e)
    }
}

async fn check_bearer(req: &Request, bearer: Bearer) -> poem::Result<AuthContext> {
    let result = sessions::authenticate(state(req)?, &bearer.token).await;
    result.inspect_err(|e| AuthFailure::record(req, e, true)).map_err(Into::into)
}

async fn check_cookie(req: &Request, key: ApiKey) -> poem::Result<AuthContext> {
    let st = state(req)?;
    let result = async {
        if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
            check_origin(st, req)?;
        }
        sessions::authenticate(st, &key.key).await
    }
    .await;
    result.inspect_err(|e| AuthFailure::record(req, e, false)).map_err(Into::into)
}

/// Refuses a cookie-authenticated write whose `Origin` is missing or not allowed (this
/// server's own pages are always allowed, see `origin`).
pub fn check_origin(state: &AppState, req: &Request) -> Result<(), AppError> {
    let origin = req.header("origin").unwrap_or_default();
    if req.extensions().get::<super::origin::SameOrigin>().is_some()
        || state.config.cors_origins.iter().any(|o| o == origin)
    {
        Ok(())
    } else {
        Err(AppError::forbidden(ErrorCode::BadOrigin, "Cookie-authenticated writes must come from an allowed origin"))
    }
}

/// Client IP and user agent of a request.
pub fn client_meta(req: &Request) -> ClientMeta {
    let ip = req.remote_addr().as_socket_addr().map(|a| a.ip().to_string()).unwrap_or_else(|| "unknown".into());
    let user_agent = req.header("user-agent").unwrap_or_default().to_owned();
    ClientMeta { ip, user_agent }
}

/// Shorthand for the state extractor used by every operation.
pub type State<'a> = Data<&'a AppState>;
