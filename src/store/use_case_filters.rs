//! The use-case filter index: one entry per (filter field, value, order) for every use case,
//! so a filtered listing reads one page of keys instead of scanning and decoding records.
//!
//! Key: field (1) ++ value length (1) ++ value (lower-case UTF-8, ≤ 200 bytes; an OrgId's
//! 16 bytes for the organization) ++ order (1) ++ sort key ++ UseCaseId (16), where the sort
//! key is empty for newest (ids are UUIDv7, so they sort by creation) and the view or like
//! count (u64 BE) for most viewed and most liked. Value: empty. Entries move in the record's
//! transaction: `sync` deletes the keys a change made stale and writes the new ones.

use std::collections::BTreeSet;

use redb::WriteTransaction;

use super::{Reader, StoreResult, delete_raw, put_raw, tables::USE_CASE_FILTERS};
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

/// The key prefix of every entry for `field` = `value` in `order`.
pub fn prefix(field: Field, value: &[u8], order: Order) -> Vec<u8> {
    let mut k = Vec::with_capacity(3 + value.len() + 24);
    k.push(field as u8);
    k.push(value.len() as u8);
    k.extend_from_slice(value);
    k.push(order_byte(order));
    k
}

fn order_byte(order: Order) -> u8 {
    match order {
        Order::Newest => 1,
        Order::MostViewed => 2,
        Order::MostLiked => 3,
    }
}

fn keys(u: &UseCase) -> BTreeSet<Vec<u8>> {
    let c = &u.content;
    let mut values: Vec<(Field, Vec<u8>)> = vec![
        (Field::Organization, u.org.key().to_vec()),
        (Field::City, normalise(&c.city).into_bytes()),
        (Field::Category, normalise(&c.category).into_bytes()),
        (Field::Industry, normalise(&c.industry).into_bytes()),
        (Field::Featured, vec![u8::from(u.featured)]),
    ];
    values.extend(c.tags.iter().map(|t| (Field::Tag, normalise(t).into_bytes())));
    let mut out = BTreeSet::new();
    for (field, value) in values {
        for (order, sort) in
            [(Order::Newest, None), (Order::MostViewed, Some(u.view_count)), (Order::MostLiked, Some(u.like_count))]
        {
            let mut k = prefix(field, &value, order);
            if let Some(n) = sort {
                k.extend_from_slice(&n.to_be_bytes());
            }
            k.extend_from_slice(&u.id.key());
            out.insert(k);
        }
    }
    out
}

/// The prefix a newest-order entry counts toward (its filter and value); `None` for the
/// entries of the other orders, so each use case counts once per value.
fn counted_prefix(key: &[u8]) -> Option<&[u8]> {
    let prefix = key.get(..key.len().checked_sub(16)?)?;
    let value_len = usize::from(*prefix.get(1)?);
    (prefix.len() == 3 + value_len && prefix.last() == Some(&order_byte(Order::Newest))).then_some(prefix)
}

/// Moves the entries of a use case from `old` to `new` (`None` for an insert or a removal),
/// keeping the count of use cases per filter value.
pub fn sync(tx: &WriteTransaction, old: Option<&UseCase>, new: Option<&UseCase>) -> StoreResult<()> {
    let (before, after) = (old.map(keys).unwrap_or_default(), new.map(keys).unwrap_or_default());
    for k in before.difference(&after) {
        delete_raw(tx, USE_CASE_FILTERS, k)?;
        if let Some(p) = counted_prefix(k) {
            super::engagement::add(tx, &Counter::UseCasesFiltered(p.to_vec()), -1)?;
        }
    }
    for k in after.difference(&before) {
        put_raw(tx, USE_CASE_FILTERS, k, &[])?;
        if let Some(p) = counted_prefix(k) {
            super::engagement::add(tx, &Counter::UseCasesFiltered(p.to_vec()), 1)?;
        }
    }
    Ok(())
}

/// Ids under `prefix` strictly before the index key `before`, highest first, at most
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
