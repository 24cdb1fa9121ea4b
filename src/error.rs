//! The program's one error type: a closed set of kinds, each with a stable code, a human
//! message, and an optional cause that is logged but never returned to clients.

use std::fmt;

use crate::domain::{
    FieldErrors,
    closed::{ClosedSet, closed_set},
};

closed_set! {
    #[doc = "Why a request failed: the stable `code` of every error body (and WebSocket error frame)."]
    "ErrorCode", pub enum ErrorCode {
        AccountDeactivated = "account_deactivated",
        AccountPending = "account_pending",
        AlreadyAuthenticated = "already_authenticated",
        AlreadyDecided = "already_decided",
        AlreadyRegistered = "already_registered",
        BackupRunning = "backup_running",
        BadOrigin = "bad_origin",
        BadRequest = "bad_request",
        CannotMessage = "cannot_message",
        Conflict = "conflict",
        CodeExpired = "code_expired",
        EmailNotVerified = "email_not_verified",
        EmailTaken = "email_taken",
        Forbidden = "forbidden",
        InternalError = "internal_error",
        InvalidCode = "invalid_code",
        InvalidCredentials = "invalid_credentials",
        InvalidRefreshToken = "invalid_refresh_token",
        InvalidToken = "invalid_token",
        InvitationClosed = "invitation_closed",
        LastAdmin = "last_admin",
        LoginLocked = "login_locked",
        MethodNotAllowed = "method_not_allowed",
        MetricsTokenRequired = "metrics_token_required",
        NoOrganization = "no_organization",
        NotAuthor = "not_author",
        NotFound = "not_found",
        NotModerator = "not_moderator",
        NotOrgAdmin = "not_org_admin",
        NotPlatformAdmin = "not_platform_admin",
        PayloadTooLarge = "payload_too_large",
        RangeNotSatisfiable = "range_not_satisfiable",
        RateLimited = "rate_limited",
        RefreshTokenReused = "refresh_token_reused",
        ResendCooldown = "resend_cooldown",
        SessionExpired = "session_expired",
        SessionIdle = "session_idle",
        SessionRevoked = "session_revoked",
        StorageFull = "storage_full",
        TooManyAttempts = "too_many_attempts",
        TopicLocked = "topic_locked",
        Unauthenticated = "unauthenticated",
        Unavailable = "unavailable",
        UnsupportedMediaType = "unsupported_media_type",
        ValidationFailed = "validation_failed",
        WrongPassword = "wrong_password",
        YouBlocked = "you_blocked",
    }
}

/// What went wrong, as far as a client is concerned; the HTTP status is decided from this
/// in exactly one place (`api::error`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// 400: the request could not be read.
    BadRequest,
    /// 422: the request was read but some fields are invalid.
    Validation(FieldErrors),
    /// 401: no session, or it ended.
    Unauthenticated,
    /// 403: signed in but not allowed.
    Forbidden,
    /// 404: nothing there, or nothing the caller may see.
    NotFound,
    /// 409: conflicts with the current state.
    Conflict,
    /// 413: body too large.
    PayloadTooLarge,
    /// 415: wrong content type.
    UnsupportedMediaType,
    /// 429: slow down; retry after this many seconds.
    RateLimited { retry_after_secs: u64 },
    /// 500: our fault; details only in the log.
    Internal,
    /// 503: draining or a dependency is down.
    Unavailable,
}

/// An error with a kind, a stable `snake_case` code, a message for people, and an optional
/// internal cause.
#[derive(Debug)]
pub struct AppError {
    pub kind: ErrorKind,
    pub code: ErrorCode,
    pub message: String,
    pub cause: Option<anyhow::Error>,
}

/// Shorthand used by every layer above the subsystems.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// An error of `kind` with a code and message shown to the client.
    pub fn new(kind: ErrorKind, code: ErrorCode, message: impl Into<String>) -> Self {
        Self { kind, code, message: message.into(), cause: None }
    }

    /// 422 naming every invalid field.
    pub fn validation(fields: FieldErrors) -> Self {
        Self::new(ErrorKind::Validation(fields), ErrorCode::ValidationFailed, "Some fields are invalid")
    }

    /// 422 for a single field.
    pub fn field(field: &str, why: impl Into<String>) -> Self {
        Self::validation(FieldErrors::from([(field.to_owned(), why.into())]))
    }

    /// 401 with a code telling the client why.
    pub fn unauthenticated(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unauthenticated, code, message)
    }

    /// 403.
    pub fn forbidden(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, code, message)
    }

    /// 404 for `what`.
    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorKind::NotFound, ErrorCode::NotFound, format!("{what} not found"))
    }

    /// 409.
    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, code, message)
    }

    /// 429 with `Retry-After`.
    pub fn rate_limited(code: ErrorCode, message: impl Into<String>, retry_after_secs: u64) -> Self {
        Self::new(ErrorKind::RateLimited { retry_after_secs: retry_after_secs.max(1) }, code, message)
    }

    /// Replaces the stable code (keeping kind and message).
    pub fn with_code(mut self, code: ErrorCode) -> Self {
        self.code = code;
        self
    }

    /// Whether a write was refused because the store's disk is full (a side effect of a read
    /// — a first view, a session's activity — is then skipped, the read still answered).
    pub fn is_storage_full(&self) -> bool {
        self.code == ErrorCode::StorageFull
    }

    /// 500 keeping `cause` for the log only.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self {
            kind: ErrorKind::Internal,
            code: ErrorCode::InternalError,
            message: "Internal server error".into(),
            cause: Some(cause.into()),
        }
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.name(), self.message)?;
        if let Some(cause) = &self.cause {
            write!(f, " ({cause:#})")?;
        }
        Ok(())
    }
}

impl std::error::Error for AppError {}

/// Tags an `Option` as "not found" without a closure.
pub trait OptionExt<T> {
    /// `None` becomes a 404 naming `what`.
    fn or_not_found(self, what: &str) -> AppResult<T>;
}

impl<T> OptionExt<T> for Option<T> {
    fn or_not_found(self, what: &str) -> AppResult<T> {
        self.ok_or_else(|| AppError::not_found(what))
    }
}

impl From<crate::store::StoreError> for AppError {
    fn from(e: crate::store::StoreError) -> Self {
        if e.is_full() {
            tracing::error!(error = %e, "a write was refused: the store's disk is full");
            return Self::new(
                ErrorKind::Unavailable,
                ErrorCode::StorageFull,
                "The server's storage is full; writes resume once space is freed",
            );
        }
        match e {
            crate::store::StoreError::Duplicate { key: "email" } => {
                Self::conflict(ErrorCode::EmailTaken, "An account with this email already exists")
            }
            crate::store::StoreError::Duplicate { .. } => Self::conflict(ErrorCode::Conflict, "This already exists"),
            other => Self::internal(other),
        }
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(e: tokio::task::JoinError) -> Self {
        Self::internal(e)
    }
}
