//! Notifications as clients read them, over REST and in the events `notification.created`,
//! `notification.updated` and `notification.read` on a person's `user.<id>` channel.

use chrono::{DateTime, Utc};
use poem_openapi::Object;

use super::{AuthorRef, author_from_card, ts};
use crate::domain::notifications::{NotificationKind, NotificationView, Subject};

/// A notification.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct NotificationDto {
    /// Notification id.
    pub id: String,
    /// What happened.
    pub kind: NotificationKind,
    /// Who did it, latest first (at most 3; `actor_count` counts everyone).
    pub actors: Vec<AuthorRef>,
    /// How many times it happened: everyone who liked ("Sara and 4 others" is 5), or the
    /// messages that came while away since it was last read.
    pub actor_count: u64,
    /// What it is about: `topic`, `reply`, `use_case`, `conversation` or `organization`.
    pub target_type: String,
    /// The id of what it is about.
    pub target_id: String,
    /// The topic a reply belongs to (for the link).
    pub topic_id: Option<String>,
    /// The topic's, use case's or organization's title; a conversation's last message.
    pub title: String,
    /// When it first happened.
    pub created_at: DateTime<Utc>,
    /// When it last changed (a grouped one changes with each like).
    pub updated_at: DateTime<Utc>,
    /// Whether the person has read it.
    pub read: bool,
}

impl From<NotificationView> for NotificationDto {
    fn from(v: NotificationView) -> Self {
        let n = v.notification;
        let (target_type, target_id) = n.target.parts();
        let topic_id = match n.target {
            Subject::Topic(id) => Some(id.to_string()),
            _ => n.topic.map(|t| t.to_string()),
        };
        Self {
            id: n.id.to_string(),
            kind: n.kind,
            actors: v.actors.into_iter().map(|(id, card)| author_from_card(id, card)).collect(),
            actor_count: n.actor_count,
            target_type: target_type.into(),
            target_id,
            topic_id,
            title: v.title,
            created_at: ts(n.created_at),
            updated_at: ts(n.updated_at),
            read: n.read,
        }
    }
}

/// Notifications marked read (`notification.read`), so other tabs clear their badge.
#[derive(Object, Debug, Clone)]
pub struct NotificationsRead {
    /// The notifications that became read.
    pub ids: Vec<String>,
    /// Whether everything unread was marked.
    pub all: bool,
    /// Unread notifications left.
    pub unread_count: u64,
}
