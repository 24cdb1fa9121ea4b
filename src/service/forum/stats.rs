//! Forum statistics and top contributors, read from kept counters (never a scan).

use crate::{
    domain::{engagement::Counter, user::User},
    error::AppResult,
    state::AppState,
    store::{StoreResult, engagement, stats as store, users},
};

/// Forum-wide figures.
#[derive(Debug, Clone, Copy)]
pub struct ForumStats {
    pub topics: u64,
    pub replies: u64,
    /// People who have posted at least once.
    pub active_members: u64,
    /// Topics with at least one reply.
    pub answered: u64,
}

/// The forum's counters.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn stats(state: &AppState) -> AppResult<ForumStats> {
    Ok(state
        .store
        .read(|tx| -> StoreResult<_> {
            Ok(ForumStats {
                topics: engagement::counter(tx, &Counter::Topics)?,
                replies: engagement::counter(tx, &Counter::Replies)?,
                active_members: engagement::counter(tx, &Counter::Contributors)?,
                answered: engagement::counter(tx, &Counter::AnsweredTopics)?,
            })
        })
        .await?)
}

/// The people with the highest reputation, with their stats.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn contributors(state: &AppState, limit: usize) -> AppResult<Vec<(User, store::UserStats)>> {
    Ok(state
        .store
        .read(move |tx| -> StoreResult<_> {
            let mut out = Vec::new();
            for (id, _) in store::top_contributors(tx, limit * 2)? {
                if let Some(u) = users::get(tx, id)?.filter(User::can_sign_in) {
                    out.push((u, store::stats(tx, id)?));
                    if out.len() == limit {
                        break;
                    }
                }
            }
            Ok(out)
        })
        .await?)
}
