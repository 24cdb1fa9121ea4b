//! The data set, written straight into a fresh redb file through the library before the
//! server starts: users (one shared argon2 hash), then topics with their replies in batched
//! write transactions. Counters and stats end up as the services would have left them:
//! each topic is stored with its final `reply_count` and `last_activity_at` (the time of its
//! last reply) and every index entry, and each batch applies the effect of `topic_added` /
//! `reply_added` (per-author stats and reputation, the `topics`, `replies`, `answered`,
//! `contributors` and `category:<id>` counters) once, summed over the batch.

use std::collections::HashMap;

use p2p_sandbox::{
    domain::{
        engagement::Counter,
        forum::{Reply, Topic, points},
        ids::{ReplyId, TopicId, UserId},
        user::User,
    },
    store::{Store, engagement, forum, stats, users},
};

use crate::common::fixtures;

/// Time between two topics' creation, going back from now.
const TOPIC_SPACING_MS: i64 = 60_000;
/// Time between two replies of a topic (a topic's last reply stays in the past).
const REPLY_SPACING_MS: i64 = 10_000;

pub fn email(i: usize) -> String {
    format!("rt{i}@realtime.example.com")
}

fn user(i: usize, hash: &str, now: i64) -> User {
    User { first_name: format!("User{i}"), ..fixtures::user(email(i), None, hash, now) }
}

/// Writes `n` active, verified users in one transaction; returns their ids.
pub fn users(store: &Store, n: usize, hash: &str) -> Vec<UserId> {
    let now = p2p_sandbox::service::now();
    store
        .write_blocking(|tx| {
            let mut ids = Vec::with_capacity(n);
            for i in 0..n {
                let u = user(i, hash, now);
                users::insert(tx, &u)?;
                ids.push(u.id);
            }
            Ok(ids)
        })
        .unwrap()
}

/// Replies of topic `i`: 1, 3, 5, 7 or 9 (five on average).
pub fn replies_of(i: usize) -> usize {
    2 * (i % 5) + 1
}

/// What one batch adds to an author's stats.
#[derive(Default)]
struct Delta {
    topics: u64,
    replies: u64,
}

/// Writes `topics` topics and their replies by `authors`, `topics_per_tx` topics per write
/// transaction; returns the topic ids (oldest first) and the number of replies written.
pub fn forum(
    store: &Store,
    authors: &[UserId],
    categories: &[String],
    topics: usize,
    topics_per_tx: usize,
) -> (Vec<TopicId>, usize) {
    let now = p2p_sandbox::service::now();
    let mut ids = Vec::with_capacity(topics);
    let mut total_replies = 0;
    for start in (0..topics).step_by(topics_per_tx) {
        let batch = start..(start + topics_per_tx).min(topics);
        let written = store
            .write_blocking(|tx| {
                let (mut deltas, mut per_category) = (HashMap::<UserId, Delta>::new(), HashMap::<&str, i64>::new());
                let (mut ids_out, mut replies) = (Vec::with_capacity(batch.len()), 0);
                for i in batch.clone() {
                    let created = now - (topics - i + 2) as i64 * TOPIC_SPACING_MS;
                    let n = replies_of(i);
                    let category = &categories[i % categories.len()];
                    let topic = Topic {
                        id: TopicId::new(),
                        author: authors[i % authors.len()],
                        org: None,
                        category: category.clone(),
                        title: format!("Bearing temperature drift on line {i}"),
                        body: format!("Topic {i}: the spindle bearing runs 8 °C hotter after the retrofit."),
                        tags: vec!["maintenance".into(), format!("line-{}", i % 50)],
                        created_at: created,
                        edited_at: None,
                        last_activity_at: created + n as i64 * REPLY_SPACING_MS,
                        pinned: false,
                        locked: false,
                        reply_count: n as u64,
                        like_count: 0,
                        view_count: 0,
                        best_reply: None,
                        attachments: Vec::new(),
                    };
                    forum::insert_topic(tx, &topic)?;
                    deltas.entry(topic.author).or_default().topics += 1;
                    *per_category.entry(category).or_default() += 1;
                    for k in 0..n {
                        let reply = Reply {
                            id: ReplyId::new(),
                            topic: topic.id,
                            parent: None,
                            author: authors[(i + k + 1) % authors.len()],
                            body: format!("Reply {k} to topic {i}: check the grease and the preload."),
                            created_at: created + (k as i64 + 1) * REPLY_SPACING_MS,
                            edited_at: None,
                            like_count: 0,
                            attachments: Vec::new(),
                        };
                        forum::put_reply(tx, &reply)?;
                        deltas.entry(reply.author).or_default().replies += 1;
                    }
                    replies += n;
                    ids_out.push(topic.id);
                }
                for (author, d) in deltas {
                    let before = stats::stats(tx, author)?;
                    stats::adjust_stats(tx, author, |s| {
                        s.topics += d.topics;
                        s.replies += d.replies;
                        s.reputation += d.topics * points::TOPIC + d.replies * points::REPLY;
                    })?;
                    if before.topics + before.replies == 0 {
                        engagement::add(tx, &Counter::Contributors, 1)?;
                    }
                }
                for (category, n) in per_category {
                    engagement::add(tx, &Counter::TopicsInCategory(category.to_owned()), n)?;
                }
                let n_topics = ids_out.len() as i64;
                engagement::add(tx, &Counter::Topics, n_topics)?;
                // Every topic has at least one reply, so every one counts as answered.
                engagement::add(tx, &Counter::AnsweredTopics, n_topics)?;
                engagement::add(tx, &Counter::Replies, replies as i64)?;
                Ok((ids_out, replies))
            })
            .unwrap();
        ids.extend(written.0);
        total_replies += written.1;
    }
    (ids, total_replies)
}
