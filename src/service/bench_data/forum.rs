//! The forum of a data set: topics with their replies, watchers, the topic authors'
//! notifications, feed entries and trending scores, with the counters and per-author stats
//! the forum services keep. Each batch applies the effect of `topic_added` / `reply_added`
//! once, summed over the batch, while the feed and the trending scores are written event by
//! event, so the dashboard reads a full feed and ranking rather than empty ones. The
//! watchers' fan-out of these replies is left out: the job would add eight notifications per
//! reply.

use std::collections::HashMap;

use rand::{SeedableRng, rngs::StdRng};

use super::{NOTIFICATIONS, People, WATCHERS, author, fixtures, replier, replies_of, text::Text, watcher};
use crate::{
    domain::{
        activity::{Activity, ActivityKind},
        engagement::{Counter, Target},
        forum::{Reply, Topic, points},
        ids::{ActivityId, NotificationId, ReplyId, TopicId, UserId},
        notifications::{Notification, NotificationKind},
        trending::Engagement,
    },
    service::{now, progress::Progress},
    store::{Store, StoreResult, Tx, activity, engagement, forum, notifications, stats, trending},
};

/// Topics (with replies, watchers, notifications, feed entries) per write transaction.
const TOPICS_PER_TX: usize = 500;
/// Time between two topics' creation, going back from now.
const TOPIC_SPACING_MS: i64 = 20_000;
/// Time between two replies of a topic (a topic's last reply stays in the past).
const REPLY_SPACING_MS: i64 = 2_000;

/// Unread notifications of user `u` once loaded (fewer when it has fewer notifications).
fn unread_of(u: usize) -> usize {
    u % 11
}

/// What the forum load wrote.
#[derive(Debug)]
pub struct Forum {
    pub topics: Vec<TopicId>,
    pub replies: usize,
    pub watches: usize,
    pub notifications: usize,
    /// Unread notifications of each user.
    pub unread: Vec<u64>,
    pub transactions: usize,
}

/// What one batch adds to an author's stats.
#[derive(Default)]
struct Delta {
    topics: u64,
    replies: u64,
}

/// Records feed entry `a` with an id of its own time, as if recorded then (the feed is in
/// id order).
pub(super) fn record(tx: &Tx, rng: &mut StdRng, a: Activity) -> StoreResult<()> {
    activity::record(tx, &Activity { id: ActivityId(fixtures::uuid_at(a.at, rng)), ..a })
}

