//! The search index's queue: every write that changes what a search could find touches the
//! record's entry here, in its own transaction, so a change acknowledged is a change the
//! indexer will apply — also after a crash, when the queue is replayed at start. One entry
//! per record (touching it again only moves its time), which the indexer removes once the
//! index holds the record as it was read, unless it was touched again meanwhile.

use super::{Reader, StoreResult, Tx, delete_raw, put_raw, tables::SEARCH_QUEUE};
use crate::domain::{now_ms, search::Searchable};

/// Queues `item` for (re)indexing.
pub fn touch(tx: &Tx, item: Searchable) -> StoreResult<()> {
    put_raw(tx, SEARCH_QUEUE, item.key().as_bytes(), &now_ms().to_be_bytes())
}

fn when(v: &[u8]) -> i64 {
    v.get(..8).and_then(|b| b.try_into().ok()).map_or(0, i64::from_be_bytes)
}

/// Up to `limit` queued records with the time each was last touched.
pub fn batch(r: &impl Reader, limit: usize) -> StoreResult<Vec<(Searchable, i64)>> {
    Ok(r.range_raw(SEARCH_QUEUE, &[], &[0xff], limit)?
        .iter()
        .filter_map(|(k, v)| Some((Searchable::from_key(std::str::from_utf8(k).ok()?)?, when(v))))
        .collect())
}

/// Takes indexed records off the queue, except those touched after they were read.
pub fn done(tx: &Tx, items: &[(Searchable, i64)]) -> StoreResult<()> {
    for (item, at) in items {
        let key = item.key();
        if tx.get_raw(SEARCH_QUEUE, key.as_bytes())?.is_some_and(|v| when(&v) == *at) {
            delete_raw(tx, SEARCH_QUEUE, key.as_bytes())?;
        }
    }
    Ok(())
}

/// Queued records, and the time the longest-waiting one was touched (of the first `scan`).
pub fn lag(r: &impl Reader, scan: usize) -> StoreResult<(u64, Option<i64>)> {
    let oldest = r.range_raw(SEARCH_QUEUE, &[], &[0xff], scan)?.iter().map(|(_, v)| when(v)).min();
    Ok((r.len_raw(SEARCH_QUEUE)?, oldest))
}
