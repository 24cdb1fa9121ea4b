//! The forum's use cases: topics, replies, reactions (likes, bookmarks, best answers, views)
//! and stats. Every counter (replies, likes, views, category counts, reputation) changes in
//! the same transaction as the write that causes it.

pub mod attachments;
pub mod drafts;
pub mod events;
pub mod reactions;
pub mod replies;
pub mod stats;
pub mod topics;

use redb::WriteTransaction;

use crate::{
    domain::{
        forum::{Reply, Topic, points},
        ids::UserId,
        media::Media,
        user::User,
    },
    store::{Reader, StoreResult, forum as store, users},
};

/// A topic with what the caller needs to render it.
#[derive(Debug, Clone)]
pub struct TopicView {
    pub topic: Topic,
    pub author: Option<User>,
    pub liked: bool,
    pub bookmarked: bool,
    pub attachments: Vec<Media>,
}

/// A reply with its author and the caller's like.
#[derive(Debug, Clone)]
pub struct ReplyView {
    pub reply: Reply,
    pub author: Option<User>,
    pub liked: bool,
    pub best: bool,
    pub attachments: Vec<Media>,
}

/// Loads the parts of a topic view for `viewer`.
pub fn topic_view(r: &impl Reader, topic: Topic, viewer: UserId) -> StoreResult<TopicView> {
    let author = users::get(r, topic.author)?;
    let liked = store::likes(r, &topic.id.key(), viewer)?;
    let bookmarked = store::bookmarked(r, viewer, topic.id)?;
    let attachments = attachments::load(r, &topic.attachments)?;
    Ok(TopicView { topic, author, liked, bookmarked, attachments })
}

/// Loads the parts of a reply view for `viewer`.
pub fn reply_view(r: &impl Reader, reply: Reply, best: bool, viewer: UserId) -> StoreResult<ReplyView> {
    let author = users::get(r, reply.author)?;
    let liked = store::likes(r, &reply.id.key(), viewer)?;
    let attachments = attachments::load(r, &reply.attachments)?;
    Ok(ReplyView { reply, author, liked, best, attachments })
}

/// Counts `user` as a contributor the first time they post.
fn count_contribution(tx: &WriteTransaction, before_posts: u64) -> StoreResult<()> {
    if before_posts == 0 { store::add_counter(tx, "contributors", 1) } else { Ok(()) }
}

/// Applies the stats and counters of a new topic.
fn topic_added(tx: &WriteTransaction, t: &Topic) -> StoreResult<()> {
    let before = store::stats(tx, t.author)?;
    store::adjust_stats(tx, t.author, |s| {
        s.topics += 1;
        s.reputation += points::TOPIC;
    })?;
    count_contribution(tx, before.topics + before.replies)?;
    store::add_counter(tx, "topics", 1)?;
    store::add_counter(tx, &format!("category:{}", t.category), 1)
}

/// Applies the stats and counters of a new reply.
fn reply_added(tx: &WriteTransaction, r: &Reply) -> StoreResult<()> {
    let before = store::stats(tx, r.author)?;
    store::adjust_stats(tx, r.author, |s| {
        s.replies += 1;
        s.reputation += points::REPLY;
    })?;
    count_contribution(tx, before.topics + before.replies)?;
    store::add_counter(tx, "replies", 1)
}

/// Reverses what a reply earned (its creation, its likes, a best answer).
fn reply_removed(tx: &WriteTransaction, r: &Reply, was_best: bool) -> StoreResult<()> {
    store::adjust_stats(tx, r.author, |s| {
        s.replies = s.replies.saturating_sub(1);
        s.likes_received = s.likes_received.saturating_sub(r.like_count);
        let mut lost = points::REPLY + r.like_count * points::LIKE;
        if was_best {
            s.best_answers = s.best_answers.saturating_sub(1);
            lost += points::BEST_ANSWER;
        }
        s.reputation = s.reputation.saturating_sub(lost);
    })?;
    store::add_counter(tx, "replies", -1)
}

/// Reverses what a topic earned (its creation and likes) and its counters.
fn topic_removed(tx: &WriteTransaction, t: &Topic) -> StoreResult<()> {
    store::adjust_stats(tx, t.author, |s| {
        s.topics = s.topics.saturating_sub(1);
        s.likes_received = s.likes_received.saturating_sub(t.like_count);
        s.reputation = s.reputation.saturating_sub(points::TOPIC + t.like_count * points::LIKE);
    })?;
    if t.reply_count > 0 {
        store::add_counter(tx, "answered", -1)?;
    }
    store::add_counter(tx, "topics", -1)?;
    store::add_counter(tx, &format!("category:{}", t.category), -1)
}
