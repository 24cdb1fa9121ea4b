//! Forum statistics and top contributors, read from kept counters (never a scan).

use crate::{
    domain::user::User,
    error::AppResult,
    state::AppState,
    store::{forum as store, users},
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
pub async fn stats(state: &AppState) -> AppResult<ForumStats> {
    Ok(state
        .store
        .read(|tx| {
            Ok(ForumStats {
                topics: store::counter(tx, "topics")?,
                replies: store::counter(tx, "replies")?,
                active_members: store::counter(tx, "contributors")?,
                answered: store::counter(tx, "answered")?,
            })
        })
        .await?)
}

/// The people with the highest reputation, with their stats.
pub async fn contributors(state: &AppState, limit: usize) -> AppResult<Vec<(User, store::UserStats)>> {
    Ok(state
        .store
        .read(move |tx| {
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
