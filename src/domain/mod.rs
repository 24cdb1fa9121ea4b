//! Pure types and rules: identifiers, validated text, users, organizations, sessions,
//! content, messaging and the emails the platform sends.
//!
//! Nothing here performs I/O or knows about poem, redb or any other subsystem; every other
//! layer may depend on this one.

pub mod activity;
pub mod authz;
pub mod backup;
pub mod closed;
pub mod engagement;
pub mod forum;
pub mod ids;
pub mod invitation;
pub mod mail;
pub mod media;
pub mod messages;
pub mod notifications;
pub mod org;
pub mod search;
pub mod session;
pub mod text;
pub mod trending;
pub mod use_case;
pub mod user;

/// Field-level validation failures, keyed by the JSON field name they concern.
pub type FieldErrors = std::collections::BTreeMap<String, String>;

/// Current time as Unix milliseconds; the single clock every record uses.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
