//! The data set, written straight into a fresh redb file through the library before the
//! server starts: users (one shared argon2 hash), then conversations between distinct pairs
//! of them with their messages, each built with `fixtures::Thread` as
//! `service::messages::send` leaves it (per-side `sent` counts, each message's snapshot,
//! read markers, list entries, the inbox and unread counters), in batched write transactions.
//!
//! The bench's own people come first: senders `0..senders` and recipients after them; every
//! sender already talks with `partners` recipients (and every recipient with as many
//! senders), so most sends go to existing conversations. The other conversations join random
//! pairs of all users. Messages alternate between the two members, the one who started
//! first; conversations have 1 to 7 messages, 4 on average, so the one who got the last
//! message has exactly one unread in it.

use std::collections::{HashMap, HashSet};

use p2p_sandbox::{
    domain::{
        ids::{ConversationId, MessageId, UserId},
        user::{Language, User},
    },
    store::{Store, users},
};
use rand::{Rng, SeedableRng, rngs::StdRng};

use crate::common::fixtures::{self, Thread};

pub const USERS_PER_TX: usize = 2_000;
const CONVERSATIONS_PER_TX: usize = 1_000;
const DAY_MS: i64 = 86_400_000;
/// Conversations started within this many days before now.
const HISTORY_DAYS: i64 = 60;
/// Most time between two messages of a conversation (at least a minute apart).
const MAX_GAP_MS: i64 = 2 * 3_600_000;

const FIRST_NAMES: [&str; 8] = ["Ahmed", "Fatimah", "Omar", "Sara", "Khalid", "Noura", "Yousef", "Layla"];
const LAST_NAMES: [&str; 6] = ["Al-Harbi", "Al-Qahtani", "Al-Otaibi", "Haddad", "Al-Zahrani", "Saleh"];

/// Short messages as people on the platform write them, in English and Arabic.
const TEXTS: [&str; 24] = [
    "Hi! I saw your post about the compressor retrofit. Can we talk this week?",
    "Thanks, the vibration sensors arrived today.",
    "Could you share the supplier for the PLC modules?",
    "We cut idle energy use by 18% after adding meters on every press.",
    "Sure, Tuesday at 10 works for me.",
    "Do you have the wiring diagram for the new line?",
    "The pilot went well; we are rolling it out to the second plant.",
    "Sorry for the late reply, I was on the shop floor all day.",
    "Can you send me the maintenance checklist you mentioned?",
    "Great, I will forward it to our quality team.",
    "What did the predictive maintenance setup cost you per machine?",
    "Let's meet at the Riyadh expo next month.",
    "مرحبا، هل يمكنك مشاركة تجربتكم مع أنظمة المراقبة؟",
    "شكرا جزيلا، وصلت القطع اليوم.",
    "نعم، نستخدم نفس المورد منذ سنتين.",
    "هل لديكم دليل الصيانة باللغة العربية؟",
    "الاجتماع يوم الأحد الساعة العاشرة مناسب لي.",
    "خفضنا استهلاك الطاقة بنسبة ١٥٪ بعد تركيب العدادات.",
    "سأرسل لك العرض الفني غدا إن شاء الله.",
    "ما هي تكلفة التشغيل الشهرية للخط الجديد؟",
    "تم حل المشكلة بعد تغيير الحساسات.",
    "أهلا بك، يسعدني التواصل معك.",
    "Ok, noted. شكرا!",
    "Can we continue in Arabic? أفضل العربية إن أمكن.",
];

pub fn email(i: usize) -> String {
    format!("m{i}@messages.example.com")
}

/// The `i`-th text of the pool, round robin.
pub fn text(i: usize) -> &'static str {
    TEXTS[i % TEXTS.len()]
}

fn user(i: usize, hash: &str, now: i64) -> User {
    User {
        first_name: FIRST_NAMES[i % FIRST_NAMES.len()].into(),
        last_name: format!("{} {i}", LAST_NAMES[i % LAST_NAMES.len()]),
        language: if i.is_multiple_of(3) { Language::Ar } else { Language::En },
        ..fixtures::user(email(i), None, hash, now)
    }
}

/// Writes `n` active, verified users, `USERS_PER_TX` per transaction; returns their ids.
pub fn users(store: &Store, n: usize, hash: &str) -> Vec<UserId> {
    let now = p2p_sandbox::service::now();
    let mut ids = Vec::with_capacity(n);
    for start in (0..n).step_by(USERS_PER_TX) {
        let batch = store
            .write_blocking(|tx| {
                let mut out = Vec::with_capacity(USERS_PER_TX);
                for i in start..(start + USERS_PER_TX).min(n) {
                    let u = user(i, hash, now);
                    users::insert(tx, &u)?;
                    out.push(u.id);
                }
                Ok(out)
            })
            .unwrap();
        ids.extend(batch);
    }
    ids
}

