//! Typed access to the engagement tables, one for every kind of content: likes, views and
//! bookmarks keyed by `Target`, drafts keyed by their kind, and the kept `Counter`s.

use std::collections::HashSet;

use crate::store::Tx;

use super::{Reader, StoreResult, codec, delete_raw, key2, put_raw, scan_prefix, tables::*};
use crate::domain::{
    engagement::{Counter, Draft, DraftFields, Target, TargetKind, USE_CASES_OF_ORG_PREFIX},
    ids::{DraftId, OrgId, UserId},
};

/// Adds (`on`) or removes `table`'s entry at `key`; true when that changed anything.
fn set(tx: &Tx, table: Table, key: &[u8], on: bool, value: &[u8]) -> StoreResult<bool> {
    let had = tx.get_raw(table, key)?.is_some();
    match (on, had) {
        (true, false) => put_raw(tx, table, key, value).map(|()| true),
        (false, true) => delete_raw(tx, table, key),
        _ => Ok(false),
    }
}

/// Records (`on`) or withdraws `user`'s like of `target`; true when that changed anything.
pub fn set_like(tx: &Tx, target: Target, user: UserId, on: bool) -> StoreResult<bool> {
    set(tx, LIKES, &key2(&target.key(), &user.key()), on, &[])
}

/// Whether `user` likes `target`.
pub fn liked(r: &impl Reader, target: Target, user: UserId) -> StoreResult<bool> {
    Ok(r.get_raw(LIKES, &key2(&target.key(), &user.key()))?.is_some())
}

/// Marks `target` viewed by `user`; true the first time only (views count once per person).
pub fn mark_viewed(tx: &Tx, target: Target, user: UserId) -> StoreResult<bool> {
    set(tx, VIEWS, &key2(&target.key(), &user.key()), true, &[])
}

/// Whether `user` has viewed `target`.
pub fn viewed(r: &impl Reader, target: Target, user: UserId) -> StoreResult<bool> {
    Ok(r.get_raw(VIEWS, &key2(&target.key(), &user.key()))?.is_some())
}

/// Removes every like, view, bookmark, notification and feed entry of `target` (when it is
/// deleted).
pub fn forget(tx: &Tx, target: Target) -> StoreResult<()> {
    super::notifications::forget(tx, target)?;
    super::activity::forget(tx, target)?;
    if let Target::Topic(topic) = target {
        super::trending::forget(tx, topic)?;
    }
    for table in [LIKES, VIEWS] {
        for (k, _) in scan_prefix(tx, table, &target.key(), usize::MAX)? {
            delete_raw(tx, table, &k)?;
        }
    }
    for (k, _) in scan_prefix(tx, BOOKMARKERS, &target.key(), usize::MAX)? {
        if let Some(user) = UserId::from_key(&k[17..]) {
            set_bookmark(tx, user, target, false, 0)?;
        }
    }
    Ok(())
}

/// Adds (`on`) or removes `user`'s bookmark of `target` made at `at`; true when that
/// changed anything. The reverse entry and the person's count per kind move with it.
pub fn set_bookmark(tx: &Tx, user: UserId, target: Target, on: bool, at: i64) -> StoreResult<bool> {
    let changed = set(tx, BOOKMARKS, &key2(&user.key(), &target.key()), on, &at.to_be_bytes())?;
    if changed {
        set(tx, BOOKMARKERS, &key2(&target.key(), &user.key()), on, &[])?;
        add(tx, &Counter::BookmarksOf(user, target.kind()), if on { 1 } else { -1 })?;
    }
    Ok(changed)
}

/// A bookmark as a listing pages through it: its key (the cursor), what it marks, when.
pub struct BookmarkEntry {
    pub key: Vec<u8>,
    pub target: Target,
    pub at: i64,
}

/// `user`'s bookmarks of `kind` (every kind when `None`), newest content first within a
/// kind, strictly before the key `before`; at most `limit`.
pub fn bookmark_page(
    r: &impl Reader,
    user: UserId,
    kind: Option<TargetKind>,
    before: Option<&[u8]>,
    limit: usize,
) -> StoreResult<Vec<BookmarkEntry>> {
    let prefix = match kind {
        Some(k) => key2(&user.key(), &[k.byte()]),
        None => user.key().to_vec(),
    };
    let end = match before {
        Some(b) if b.starts_with(&prefix) => b.to_vec(),
        _ => super::prefix_end(&prefix).unwrap_or_else(|| vec![0xff; 34]),
    };
    Ok(r.range_rev_raw(BOOKMARKS, &prefix, &end, limit)?
        .into_iter()
        .filter_map(|(key, v)| {
            let target = Target::from_key(&key[16..])?;
            let at = v.as_slice().try_into().map(i64::from_be_bytes).unwrap_or(0);
            Some(BookmarkEntry { key, target, at })
        })
        .collect())
}

