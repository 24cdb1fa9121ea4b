//! Notifications: what tells a person that something happened to them or their content.
//! Likes are grouped: one notification per liked item names the latest likers and counts
//! them all, and changes in place as likes come and go; messages that came while one was
//! away are grouped per conversation the same way. Each person chooses per kind whether a
//! notification is shown in the app and whether it is emailed (`NotificationSettings`).

use serde::{Deserialize, Serialize};

use super::{
    closed::{ClosedSet, closed_set},
    engagement::Target,
    ids::{ConversationId, NotificationId, OrgId, ReplyId, TopicId, UseCaseId, UserId},
    user::AuthorCard,
};

closed_set! {
    #[doc = "What a notification is about: a reply to your topic, an answer to your reply, a reply in a topic you watch, your reply chosen as best answer, likes of your content (grouped per item), an @mention of you, messages while you were away (grouped per conversation), an invitation you sent accepted, a request to join your organization (admins), your organization verified, your join request approved."]
    "NotificationKind", pub enum NotificationKind {
        TopicReply = "topic_reply",
        ReplyAnswer = "reply_answer",
        WatchedReply = "watched_reply",
        BestAnswer = "best_answer",
        Liked = "liked",
        Mention = "mention",
        Message = "message",
        InvitationAccepted = "invitation_accepted",
        JoinRequest = "join_request",
        OrgVerified = "org_verified",
        JoinApproved = "join_approved",
    }
}

impl NotificationKind {
    /// Whether it is emailed unless the person turns it off: what needs them (a message
    /// while away, a join request to decide) or is rare and welcome (a best answer).
    pub fn emailed_by_default(self) -> bool {
        matches!(self, Self::Message | Self::JoinRequest | Self::BestAnswer)
    }

    /// Whether its email goes out on its own rather than in the coalesced digest: the away
    /// email of messaging (one per conversation per cool-down) and the request an admin
    /// has to decide.
    pub fn emailed_on_its_own(self) -> bool {
        matches!(self, Self::Message | Self::JoinRequest)
    }

    /// Whether one notification per subject changes in place as more happens.
    pub fn grouped(self) -> bool {
        matches!(self, Self::Liked | Self::Message)
    }
}

/// What a notification is about: a piece of content, a conversation or an organization.
/// Stored like `Target` (`{"kind", "id"}`), so notifications written when only content
/// could be a subject read as they were.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Subject {
    Topic(TopicId),
    Reply(ReplyId),
    UseCase(UseCaseId),
    Conversation(ConversationId),
    Organization(OrgId),
}

/// Bytes of a subject key: kind (1) ++ id (16), as `Target::key`.
pub const SUBJECT_KEY_LEN: usize = 17;

impl Subject {
    /// Storage key: kind byte ++ id (16); content keeps its `Target` key.
    pub fn key(self) -> [u8; SUBJECT_KEY_LEN] {
        let (byte, id) = match self {
            Self::Topic(id) => return Target::Topic(id).key(),
            Self::Reply(id) => return Target::Reply(id).key(),
            Self::UseCase(id) => return Target::UseCase(id).key(),
            Self::Conversation(id) => (0x10, id.key()),
            Self::Organization(id) => (0x11, id.key()),
        };
        let mut k = [0; SUBJECT_KEY_LEN];
        k[0] = byte;
        k[1..].copy_from_slice(&id);
        k
    }

    /// The content it is, if it is content.
    pub fn target(self) -> Option<Target> {
        match self {
            Self::Topic(id) => Some(Target::Topic(id)),
            Self::Reply(id) => Some(Target::Reply(id)),
            Self::UseCase(id) => Some(Target::UseCase(id)),
            Self::Conversation(_) | Self::Organization(_) => None,
        }
    }

    /// Its wire name (`topic`, `reply`, `use_case`, `conversation`, `organization`) and id.
    pub fn parts(self) -> (&'static str, String) {
        match self {
            Self::Topic(id) => ("topic", id.to_string()),
            Self::Reply(id) => ("reply", id.to_string()),
            Self::UseCase(id) => ("use_case", id.to_string()),
            Self::Conversation(id) => ("conversation", id.to_string()),
            Self::Organization(id) => ("organization", id.to_string()),
        }
    }
}