/// The bench's people among the first users: who sends, who receives, how many existing
/// conversations each sender has with recipients.
#[derive(Clone, Copy)]
pub struct Group {
    pub senders: usize,
    pub recipients: usize,
    pub partners: usize,
}

impl Group {
    /// User index of the `k`-th recipient sender `s` already talks with.
    pub fn partner(&self, s: usize, k: usize) -> usize {
        self.senders + (s + k) % self.recipients
    }
}

/// What was loaded, by user index.
pub struct Loaded {
    pub conversations: usize,
    pub messages: usize,
    pub transactions: usize,
    /// The conversation of each (sender, recipient) pair the group starts with, by user index.
    pub group: HashMap<(usize, usize), ConversationId>,
    /// Every (sender, recipient number) pair with a conversation, the random ones included.
    pub talked: HashSet<(usize, usize)>,
    /// Conversations and unread messages of each user.
    pub per_user: Vec<(u64, u64)>,
}

/// Messages of conversation `i`: pairs of conversations add up to 8 (1 + 7, 2 + 6, …).
fn messages_of(i: usize, total: usize) -> usize {
    if i + 1 == total && !total.is_multiple_of(2) {
        return 4;
    }
    let k = 1 + (i / 2) % 7;
    if i.is_multiple_of(2) { k } else { 8 - k }
}

/// The pairs (starter first, by user index): the group's, then distinct random ones.
fn pairs(n_users: usize, n: usize, g: Group, rng: &mut StdRng) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> =
        (0..g.senders).flat_map(|s| (0..g.partners).map(move |k| (s, g.partner(s, k)))).collect();
    assert!(n >= out.len() && n <= n_users * (n_users - 1) / 4, "{n} conversations for {n_users} users");
    let mut seen: HashSet<(usize, usize)> = out.iter().map(|&(a, b)| (a.min(b), a.max(b))).collect();
    while out.len() < n {
        let (a, b) = (rng.gen_range(0..n_users), rng.gen_range(0..n_users));
        if a != b && seen.insert((a.min(b), a.max(b))) {
            out.push((a, b));
        }
    }
    out
}

/// Writes `n` conversations with 4 messages each on average between `users`,
/// `CONVERSATIONS_PER_TX` per transaction.
pub fn conversations(store: &Store, users: &[UserId], n: usize, g: Group) -> Loaded {
    let now = p2p_sandbox::service::now();
    let mut rng = StdRng::seed_from_u64(12);
    let pairs = pairs(users.len(), n, g, &mut rng);
    let index: HashMap<UserId, usize> = users.iter().enumerate().map(|(i, u)| (*u, i)).collect();
    let mut loaded = Loaded {
        conversations: n,
        messages: 0,
        transactions: 0,
        group: HashMap::new(),
        talked: HashSet::new(),
        per_user: vec![(0, 0); users.len()],
    };
    for (b, batch) in pairs.chunks(CONVERSATIONS_PER_TX).enumerate() {
        let mut threads = Vec::with_capacity(batch.len());
        for (j, &(a, z)) in batch.iter().enumerate() {
            let i = b * CONVERSATIONS_PER_TX + j;
            let start = now - HISTORY_DAYS * DAY_MS + rng.gen_range(0..(HISTORY_DAYS - 1) * DAY_MS);
            let id = ConversationId(fixtures::uuid_at(start, &mut rng));
            let mut thread = Thread::new(id, users[a], users[z], start);
            let mut at = start;
            for k in 0..messages_of(i, n) {
                let sender = if k.is_multiple_of(2) { users[a] } else { users[z] };
                let text = text(rng.gen_range(0..TEXTS.len())).to_owned();
                thread.send(MessageId(fixtures::uuid_at(at, &mut rng)), sender, text, at);
                at += rng.gen_range(60_000..MAX_GAP_MS);
            }
            if i < g.senders * g.partners {
                loaded.group.insert((a, z), id);
            }
            let (s, r) = (a.min(z), a.max(z));
            if s < g.senders && (g.senders..g.senders + g.recipients).contains(&r) {
                loaded.talked.insert((s, r - g.senders));
            }
            loaded.messages += thread.messages.len();
            for (user, unread) in thread.conversation.members.iter().zip(thread.unread()) {
                let u = &mut loaded.per_user[index[user]];
                (u.0, u.1) = (u.0 + 1, u.1 + unread);
            }
            threads.push(thread);
        }
        store.write_blocking(|tx| threads.iter().try_for_each(|t| t.write(tx))).unwrap();
        loaded.transactions += 1;
    }
    loaded
}
