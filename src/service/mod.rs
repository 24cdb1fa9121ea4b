//! Use cases: the only layer that combines the store, password hashing, tokens, jobs and
//! mail. Each operation validates its input, performs one store transaction (queuing any
//! jobs inside it), and only after the commit touches caches or wakes workers.

pub mod accounts;
pub mod codes;
pub mod jobs;
pub mod login;
pub mod password;
pub mod profile;
pub mod session_cache;
pub mod sessions;

use std::collections::BTreeMap;

use crate::{
    domain::{now_ms, user::User},
    error::{AppError, AppResult},
    jobs::Task,
    state::AppState,
};

/// Where a request came from, recorded on sessions and used for rate limits.
#[derive(Clone, Debug, Default)]
pub struct ClientMeta {
    pub ip: String,
    pub user_agent: String,
}

/// Counts one auth-endpoint request from the client's IP; 429 when over the limit.
pub fn limit_ip(state: &AppState, meta: &ClientMeta) -> AppResult<()> {
    state.ip_limiter.hit(&meta.ip).map_err(|secs| {
        AppError::rate_limited("rate_limited", "Too many requests; try again later", secs)
    })
}

/// An email job for `user` rendered from `template`.
pub fn email_task(user: &User, to: &str, template: &str, vars: &[(&str, String)]) -> Task {
    let mut all: BTreeMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    all.entry("name".into())
        .or_insert_with(|| user.first_name.clone());
    Task::SendEmail {
        to: to.to_owned(),
        template: template.to_owned(),
        language: user.language,
        vars: all,
    }
}

/// Current time in milliseconds (re-exported for the service modules).
pub fn now() -> i64 {
    now_ms()
}
