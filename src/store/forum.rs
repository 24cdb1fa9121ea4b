//! Typed access to the forum tables: topics with their listing indexes, replies, likes,
//! views, bookmarks, per-user stats with the reputation index, and named counters. Every
//! index entry is written in the same transaction as the record it points at.

use redb::WriteTransaction;
use serde::{Deserialize, Serialize};

use super::{Reader, StoreResult, codec, delete_raw, key2, put_raw, scan_prefix, tables::*};
use crate::domain::{
    forum::{Reply, Topic},
    ids::{ReplyId, TopicId, UserId},
};

/// A user's forum counters; reputation is derived from events as they happen.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct UserStats {
    pub topics: u64,
    pub replies: u64,
    pub likes_received: u64,
    pub best_answers: u64,
    pub reputation: u64,
}

fn be(n: u64) -> [u8; 8] {
    n.to_be_bytes()
}

fn text_key(text: &str, id: &TopicId) -> Vec<u8> {
    key2(&key2(text.as_bytes(), &[0]), &id.key())
}

fn activity_key(t: &Topic) -> Vec<u8> {
    key2(&be(t.last_activity_at.max(0) as u64), &t.id.key())
}

fn top_key(t: &Topic) -> Vec<u8> {
    key2(&be(t.like_count), &t.id.key())
}

/// The topic with `id`.
pub fn topic(r: &impl Reader, id: TopicId) -> StoreResult<Option<Topic>> {
    codec::get(r, TOPICS, &id.key())
}

/// Writes a new topic with every index.
pub fn insert_topic(tx: &WriteTransaction, t: &Topic) -> StoreResult<()> {
    put_raw(tx, CATEGORY_TOPICS, &text_key(&t.category, &t.id), &[])?;
    for tag in &t.tags {
        put_raw(tx, TAG_TOPICS, &text_key(&tag.to_lowercase(), &t.id), &[])?;
    }
    put_raw(tx, AUTHOR_TOPICS, &key2(&t.author.key(), &t.id.key()), &[])?;
    put_raw(tx, ACTIVE_TOPICS, &activity_key(t), &[])?;
    put_raw(tx, TOP_TOPICS, &top_key(t), &[])?;
    codec::put(tx, TOPICS, &t.id.key(), t)
}

/// Rewrites a topic, moving the index entries whose keys changed.
pub fn update_topic(tx: &WriteTransaction, old: &Topic, new: &Topic) -> StoreResult<()> {
    if old.category != new.category {
        delete_raw(tx, CATEGORY_TOPICS, &text_key(&old.category, &old.id))?;
        put_raw(tx, CATEGORY_TOPICS, &text_key(&new.category, &new.id), &[])?;
    }
    if old.tags != new.tags {
        for tag in &old.tags {
            delete_raw(tx, TAG_TOPICS, &text_key(&tag.to_lowercase(), &old.id))?;
        }
        for tag in &new.tags {
            put_raw(tx, TAG_TOPICS, &text_key(&tag.to_lowercase(), &new.id), &[])?;
        }
    }
    if old.last_activity_at != new.last_activity_at {
        delete_raw(tx, ACTIVE_TOPICS, &activity_key(old))?;
        put_raw(tx, ACTIVE_TOPICS, &activity_key(new), &[])?;
    }
    if old.like_count != new.like_count {
        delete_raw(tx, TOP_TOPICS, &top_key(old))?;
        put_raw(tx, TOP_TOPICS, &top_key(new), &[])?;
    }
    match new.pinned {
        true => put_raw(tx, PINNED_TOPICS, &new.id.key(), &[])?,
        false => drop(delete_raw(tx, PINNED_TOPICS, &new.id.key())?),
    }
    codec::put(tx, TOPICS, &new.id.key(), new)
}

/// Removes a topic and every index entry, view and like of it (not its replies).
pub fn remove_topic(tx: &WriteTransaction, t: &Topic) -> StoreResult<()> {
    delete_raw(tx, CATEGORY_TOPICS, &text_key(&t.category, &t.id))?;
    for tag in &t.tags {
        delete_raw(tx, TAG_TOPICS, &text_key(&tag.to_lowercase(), &t.id))?;
    }
    delete_raw(tx, AUTHOR_TOPICS, &key2(&t.author.key(), &t.id.key()))?;
    delete_raw(tx, ACTIVE_TOPICS, &activity_key(t))?;
    delete_raw(tx, TOP_TOPICS, &top_key(t))?;
    delete_raw(tx, PINNED_TOPICS, &t.id.key())?;
    remove_prefix(tx, TOPIC_VIEWERS, &t.id.key())?;
    remove_prefix(tx, LIKES, &t.id.key())?;
    delete_raw(tx, TOPICS, &t.id.key()).map(drop)
}

fn remove_prefix(tx: &WriteTransaction, table: Table, prefix: &[u8]) -> StoreResult<()> {
    for (k, _) in scan_prefix(tx, table, prefix, usize::MAX)? {
        delete_raw(tx, table, &k)?;
    }
    Ok(())
}

