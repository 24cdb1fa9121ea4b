//! The events a WebSocket client receives, each with its payload type. Payloads are the
//! same DTOs the REST API returns for the same content (`ForumTopic`, `ForumReply`), so a
//! client renders an event with the code that renders a page; the envelope around them
//! (`{type, channel, seq, data, at}`) is the hub's.

use poem_openapi::{Object, types::ToJSON};

use super::{
    forum::{ForumReply, ForumTopic},
    messages::{ConversationRead, MessageRemoved, PrivateMessage, Typing},
    notifications::{NotificationDto, NotificationsRead},
};

/// A topic that is gone.
#[derive(Object, Debug, Clone)]
pub struct TopicRemoved {
    /// Topic id.
    pub id: String,
}

/// A topic's likes after a change.
#[derive(Object, Debug, Clone)]
pub struct TopicLikes {
    /// Topic id.
    pub topic_id: String,
    /// Likes now.
    pub like_count: u64,
}

/// Replies that are gone (a reply and the answers to it).
#[derive(Object, Debug, Clone)]
pub struct RepliesRemoved {
    /// Reply ids.
    pub ids: Vec<String>,
}

/// A reply's likes after a change.
#[derive(Object, Debug, Clone)]
pub struct ReplyLikes {
    /// Reply id.
    pub reply_id: String,
    /// Likes now.
    pub like_count: u64,
}

/// An event, by kind, with its payload. Viewer-specific flags in payloads (`liked_by_me`,
/// `bookmarked_by_me`) are false: an event goes to everyone on the channel.
#[derive(Debug, Clone)]
pub enum Event {
    TopicCreated(ForumTopic),
    TopicUpdated(ForumTopic),
    TopicDeleted(TopicRemoved),
    TopicLiked(TopicLikes),
    BestAnswerChanged(ForumTopic),
    ReplyCreated(ForumReply),
    ReplyUpdated(ForumReply),
    RepliesDeleted(RepliesRemoved),
    ReplyLiked(ReplyLikes),
    MessageCreated(PrivateMessage),
    MessageDeleted(MessageRemoved),
    ConversationRead(ConversationRead),
    /// Ephemeral: published with `Hub::signal` (no seq, no backlog).
    Typing(Typing),
    NotificationCreated(NotificationDto),
    NotificationUpdated(NotificationDto),
    NotificationsRead(NotificationsRead),
}

impl Event {
    /// The event's `type` on the wire.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::TopicCreated(_) => "topic.created",
            Self::TopicUpdated(_) => "topic.updated",
            Self::TopicDeleted(_) => "topic.deleted",
            Self::TopicLiked(_) => "topic.liked",
            Self::BestAnswerChanged(_) => "topic.best_answer_changed",
            Self::ReplyCreated(_) => "reply.created",
            Self::ReplyUpdated(_) => "reply.updated",
            Self::RepliesDeleted(_) => "reply.deleted",
            Self::ReplyLiked(_) => "reply.liked",
            Self::MessageCreated(_) => "message.created",
            Self::MessageDeleted(_) => "message.deleted",
            Self::ConversationRead(_) => "conversation.read",
            Self::Typing(_) => "typing",
            Self::NotificationCreated(_) => "notification.created",
            Self::NotificationUpdated(_) => "notification.updated",
            Self::NotificationsRead(_) => "notification.read",
        }
    }

    /// The payload, serialized exactly as the REST API serializes the same type.
    pub fn data(&self) -> serde_json::Value {
        let json = match self {
            Self::TopicCreated(t) | Self::TopicUpdated(t) | Self::BestAnswerChanged(t) => t.to_json(),
            Self::TopicDeleted(t) => t.to_json(),
            Self::TopicLiked(l) => l.to_json(),
            Self::ReplyCreated(r) | Self::ReplyUpdated(r) => r.to_json(),
            Self::RepliesDeleted(r) => r.to_json(),
            Self::ReplyLiked(l) => l.to_json(),
            Self::MessageCreated(m) => m.to_json(),
            Self::MessageDeleted(m) => m.to_json(),
            Self::ConversationRead(r) => r.to_json(),
            Self::Typing(t) => t.to_json(),
            Self::NotificationCreated(n) | Self::NotificationUpdated(n) => n.to_json(),
            Self::NotificationsRead(r) => r.to_json(),
        };
        json.unwrap_or_default()
    }
}
