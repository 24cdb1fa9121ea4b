//! The private conversations of a data set, each built message by message with
//! `fixtures::Thread` as `service::messages::send` leaves it (per-side `sent` counts, each
//! message's snapshot, read markers, list entries, the inbox and unread counters), in
//! batched write transactions.
//!
//! The messages bench's own people come first (`Group`): senders `0..senders` and recipients
//! after them; every sender already talks with `partners` recipients, so most of its sends go
//! to existing conversations. The other conversations join random pairs of all people.
//! Messages alternate between the two members, the one who started first; conversations
//! have 1 to 7 messages, 4 on average, so the one who got the last message has exactly one
//! unread in it.

use std::collections::{HashMap, HashSet};

use rand::{Rng, SeedableRng, rngs::StdRng};

use super::fixtures::{self, Thread};
use crate::{
    domain::{
        ids::{ConversationId, MessageId, NotificationId, UserId},
        notifications::{Notification, NotificationKind, Subject},
    },
    service::{now, progress::Progress},
    store::{Store, StoreError, StoreResult, Tx, notifications},
};

const CONVERSATIONS_PER_TX: usize = 1_000;
const DAY_MS: i64 = 86_400_000;
/// Conversations started within this many days before now.
const HISTORY_DAYS: i64 = 60;
/// Most time between two messages of a conversation (at least a minute apart).
const MAX_GAP_MS: i64 = 2 * 3_600_000;

/// Short messages as people on the platform write them, in English and Arabic.
pub const TEXTS: [&str; 24] = [
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
#[derive(Debug)]
pub struct Loaded {
    pub conversations: usize,
    pub messages: usize,
    pub transactions: usize,
    /// The conversation of each (sender, recipient) pair the group starts with, by user index.
    pub group: HashMap<(usize, usize), ConversationId>,
    /// Every (sender, recipient number) pair with a conversation, the random ones included.
    pub talked: HashSet<(usize, usize)>,
    /// Grouped message notifications written (one per member with unread messages).
    pub notifications: usize,
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
fn pairs(n_users: usize, n: usize, g: Group, rng: &mut StdRng) -> StoreResult<Vec<(usize, usize)>> {
    let mut out: Vec<(usize, usize)> =
        (0..g.senders).flat_map(|s| (0..g.partners).map(move |k| (s, g.partner(s, k)))).collect();
    if n < out.len() || n > n_users * n_users.saturating_sub(1) / 4 {
        let reason = format!("{n} conversations cannot join distinct pairs of {n_users} people");
        return Err(StoreError::Encode { table: "conversations", reason });
    }
    let mut seen: HashSet<(usize, usize)> = out.iter().map(|&(a, b)| (a.min(b), a.max(b))).collect();
    while out.len() < n {
        let (a, b) = (rng.gen_range(0..n_users), rng.gen_range(0..n_users));
        if a != b && seen.insert((a.min(b), a.max(b))) {
            out.push((a, b));
        }
    }
    Ok(out)
}

/// Writes `n` conversations with 4 messages each on average between `users`,
/// `CONVERSATIONS_PER_TX` per transaction; with `notify`, the member who has unread
/// messages in one also has its grouped message notification, unread.
pub fn conversations(
    store: &Store,
    users: &[UserId],
    n: usize,
    g: Group,
    notify: bool,
    progress: &dyn Progress,
) -> StoreResult<Loaded> {
    let now = now();
    progress.stage("conversations", n as u64);
    let mut rng = StdRng::seed_from_u64(12);
    let pairs = pairs(users.len(), n, g, &mut rng)?;
    let index: HashMap<UserId, usize> = users.iter().enumerate().map(|(i, u)| (*u, i)).collect();
    let mut loaded = Loaded {
        conversations: n,
        messages: 0,
        notifications: 0,
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
                let text = TEXTS[rng.gen_range(0..TEXTS.len())].to_owned();
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
                if let Some(u) = index.get(user).and_then(|&i| loaded.per_user.get_mut(i)) {
                    (u.0, u.1) = (u.0 + 1, u.1 + unread);
                }
                loaded.notifications += usize::from(notify && unread > 0);
            }
            threads.push(thread);
        }
        store.write_blocking(|tx| {
            threads.iter().try_for_each(|t| {
                t.write(tx)?;
                if notify { notify_unread(tx, t, &mut rng) } else { Ok(()) }
            })
        })?;
        progress.advance(batch.len() as u64);
        loaded.transactions += 1;
    }
    Ok(loaded)
}

/// The grouped message notification of the member of `t` who has unread messages, as
/// `service::notifications::message_while_away` leaves it after those messages: unread,
/// counting them, from the first of them to the last.
fn notify_unread(tx: &Tx, t: &Thread, rng: &mut StdRng) -> StoreResult<()> {
    let c = &t.conversation;
    for (side, (&user, unread)) in c.members.iter().zip(t.unread()).enumerate() {
        // The first unread message: the `unread` newest are the other member's.
        let first = t.messages.len().checked_sub(unread as usize).and_then(|k| t.messages.get(k));
        let Some(first) = first.filter(|_| unread > 0) else { continue };
        let (sender, last) = (c.members[1 - side], c.last.created_at);
        let subject = Subject::Conversation(c.id);
        let mut n = Notification::new(user, NotificationKind::Message, subject, None, sender, first.created_at);
        (n.id, n.actor_count, n.updated_at) = (NotificationId(fixtures::uuid_at(last, rng)), unread, last);
        notifications::put(tx, None, &n)?;
        notifications::set_group(tx, &n)?;
    }
    Ok(())
}
