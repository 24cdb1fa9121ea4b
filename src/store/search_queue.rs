//! The search index's queue: every write that changes what a search could find touches the
//! record's entry here, in its own transaction, so a change acknowledged is a change the
//! indexer will apply — also after a crash, when the queue is replayed at start. One entry
//! per record (touching it again only moves its stamp), which the indexer removes once the
//! index holds the record as it was read, unless it was touched again meanwhile.

use std::sync::atomic::{AtomicU64, Ordering};

use super::{Reader, StoreResult, Tx, delete_raw, put_raw, tables::SEARCH_QUEUE};
use crate::domain::{now_ms, search::Searchable};

/// A touch's stamp: when (ms, for the lag) and a number no other touch of this process has
/// (two touches in one millisecond, or after the clock stepped back, still differ).
pub type Stamp = [u8; 16];

static TOUCHES: AtomicU64 = AtomicU64::new(0);

/// Queues `item` for (re)indexing.
pub fn touch(tx: &Tx, item: Searchable) -> StoreResult<()> {
    let mut stamp = [0; 16];
    stamp[..8].copy_from_slice(&now_ms().to_be_bytes());
    stamp[8..].copy_from_slice(&TOUCHES.fetch_add(1, Ordering::Relaxed).to_be_bytes());
    put_raw(tx, SEARCH_QUEUE, item.key().as_bytes(), &stamp)
}

fn when(v: &[u8]) -> i64 {
    v.get(..8).and_then(|b| b.try_into().ok()).map_or(0, i64::from_be_bytes)
}

fn stamp(v: &[u8]) -> Stamp {
    let mut s = [0; 16];
    let n = v.len().min(16);
    s[..n].copy_from_slice(&v[..n]);
    s
}

/// Up to `limit` queued records with the stamp of their last touch.
pub fn batch(r: &impl Reader, limit: usize) -> StoreResult<Vec<(Searchable, Stamp)>> {
    Ok(r.range_raw(SEARCH_QUEUE, &[], &[0xff], limit)?
        .iter()
        .filter_map(|(k, v)| Some((Searchable::from_key(std::str::from_utf8(k).ok()?)?, stamp(v))))
        .collect())
}

/// Takes indexed records off the queue, except those touched after they were read.
pub fn done(tx: &Tx, items: &[(Searchable, Stamp)]) -> StoreResult<()> {
    for (item, read) in items {
        let key = item.key();
        if tx.get_raw(SEARCH_QUEUE, key.as_bytes())?.is_some_and(|v| stamp(&v) == *read) {
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