/// Writes `n` topics with their replies, watchers, the topic authors' notifications, feed
/// entries and trending scores, `TOPICS_PER_TX` topics per write transaction.
pub fn forum(
    store: &Store,
    people: &People,
    categories: &[String],
    n: usize,
    text: &Text,
    progress: &dyn Progress,
) -> StoreResult<Forum> {
    let now = now();
    progress.stage("topics", n as u64);
    let u_count = people.ids.len();
    let mut rng = StdRng::seed_from_u64(13);
    // Replies each user's topics get in all: their notifications before the cut.
    let mut total = vec![0usize; u_count];
    (0..n).for_each(|i| total[author(i, u_count)] += replies_of(i));
    let mut seen = vec![0usize; u_count];
    let mut f = Forum {
        topics: Vec::with_capacity(n),
        replies: 0,
        watches: 0,
        notifications: 0,
        unread: vec![0; u_count],
        transactions: 0,
    };
    for start in (0..n).step_by(TOPICS_PER_TX) {
        let batch = start..(start + TOPICS_PER_TX).min(n);
        store.write_blocking(|tx| {
            let (mut deltas, mut per_category, mut per_tag) =
                (HashMap::<UserId, Delta>::new(), HashMap::<&str, i64>::new(), HashMap::<String, i64>::new());
            for i in batch.clone() {
                let created = now - (n - i + 2) as i64 * TOPIC_SPACING_MS;
                let (a, replies) = (author(i, u_count), replies_of(i));
                let category = &categories[i % categories.len()];
                let (title, body) = (text.topic)(i);
                let topic = Topic {
                    id: TopicId(fixtures::uuid_at(created, &mut rng)),
                    author: people.ids[a],
                    org: Some(people.orgs[a]),
                    category: category.clone(),
                    title,
                    body,
                    tags: vec!["hydraulics".into(), format!("press-{}", i % 40)],
                    created_at: created,
                    edited_at: None,
                    last_activity_at: created + replies as i64 * REPLY_SPACING_MS,
                    pinned: false,
                    locked: false,
                    reply_count: replies as u64,
                    like_count: 0,
                    view_count: 0,
                    best_reply: None,
                    attachments: Vec::new(),
                };
                forum::insert_topic(tx, &topic)?;
                deltas.entry(topic.author).or_default().topics += 1;
                *per_category.entry(category).or_default() += 1;
                for tag in &topic.tags {
                    *per_tag.entry(tag.to_lowercase()).or_default() += 1;
                }
                let (t, org) = (Target::Topic(topic.id), people.orgs[a]);
                let asked =
                    Activity::new(topic.author, Some(org), ActivityKind::Asked, Some(t), Some(topic.id), created);
                record(tx, &mut rng, asked)?;
                trending::engaged(tx, t, Engagement::Started, created)?;
                for k in 0..WATCHERS {
                    notifications::set_watch(tx, topic.id, people.ids[watcher(i, k, u_count)], true)?;
                }
                f.watches += WATCHERS;
                for k in 0..replies {
                    let at = created + (k as i64 + 1) * REPLY_SPACING_MS;
                    let w = replier(i, k, u_count);
                    let reply = Reply {
                        id: ReplyId(fixtures::uuid_at(at, &mut rng)),
                        topic: topic.id,
                        parent: None,
                        author: people.ids[w],
                        body: (text.reply)(i, k),
                        created_at: at,
                        edited_at: None,
                        like_count: 0,
                        attachments: Vec::new(),
                    };
                    forum::put_reply(tx, &reply)?;
                    deltas.entry(reply.author).or_default().replies += 1;
                    let target = Target::Reply(reply.id);
                    let (org, kind) = (Some(people.orgs[w]), ActivityKind::Answered);
                    record(tx, &mut rng, Activity::new(reply.author, org, kind, Some(target), Some(topic.id), at))?;
                    trending::engaged(tx, t, Engagement::Replied, at)?;
                    // The topic author's newest notifications only (`seen` counts in time order).
                    seen[a] += 1;
                    let left = total[a] - seen[a];
                    if left < NOTIFICATIONS && w != a {
                        let kind = NotificationKind::TopicReply;
                        let mut note = Notification::new(people.ids[a], kind, target, Some(topic.id), reply.author, at);
                        note.id = NotificationId(fixtures::uuid_at(at, &mut rng));
                        note.read = left >= unread_of(a);
                        notifications::put(tx, None, &note)?;
                        f.notifications += 1;
                        f.unread[a] += u64::from(!note.read);
                    }
                }
                f.replies += replies;
                f.topics.push(topic.id);
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
            for (category, k) in per_category {
                engagement::add(tx, &Counter::TopicsInCategory(category.to_owned()), k)?;
            }
            for (tag, k) in per_tag {
                engagement::add(tx, &Counter::TopicsWithTag(tag), k)?;
            }
            let (topics, replies) = (batch.len() as i64, batch.clone().map(replies_of).sum::<usize>() as i64);
            engagement::add(tx, &Counter::Topics, topics)?;
            // Every topic has a reply, so every one counts as answered.
            engagement::add(tx, &Counter::AnsweredTopics, topics)?;
            engagement::add(tx, &Counter::Replies, replies)?;
            Ok(())
        })?;
        progress.advance(batch.len() as u64);
        f.transactions += 1;
    }
    Ok(f)
}
