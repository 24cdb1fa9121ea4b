//! Private messaging: conversations between two people, their messages, each person's read
//! marker, mute and archive, and who may message whom.
//!
//! Unread counts are arithmetic, never a scan: a conversation counts the messages each side
//! sent, and every message remembers both counts at the moment it was sent, so "how many of
//! the other's messages are at or before this one" is read off the message itself.

use serde::{Deserialize, Serialize};

use super::{
    ids::{ConversationId, MediaId, MessageId, UserId},
    media::Media,
    text,
    user::{AuthorCard, User},
};

/// Most characters in a message (after trimming).
pub const MAX_TEXT: usize = 5000;
/// Most attachments on one message (as on a forum post).
pub const MAX_ATTACHMENTS: usize = super::forum::MAX_ATTACHMENTS;
/// Characters of the last message shown in a conversation list.
pub const PREVIEW_CHARS: usize = 140;

/// A conversation between two people, created by the first message between them. The
/// record carries all a conversation list shows of it (both members' state and the newest
/// message's preview), so a list reads one small record per conversation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Conversation {
    pub id: ConversationId,
    /// The two people, the smaller id first (the pair's identity).
    pub members: [UserId; 2],
    /// Messages each member sent, in `members` order.
    pub sent: [u64; 2],
    /// Each member's state, in `members` order.
    pub state: [Participant; 2],
    /// The newest message (deleted or not); it orders the conversation lists.
    pub last: LastMessage,
    pub created_at: i64,
}

impl Conversation {
    /// The pair's two members in canonical order.
    pub fn pair(a: UserId, b: UserId) -> [UserId; 2] {
        if a <= b { [a, b] } else { [b, a] }
    }

    /// `user`'s side (0 or 1), if a member.
    pub fn side(&self, user: UserId) -> Option<usize> {
        self.members.iter().position(|m| *m == user)
    }

    /// The other member, seen from `user`.
    pub fn peer(&self, user: UserId) -> UserId {
        if self.members[0] == user { self.members[1] } else { self.members[0] }
    }

    /// `user`'s state, if a member.
    pub fn member(&self, user: UserId) -> Option<&Participant> {
        self.side(user).map(|s| &self.state[s])
    }

    /// `user`'s unread messages: the other's messages past the read marker.
    pub fn unread(&self, user: UserId) -> u64 {
        self.side(user).map_or(0, |s| self.sent[1 - s].saturating_sub(self.state[s].read_count))
    }
}

/// One member's state in a conversation.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Participant {
    /// The newest message this member has read, if any.
    pub read_up_to: Option<MessageId>,
    /// The other member's messages this member has read (at or before `read_up_to`).
    pub read_count: u64,
    /// No email (and later no notification) for this conversation; live events continue.
    pub muted: bool,
    /// Listed under archived instead of the inbox, until a new message arrives.
    pub archived: bool,
    /// When an "away" email was last queued for this conversation, for the cool-down.
    pub emailed_at: Option<i64>,
}

/// What a conversation list shows of the newest message.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LastMessage {
    pub id: MessageId,
    pub sender: UserId,
    /// The start of its text (empty once deleted).
    pub preview: String,
    pub created_at: i64,
    pub deleted: bool,
}

impl LastMessage {
    /// The preview of `m`.
    pub fn of(m: &Message) -> Self {
        Self {
            id: m.id,
            sender: m.sender,
            preview: m.preview(),
            created_at: m.created_at,
            deleted: m.deleted_at.is_some(),
        }
    }
}

/// A stored message; a deleted one keeps its place as a tombstone without text or files.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Message {
    pub id: MessageId,
    pub conversation: ConversationId,
    pub sender: UserId,
    pub text: String,
    pub attachments: Vec<MediaId>,
    /// Messages each member had sent when this one was sent (it included), in the
    /// conversation's `members` order: what a read marker on this message has read.
    pub sent: [u64; 2],
    pub created_at: i64,
    pub deleted_at: Option<i64>,
}

impl Message {
    /// How many of the other member's messages `reader` has read with a marker here.
    pub fn read_count_for(&self, c: &Conversation, reader: UserId) -> u64 {
        c.side(reader).map_or(0, |s| self.sent[1 - s])
    }

    /// The start of the text, for conversation lists.
    pub fn preview(&self) -> String {
        let mut p: String = self.text.chars().take(PREVIEW_CHARS).collect();
        if self.text.chars().count() > PREVIEW_CHARS {
            p.push('…');
        }
        p
    }
}

/// A message as shown: the record with its sender's card and attachments.
#[derive(Clone, Debug)]
pub struct MessageView {
    pub message: Message,
    /// `None` for a deleted account ("Deleted user").
    pub sender: Option<AuthorCard>,
    pub attachments: Vec<Media>,
}

/// A conversation as one member sees it.
#[derive(Clone, Debug)]
pub struct ConversationView {
    pub conversation: Conversation,
    /// Who is looking (one of the two members).
    pub viewer: UserId,
    /// The other member's card; `None` for a deleted account ("Deleted user").
    pub peer: Option<AuthorCard>,
    /// The other member's organization's name.
    pub peer_org: Option<String>,
}

/// A validated message text: trimmed, 1–5,000 characters, no control characters.
pub fn message_text(raw: &str) -> Result<String, String> {
    let text = text::paragraph(raw, MAX_TEXT)?;
    if text.is_empty() { Err("must not be empty".into()) } else { Ok(text) }
}

/// Why a message cannot be sent to someone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// To oneself.
    Yourself,
    /// The recipient cannot sign in (pending, deactivated, deleted, unverified), or one of
    /// the two blocked the other: all told apart only as "cannot message this user".
    CannotMessage,
    /// The sender blocked the recipient (the sender may be told so).
    YouBlocked,
}

/// Whether `sender` may message `recipient`, given the blocks between them.
pub fn may_message(
    sender: &User,
    recipient: &User,
    blocked_by_recipient: bool,
    blocked_by_sender: bool,
) -> Result<(), Refusal> {
    if sender.id == recipient.id {
        return Err(Refusal::Yourself);
    }
    if blocked_by_sender {
        return Err(Refusal::YouBlocked);
    }
    if !recipient.can_sign_in() || blocked_by_recipient {
        return Err(Refusal::CannotMessage);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unread_is_the_others_messages_past_the_marker() {
        let (a, b) = (UserId::new(), UserId::new());
        let members = Conversation::pair(a, b);
        let last =
            LastMessage { id: MessageId::new(), sender: b, preview: String::new(), created_at: 0, deleted: false };
        let mut c = Conversation {
            id: ConversationId::new(),
            members,
            sent: [0, 0],
            state: Default::default(),
            last,
            created_at: 0,
        };
        let side_b = c.side(b).unwrap();
        c.sent[side_b] = 3;
        assert_eq!(c.unread(a), 3);
        let mut sent = [0, 0];
        sent[side_b] = 2;
        let second = Message {
            id: MessageId::new(),
            conversation: c.id,
            sender: b,
            text: "x".into(),
            attachments: vec![],
            sent,
            created_at: 0,
            deleted_at: None,
        };
        let side_a = c.side(a).unwrap();
        c.state[side_a].read_count = second.read_count_for(&c, a);
        assert_eq!((c.unread(a), c.unread(b)), (1, 0));
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(message_text("  hi \n").as_deref(), Ok("hi"));
        assert!(message_text("   ").is_err());
        assert!(message_text(&"ب".repeat(MAX_TEXT)).is_ok());
        assert!(message_text(&"ب".repeat(MAX_TEXT + 1)).is_err());
    }
}
