//! The medium data set of SPEC §13 (the notifications and search benches share it), written
//! straight into a fresh redb file through the library before the server starts:
//! organizations with their members (one shared argon2 hash), topics with their replies,
//! watchers and notifications, and use cases. Every record, index and counter ends up as the
//! services would have left it — each batch applies the effect of `topic_added` /
//! `reply_added` / the use-case counters once, summed over the batch — with the activity
//! feed and the trending scores written event by event, so the dashboard reads a full feed
//! and ranking rather than empty ones.
//!
//! Who does what, by user index `u` of `U` users (the ratios hold at every scale):
//! - topic `i` is started by user `a = (i + ⌊i/U⌋) % U` (see `author`), in their organization;
//!   its ten watchers are users `(a + k·⌊U/10⌋) % U`, `k` = 0..10 (the author first), and
//!   its 1 to 9 replies are written by watchers 1..=9 in turn (people watch what they wrote in);
//! - each reply tells the topic's author (`topic_reply`), as the reply service does; of the
//!   25 replies to their five topics a person keeps the newest `NOTIFICATIONS`, the newest
//!   `u % 11` of them unread (five on average). The watchers' fan-out of the
//!   preloaded replies is left out: the job would add eight notifications per reply.
//!
//! The words of names, topics, replies and use cases come from a `Text`: the notifications
//! bench keeps the fixed English sentences of `PLAIN`, the search bench varied bilingual text.

use std::collections::HashMap;

use p2p_sandbox::{
    domain::{
        activity::{Activity, ActivityKind},
        engagement::{Counter, Target},
        forum::{Reply, Topic, points},
        ids::{ActivityId, NotificationId, OrgId, ReplyId, TopicId, UseCaseId, UserId},
        notifications::{Notification, NotificationKind},
        trending::Engagement,
        use_case::{CATEGORY_LIST, Metric, UseCase, UseCaseInput, slugify, validate},
        user::User,
    },
    store::{
        Store, StoreResult, Tx, activity, engagement, forum, notifications, orgs, stats, trending, use_cases, users,
    },
};
use rand::{SeedableRng, rngs::StdRng};

use super::fixtures;

/// The words of the records, by index (see the header).
pub struct Text {
    /// First and last name of user `u`.
    pub name: fn(usize) -> (String, String),
    /// Title and body of topic `i`.
    pub topic: fn(usize) -> (String, String),
    /// Body of reply `k` of topic `i`.
    pub reply: fn(usize, usize) -> String,
    /// Title, subtitle and body of use case `i`, whose plant is in `city`.
    pub use_case: fn(usize, &str) -> (String, String, String),
}

/// One English sentence per kind of record, numbered: the notifications bench's data set.
pub const PLAIN: Text = Text {
    name: |u| (format!("Member{u}"), "Bench".to_owned()),
    topic: |i| {
        let title = format!("Hydraulic press {i} loses pressure after warm-up");
        (title, format!("Topic {i}: the press drops 15 bar once the oil passes 50 °C. Seals are new."))
    },
    reply: |i, k| format!("Reply {k} to topic {i}: check the relief valve spring and the oil grade."),
    use_case: |i, city| {
        let title = format!("Predictive maintenance of press line {} in {city}", i % 40 + 1);
        let body = format!(
            "Use case {i}: the plant fitted vibration sensors on the main drives of its press line, trained the \
             shift leads to read the trends, and cut unplanned stops by a third within six months."
        );
        (title, "Vibration sensors on the main drives".into(), body)
    },
};

/// Members of each organization, the first one its admin.
pub const PER_ORG: usize = 10;
/// The spec's medium data set (SPEC §13), at scale 1.0: organizations, topics, use cases
/// (people are `PER_ORG` per organization, replies `replies_of` per topic).
pub const ORGS: usize = 2_000;
pub const TOPICS: usize = 100_000;
pub const USE_CASES: usize = 10_000;
/// People watching each topic, its author and repliers among them.
pub const WATCHERS: usize = 10;
/// Notifications kept per person.
pub const NOTIFICATIONS: usize = 20;
/// Organizations (with their members) per write transaction.
const ORGS_PER_TX: usize = 200;
/// Topics (with replies, watchers, notifications, feed entries) per write transaction.
const TOPICS_PER_TX: usize = 500;
const USE_CASES_PER_TX: usize = 1_000;
/// Time between two topics' creation, going back from now.
const TOPIC_SPACING_MS: i64 = 20_000;
/// Time between two replies of a topic (a topic's last reply stays in the past).
const REPLY_SPACING_MS: i64 = 2_000;
const CITIES: [&str; 6] = ["Riyadh", "Jeddah", "Dammam", "Jubail", "Yanbu", "Khobar"];

