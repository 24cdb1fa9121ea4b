//! The uniform error body and the one place statuses are decided. Every failure, whether
//! from a handler, a request that could not be parsed, an unknown route or poem itself,
//! leaves as `{"code", "message", "fields"?}` with the matching status.

use std::collections::BTreeMap;

use poem::{IntoResponse, Response, http::StatusCode};
use poem_openapi::{ApiResponse, Object, payload::Json};

use crate::error::ErrorCode;
use crate::{
    error::{AppError, ErrorKind},
    telemetry::current_request_id,
};

/// The body of every error response.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `validation_failed`, `invalid_credentials`.
    pub code: ErrorCode,
    /// Human-readable explanation.
    pub message: String,
    /// For validation errors: each invalid field and why.
    #[oai(skip_serializing_if_is_none)]
    pub fields: Option<BTreeMap<String, String>>,
}

/// Every error status an operation may answer with.
#[derive(ApiResponse, Debug)]
#[oai(bad_request_handler = "ApiError::from_poem")]
pub enum ApiError {
    /// The request could not be read: malformed JSON, wrong types or missing fields.
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// No session, or the session ended; sign in again.
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>),
    /// Signed in but not allowed to do this.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// Nothing there, or nothing the caller may see.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The method is not supported on this path.
    #[oai(status = 405)]
    MethodNotAllowed(Json<ErrorBody>),
    /// Conflicts with the current state (e.g. email already registered).
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// The request body is larger than this route accepts.
    #[oai(status = 413)]
    PayloadTooLarge(Json<ErrorBody>),
    /// The request body has a content type this route does not accept.
    #[oai(status = 415)]
    UnsupportedMediaType(Json<ErrorBody>),
    /// The request was read but some fields are invalid; `fields` names each one.
    #[oai(status = 422)]
    Unprocessable(Json<ErrorBody>),
    /// Rate limited or locked; retry after the given number of seconds.
    #[oai(status = 429)]
    TooManyRequests(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
    /// Internal error; the message carries a request id to quote.
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
    /// The server is shutting down or a dependency is unavailable.
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>),
}

fn body(code: ErrorCode, message: impl Into<String>, fields: Option<BTreeMap<String, String>>) -> Json<ErrorBody> {
    Json(ErrorBody { code, message: message.into(), fields })
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let b = |fields| body(e.code, e.message.clone(), fields);
        match &e.kind {
            ErrorKind::BadRequest => Self::BadRequest(b(None)),
            ErrorKind::Validation(fields) => Self::Unprocessable(b(Some(fields.clone()))),
            ErrorKind::Unauthenticated => Self::Unauthorized(b(None)),
            ErrorKind::Forbidden => Self::Forbidden(b(None)),
            ErrorKind::NotFound => Self::NotFound(b(None)),
            ErrorKind::Conflict => Self::Conflict(b(None)),
            ErrorKind::PayloadTooLarge => Self::PayloadTooLarge(b(None)),
            ErrorKind::UnsupportedMediaType => Self::UnsupportedMediaType(b(None)),
            ErrorKind::RateLimited { retry_after_secs } => Self::TooManyRequests(b(None), *retry_after_secs),
            ErrorKind::Unavailable => Self::Unavailable(b(None)),
            ErrorKind::Internal => {
                // The cause goes to the log (with the request id from the span), never out.
                tracing::error!(error = %e, "internal error");
                let id = current_request_id().unwrap_or_default();
                Self::Internal(body(
                    ErrorCode::InternalError,
                    format!("Internal server error; quote request id {id}"),
                    None,
                ))
            }
        }
    }
}

impl ApiError {
    /// Converts any poem error (parse failures, auth failures, unknown routes, wrong
    /// methods, oversized bodies) into the uniform body.
    pub fn from_poem(err: poem::Error) -> Self {
        if let Some(app) = err.downcast_ref::<AppError>() {
            return AppError { kind: app.kind.clone(), code: app.code, message: app.message.clone(), cause: None }
                .into();
        }
        // A malformed id names nothing, like a well-formed id that matches nothing.
        let reason = match (
            err.downcast_ref::<poem_openapi::error::ParsePathError>(),
            err.downcast_ref::<poem_openapi::error::ParseParamError>(),
        ) {
            (Some(p), _) => Some(p.reason.as_str()),
            (None, Some(p)) => Some(p.reason.as_str()),
            (None, None) => None,
        };
        if let Some(what) = reason.and_then(super::params::not_found_subject) {
            return AppError::not_found(what).into();
        }
        let status = err.status();
        let text = err.to_string();
        match status {
            StatusCode::UNAUTHORIZED => {
                Self::Unauthorized(body(ErrorCode::Unauthenticated, "Sign in to use this endpoint", None))
            }
            // The only 403 poem raises itself: CORS refusing a request from another origin.
            StatusCode::FORBIDDEN if matches!(err.downcast_ref(), Some(poem::error::CorsError::OriginNotAllowed)) => {
                Self::Forbidden(body(
                    ErrorCode::BadOrigin,
                    "Requests from this origin are not allowed (see P2P_CORS_ORIGINS)",
                    None,
                ))
            }
            StatusCode::FORBIDDEN => Self::Forbidden(body(ErrorCode::Forbidden, text, None)),
            StatusCode::NOT_FOUND => Self::NotFound(body(ErrorCode::NotFound, "No such endpoint or resource", None)),
            StatusCode::METHOD_NOT_ALLOWED => Self::MethodNotAllowed(body(
                ErrorCode::MethodNotAllowed,
                "This method is not allowed on this path",
                None,
            )),
            StatusCode::PAYLOAD_TOO_LARGE => {
                Self::PayloadTooLarge(body(ErrorCode::PayloadTooLarge, "The request body is too large", None))
            }
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                Self::UnsupportedMediaType(body(ErrorCode::UnsupportedMediaType, text, None))
            }
            StatusCode::SERVICE_UNAVAILABLE => {
                Self::Unavailable(body(ErrorCode::Unavailable, "The server is unavailable; retry shortly", None))
            }
            s if s.is_server_error() => AppError::internal(anyhow::anyhow!(text)).into(),
            _ => Self::BadRequest(body(ErrorCode::BadRequest, text, None)),
        }
    }

    /// The uniform response for an error raised outside any operation.
    pub fn response_for(err: poem::Error) -> Response {
        Self::from_poem(err).into_response()
    }
}

impl poem::error::ResponseError for AppError {
    fn status(&self) -> StatusCode {
        match self.kind {
            ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
            ErrorKind::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorKind::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

/// Handler result.
pub type ApiResult<T> = Result<T, ApiError>;

/// A successful answer carrying `T` as JSON.
#[derive(ApiResponse, Debug)]
pub enum Success<T: poem_openapi::types::ToJSON + Send + Sync> {
    /// The request succeeded; the body is the result.
    #[oai(status = 200)]
    Ok(Json<T>),
}

/// Wraps a value as a 200 answer.
pub fn ok<T: poem_openapi::types::ToJSON + Send + Sync, E>(value: T) -> Result<Success<T>, E> {
    Ok(Success::Ok(Json(value)))
}
