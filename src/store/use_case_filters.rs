//! The use-case filter index: one entry per (filter field, value) for every use case, so a
//! filtered listing reads one range of keys instead of scanning and decoding records.
//!
//! Key: field (1) ++ value length (1) ++ value (lower-case UTF-8, ≤ 200 bytes; an OrgId's
//! 16 bytes for the organization) ++ UseCaseId (16). Ids are UUIDv7, so the entries of one
//! value sort by creation: read backwards they are the newest-first listing. Value: the use
//! case's view and like counts (u64 BE each), so a filtered listing in most-viewed or
//! most-liked order ranks the entries of its value without reading a record (`ranked`).
//! `featured` is indexed for `true` only, the filter people use.
//!
//! Until issue 17 every value had an entry per order (newest, views, likes) with the count in
//! the key: 21 entries per use case, and every view or like moved 14 of them. The writer's
//! profile showed this index at 44 % of the writer thread's time on use-case creates; one
//! entry per value with the counts as its value keeps the orders and writes a third.
//!
//! Entries move in the record's transaction: `sync` deletes the keys a change made stale,
//! writes the new ones and rewrites the values whose counts changed, keeping the count of use
//! cases per value.

use std::collections::BTreeMap;

use super::{Reader, StoreResult, Tx, delete_raw, put_raw, tables::USE_CASE_FILTERS};
use crate::domain::{engagement::Counter, use_case::Order};
use crate::domain::{ids::UseCaseId, use_case::UseCase};

/// A filter with its own index entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Organization = 1,
    Tag = 2,
    City = 3,
    Category = 4,
    Industry = 5,
    Featured = 6,
}

const MAX_VALUE: usize = 200;

/// The normalised form a filter value is indexed and looked up by.
pub fn normalise(value: &str) -> String {
    let mut v = value.trim().to_lowercase();
    if v.len() > MAX_VALUE {
        let mut end = MAX_VALUE;
        while !v.is_char_boundary(end) {
            end -= 1;
        }
        v.truncate(end);
    }
    v
}

/// The key prefix of every entry for `field` = `value`.
pub fn prefix(field: Field, value: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(2 + value.len() + 16);
    k.push(field as u8);
    k.push(value.len() as u8);
    k.extend_from_slice(value);
    k
}

/// The entries of a use case: key → (view count, like count).
fn entries(u: &UseCase) -> BTreeMap<Vec<u8>, [u8; 16]> {
    let c = &u.content;
    let mut values: Vec<(Field, Vec<u8>)> = vec![
        (Field::Organization, u.org.key().to_vec()),
        (Field::City, normalise(&c.city).into_bytes()),
        (Field::Category, normalise(&c.category).into_bytes()),
        (Field::Industry, normalise(&c.industry).into_bytes()),
    ];
    if u.featured {
        values.push((Field::Featured, vec![1]));
    }
    values.extend(c.tags.iter().map(|t| (Field::Tag, normalise(t).into_bytes())));
    let mut counts = [0u8; 16];
    counts[..8].copy_from_slice(&u.view_count.to_be_bytes());
    counts[8..].copy_from_slice(&u.like_count.to_be_bytes());
    values
        .into_iter()
        .map(|(field, value)| {
            let mut k = prefix(field, &value);
            k.extend_from_slice(&u.id.key());
            (k, counts)
        })
        .collect()
}

/// The prefix (filter and value) of an entry's key.
fn value_prefix(key: &[u8]) -> &[u8] {
    key.get(..key.len().saturating_sub(16)).unwrap_or_default()
}

/// Moves the entries of a use case from `old` to `new` (`None` for an insert or a removal),
/// keeping the count of use cases per filter value.
pub fn sync(tx: &Tx, old: Option<&UseCase>, new: Option<&UseCase>) -> StoreResult<()> {
    let (before, after) = (old.map(entries).unwrap_or_default(), new.map(entries).unwrap_or_default());
    for k in before.keys().filter(|k| !after.contains_key(*k)) {
        delete_raw(tx, USE_CASE_FILTERS, k)?;
        super::engagement::add(tx, &Counter::UseCasesFiltered(value_prefix(k).to_vec()), -1)?;
    }
    for (k, counts) in &after {
        match before.get(k) {
            Some(was) if was == counts => {}
            Some(_) => put_raw(tx, USE_CASE_FILTERS, k, counts)?,
            None => {
                put_raw(tx, USE_CASE_FILTERS, k, counts)?;
                super::engagement::add(tx, &Counter::UseCasesFiltered(value_prefix(k).to_vec()), 1)?;
            }
        }
    }
    Ok(())
}

/// Ids under `prefix` strictly before the index key `before`, newest first, at most
/// `limit`; each with its index key to continue from.
pub fn scan(
    r: &impl Reader,
    prefix: &[u8],
    before: Option<&[u8]>,
    limit: usize,
) -> StoreResult<Vec<(Vec<u8>, UseCaseId)>> {
    // A cursor from another query is clamped to this prefix's range (an empty or short page).
    let all = super::prefix_end(prefix).unwrap_or_else(|| vec![0xff; 64]);
    let end = match before {
        Some(b) if b < all.as_slice() => b.to_vec(),
        _ => all,
    };
    Ok(r.range_rev_raw(USE_CASE_FILTERS, prefix, &end, limit)?
        .into_iter()
        .filter_map(|(k, _)| Some((k.clone(), UseCaseId::from_key(k.get(k.len().checked_sub(16)?..)?)?)))
        .collect())
}

/// Every id under `prefix` in `order` (most viewed or most liked; newest is `scan`'s), highest
/// first, strictly before the rank key `before`: each with its rank key (count BE ++ id, the
/// key of the global order's index, so one cursor serves both ways of reading the order).
/// Reads every entry of the value: for values with few use cases (see `queries`).
pub fn ranked(
    r: &impl Reader,
    prefix: &[u8],
    order: Order,
    before: Option<&[u8]>,
) -> StoreResult<Vec<(Vec<u8>, UseCaseId)>> {
    let end = super::prefix_end(prefix).unwrap_or_else(|| vec![0xff; 64]);
    let count_at = if order == Order::MostLiked { 8 } else { 0 };
    let mut out: Vec<(Vec<u8>, UseCaseId)> = r
        .range_raw(USE_CASE_FILTERS, prefix, &end, usize::MAX)?
        .into_iter()
        .filter_map(|(k, v)| {
            let id = k.get(k.len().checked_sub(16)?..)?;
            let rank = super::key2(v.get(count_at..count_at + 8)?, id);
            Some((rank, UseCaseId::from_key(id)?))
        })
        .filter(|(rank, _)| before.is_none_or(|b| rank.as_slice() < b))
        .collect();
    out.sort_unstable_by(|a, b| b.0.cmp(&a.0));
    Ok(out)
}