impl From<Target> for Subject {
    fn from(t: Target) -> Self {
        match t {
            Target::Topic(id) => Self::Topic(id),
            Target::Reply(id) => Self::Reply(id),
            Target::UseCase(id) => Self::UseCase(id),
        }
    }
}

/// The two ways a person can be told.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Channels {
    pub in_app: bool,
    pub email: bool,
}

/// A person's choices per kind; kinds they never chose keep the defaults (in the app for
/// all; email for `NotificationKind::emailed_by_default`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationSettings {
    /// Choices by kind wire name (a name no longer known is kept but ignored).
    #[serde(default)]
    pub chosen: std::collections::BTreeMap<String, Channels>,
}

impl NotificationSettings {
    /// How `kind` reaches the person.
    pub fn channels(&self, kind: NotificationKind) -> Channels {
        self.chosen.get(kind.name()).copied().unwrap_or(Channels { in_app: true, email: kind.emailed_by_default() })
    }

    /// Chooses how `kind` reaches the person.
    pub fn set(&mut self, kind: NotificationKind, channels: Channels) {
        self.chosen.insert(kind.name().to_owned(), channels);
    }
}

impl<'de> Deserialize<'de> for NotificationKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Self::from_name(&name).ok_or_else(|| serde::de::Error::custom(format!("unknown notification kind {name}")))
    }
}

/// Latest actors a grouped notification names ("Sara, Omar and 3 others").
pub const MAX_NAMED_ACTORS: usize = 3;

/// Something to tell a person by email, waiting for their next coalesced email.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailItem {
    pub kind: NotificationKind,
    pub subject: Subject,
    pub actor: UserId,
    pub at: i64,
}

/// Most items one person's next email keeps (the oldest go first beyond it).
pub const MAX_EMAIL_ITEMS: usize = 50;

/// Where a person's coalesced notification email stands.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PendingEmail {
    /// An email job is queued (more items join it rather than queue another).
    pub queued: bool,
    /// When the last email went out (ms; 0 never): the next waits out the window after it.
    pub sent_at: i64,
    /// What the next email tells, oldest first.
    pub items: Vec<EmailItem>,
}

impl PendingEmail {
    /// Adds an item, keeping the newest `MAX_EMAIL_ITEMS`.
    pub fn push(&mut self, item: EmailItem) {
        if self.items.len() >= MAX_EMAIL_ITEMS {
            self.items.remove(0);
        }
        self.items.push(item);
    }

    /// When the email may go out: `delay_ms` after its first item and `window_ms` after the
    /// last email; `None` with nothing to tell.
    pub fn due_at(&self, delay_ms: i64, window_ms: i64) -> Option<i64> {
        let first = self.items.first()?.at;
        Some((first + delay_ms).max(if self.sent_at > 0 { self.sent_at + window_ms } else { 0 }))
    }
}

/// A stored notification of one person.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Notification {
    pub id: NotificationId,
    /// Who is notified.
    pub user: UserId,
    pub kind: NotificationKind,
    /// What it is about (a topic, a reply, a use case, a conversation, an organization).
    pub target: Subject,
    /// The topic a reply belongs to, for the link.
    pub topic: Option<TopicId>,
    /// The latest people who acted, newest first (at most `MAX_NAMED_ACTORS`).
    pub actors: Vec<UserId>,
    /// How many times it happened: likes count the current likers, messages the messages
    /// since the person last read the notification.
    pub actor_count: u64,
    pub created_at: i64,
    pub updated_at: i64,
    pub read: bool,
}

impl Notification {
    /// A new, unread notification of `user` about `target` by `actor`.
    pub fn new(
        user: UserId,
        kind: NotificationKind,
        target: impl Into<Subject>,
        topic: Option<TopicId>,
        actor: UserId,
        at: i64,
    ) -> Self {
        Self {
            id: NotificationId::new(),
            user,
            kind,
            target: target.into(),
            topic,
            actors: vec![actor],
            actor_count: 1,
            created_at: at,
            updated_at: at,
            read: false,
        }
    }

    /// Once more by the same actor (another message while away): counted, and unread again
    /// (counting afresh when it had been read).
    pub fn again(&mut self, at: i64) {
        self.actor_count = if self.read { 1 } else { self.actor_count + 1 };
        self.updated_at = at;
        self.read = false;
    }

