//! The data sets of SPEC §13 for benchmarks and for self-hosters trying the platform at
//! scale (`p2p-sandbox bench-data`): organizations with their members, topics with their
//! replies, watchers, notifications and feed entries, use cases, and private conversations,
//! written straight into a fresh store in large transactions. Every record, index and
//! counter ends up as the services would have left it (`check` proves the counts), so the
//! server started on it serves full pages, bells, badges, feeds and rankings.
//!
//! Who does what, by user index `u` of `U` users (the ratios hold at every size):
//! - user `u` is in organization `u / PER_ORG` (its admin when `u % PER_ORG == 0`), signs in
//!   as `email(u)`, and every account shares one password, hashed once;
//! - topic `i` is started by user `author(i, U)`; its ten watchers are users
//!   `(a + k·⌊U/10⌋) % U` (the author first), and its 1 to 9 replies are written by watchers
//!   1..=9 in turn; each reply tells the topic's author, who keeps the newest
//!   `NOTIFICATIONS`, the newest `u % 11` of them unread;
//! - use case `i` is published by the admin of organization `i % orgs`;
//! - conversations join random pairs of people, 1 to 7 messages each (4 on average); the
//!   one who got the last message has it unread, with a grouped message notification.

pub mod check;
pub mod dir;
pub mod fixtures;
mod forum;
mod messages;
mod people;
pub mod text;
mod use_cases;

use std::time::{Duration, Instant};

pub use forum::{Forum, forum};
pub use messages::{Group, Loaded as Conversations, TEXTS as MESSAGE_TEXTS, conversations};
pub use people::{People, people};
pub use use_cases::use_cases;

use crate::{
    service::progress::Progress,
    store::{Store, StoreResult},
};

/// Members of each organization, the first one its admin.
pub const PER_ORG: usize = 10;
/// The spec's medium data set (SPEC §13): organizations, topics, use cases, conversations
/// (people are `PER_ORG` per organization, replies `replies_of` per topic, messages 4 per
/// conversation on average).
pub const ORGS: usize = 2_000;
pub const TOPICS: usize = 100_000;
pub const USE_CASES: usize = 10_000;
pub const CONVERSATIONS: usize = 50_000;
/// People watching each topic, its author and repliers among them.
pub const WATCHERS: usize = 10;
/// Notifications about replies kept per person.
pub const NOTIFICATIONS: usize = 20;
/// Share of the medium set in the small one.
pub const SMALL: f64 = 0.05;
/// The password of every account when none is given.
pub const DEFAULT_PASSWORD: &str = "Bench-data-pass9";

/// Sign-in address of user `u`.
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

/// How many of each record a data set has.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sizes {
    pub orgs: usize,
    pub topics: usize,
    pub use_cases: usize,
    pub conversations: usize,
}

impl Sizes {
    /// SPEC §13's medium set: 2,000 organizations (20,000 people), 100,000 topics (500,000
    /// replies), 10,000 use cases, 50,000 conversations (200,000 messages).
    pub fn medium() -> Self {
        Self { orgs: ORGS, topics: TOPICS, use_cases: USE_CASES, conversations: CONVERSATIONS }
    }

    /// `SMALL` of the medium set (1,000 people): generated in seconds.
    pub fn small() -> Self {
        Self::medium().scaled(SMALL)
    }

    /// The medium set times `f` (at least one organization, topic and use case).
    pub fn scaled(self, f: f64) -> Self {
        let of = |n: usize| ((n as f64 * f).round() as usize).max(1);
        Self {
            orgs: of(self.orgs),
            topics: of(self.topics),
            use_cases: of(self.use_cases),
            conversations: of(self.conversations),
        }
    }

    pub fn users(&self) -> usize {
        self.orgs * PER_ORG
    }

    pub fn replies(&self) -> usize {
        (0..self.topics).map(replies_of).sum()
    }
}

/// What `generate` wrote and how long each part took.
#[derive(Debug)]
pub struct Generated {
    pub people: People,
    pub forum: Forum,
    pub use_cases: usize,
    pub conversations: Conversations,
    /// Wall time of people, forum, use cases and conversations, in that order.
    pub took: [Duration; 4],
}

/// Writes the data set of `sizes` into `store` (fresh: the counters are added to, so a
/// store that already has records ends up with sums that `check` refuses): every account
/// gets `hash` as its password hash, and topics go round the forum `categories`.
pub fn generate(
    store: &Store,
    sizes: &Sizes,
    categories: &[String],
    hash: &str,
    progress: &dyn Progress,
) -> StoreResult<Generated> {
    let text = &text::BILINGUAL;
    let mut took = [Duration::ZERO; 4];
    let t = Instant::now();
    let people = people(store, sizes.orgs, hash, text, progress)?;
    took[0] = t.elapsed();
    let t = Instant::now();
    let forum = forum(store, &people, categories, sizes.topics, text, progress)?;
    took[1] = t.elapsed();
    let t = Instant::now();
    // It returns the transactions it took; every use case is written.
    use_cases(store, &people, sizes.use_cases, text, progress)?;
    let use_cases = sizes.use_cases;
    took[2] = t.elapsed();
    let t = Instant::now();
    let group = Group { senders: 0, recipients: 0, partners: 0 };
    let conversations = conversations(store, &people.ids, sizes.conversations, group, true, progress)?;
    took[3] = t.elapsed();
    Ok(Generated { people, forum, use_cases, conversations, took })
}
