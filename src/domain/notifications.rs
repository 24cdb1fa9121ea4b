//! Notifications: what tells a person that something happened to them or their content.
//! Likes are grouped: one notification per liked item names the latest likers and counts
//! them all, and changes in place as likes come and go.

use serde::{Deserialize, Serialize};

use super::{
    closed::{ClosedSet, closed_set},
    engagement::Target,
    ids::{NotificationId, TopicId, UserId},
    user::AuthorCard,
};

closed_set! {
    #[doc = "What a notification is about: a reply to your topic, an answer to your reply, a reply in a topic you watch, your reply chosen as best answer, likes of your content (grouped per item)."]
    "NotificationKind", pub enum NotificationKind {
        TopicReply = "topic_reply",
        ReplyAnswer = "reply_answer",
        WatchedReply = "watched_reply",
        BestAnswer = "best_answer",
        Liked = "liked",
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

/// A stored notification of one person.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Notification {
    pub id: NotificationId,
    /// Who is notified.
    pub user: UserId,
    pub kind: NotificationKind,
    /// The content it is about (a topic, a reply, a use case).
    pub target: Target,
    /// The topic a reply belongs to, for the link.
    pub topic: Option<TopicId>,
    /// The latest people who acted, newest first (at most `MAX_NAMED_ACTORS`).
    pub actors: Vec<UserId>,
    /// Everyone who acted (likes: the current likers).
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
        target: Target,
        topic: Option<TopicId>,
        actor: UserId,
        at: i64,
    ) -> Self {
        Self {
            id: NotificationId::new(),
            user,
            kind,
            target,
            topic,
            actors: vec![actor],
            actor_count: 1,
            created_at: at,
            updated_at: at,
            read: false,
        }
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
    /// The topic's or use case's title.
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
}
