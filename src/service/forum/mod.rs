//! The forum's use cases: topics, replies, reactions (likes, bookmarks, best answers, views)
//! and stats. Every counter (replies, likes, views, category counts, reputation) changes in
//! the same transaction as the write that causes it.

pub mod attachments;
mod engaged;
pub mod events;
pub mod reactions;
pub mod replies;
pub mod stats;
pub mod topics;

use crate::store::Tx;

use crate::{
    domain::{
        engagement::{Counter, Target},
        forum::{Reply, ReplyView, Topic, TopicView, points},
        ids::UserId,
    },
    store::{Reader, StoreResult, engagement, stats as user_stats, users},
};

/// Loads the parts of a topic view for `viewer`.
pub fn topic_view(r: &impl Reader, topic: Topic, viewer: UserId) -> StoreResult<TopicView> {
    let author = users::get(r, topic.author)?;
    let liked = engagement::liked(r, Target::Topic(topic.id), viewer)?;
    let bookmarked = engagement::bookmarked(r, viewer, Target::Topic(topic.id))?;
    let attachments = attachments::load(r, &topic.attachments)?;
    Ok(TopicView { topic, author, liked, bookmarked, attachments })
}

/// Loads the parts of a reply view for `viewer`.
pub fn reply_view(r: &impl Reader, reply: Reply, best: bool, viewer: UserId) -> StoreResult<ReplyView> {
    let author = users::get(r, reply.author)?;
    let liked = engagement::liked(r, Target::Reply(reply.id), viewer)?;
    let attachments = attachments::load(r, &reply.attachments)?;
    Ok(ReplyView { reply, author, liked, best, attachments })
}

/// Moves the per-tag topic counts of `tags` by `delta`.
pub(crate) fn count_tags(tx: &Tx, tags: &[String], delta: i64) -> StoreResult<()> {
    for tag in tags {
        engagement::add(tx, &Counter::TopicsWithTag(tag.to_lowercase()), delta)?;
    }
    Ok(())
}

/// Counts `user` as a contributor the first time they post.
fn count_contribution(tx: &Tx, before_posts: u64) -> StoreResult<()> {
    if before_posts == 0 { engagement::add(tx, &Counter::Contributors, 1).map(drop) } else { Ok(()) }
}

/// Applies the stats and counters of a new topic.
fn topic_added(tx: &Tx, t: &Topic) -> StoreResult<()> {
    let before = user_stats::stats(tx, t.author)?;
    user_stats::adjust_stats(tx, t.author, |s| {
        s.topics += 1;
        s.reputation += points::TOPIC;
    })?;
    count_contribution(tx, before.topics + before.replies)?;
    engagement::add(tx, &Counter::Topics, 1)?;
    count_tags(tx, &t.tags, 1)?;
    engagement::add(tx, &Counter::TopicsInCategory(t.category.clone()), 1).map(drop)
}

/// Applies the stats and counters of a new reply.
fn reply_added(tx: &Tx, r: &Reply) -> StoreResult<()> {
    let before = user_stats::stats(tx, r.author)?;
    user_stats::adjust_stats(tx, r.author, |s| {
        s.replies += 1;
        s.reputation += points::REPLY;
    })?;
    count_contribution(tx, before.topics + before.replies)?;
    engagement::add(tx, &Counter::Replies, 1).map(drop)
}

/// Reverses what a reply earned (its creation, its likes, a best answer).
fn reply_removed(tx: &Tx, r: &Reply, was_best: bool) -> StoreResult<()> {
    user_stats::adjust_stats(tx, r.author, |s| {
        s.replies = s.replies.saturating_sub(1);
        s.likes_received = s.likes_received.saturating_sub(r.like_count);
        let mut lost = points::REPLY + r.like_count * points::LIKE;
        if was_best {
            s.best_answers = s.best_answers.saturating_sub(1);
            lost += points::BEST_ANSWER;
        }
        s.reputation = s.reputation.saturating_sub(lost);
    })?;
    engagement::add(tx, &Counter::Replies, -1).map(drop)
}

/// Reverses what a topic earned (its creation and likes) and its counters.
fn topic_removed(tx: &Tx, t: &Topic) -> StoreResult<()> {
    user_stats::adjust_stats(tx, t.author, |s| {
        s.topics = s.topics.saturating_sub(1);
        s.likes_received = s.likes_received.saturating_sub(t.like_count);
        s.reputation = s.reputation.saturating_sub(points::TOPIC + t.like_count * points::LIKE);
    })?;
    if t.reply_count > 0 {
        engagement::add(tx, &Counter::AnsweredTopics, -1)?;
    }
    engagement::add(tx, &Counter::Topics, -1)?;
    count_tags(tx, &t.tags, -1)?;
    engagement::add(tx, &Counter::TopicsInCategory(t.category.clone()), -1).map(drop)
}