pub fn email(u: usize) -> String {
    format!("n{u}@org{}.example.com", u / PER_ORG)
}

/// Replies of topic `i`: 1, 3, 5, 7 or 9 (five on average).
pub fn replies_of(i: usize) -> usize {
    2 * (i % 5) + 1
}

/// User index of the author of topic `i`: one topic each in turn, shifted by one on every
/// round, so that each person's topics have 1, 3, 5, 7 and 9 replies (25 in all), not five
/// topics of one size.
pub fn author(i: usize, users: usize) -> usize {
    (i + i / users) % users
}

/// User index of the `k`-th watcher of topic `i` (0 is its author).
pub fn watcher(i: usize, k: usize, users: usize) -> usize {
    (author(i, users) + k * (users / WATCHERS).max(1)) % users
}

/// User index of the author of reply `k` of topic `i`: watchers 1..=9 in turn.
pub fn replier(i: usize, k: usize, users: usize) -> usize {
    watcher(i, 1 + k % (WATCHERS - 1), users)
}

/// Unread notifications of user `u` once loaded (fewer when it has fewer notifications).
fn unread_of(u: usize) -> usize {
    u % 11
}

/// The people: organizations and their members, by index.
pub struct People {
    pub ids: Vec<UserId>,
    /// Each user's organization (user `u` is in organization `u / PER_ORG`).
    pub orgs: Vec<OrgId>,
    pub org_names: Vec<String>,
}

/// Writes `n_orgs` organizations of `PER_ORG` active, verified members each.
pub fn people(store: &Store, n_orgs: usize, hash: &str, text: &Text) -> People {
    let now = p2p_sandbox::service::now();
    let mut out = People { ids: Vec::new(), orgs: Vec::new(), org_names: Vec::new() };
    for start in (0..n_orgs).step_by(ORGS_PER_TX) {
        let batch = store
            .write_blocking(|tx| {
                let mut batch = Vec::new();
                for j in start..(start + ORGS_PER_TX).min(n_orgs) {
                    let (city, name) = (CITIES[j % CITIES.len()], format!("Gulf Fabrication Works {j}"));
                    let org = fixtures::organization(
                        name,
                        format!("org{j}.example.com"),
                        fixtures::industry(j),
                        city,
                        PER_ORG,
                        now,
                    );
                    orgs::put(tx, &org)?;
                    for k in 0..PER_ORG {
                        let u = j * PER_ORG + k;
                        let (first_name, last_name) = (text.name)(u);
                        let user =
                            User { first_name, last_name, ..fixtures::user(email(u), Some((&org, k == 0)), hash, now) };
                        users::insert(tx, &user)?;
                        orgs::add_member(tx, org.id, user.id)?;
                        batch.push((user.id, org.id, org.name.clone()));
                    }
                }
                Ok(batch)
            })
            .expect("people");
        for (id, org, name) in batch {
            out.ids.push(id);
            out.orgs.push(org);
            out.org_names.push(name);
        }
    }
    out
}

/// What the forum load wrote.
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
fn record(tx: &Tx, rng: &mut StdRng, a: Activity) -> StoreResult<()> {
    activity::record(tx, &Activity { id: ActivityId(fixtures::uuid_at(a.at, rng)), ..a })
}

