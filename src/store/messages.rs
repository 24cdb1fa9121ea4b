//! Typed access to the messaging tables: conversations (one per pair of people, carrying both
//! members' state and the newest message's preview) with each person's list index, messages
//! in conversation order, and blocks. Every index entry is written in the same
//! transaction as its record.

use super::{Reader, StoreResult, codec, delete_raw, engagement, key2, prefix_end, put_raw, tables::*};
use crate::domain::{
    engagement::Counter,
    ids::{ConversationId, MessageId, UserId},
    messages::{Conversation, Message},
};
use crate::store::Tx;

/// A person's folder of conversations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Folder {
    Inbox = 0,
    Archived = 1,
}

impl Folder {
    fn of(archived: bool) -> Self {
        if archived { Self::Archived } else { Self::Inbox }
    }
}

/// The key prefix of `user`'s conversations in `folder`.
pub fn list_prefix(user: UserId, folder: Folder) -> Vec<u8> {
    key2(&user.key(), &[folder as u8])
}

/// The list entry of member `side` of `c`.
fn list_key(c: &Conversation, side: usize) -> Vec<u8> {
    let prefix = list_prefix(c.members[side], Folder::of(c.state[side].archived));
    key2(&key2(&prefix, &c.last.id.key()), &c.id.key())
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

/// Writes a conversation (`old` is what was stored, `None` for a new one), moving both
/// members' list entries and their folder counts where its newest message or a member's
/// archive flag changed.
pub fn put_conversation(tx: &Tx, old: Option<&Conversation>, c: &Conversation) -> StoreResult<()> {
    for side in 0..2 {
        let key = list_key(c, side);
        let archived = c.state[side].archived;
        match old {
            Some(old) if list_key(old, side) == key => {}
            Some(old) => {
                delete_raw(tx, USER_CONVERSATIONS, &list_key(old, side))?;
                put_raw(tx, USER_CONVERSATIONS, &key, &[])?;
                let was = old.state[side].archived;
                if was != archived {
                    engagement::add(tx, &Counter::Conversations(c.members[side], was), -1)?;
                    engagement::add(tx, &Counter::Conversations(c.members[side], archived), 1)?;
                }
            }
            None => {
                put_raw(tx, USER_CONVERSATIONS, &key, &[])?;
                engagement::add(tx, &Counter::Conversations(c.members[side], archived), 1)?;
            }
        }
    }
    if old.is_none() {
        put_raw(tx, PAIR_CONVERSATIONS, &pair_key(&c.members), &c.id.key())?;
    }
    codec::put(tx, CONVERSATIONS, &c.id.key(), c)
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

/// The message with `id`, wherever it is.
pub fn message(r: &impl Reader, id: MessageId) -> StoreResult<Option<Message>> {
    match codec::get_id(r, MESSAGE_CONVERSATIONS, &id.key())? {
        Some(c) => codec::get(r, MESSAGES, &key2(&c, &id.key())),
        None => Ok(None),
    }
}

/// Writes a message (new or changed) in its conversation.
pub fn put_message(tx: &Tx, m: &Message) -> StoreResult<()> {
    put_raw(tx, MESSAGE_CONVERSATIONS, &m.id.key(), &m.conversation.key())?;
    codec::put(tx, MESSAGES, &key2(&m.conversation.key(), &m.id.key()), m)
}

/// A conversation's messages, newest first, strictly before `before`; at most `limit`.
pub fn messages(
    r: &impl Reader,
    c: ConversationId,
    before: Option<MessageId>,
    limit: usize,
) -> StoreResult<Vec<Message>> {
    let end = key2(&c.key(), &before.map_or([0xff; 16], |b| b.key()));
    r.range_rev_raw(MESSAGES, &c.key(), &end, limit)?.iter().map(|(k, v)| codec::decode(MESSAGES, k, v)).collect()
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

/// The people `blocker` blocked, with when (at most `limit`).
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
