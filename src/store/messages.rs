//! Typed access to the messaging tables: conversations (one per pair of people), their
//! members' state with the per-person list index, messages in conversation order, blocks and
//! preferences. Every index entry is written in the same transaction as its record.

use super::{Reader, StoreResult, codec, delete_raw, engagement, key2, prefix_end, put_raw, tables::*};
use crate::domain::{
    engagement::Counter,
    ids::{ConversationId, MessageId, UserId},
    messages::{Conversation, Message, Participant, Preferences},
};
use crate::store::Tx;

/// A person's folder of conversations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Folder {
    Inbox = 0,
    Archived = 1,
}

impl Folder {
    fn of(p: &Participant) -> Self {
        if p.archived { Self::Archived } else { Self::Inbox }
    }
}

/// The key prefix of `user`'s conversations in `folder`.
pub fn list_prefix(user: UserId, folder: Folder) -> Vec<u8> {
    key2(&user.key(), &[folder as u8])
}

fn list_key(p: &Participant) -> Vec<u8> {
    key2(&key2(&list_prefix(p.user, Folder::of(p)), &p.listed_at.key()), &p.conversation.key())
}

fn pair_key(members: &[UserId; 2]) -> Vec<u8> {
    key2(&members[0].key(), &members[1].key())
}

/// The conversation with `id`.
pub fn conversation(r: &impl Reader, id: ConversationId) -> StoreResult<Option<Conversation>> {
    codec::get(r, CONVERSATIONS, &id.key())
}

/// The conversation of a pair of people (canonical order), if they ever talked.
pub fn conversation_of_pair(r: &impl Reader, members: &[UserId; 2]) -> StoreResult<Option<ConversationId>> {
    Ok(codec::get_id(r, PAIR_CONVERSATIONS, &pair_key(members))?.map(|k| ConversationId(uuid::Uuid::from_bytes(k))))
}

/// Writes a conversation (new or changed); the pair index is written with it.
pub fn put_conversation(tx: &Tx, c: &Conversation) -> StoreResult<()> {
    put_raw(tx, PAIR_CONVERSATIONS, &pair_key(&c.members), &c.id.key())?;
    codec::put(tx, CONVERSATIONS, &c.id.key(), c)
}

/// `user`'s state in a conversation.
pub fn participant(r: &impl Reader, c: ConversationId, user: UserId) -> StoreResult<Option<Participant>> {
    codec::get(r, PARTICIPANTS, &key2(&c.key(), &user.key()))
}

/// Writes a member's state, moving their list entry (and the folder counts) when its folder
/// or place changed.
pub fn put_participant(tx: &Tx, old: Option<&Participant>, p: &Participant) -> StoreResult<()> {
    let key = list_key(p);
    match old {
        Some(old) if list_key(old) == key => {}
        Some(old) => {
            delete_raw(tx, USER_CONVERSATIONS, &list_key(old))?;
            put_raw(tx, USER_CONVERSATIONS, &key, &[])?;
            if old.archived != p.archived {
                engagement::add(tx, &Counter::Conversations(p.user, old.archived), -1)?;
                engagement::add(tx, &Counter::Conversations(p.user, p.archived), 1)?;
            }
        }
        None => {
            put_raw(tx, USER_CONVERSATIONS, &key, &[])?;
            engagement::add(tx, &Counter::Conversations(p.user, p.archived), 1)?;
        }
    }
    codec::put(tx, PARTICIPANTS, &key2(&p.conversation.key(), &p.user.key()), p)
}

/// One entry of a person's conversation list: its key (the paging cursor) and conversation.
pub struct Listed {
    pub key: Vec<u8>,
    pub conversation: ConversationId,
}

/// `user`'s conversations in `folder`, most recent activity first, strictly before the key
/// `before`; at most `limit`.
pub fn listed(
    r: &impl Reader,
    user: UserId,
    folder: Folder,
    before: Option<&[u8]>,
    limit: usize,
) -> StoreResult<Vec<Listed>> {
    let prefix = list_prefix(user, folder);
    let end = match before {
        Some(b) if b.starts_with(&prefix) => b.to_vec(),
        _ => prefix_end(&prefix).unwrap_or_else(|| vec![0xff; 17]),
    };
    Ok(r.range_rev_raw(USER_CONVERSATIONS, &prefix, &end, limit)?
        .into_iter()
        .filter_map(|(key, _)| {
            let conversation = ConversationId::from_key(key.get(33..49)?)?;
            Some(Listed { key, conversation })
        })
        .collect())
}

/// The message with `id`.
pub fn message(r: &impl Reader, id: MessageId) -> StoreResult<Option<Message>> {
    codec::get(r, MESSAGES, &id.key())
}

/// Writes a message (new or changed) and its place in the conversation.
pub fn put_message(tx: &Tx, m: &Message) -> StoreResult<()> {
    put_raw(tx, CONVERSATION_MESSAGES, &key2(&m.conversation.key(), &m.id.key()), &[])?;
    codec::put(tx, MESSAGES, &m.id.key(), m)
}

/// A conversation's messages, newest first, strictly before `before`; at most `limit`.
pub fn messages(
    r: &impl Reader,
    c: ConversationId,
    before: Option<MessageId>,
    limit: usize,
) -> StoreResult<Vec<Message>> {
    let start = c.key();
    let end = match before {
        Some(b) => key2(&c.key(), &b.key()),
        None => key2(&c.key(), &[0xff; 16]),
    };
    r.range_rev_raw(CONVERSATION_MESSAGES, &start, &end, limit)?
        .into_iter()
        .filter_map(|(key, _)| MessageId::from_key(&key[16..]))
        .map(|id| message(r, id))
        .filter_map(Result::transpose)
        .collect()
}

/// Whether `blocker` blocked `blocked`.
pub fn blocked(r: &impl Reader, blocker: UserId, blocked: UserId) -> StoreResult<bool> {
    Ok(r.get_raw(BLOCKS, &key2(&blocker.key(), &blocked.key()))?.is_some())
}

/// Blocks or unblocks; true when that changed anything.
pub fn set_block(tx: &Tx, blocker: UserId, blocked: UserId, on: bool, at: i64) -> StoreResult<bool> {
    let key = key2(&blocker.key(), &blocked.key());
    if on {
        let had = tx.get_raw(BLOCKS, &key)?.is_some();
        put_raw(tx, BLOCKS, &key, &at.to_be_bytes())?;
        Ok(!had)
    } else {
        delete_raw(tx, BLOCKS, &key)
    }
}

/// The people `blocker` blocked, with when, newest block last in key order (at most `limit`).
pub fn blocks(r: &impl Reader, blocker: UserId, limit: usize) -> StoreResult<Vec<(UserId, i64)>> {
    let prefix = blocker.key();
    let end = prefix_end(&prefix).unwrap_or_else(|| vec![0xff; 16]);
    Ok(r.range_raw(BLOCKS, &prefix, &end, limit)?
        .into_iter()
        .filter_map(|(key, v)| {
            let at = v.as_slice().try_into().map(i64::from_be_bytes).unwrap_or(0);
            Some((UserId::from_key(key.get(16..32)?)?, at))
        })
        .collect())
}

/// A person's notification preferences (the defaults until they change one).
pub fn preferences(r: &impl Reader, user: UserId) -> StoreResult<Preferences> {
    Ok(codec::get(r, PREFERENCES, &user.key())?.unwrap_or_default())
}

/// Saves a person's notification preferences.
pub fn put_preferences(tx: &Tx, user: UserId, p: &Preferences) -> StoreResult<()> {
    codec::put(tx, PREFERENCES, &user.key(), p)
}