/// Writes `n` topics with their replies, watchers, the topic authors' notifications, feed
/// entries and trending scores, `TOPICS_PER_TX` topics per write transaction.
pub fn forum(store: &Store, people: &People, categories: &[String], n: usize, text: &Text) -> Forum {
    let now = p2p_sandbox::service::now();
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
        store
            .write_blocking(|tx| {
                let (mut deltas, mut per_category, mut per_tag) =
                    (HashMap::<UserId, Delta>::new(), HashMap::<&str, i64>::new(), HashMap::<String, i64>::new());
                for i in batch.clone() {
                    let created = now - (n - i + 2) as i64 * TOPIC_SPACING_MS;
                    let (a, replies) = (author(i, u_count), replies_of(i));
                    let category = &categories[i % categories.len()];
                    let (title, body) = (text.topic)(i);
                    let topic = Topic {
                        id: TopicId::new(),
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
                            let mut note =
                                Notification::new(people.ids[a], kind, target, Some(topic.id), reply.author, at);
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
            })
            .expect("forum batch");
        f.transactions += 1;
    }
    f
}

/// The fields of use case `i`, validated as the service validates them.
fn content(i: usize, org: &str, text: &Text) -> p2p_sandbox::domain::use_case::UseCaseContent {
    let city = CITIES[i % CITIES.len()];
    let (title, subtitle, body) = (text.use_case)(i, city);
    let raw = UseCaseInput {
        title,
        subtitle,
        body,
        category: CATEGORY_LIST[i % CATEGORY_LIST.len()].name_en.to_owned(),
        industry: fixtures::industry(i).to_owned(),
        factory_name: format!("{org} Plant {}", i % 3 + 1),
        city: city.to_owned(),
        latitude: Some(24.7 + (i % 100) as f64 / 100.0),
        longitude: Some(46.6 + (i % 70) as f64 / 100.0),
        technology_components: vec!["Vibration sensors".into(), "Edge gateway".into()],
        metrics: vec![Metric {
            metric: "Unplanned stops".into(),
            baseline: "12 / month".into(),
            current: "8 / month".into(),
            improvement: "-33%".into(),
        }],
        ..UseCaseInput::default()
    };
    validate(&raw).unwrap_or_else(|e| panic!("use case {i}: {e:?}"))
}

/// Writes `n` use cases, one organization after another, each by its organization's admin,
/// with the counters `service::use_cases` keeps and a feed entry each.
pub fn use_cases(store: &Store, people: &People, n: usize, text: &Text) -> usize {
    let now = p2p_sandbox::service::now();
    let n_orgs = people.ids.len() / PER_ORG;
    let mut rng = StdRng::seed_from_u64(14);
    let mut transactions = 0;
    for start in (0..n).step_by(USE_CASES_PER_TX) {
        store
            .write_blocking(|tx| {
                let (mut per_category, mut per_org, mut per_author) =
                    (HashMap::<String, i64>::new(), HashMap::<OrgId, i64>::new(), HashMap::<UserId, u64>::new());
                for i in start..(start + USE_CASES_PER_TX).min(n) {
                    let admin = (i % n_orgs) * PER_ORG;
                    let (org, name) = (people.orgs[admin], &people.org_names[admin]);
                    let content = content(i, name, text);
                    let org_slug = slugify(name);
                    let created = now - (n - i) as i64 * 60_000;
                    let u = UseCase {
                        id: UseCaseId(fixtures::uuid_at(created, &mut rng)),
                        author: people.ids[admin],
                        org,
                        slug: use_cases::free_slug(tx, &org_slug, &slugify(&content.title))?,
                        org_slug,
                        content,
                        featured: false,
                        verified: false,
                        view_count: 0,
                        like_count: 0,
                        bookmark_count: 0,
                        created_at: created,
                        updated_at: created,
                        media: Vec::new(),
                        cover: None,
                    };
                    use_cases::insert(tx, &u)?;
                    let kind = ActivityKind::PublishedUseCase;
                    let published =
                        Activity::new(u.author, Some(org), kind, Some(Target::UseCase(u.id)), None, created);
                    record(tx, &mut rng, published)?;
                    *per_category.entry(u.content.category.clone()).or_default() += 1;
                    *per_org.entry(org).or_default() += 1;
                    *per_author.entry(u.author).or_default() += 1;
                }
                engagement::add(tx, &Counter::UseCases, per_category.values().sum())?;
                for (category, k) in per_category {
                    engagement::add(tx, &Counter::UseCasesInCategory(category), k)?;
                }
                for (org, k) in per_org {
                    let key = Counter::UseCasesOfOrg(org);
                    if engagement::counter(tx, &key)? == 0 {
                        engagement::add(tx, &Counter::OrgsWithUseCases, 1)?;
                    }
                    engagement::add(tx, &key, k)?;
                }
                for (author, k) in per_author {
                    stats::adjust_stats(tx, author, |s| {
                        s.reputation += k * points::USE_CASE;
                        s.use_cases += k;
                    })?;
                }
                Ok(())
            })
            .expect("use cases batch");
        transactions += 1;
    }
    transactions
}
