//! Typed access to the forum tables: topics with their listing indexes, and replies. Every
//! index entry is written in the same transaction as the record it points at; likes, views,
//! bookmarks, drafts and counters are the engagement store's.

use super::{Reader, StoreResult, codec, delete_raw, key2, put_raw, tables::*};
use crate::domain::{
    engagement::Target,
    forum::{Reply, Topic},
    ids::{ReplyId, TopicId, UserId},
    search::Searchable,
};
use crate::store::Tx;

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
pub fn insert_topic(tx: &Tx, t: &Topic) -> StoreResult<()> {
    put_raw(tx, CATEGORY_TOPICS, &text_key(&t.category, &t.id), &[])?;
    for tag in &t.tags {
        put_raw(tx, TAG_TOPICS, &text_key(&tag.to_lowercase(), &t.id), &[])?;
    }
    put_raw(tx, AUTHOR_TOPICS, &key2(&t.author.key(), &t.id.key()), &[])?;
    put_raw(tx, ACTIVE_TOPICS, &activity_key(t), &[])?;
    put_raw(tx, TOP_TOPICS, &top_key(t), &[])?;
    super::search_queue::touch(tx, Searchable::Topic(t.id))?;
    codec::put(tx, TOPICS, &t.id.key(), t)
}

/// Rewrites a topic, moving the index entries whose keys changed.
pub fn update_topic(tx: &Tx, old: &Topic, new: &Topic) -> StoreResult<()> {
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
    // Counters and activity times change with every reply; search sees the text only.
    if (&old.title, &old.body, &old.tags, &old.category) != (&new.title, &new.body, &new.tags, &new.category) {
        super::search_queue::touch(tx, Searchable::Topic(new.id))?;
    }
    match new.pinned {
        true => put_raw(tx, PINNED_TOPICS, &new.id.key(), &[])?,
        false => drop(delete_raw(tx, PINNED_TOPICS, &new.id.key())?),
    }
    codec::put(tx, TOPICS, &new.id.key(), new)
}

/// Removes a topic and every index entry, view and like of it (not its replies).
pub fn remove_topic(tx: &Tx, t: &Topic) -> StoreResult<()> {
    delete_raw(tx, CATEGORY_TOPICS, &text_key(&t.category, &t.id))?;
    for tag in &t.tags {
        delete_raw(tx, TAG_TOPICS, &text_key(&tag.to_lowercase(), &t.id))?;
    }
    delete_raw(tx, AUTHOR_TOPICS, &key2(&t.author.key(), &t.id.key()))?;
    delete_raw(tx, ACTIVE_TOPICS, &activity_key(t))?;
    delete_raw(tx, TOP_TOPICS, &top_key(t))?;
    delete_raw(tx, PINNED_TOPICS, &t.id.key())?;
    super::engagement::forget(tx, Target::Topic(t.id))?;
    super::search_queue::touch(tx, Searchable::Topic(t.id))?;
    delete_raw(tx, TOPICS, &t.id.key()).map(drop)
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
pub fn put_reply(tx: &Tx, reply: &Reply) -> StoreResult<()> {
    put_raw(tx, TOPIC_REPLIES, &key2(&reply.topic.key(), &reply.id.key()), &[])?;
    super::search_queue::touch(tx, Searchable::Reply(reply.id))?;
    codec::put(tx, REPLIES, &reply.id.key(), reply)
}

/// Removes a reply, its index entry and its likes.
pub fn remove_reply(tx: &Tx, reply: &Reply) -> StoreResult<()> {
    delete_raw(tx, TOPIC_REPLIES, &key2(&reply.topic.key(), &reply.id.key()))?;
    super::engagement::forget(tx, Target::Reply(reply.id))?;
    super::search_queue::touch(tx, Searchable::Reply(reply.id))?;
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