/// Pinned topic ids.
pub fn pinned(r: &impl Reader) -> StoreResult<Vec<TopicId>> {
    Ok(r.range_raw(PINNED_TOPICS, &[], &[0xff; 17], 1000)?.iter().filter_map(|(k, _)| TopicId::from_key(k)).collect())
}

/// The reply with `id`.
pub fn reply(r: &impl Reader, id: ReplyId) -> StoreResult<Option<Reply>> {
    codec::get(r, REPLIES, &id.key())
}

/// Writes a reply (new or edited) and its topic index entry.
pub fn put_reply(tx: &WriteTransaction, reply: &Reply) -> StoreResult<()> {
    put_raw(tx, TOPIC_REPLIES, &key2(&reply.topic.key(), &reply.id.key()), &[])?;
    codec::put(tx, REPLIES, &reply.id.key(), reply)
}

/// Removes a reply, its index entry and its likes.
pub fn remove_reply(tx: &WriteTransaction, reply: &Reply) -> StoreResult<()> {
    delete_raw(tx, TOPIC_REPLIES, &key2(&reply.topic.key(), &reply.id.key()))?;
    remove_prefix(tx, LIKES, &reply.id.key())?;
    delete_raw(tx, REPLIES, &reply.id.key()).map(drop)
}

/// Replies of `topic` after `after` (exclusive), oldest first, at most `limit`.
pub fn replies(r: &impl Reader, topic: TopicId, after: Option<ReplyId>, limit: usize) -> StoreResult<Vec<Reply>> {
    let start = match after {
        Some(a) => key2(&key2(&topic.key(), &a.key()), &[0]),
        None => topic.key().to_vec(),
    };
    let end = key2(&topic.key(), &[0xff; 17]);
    let mut out = Vec::new();
    for (k, _) in r.range_raw(TOPIC_REPLIES, &start, &end, limit)? {
        if let Some(reply) = ReplyId::from_key(&k[16..]).map(|id| reply(r, id)).transpose()?.flatten() {
            out.push(reply);
        }
    }
    Ok(out)
}

/// Records a like of `target` (a topic or reply id) by `user`; false when it already existed.
pub fn like(tx: &WriteTransaction, target: &[u8; 16], user: UserId) -> StoreResult<bool> {
    let key = key2(target, &user.key());
    if tx.get_raw(LIKES, &key)?.is_some() {
        return Ok(false);
    }
    put_raw(tx, LIKES, &key, &[])?;
    Ok(true)
}

/// Removes a like; false when there was none.
pub fn unlike(tx: &WriteTransaction, target: &[u8; 16], user: UserId) -> StoreResult<bool> {
    delete_raw(tx, LIKES, &key2(target, &user.key()))
}

/// Whether `user` likes `target`.
pub fn likes(r: &impl Reader, target: &[u8; 16], user: UserId) -> StoreResult<bool> {
    Ok(r.get_raw(LIKES, &key2(target, &user.key()))?.is_some())
}

/// Marks `topic` viewed by `user`; true the first time only.
pub fn mark_viewed(tx: &WriteTransaction, topic: TopicId, user: UserId) -> StoreResult<bool> {
    let key = key2(&topic.key(), &user.key());
    if tx.get_raw(TOPIC_VIEWERS, &key)?.is_some() {
        return Ok(false);
    }
    put_raw(tx, TOPIC_VIEWERS, &key, &[])?;
    Ok(true)
}

/// Whether `user` has viewed `topic`.
pub fn viewed(r: &impl Reader, topic: TopicId, user: UserId) -> StoreResult<bool> {
    Ok(r.get_raw(TOPIC_VIEWERS, &key2(&topic.key(), &user.key()))?.is_some())
}

/// Bookmarks `topic` for `user` (idempotent).
pub fn bookmark(tx: &WriteTransaction, user: UserId, topic: TopicId, at: i64) -> StoreResult<()> {
    put_raw(tx, BOOKMARKS, &key2(&user.key(), &topic.key()), &at.to_be_bytes())
}

/// Removes a bookmark.
pub fn unbookmark(tx: &WriteTransaction, user: UserId, topic: TopicId) -> StoreResult<bool> {
    delete_raw(tx, BOOKMARKS, &key2(&user.key(), &topic.key()))
}

/// Whether `user` bookmarked `topic`.
pub fn bookmarked(r: &impl Reader, user: UserId, topic: TopicId) -> StoreResult<bool> {
    Ok(r.get_raw(BOOKMARKS, &key2(&user.key(), &topic.key()))?.is_some())
}

/// Bookmarked topic ids of `user`.
pub fn bookmarks(r: &impl Reader, user: UserId, limit: usize) -> StoreResult<Vec<TopicId>> {
    Ok(scan_prefix(r, BOOKMARKS, &user.key(), limit)?.iter().filter_map(|(k, _)| TopicId::from_key(&k[16..])).collect())
}

/// A user's forum stats.
pub fn stats(r: &impl Reader, user: UserId) -> StoreResult<UserStats> {
    Ok(codec::get(r, USER_STATS, &user.key())?.unwrap_or_default())
}

