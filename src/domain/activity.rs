//! The activity feed: who did what in the community and when (asked, answered, chose a best
//! answer, published a use case, joined an organization; never views), written in the same
//! transaction as the action and dropped with the content it points at.

use serde::{Deserialize, Serialize};

use super::{
    closed::{ClosedSet, closed_set},
    engagement::Target,
    ids::{ActivityId, OrgId, TopicId, UserId},
    user::AuthorCard,
};

closed_set! {
    #[doc = "What someone did: asked a question (a topic), answered (a reply), chose a best answer, published a use case, joined an organization."]
    "ActivityKind", pub enum ActivityKind {
        Asked = "asked",
        Answered = "answered",
        BestAnswer = "best_answer",
        PublishedUseCase = "published_use_case",
        Joined = "joined",
    }
}

impl<'de> Deserialize<'de> for ActivityKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Self::from_name(&name).ok_or_else(|| serde::de::Error::custom(format!("unknown activity kind {name}")))
    }
}

/// One entry of the feed.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Activity {
    pub id: ActivityId,
    /// Who did it.
    pub actor: UserId,
    /// The actor's organization then (its feed shows the entry).
    pub org: Option<OrgId>,
    pub kind: ActivityKind,
    /// The content it is about (none for joining).
    pub target: Option<Target>,
    /// The topic of a reply, for the link.
    pub topic: Option<TopicId>,
    pub at: i64,
}

impl Activity {
    /// An entry happening now.
    pub fn new(
        actor: UserId,
        org: Option<OrgId>,
        kind: ActivityKind,
        target: Option<Target>,
        topic: Option<TopicId>,
        at: i64,
    ) -> Self {
        Self { id: ActivityId::new(), actor, org, kind, target, topic, at }
    }
}

/// An entry as shown: the actor's card, their organization's name and the title of the
/// content (the organization's name for joining).
#[derive(Clone, Debug)]
pub struct ActivityView {
    pub activity: Activity,
    pub actor: Option<AuthorCard>,
    pub title: String,
}