/// Whether `user` bookmarked `target`.
pub fn bookmarked(r: &impl Reader, user: UserId, target: Target) -> StoreResult<bool> {
    Ok(r.get_raw(BOOKMARKS, &key2(&user.key(), &target.key()))?.is_some())
}

/// Which of `targets` `user` bookmarked: one range read over the user's bookmarks between
/// the smallest and largest target, or a lookup each when that range holds many more.
pub fn bookmarked_among(r: &impl Reader, user: UserId, targets: &[Target]) -> StoreResult<HashSet<Target>> {
    let keys = || targets.iter().map(|t| t.key());
    let (Some(lo), Some(hi)) = (keys().min(), keys().max()) else { return Ok(HashSet::new()) };
    let limit = 4 * targets.len() + 1;
    let end = key2(&key2(&user.key(), &hi), &[0]);
    let found = r.range_raw(BOOKMARKS, &key2(&user.key(), &lo), &end, limit)?;
    if found.len() < limit {
        let wanted: HashSet<_> = targets.iter().collect();
        return Ok(found
            .iter()
            .filter_map(|(k, _)| Target::from_key(&k[16..]))
            .filter(|t| wanted.contains(t))
            .collect());
    }
    let mut out = HashSet::new();
    for t in targets {
        if bookmarked(r, user, *t)? {
            out.insert(*t);
        }
    }
    Ok(out)
}

/// Targets of `kind` that `user` bookmarked, oldest target first, at most `limit`.
pub fn bookmarks(r: &impl Reader, user: UserId, kind: TargetKind, limit: usize) -> StoreResult<Vec<Target>> {
    Ok(scan_prefix(r, BOOKMARKS, &key2(&user.key(), &[kind.byte()]), limit)?
        .iter()
        .filter_map(|(k, _)| Target::from_key(&k[16..]))
        .collect())
}

/// The value of a kept counter (0 before its first change).
pub fn counter(r: &impl Reader, counter: &Counter) -> StoreResult<u64> {
    Ok(r.get_raw(COUNTERS, counter.key().as_bytes())?
        .and_then(|v| v.as_slice().try_into().ok())
        .map(u64::from_be_bytes)
        .unwrap_or(0))
}

/// Adds `delta` to a counter (never below zero); returns the new value.
pub fn add(tx: &Tx, c: &Counter, delta: i64) -> StoreResult<u64> {
    let value = (counter(tx, c)? as i64 + delta).max(0) as u64;
    put_raw(tx, COUNTERS, c.key().as_bytes(), &value.to_be_bytes())?;
    Ok(value)
}

/// Every organization's use-case count (`Counter::UseCasesOfOrg`).
pub fn use_cases_per_org(r: &impl Reader) -> StoreResult<Vec<(OrgId, u64)>> {
    Ok(scan_prefix(r, COUNTERS, USE_CASES_OF_ORG_PREFIX.as_bytes(), usize::MAX)?
        .into_iter()
        .filter_map(|(k, v)| {
            let org = std::str::from_utf8(&k).ok()?.strip_prefix(USE_CASES_OF_ORG_PREFIX)?.parse().ok()?;
            Some((org, u64::from_be_bytes(v.as_slice().try_into().ok()?)))
        })
        .collect())
}

fn draft_key<F: DraftFields>(id: DraftId) -> Vec<u8> {
    key2(&[F::KIND.byte()], &id.key())
}

fn user_draft_key<F: DraftFields>(d: &Draft<F>) -> Vec<u8> {
    key2(&key2(&d.author.key(), &[F::KIND.byte()]), &d.id.key())
}

/// The draft of fields `F` with `id` (a draft of another kind is not found).
pub fn draft<F: DraftFields>(r: &impl Reader, id: DraftId) -> StoreResult<Option<Draft<F>>> {
    codec::get(r, DRAFTS, &draft_key::<F>(id))
}

/// Writes a draft and its per-user index entry.
pub fn put_draft<F: DraftFields>(tx: &Tx, d: &Draft<F>) -> StoreResult<()> {
    put_raw(tx, USER_DRAFTS, &user_draft_key(d), &[])?;
    codec::put(tx, DRAFTS, &draft_key::<F>(d.id), d)
}

/// Removes a draft.
pub fn remove_draft<F: DraftFields>(tx: &Tx, d: &Draft<F>) -> StoreResult<()> {
    delete_raw(tx, USER_DRAFTS, &user_draft_key(d))?;
    delete_raw(tx, DRAFTS, &draft_key::<F>(d.id)).map(drop)
}

/// Drafts of fields `F` by `user`, oldest first (at most 1,000).
pub fn drafts<F: DraftFields>(r: &impl Reader, user: UserId) -> StoreResult<Vec<Draft<F>>> {
    let mut out = Vec::new();
    for (k, _) in scan_prefix(r, USER_DRAFTS, &key2(&user.key(), &[F::KIND.byte()]), 1000)? {
        if let Some(d) = k.get(17..).and_then(DraftId::from_key).map(|id| draft(r, id)).transpose()?.flatten() {
            out.push(d);
        }
    }
    Ok(out)
}
