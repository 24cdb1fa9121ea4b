//! Typed access to the activity feed: entries in time order, the index per organization and
//! the index by content (so deleting content drops its entries).

use super::{Reader, StoreResult, codec, delete_raw, key2, prefix_end, put_raw, tables::*};
use crate::domain::{
    activity::Activity,
    engagement::Target,
    ids::{ActivityId, OrgId},
};
use crate::store::Tx;

/// Records an entry with its indexes.
pub fn record(tx: &Tx, a: &Activity) -> StoreResult<()> {
    if let Some(org) = a.org {
        put_raw(tx, ORG_ACTIVITY, &key2(&org.key(), &a.id.key()), &[])?;
    }
    if let Some(t) = a.target {
        put_raw(tx, TARGET_ACTIVITY, &key2(&t.key(), &a.id.key()), &[])?;
    }
    codec::put(tx, ACTIVITY, &a.id.key(), a)
}

/// Drops every entry about `target` (it was deleted).
pub fn forget(tx: &Tx, target: Target) -> StoreResult<()> {
    for (k, _) in super::scan_prefix(tx, TARGET_ACTIVITY, &target.key(), usize::MAX)? {
        delete_raw(tx, TARGET_ACTIVITY, &k)?;
        let Some(id) = k.get(17..33).and_then(ActivityId::from_key) else { continue };
        if let Some(a) = codec::get::<Activity>(tx, ACTIVITY, &id.key())? {
            if let Some(org) = a.org {
                delete_raw(tx, ORG_ACTIVITY, &key2(&org.key(), &id.key()))?;
            }
            delete_raw(tx, ACTIVITY, &id.key())?;
        }
    }
    Ok(())
}

/// The community's entries (one organization's with `org`), newest first, strictly before
/// `before`; at most `limit`.
pub fn page(
    r: &impl Reader,
    org: Option<OrgId>,
    before: Option<ActivityId>,
    limit: usize,
) -> StoreResult<Vec<Activity>> {
    match org {
        None => {
            let end = before.map_or([0xff; 16], |b| b.key());
            r.range_rev_raw(ACTIVITY, &[], &end, limit)?.iter().map(|(k, v)| codec::decode(ACTIVITY, k, v)).collect()
        }
        Some(org) => {
            let end = match before {
                Some(b) => key2(&org.key(), &b.key()),
                None => prefix_end(&org.key()).unwrap_or_else(|| vec![0xff; 16]),
            };
            let mut out = Vec::new();
            for (k, _) in r.range_rev_raw(ORG_ACTIVITY, &org.key(), &end, limit)? {
                if let Some(a) = codec::get(r, ACTIVITY, &k[16..])? {
                    out.push(a);
                }
            }
            Ok(out)
        }
    }
}