    /// One more actor (a like): named first, counted, and unread again.
    pub fn add_actor(&mut self, actor: UserId, at: i64) {
        self.actors.retain(|a| *a != actor);
        self.actors.insert(0, actor);
        self.actors.truncate(MAX_NAMED_ACTORS);
        self.actor_count += 1;
        self.updated_at = at;
        self.read = false;
    }

    /// One actor fewer (an unlike); the names keep the others.
    pub fn remove_actor(&mut self, actor: UserId, at: i64) {
        self.actors.retain(|a| *a != actor);
        self.actor_count = self.actor_count.saturating_sub(1);
        self.updated_at = at;
    }
}

/// A notification as shown: its named actors' cards and the title of what it is about.
#[derive(Clone, Debug)]
pub struct NotificationView {
    pub notification: Notification,
    /// The named actors with their cards (`None` for a deleted account).
    pub actors: Vec<(UserId, Option<AuthorCard>)>,
    /// The topic's, use case's or organization's title; a conversation's last message.
    pub title: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_names_the_latest_actors_and_counts_them_all() {
        let owner = UserId::new();
        let people: Vec<UserId> = (0..5).map(|_| UserId::new()).collect();
        let target = Target::Topic(TopicId::new());
        let mut n = Notification::new(owner, NotificationKind::Liked, target, None, people[0], 0);
        n.read = true;
        for p in &people[1..] {
            n.add_actor(*p, 1);
        }
        assert_eq!((n.actor_count, n.read), (5, false));
        assert_eq!(n.actors, vec![people[4], people[3], people[2]]);
        n.remove_actor(people[3], 2);
        assert_eq!((n.actor_count, n.actors.clone()), (4, vec![people[4], people[2]]));
        let json = serde_json::to_string(&n).unwrap();
        assert!(json.contains("\"liked\""));
        assert_eq!(serde_json::from_str::<Notification>(&json).unwrap().kind, NotificationKind::Liked);
    }

    #[test]
    fn a_subject_reads_and_keys_as_the_target_it_was_stored_as() {
        let target = Target::Reply(ReplyId::new());
        let stored = serde_json::to_string(&target).unwrap();
        let subject: Subject = serde_json::from_str(&stored).unwrap();
        assert_eq!(subject, Subject::from(target));
        assert_eq!(subject.key(), target.key());
        assert_eq!(subject.target(), Some(target));
        let (c, o) = (Subject::Conversation(ConversationId::new()), Subject::Organization(OrgId::new()));
        assert_ne!(c.key()[0], o.key()[0]);
        assert!(![1, 2, 3].contains(&c.key()[0]) && ![1, 2, 3].contains(&o.key()[0]));
        assert_eq!((c.target(), c.parts().0, o.parts().0), (None, "conversation", "organization"));
    }

    #[test]
    fn settings_default_to_the_app_for_all_and_email_for_a_few() {
        let mut s = NotificationSettings::default();
        let emailed: Vec<_> = NotificationKind::ALL.iter().filter(|k| s.channels(**k).email).copied().collect();
        use NotificationKind::*;
        assert_eq!(emailed, vec![BestAnswer, Message, JoinRequest]);
        assert!(NotificationKind::ALL.iter().all(|k| s.channels(*k).in_app));
        s.set(Liked, Channels { in_app: false, email: true });
        assert_eq!(s.channels(Liked), Channels { in_app: false, email: true });
        let back: NotificationSettings = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn a_pending_email_waits_for_its_delay_and_the_window() {
        let item = |at| EmailItem {
            kind: NotificationKind::BestAnswer,
            subject: Subject::Topic(TopicId::new()),
            actor: UserId::new(),
            at,
        };
        let mut p = PendingEmail::default();
        assert_eq!(p.due_at(60, 900), None);
        p.push(item(1_000));
        assert_eq!(p.due_at(60, 900), Some(1_060), "first email: after the delay");
        p.sent_at = 500;
        assert_eq!(p.due_at(60, 900), Some(1_400), "then not within the window");
        for i in 0..MAX_EMAIL_ITEMS + 5 {
            p.push(item(2_000 + i as i64));
        }
        assert_eq!(p.items.len(), MAX_EMAIL_ITEMS);
        assert_eq!(p.items[0].at, 2_005, "the oldest go first");
    }
}
