//! Private messages and conversations as clients read them, over REST and in the events
//! `message.created`, `message.deleted`, `conversation.read` and `typing` on a person's
//! `user.<id>` channel.

use chrono::{DateTime, Utc};
use poem_openapi::Object;

use super::{AuthorRef, ForumAttachment, author_from_card, ts};
use crate::domain::messages::{ConversationView, MessageView};

/// A private message; a deleted one stays in place with no text or attachments.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct PrivateMessage {
    /// Message id (time-ordered).
    pub id: String,
    /// The conversation it belongs to.
    pub conversation_id: String,
    /// Who sent it.
    pub sender: AuthorRef,
    /// The text (1–5,000 characters); empty once deleted.
    pub text: String,
    /// Attached files (≤ 5); none once deleted.
    pub attachments: Vec<ForumAttachment>,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
    /// Whether its sender deleted it (a tombstone).
    pub deleted: bool,
}

impl From<MessageView> for PrivateMessage {
    fn from(v: MessageView) -> Self {
        let m = v.message;
        Self {
            id: m.id.to_string(),
            conversation_id: m.conversation.to_string(),
            sender: author_from_card(m.sender, v.sender),
            text: m.text,
            attachments: v.attachments.into_iter().map(Into::into).collect(),
            created_at: ts(m.created_at),
            deleted: m.deleted_at.is_some(),
        }
    }
}

/// The other person of a conversation.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct ConversationPeer {
    /// User id.
    pub id: String,
    /// "First Last" ("Deleted user" for a deleted account).
    pub name: String,
    /// Job title.
    pub title: String,
    /// Their organization's name.
    pub organization: Option<String>,
    /// Avatar image URL.
    pub avatar_url: Option<String>,
}

/// The newest message of a conversation, for lists.
#[derive(Object, Debug, Clone)]
pub struct MessagePreview {
    /// Message id.
    pub id: String,
    /// Who sent it.
    pub sender_id: String,
    /// The first 140 characters of its text (empty when deleted).
    pub preview: String,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
    /// Whether it was deleted.
    pub deleted: bool,
}

/// A conversation as the caller sees it.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct Conversation {
    /// Conversation id.
    pub id: String,
    /// The other person.
    pub peer: ConversationPeer,
    /// The newest message.
    pub last_message: MessagePreview,
    /// Messages from the other person the caller has not read.
    pub unread_count: u64,
    /// The newest message the other person has read (for "seen" marks).
    pub read_up_to: Option<String>,
    /// The newest message the caller has read.
    pub my_read_up_to: Option<String>,
    /// The caller muted it: no emails; live events continue.
    pub muted: bool,
    /// The caller archived it (listed with `archived=true` until a new message arrives).
    pub archived: bool,
    /// When the first message was sent.
    pub created_at: DateTime<Utc>,
}

impl From<ConversationView> for Conversation {
    fn from(v: ConversationView) -> Self {
        let c = &v.conversation;
        let peer_id = c.peer(v.viewer);
        let card = author_from_card(peer_id, v.peer);
        let me = c.member(v.viewer).cloned().unwrap_or_default();
        Self {
            id: c.id.to_string(),
            peer: ConversationPeer {
                id: card.id,
                name: card.name,
                title: card.title,
                organization: v.peer_org,
                avatar_url: card.avatar_url,
            },
            last_message: MessagePreview {
                id: c.last.id.to_string(),
                sender_id: c.last.sender.to_string(),
                preview: c.last.preview.clone(),
                created_at: ts(c.last.created_at),
                deleted: c.last.deleted,
            },
            unread_count: c.unread(v.viewer),
            read_up_to: c.member(peer_id).and_then(|p| p.read_up_to).map(|m| m.to_string()),
            my_read_up_to: me.read_up_to.map(|m| m.to_string()),
            muted: me.muted,
            archived: me.archived,
            created_at: ts(c.created_at),
        }
    }
}

/// A message its sender deleted (`message.deleted`).
#[derive(Object, Debug, Clone)]
pub struct MessageRemoved {
    /// Message id.
    pub id: String,
    /// Its conversation.
    pub conversation_id: String,
}

/// A read marker that moved (`conversation.read`).
#[derive(Object, Debug, Clone)]
pub struct ConversationRead {
    /// The conversation.
    pub conversation_id: String,
    /// Who read.
    pub user_id: String,
    /// The newest message they have read.
    pub read_up_to: String,
}

/// Someone is typing in a conversation (`typing`, ephemeral: no `seq`, never replayed).
#[derive(Object, Debug, Clone)]
pub struct Typing {
    /// The conversation.
    pub conversation_id: String,
    /// Who is typing.
    pub user_id: String,
}
