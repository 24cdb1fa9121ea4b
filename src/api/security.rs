//! Authentication for operations: a bearer access token (API clients) or the HttpOnly
//! `p2p_access` cookie (browsers). Both are declared in the spec so Swagger UI's Authorize
//! works. Cookie-authenticated writes must come from an allowed Origin (CSRF defence).

use poem::{Request, http::Method, web::Data};
use poem_openapi::{
    SecurityScheme,
    auth::{ApiKey, Bearer},
};

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
#[oai(
    ty = "api_key",
    key_in = "cookie",
    key_name = "p2p_access",
    checker = "check_cookie"
)]
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
    req.data::<AppState>()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("application state missing")).into())
}

async fn check_bearer(req: &Request, bearer: Bearer) -> poem::Result<AuthContext> {
    Ok(sessions::authenticate(state(req)?, &bearer.token).await?)
}

async fn check_cookie(req: &Request, key: ApiKey) -> poem::Result<AuthContext> {
    let st = state(req)?;
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        check_origin(st, req)?;
    }
    Ok(sessions::authenticate(st, &key.key).await?)
}

/// Refuses a cookie-authenticated write whose `Origin` is missing or not allowed.
pub fn check_origin(state: &AppState, req: &Request) -> Result<(), AppError> {
    let origin = req.header("origin").unwrap_or_default();
    if state.config.cors_origins.iter().any(|o| o == origin) {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "bad_origin",
            "Cookie-authenticated writes must come from an allowed origin",
        ))
    }
}

/// Client IP and user agent of a request.
pub fn client_meta(req: &Request) -> ClientMeta {
    let ip = req
        .remote_addr()
        .as_socket_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    let user_agent = req.header("user-agent").unwrap_or_default().to_owned();
    ClientMeta { ip, user_agent }
}

/// Shorthand for the state extractor used by every operation.
pub type State<'a> = Data<&'a AppState>;
