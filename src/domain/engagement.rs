//! Engagement: what people do to content besides writing it — likes, bookmarks, views and
//! drafts — keyed by the `Target` they concern, and the platform's kept `Counter`s.
//!
//! Every feature that people can like, bookmark, view or draft adds a `Target` variant (and
//! a `TargetKind`); the engagement store and service then serve it without new tables.

use serde::{Deserialize, Serialize};

use super::{
    FieldErrors,
    ids::{DraftId, OrgId, ReplyId, TopicId, UseCaseId, UserId},
};

/// What kind of content a target is; its byte leads every engagement key, so one table
/// holds every kind without two ids ever colliding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    Topic,
    Reply,
    UseCase,
}

impl TargetKind {
    /// The key byte (stable: stored in keys).
    pub fn byte(self) -> u8 {
        match self {
            Self::Topic => 1,
            Self::Reply => 2,
            Self::UseCase => 3,
        }
    }

    /// The kind with key byte `b`.
    pub fn from_byte(b: u8) -> Option<Self> {
        match b {
            1 => Some(Self::Topic),
            2 => Some(Self::Reply),
            3 => Some(Self::UseCase),
            _ => None,
        }
    }
}

/// A piece of content people can like, bookmark or view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Target {
    Topic(TopicId),
    Reply(ReplyId),
    UseCase(UseCaseId),
}

/// Bytes of a target key: kind (1) ++ id (16).
pub const TARGET_KEY_LEN: usize = 17;

impl Target {
    /// Its kind.
    pub fn kind(self) -> TargetKind {
        match self {
            Self::Topic(_) => TargetKind::Topic,
            Self::Reply(_) => TargetKind::Reply,
            Self::UseCase(_) => TargetKind::UseCase,
        }
    }

    fn id_key(self) -> [u8; 16] {
        match self {
            Self::Topic(id) => id.key(),
            Self::Reply(id) => id.key(),
            Self::UseCase(id) => id.key(),
        }
    }

    /// Storage key: kind byte ++ id (16).
    pub fn key(self) -> [u8; TARGET_KEY_LEN] {
        let mut k = [0; TARGET_KEY_LEN];
        k[0] = self.kind().byte();
        k[1..].copy_from_slice(&self.id_key());
        k
    }

    /// The target a key starts with.
    pub fn from_key(key: &[u8]) -> Option<Self> {
        let (kind, id) = (TargetKind::from_byte(*key.first()?)?, key.get(1..TARGET_KEY_LEN)?);
        Some(match kind {
            TargetKind::Topic => Self::Topic(TopicId::from_key(id)?),
            TargetKind::Reply => Self::Reply(ReplyId::from_key(id)?),
            TargetKind::UseCase => Self::UseCase(UseCaseId::from_key(id)?),
        })
    }
}

/// A kept count, changed in the transaction of the write that causes it and never computed
/// by scanning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Counter {
    /// Forum topics.
    Topics,
    /// Forum replies.
    Replies,
    /// People who posted at least once in the forum.
    Contributors,
    /// Topics with at least one reply.
    AnsweredTopics,
    /// Topics in a forum category (by category id).
    TopicsInCategory(String),
    /// Topics with a tag (lower case).
    TopicsWithTag(String),
    /// Published use cases.
    UseCases,
    /// Organizations with at least one use case.
    OrgsWithUseCases,
    /// Featured use cases.
    FeaturedUseCases,
    /// Use cases in a category (by name).
    UseCasesInCategory(String),
    /// Use cases of one organization.
    UseCasesOfOrg(OrgId),
    /// A person's bookmarks of one kind of content.
    BookmarksOf(UserId, TargetKind),
    /// Use cases with one filter value: the filter index's key prefix (see
    /// `store::use_case_filters`).
    UseCasesFiltered(Vec<u8>),
    /// A person's unread private messages, over all conversations (the badge).
    UnreadMessages(UserId),
    /// A person's conversations in the inbox (`false`) or archived (`true`).
    Conversations(UserId, bool),
    /// A person's unread notifications (the bell).
    UnreadNotifications(UserId),
}

/// Key prefix of `Counter::UseCasesOfOrg`, for listing organizations by their count.
pub const USE_CASES_OF_ORG_PREFIX: &str = "use_cases.org:";
/// Key prefix of `Counter::UseCasesFiltered`, for rebuilding those counts.
pub const USE_CASES_FILTERED_PREFIX: &str = "use_cases.filter:";

impl Counter {
    /// Storage key (stable: stored).
    pub fn key(&self) -> String {
        match self {
            Self::Topics => "forum.topics".into(),
            Self::Replies => "forum.replies".into(),
            Self::Contributors => "forum.contributors".into(),
            Self::AnsweredTopics => "forum.answered".into(),
            Self::TopicsInCategory(c) => format!("forum.category:{c}"),
            Self::TopicsWithTag(t) => format!("forum.tag:{t}"),
            Self::UseCases => "use_cases.total".into(),
            Self::OrgsWithUseCases => "use_cases.orgs".into(),
            Self::FeaturedUseCases => "use_cases.featured".into(),
            Self::UseCasesInCategory(c) => format!("use_cases.category:{c}"),
            Self::UseCasesOfOrg(o) => format!("{USE_CASES_OF_ORG_PREFIX}{o}"),
            Self::BookmarksOf(u, kind) => format!("bookmarks.user:{u}:{}", kind.byte()),
            Self::UseCasesFiltered(prefix) => format!("{USE_CASES_FILTERED_PREFIX}{}", hex::encode(prefix)),
            Self::UnreadMessages(u) => format!("messages.unread:{u}"),
            Self::Conversations(u, archived) => format!("messages.conversations:{u}:{}", u8::from(*archived)),
            Self::UnreadNotifications(u) => format!("notifications.unread:{u}"),
        }
    }
}

/// What a draft can become; its fields type says which (`TopicDraft`, `UseCaseDraft`).
pub trait DraftFields: Clone + Default + Serialize + for<'de> Deserialize<'de> + Send + Sync + 'static {
    /// The kind of content a draft of these fields publishes as.
    const KIND: TargetKind;

    /// The upper limits a saved draft keeps to (publishing validates the whole).
    fn bounds(&self) -> Result<(), FieldErrors> {
        Ok(())
    }

    /// Media uploaded to the draft (removed with it unless publishing adopts them).
    fn media(&self) -> &[super::ids::MediaId] {
        &[]
    }
}

/// A saved, unpublished piece of content: any field may be missing or incomplete;
/// publishing validates it as a whole.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(bound = "F: DraftFields")]
pub struct Draft<F: DraftFields> {
    pub id: DraftId,
    pub author: UserId,
    pub fields: F,
    pub created_at: i64,
    pub updated_at: i64,
}

impl<F: DraftFields> Draft<F> {
    /// An empty draft of `author`, created at `at`.
    pub fn new(author: UserId, at: i64) -> Self {
        Self { id: DraftId::new(), author, fields: F::default(), created_at: at, updated_at: at }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_keys_round_trip_and_differ_by_kind() {
        let id = TopicId::new();
        let (topic, reply) = (Target::Topic(id), Target::Reply(ReplyId(id.0)));
        assert_eq!(Target::from_key(&topic.key()), Some(topic));
        assert_eq!(Target::from_key(&reply.key()), Some(reply));
        assert_ne!(topic.key(), reply.key());
        assert_eq!(Target::from_key(&[9; TARGET_KEY_LEN]), None);
    }
}
