//! Records the data sets and the benchmarks write straight into redb: an organization and an active, verified
//! account with every field set once, so a bench states only the fields it varies; and a
//! private conversation built message by message as `service::messages::send` leaves it.

use crate::{
    domain::{
        engagement::Counter,
        ids::{ConversationId, MessageId, OrgId, UserId},
        messages::{Conversation, LastMessage, Message},
        org::Organization,
        user::{Language, OrgRole, User, UserStatus},
    },
    store::{StoreResult, Tx, engagement, messages},
};

/// An organization of `members` members, one of them its admin.
pub fn organization(
    name: String,
    domain: String,
    industry: &str,
    city: &str,
    members: usize,
    now: i64,
) -> Organization {
    Organization {
        id: OrgId::new(),
        name,
        domain,
        industry: industry.to_owned(),
        size: "medium".into(),
        city: city.to_owned(),
        country: "Saudi Arabia".into(),
        description: String::new(),
        website: String::new(),
        verified: false,
        member_count: members as u64,
        admin_count: 1,
        created_at: now,
        updated_at: now,
        logo: None,
    }
}

/// An active, verified account with the password hash `hash` (the benches share one); with
/// `org`, a member of it (its admin when the flag is set) located in its city.
pub fn user(email: String, org: Option<(&Organization, bool)>, hash: &str, now: i64) -> User {
    User {
        id: UserId::new(),
        email,
        password_hash: hash.to_owned(),
        email_verified: true,
        status: UserStatus::Active,
        platform_admin: false,
        org_id: org.map(|(o, _)| o.id),
        org_role: org.map(|(_, admin)| if admin { OrgRole::Admin } else { OrgRole::Member }),
        first_name: "Bench".into(),
        last_name: "Bench".into(),
        title: "Process Engineer".into(),
        location: org.map_or_else(|| "Riyadh".to_owned(), |(o, _)| o.city.clone()),
        bio: String::new(),
        expertise_tags: Vec::new(),
        language: Language::En,
        created_at: now,
        updated_at: now,
        last_login_at: None,
        avatar: None,
    }
}

/// The `i`-th industry of the closed set, round robin.
pub fn industry(i: usize) -> &'static str {
    use crate::domain::closed::{ClosedSet, Industry};
    Industry::ALL[i % Industry::ALL.len()].name()
}

/// A time-ordered (UUIDv7) id for `at_ms` (Unix ms) with random bits from `rng`: records
/// back-dated by a bench sort as if they had been created then.
pub fn uuid_at(at_ms: i64, rng: &mut impl rand::RngCore) -> uuid::Uuid {
    let mut random = [0u8; 10];
    rng.fill_bytes(&mut random);
    uuid::Builder::from_unix_timestamp_millis(at_ms.max(0) as u64, &random).into_uuid()
}

/// A conversation between two people with its messages and both members' state, as
/// `service::messages::send` leaves them: per-side `sent` counts, each message's snapshot of
/// them, the sender's read marker on their own message, the newest message's preview;
/// nobody muted or archived, no away email queued.
pub struct Thread {
    pub conversation: Conversation,
    pub messages: Vec<Message>,
}

impl Thread {
    /// A conversation between `a` and `b` with no message yet (`send` adds the first).
    pub fn new(id: ConversationId, a: UserId, b: UserId, created_at: i64) -> Self {
        let members = Conversation::pair(a, b);
        // Replaced by the first message.
        let last = LastMessage {
            id: MessageId(uuid::Uuid::nil()),
            sender: a,
            preview: String::new(),
            created_at,
            deleted: false,
        };
        let conversation = Conversation { id, members, sent: [0, 0], state: Default::default(), last, created_at };
        Self { conversation, messages: Vec::new() }
    }

    /// Adds message `id` from `sender` (a member), newer than every message so far: what
    /// `send` does to the records (sending reads everything before it). A sender who is
    /// not a member sends nothing.
    pub fn send(&mut self, id: MessageId, sender: UserId, text: String, at: i64) {
        let c = &mut self.conversation;
        let Some(side) = c.side(sender) else { return };
        c.sent[side] += 1;
        let message = Message {
            id,
            conversation: c.id,
            sender,
            text,
            attachments: Vec::new(),
            sent: c.sent,
            created_at: at,
            deleted_at: None,
        };
        c.last = LastMessage::of(&message);
        let me = &mut c.state[side];
        (me.read_up_to, me.read_count) = (Some(id), message.sent[1 - side]);
        self.messages.push(message);
    }

    /// Unread messages of each member, in `members` order.
    pub fn unread(&self) -> [u64; 2] {
        self.conversation.members.map(|m| self.conversation.unread(m))
    }

    /// Writes every record and index entry, and adds the conversation to both members'
    /// inbox counts (`put_conversation` does) and their unread messages to their badges.
    pub fn write(&self, tx: &Tx) -> StoreResult<()> {
        for m in &self.messages {
            messages::put_message(tx, m)?;
        }
        messages::put_conversation(tx, None, &self.conversation)?;
        for (user, unread) in self.conversation.members.iter().zip(self.unread()) {
            if unread > 0 {
                engagement::add(tx, &Counter::UnreadMessages(*user), unread as i64)?;
            }
        }
        Ok(())
    }
}
