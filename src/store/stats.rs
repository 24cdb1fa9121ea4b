//! Per-user activity counters (topics, replies, likes received, best answers) and the
//! reputation they earn, with the reputation index the top-contributors list reads. Every
//! change is passed on to the person's organization (`org_stats`), so its figures never need
//! a scan either.

use crate::store::Tx;
use serde::{Deserialize, Serialize};

use super::{Reader, StoreResult, codec, delete_raw, key2, org_stats, put_raw, tables::*};
use crate::domain::ids::UserId;

/// A user's activity counters; reputation is derived from events as they happen.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct UserStats {
    pub topics: u64,
    pub replies: u64,
    pub likes_received: u64,
    pub best_answers: u64,
    pub reputation: u64,
    /// Use cases published (kept since migration 009, which counted the earlier ones).
    #[serde(default)]
    pub use_cases: u64,
}

fn be(n: u64) -> [u8; 8] {
    n.to_be_bytes()
}

/// A user's forum stats.
pub fn stats(r: &impl Reader, user: UserId) -> StoreResult<UserStats> {
    Ok(codec::get(r, USER_STATS, &user.key())?.unwrap_or_default())
}

/// Changes a user's stats with `f`, keeping the reputation index and their organization's
/// figures in step.
pub fn adjust_stats(tx: &Tx, user: UserId, f: impl FnOnce(&mut UserStats)) -> StoreResult<UserStats> {
    let before = stats(tx, user)?;
    let mut after = before.clone();
    f(&mut after);
    if let Some(org) = super::users::author_card(tx, user)?.and_then(|c| c.org) {
        let d = |a: u64, b: u64| a as i64 - b as i64;
        let delta = org_stats::Delta {
            topics: d(after.topics, before.topics),
            replies: d(after.replies, before.replies),
            use_cases: d(after.use_cases, before.use_cases),
            likes_received: d(after.likes_received, before.likes_received),
            use_case_views: 0,
            reputation: d(after.reputation, before.reputation),
        };
        org_stats::adjust(tx, org, delta)?;
    }
    if before.reputation != after.reputation {
        delete_raw(tx, REPUTATION, &key2(&be(before.reputation), &user.key()))?;
    }
    if after.reputation > 0 {
        put_raw(tx, REPUTATION, &key2(&be(after.reputation), &user.key()), &[])?;
    }
    codec::put(tx, USER_STATS, &user.key(), &after)?;
    Ok(after)
}

/// The users with the highest reputation, best first.
pub fn top_contributors(r: &impl Reader, limit: usize) -> StoreResult<Vec<(UserId, u64)>> {
    Ok(r.range_rev_raw(REPUTATION, &[], &[0xff; 25], limit)?
        .iter()
        .filter_map(|(k, _)| {
            let rep = u64::from_be_bytes(k.get(..8)?.try_into().ok()?);
            Some((UserId::from_key(&k[8..])?, rep))
        })
        .collect())
}