/// Changes a user's stats with `f`, keeping the reputation index in step.
pub fn adjust_stats(tx: &WriteTransaction, user: UserId, f: impl FnOnce(&mut UserStats)) -> StoreResult<UserStats> {
    let before = stats(tx, user)?;
    let mut after = before.clone();
    f(&mut after);
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

/// A named counter.
pub fn counter(r: &impl Reader, name: &str) -> StoreResult<u64> {
    Ok(r.get_raw(FORUM_COUNTERS, name.as_bytes())?
        .and_then(|v| v.as_slice().try_into().ok())
        .map(u64::from_be_bytes)
        .unwrap_or(0))
}

/// Every counter whose name starts with `prefix`, with the rest of the name.
pub fn counters_with_prefix(r: &impl Reader, prefix: &str) -> StoreResult<Vec<(String, u64)>> {
    Ok(scan_prefix(r, FORUM_COUNTERS, prefix.as_bytes(), usize::MAX)?
        .into_iter()
        .filter_map(|(k, v)| {
            let name = String::from_utf8(k).ok()?.strip_prefix(prefix)?.to_owned();
            Some((name, u64::from_be_bytes(v.as_slice().try_into().ok()?)))
        })
        .collect())
}

/// Adds `delta` to a named counter (never below zero).
pub fn add_counter(tx: &WriteTransaction, name: &str, delta: i64) -> StoreResult<()> {
    let value = (counter(tx, name)? as i64 + delta).max(0) as u64;
    put_raw(tx, FORUM_COUNTERS, name.as_bytes(), &be(value))
}

/// Which index a listing reads, newest or highest first.
#[derive(Clone, Debug)]
pub enum TopicIndex {
    All,
    Category(String),
    Tag(String),
    Author(UserId),
    Active,
    Top,
}

impl TopicIndex {
    fn table(&self) -> Table {
        match self {
            Self::All => TOPICS,
            Self::Category(_) => CATEGORY_TOPICS,
            Self::Tag(_) => TAG_TOPICS,
            Self::Author(_) => AUTHOR_TOPICS,
            Self::Active => ACTIVE_TOPICS,
            Self::Top => TOP_TOPICS,
        }
    }

    /// What every key of this listing starts with (a cursor from it starts with it too).
    pub fn prefix(&self) -> Vec<u8> {
        match self {
            Self::All | Self::Active | Self::Top => Vec::new(),
            Self::Category(c) => key2(c.as_bytes(), &[0]),
            Self::Tag(t) => key2(t.to_lowercase().as_bytes(), &[0]),
            Self::Author(u) => u.key().to_vec(),
        }
    }
}

/// Topic ids from `index`, highest key first, strictly before `before` (a previous key), at
/// most `limit`; each with the index key to continue from.
pub fn scan_topics(
    r: &impl Reader,
    index: &TopicIndex,
    before: Option<&[u8]>,
    limit: usize,
) -> StoreResult<Vec<(Vec<u8>, TopicId)>> {
    let (table, prefix) = (index.table(), index.prefix());
    let end = match before {
        Some(b) if b.starts_with(&prefix) => b.to_vec(),
        Some(_) => return Ok(Vec::new()),
        None => key2(&prefix, &[0xff; 40]),
    };
    Ok(r.range_rev_raw(table, &prefix, &end, limit)?
        .into_iter()
        .filter_map(|(k, _)| {
            let id = TopicId::from_key(k.get(k.len().checked_sub(16)?..)?)?;
            Some((k, id))
        })
        .collect())
}

/// The draft with `id`.
pub fn draft(r: &impl Reader, id: crate::domain::ids::DraftId) -> StoreResult<Option<crate::domain::forum::Draft>> {
    codec::get(r, DRAFTS, &id.key())
}

/// Writes a draft and its per-user index entry.
pub fn put_draft(tx: &WriteTransaction, d: &crate::domain::forum::Draft) -> StoreResult<()> {
    put_raw(tx, USER_DRAFTS, &key2(&d.author.key(), &d.id.key()), &[])?;
    codec::put(tx, DRAFTS, &d.id.key(), d)
}

/// Removes a draft.
pub fn remove_draft(tx: &WriteTransaction, d: &crate::domain::forum::Draft) -> StoreResult<()> {
    delete_raw(tx, USER_DRAFTS, &key2(&d.author.key(), &d.id.key()))?;
    delete_raw(tx, DRAFTS, &d.id.key()).map(drop)
}

/// Drafts of `user`, oldest first.
pub fn drafts(r: &impl Reader, user: UserId) -> StoreResult<Vec<crate::domain::forum::Draft>> {
    let mut out = Vec::new();
    for (k, _) in scan_prefix(r, USER_DRAFTS, &user.key(), 1000)? {
        if let Some(d) = crate::domain::ids::DraftId::from_key(&k[16..]).map(|id| draft(r, id)).transpose()?.flatten() {
            out.push(d);
        }
    }
    Ok(out)
}
