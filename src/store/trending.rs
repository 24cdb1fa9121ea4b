//! Trending topics: each topic's decayed engagement score (`domain::trending`) and the index
//! ordered by it, moved on every event in the event's own transaction.

use super::{Reader, StoreResult, delete_raw, forum, key2, put_raw, tables::*};
use crate::domain::{
    engagement::Target,
    ids::TopicId,
    trending::{self, Engagement},
};
use crate::store::Tx;

fn score(r: &impl Reader, topic: TopicId) -> StoreResult<Option<f64>> {
    Ok(r.get_raw(TOPIC_TRENDING, &topic.key())?
        .and_then(|v| <[u8; 8]>::try_from(v.as_slice()).ok())
        .map(|b| f64::from_bits(u64::from_be_bytes(b))))
}

/// Counts `event` at `at` for the topic of `target` (a reply counts for its topic; use cases
/// are not ranked here).
pub fn engaged(tx: &Tx, target: Target, event: Engagement, at: i64) -> StoreResult<()> {
    let topic = match target {
        Target::Topic(id) => id,
        Target::Reply(id) => match forum::reply(tx, id)? {
            Some(r) => r.topic,
            None => return Ok(()),
        },
        Target::UseCase(_) => return Ok(()),
    };
    let old = score(tx, topic)?;
    if let Some(s) = old {
        delete_raw(tx, TRENDING_TOPICS, &key2(&trending::sort_key(s), &topic.key()))?;
    }
    let new = trending::add(old, event, at);
    put_raw(tx, TRENDING_TOPICS, &key2(&trending::sort_key(new), &topic.key()), &[])?;
    put_raw(tx, TOPIC_TRENDING, &topic.key(), &new.to_bits().to_be_bytes())
}

/// Drops a deleted topic from the ranking.
pub fn forget(tx: &Tx, topic: TopicId) -> StoreResult<()> {
    if let Some(s) = score(tx, topic)? {
        delete_raw(tx, TRENDING_TOPICS, &key2(&trending::sort_key(s), &topic.key()))?;
        delete_raw(tx, TOPIC_TRENDING, &topic.key())?;
    }
    Ok(())
}

/// The `limit` topics with the highest scores, best first.
pub fn top(r: &impl Reader, limit: usize) -> StoreResult<Vec<TopicId>> {
    Ok(r.range_rev_raw(TRENDING_TOPICS, &[], &[0xff; 25], limit)?
        .iter()
        .filter_map(|(k, _)| TopicId::from_key(k.get(8..24)?))
        .collect())
}
