//! Use cases: the only layer that combines the store, password hashing, tokens, jobs and
//! mail. Each operation validates its input, performs one store transaction (queuing any
//! jobs inside it), and only after the commit touches caches or wakes workers.

pub mod accounts;
pub mod activity;
pub mod backup;
pub mod bench_data;
pub mod bookmarks;
pub mod codes;
pub mod dashboard;
pub mod demo;
pub mod engagement;
pub mod events;
pub mod forum;
pub mod images;
pub mod invitations;
pub mod jobs;
pub mod join_requests;
pub mod login;
pub mod media;
pub mod members;
pub mod messages;
pub mod notifications;
pub mod operations;
pub mod orgs;
pub mod password;
pub mod people;
pub mod profile;
pub mod progress;
pub mod search;
pub mod sessions;
pub mod subscriptions;
pub mod thumbnail;
pub mod use_cases;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::error::ErrorCode;
use crate::{
    domain::{authz::Denied, mail::Mail, now_ms, user::User},
    error::{AppError, AppResult, OptionExt},
    jobs::Task,
    state::AppState,
    store::users,
};

/// One page of a list: the items, an opaque cursor for the next page, and the total when it
/// is kept by a counter.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
    /// How many items match in all (exact).
    pub total: u64,
}

/// Largest page size; the default is 20.
pub const MAX_PAGE: usize = 100;

/// Clamps a requested page size to 1..=100 (20 when absent).
pub fn page_size(limit: Option<u32>) -> usize {
    limit.map(|l| (l as usize).clamp(1, MAX_PAGE)).unwrap_or(20)
}

/// Encodes the key of the last item as an opaque cursor.
pub fn encode_cursor(key: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(key)
}

/// Whether `b` is the key of one of our ids (a UUIDv7: every id is one).
fn is_time_ordered_id(b: &[u8]) -> bool {
    uuid::Uuid::from_slice(b).is_ok_and(|id| id.get_version_num() == 7 && id.get_variant() == uuid::Variant::RFC4122)
}

/// Decodes a cursor into a 16-byte id key (400 when it is not one of ours).
pub fn decode_cursor(cursor: Option<&str>) -> AppResult<Option<[u8; 16]>> {
    let Some(c) = cursor.filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    URL_SAFE_NO_PAD
        .decode(c)
        .ok()
        .filter(|b| is_time_ordered_id(b))
        .and_then(|b| <[u8; 16]>::try_from(b.as_slice()).ok())
        .map(Some)
        .ok_or_else(|| AppError::field("cursor", "is not a cursor from a previous page"))
}

/// Decodes a cursor holding a raw index key of the listing whose keys start with `prefix`
/// (422 when it is not a key of that listing: every such key ends with a time-ordered id).
pub fn decode_key_cursor(cursor: Option<&str>, prefix: &[u8]) -> AppResult<Option<Vec<u8>>> {
    let Some(c) = cursor.filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let ends_with_id = |k: &[u8]| k.len() >= prefix.len() + 16 && k.get(k.len() - 16..).is_some_and(is_time_ordered_id);
    URL_SAFE_NO_PAD
        .decode(c)
        .ok()
        .filter(|k| k.len() <= 512 && k.starts_with(prefix) && ends_with_id(k))
        .map(Some)
        .ok_or_else(|| AppError::field("cursor", "is not a cursor from a previous page of this listing"))
}

/// Loads the signed-in caller's account.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn caller(state: &AppState, ctx: sessions::AuthContext) -> AppResult<User> {
    let id = ctx.user_id;
    state.store.read(move |tx| users::get(tx, id)).await?.or_not_found("User")
}

/// The 403 for a refused authorization rule.
pub fn denied(d: Denied) -> AppError {
    match d {
        Denied::NoOrganization => {
            AppError::forbidden(ErrorCode::NoOrganization, "You are not an active member of an organization")
        }
        Denied::NotOrgAdmin => {
            AppError::forbidden(ErrorCode::NotOrgAdmin, "Only your organization's admins may do this")
        }
        Denied::NotPlatformAdmin => {
            AppError::forbidden(ErrorCode::NotPlatformAdmin, "Only platform admins may do this")
        }
    }
}

/// Where a request came from, recorded on sessions and used for rate limits.
#[derive(Clone, Debug, Default)]
pub struct ClientMeta {
    pub ip: String,
    pub user_agent: String,
}

/// Counts one auth-endpoint request from the client's IP; 429 when over the limit.
pub fn limit_ip(state: &AppState, meta: &ClientMeta) -> AppResult<()> {
    state
        .ip_limiter
        .hit(&meta.ip)
        .map_err(|secs| AppError::rate_limited(ErrorCode::RateLimited, "Too many requests; try again later", secs))
}

/// A job sending `mail` to `to` in `user`'s language (the recipient's, or for an invitation
/// the inviter's: the invitee has no account yet).
pub fn email_task(user: &User, to: &str, mail: Mail) -> Task {
    Task::SendEmail { to: to.to_owned(), language: user.language, mail }
}

/// Current time in milliseconds (re-exported for the service modules).
pub fn now() -> i64 {
    now_ms()
}
