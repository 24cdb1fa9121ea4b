//! Per-organization figures for the dashboard — topics, replies, use cases, likes received,
//! views of its use cases and the reputation its people earned — kept in step with the
//! per-person stats (`stats::adjust_stats` passes each change on to the person's
//! organization), with the index by reputation that gives an organization its rank.

use serde::{Deserialize, Serialize};

use super::{Reader, StoreResult, Tx, codec, delete_raw, key2, put_raw, tables::*};
use crate::domain::ids::OrgId;

/// An organization's figures.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgStats {
    pub topics: u64,
    pub replies: u64,
    pub use_cases: u64,
    pub likes_received: u64,
    /// Views of its use cases (each person counted once per use case).
    pub use_case_views: u64,
    /// The reputation its people earned while in it: what ranks organizations.
    pub reputation: u64,
}

/// A change to an organization's figures, field by field.
#[derive(Clone, Copy, Debug, Default)]
pub struct Delta {
    pub topics: i64,
    pub replies: i64,
    pub use_cases: i64,
    pub likes_received: i64,
    pub use_case_views: i64,
    pub reputation: i64,
}

impl Delta {
    fn is_zero(&self) -> bool {
        [self.topics, self.replies, self.use_cases, self.likes_received, self.use_case_views, self.reputation]
            .iter()
            .all(|d| *d == 0)
    }
}

fn moved(n: u64, by: i64) -> u64 {
    n.saturating_add_signed(by)
}

/// `org`'s figures.
pub fn stats(r: &impl Reader, org: OrgId) -> StoreResult<OrgStats> {
    Ok(codec::get(r, ORG_STATS, &org.key())?.unwrap_or_default())
}

/// Moves `org`'s figures by `d`, keeping the rank index in step.
pub fn adjust(tx: &Tx, org: OrgId, d: Delta) -> StoreResult<()> {
    if d.is_zero() {
        return Ok(());
    }
    let before = stats(tx, org)?;
    let after = OrgStats {
        topics: moved(before.topics, d.topics),
        replies: moved(before.replies, d.replies),
        use_cases: moved(before.use_cases, d.use_cases),
        likes_received: moved(before.likes_received, d.likes_received),
        use_case_views: moved(before.use_case_views, d.use_case_views),
        reputation: moved(before.reputation, d.reputation),
    };
    if before.reputation != after.reputation {
        delete_raw(tx, ORG_RANK, &key2(&before.reputation.to_be_bytes(), &org.key()))?;
    }
    put_raw(tx, ORG_RANK, &key2(&after.reputation.to_be_bytes(), &org.key()), &[])?;
    codec::put(tx, ORG_STATS, &org.key(), &after)
}

/// Drops `org`'s figures and rank entry (the organization is gone).
pub fn forget(tx: &Tx, org: OrgId) -> StoreResult<()> {
    let s = stats(tx, org)?;
    delete_raw(tx, ORG_RANK, &key2(&s.reputation.to_be_bytes(), &org.key()))?;
    delete_raw(tx, ORG_STATS, &org.key())?;
    Ok(())
}

/// `org`'s rank by reputation: 1 plus the organizations ahead of it (equal reputation
/// shares a rank). It reads the index above `org`'s entry, so the cost grows with the rank,
/// not with the number of organizations below it.
pub fn rank(r: &impl Reader, org: OrgId) -> StoreResult<u64> {
    let reputation = stats(r, org)?.reputation;
    let Some(above) = reputation.checked_add(1) else { return Ok(1) };
    let ahead = r.range_raw(ORG_RANK, &above.to_be_bytes(), &[0xff; 25], usize::MAX)?.len();
    Ok(ahead as u64 + 1)
}
