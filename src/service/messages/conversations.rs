//! A person's conversations: the list (inbox or archived, most recent first), one
//! conversation's messages (newest first), the read marker, mute and archive, the unread
//! badge, and typing indicators.

use super::{member_of, message_views};
use crate::{
    domain::{
        engagement::Counter,
        ids::{ConversationId, MessageId, UserId},
        messages::{Conversation, ConversationView, MessageView, Participant},
        notifications::Subject,
    },
    dto::{
        events::Event,
        messages::{ConversationRead, Typing},
        notifications::NotificationsRead,
    },
    error::{AppError, AppResult, OptionExt},
    realtime::Channel,
    service::{
        Page, decode_cursor, decode_key_cursor, encode_cursor, events::publish, notifications, sessions::AuthContext,
    },
    state::AppState,
    store::{Reader, StoreResult, engagement, messages as store, orgs, users},
};

/// The conversation `c` as `viewer` sees it: two more small reads, the other person's card
/// and their organization's.
fn view(r: &impl Reader, conversation: Conversation, viewer: UserId) -> AppResult<ConversationView> {
    let peer = users::author_card(r, conversation.peer(viewer))?;
    let peer_org = match peer.as_ref().and_then(|p| p.org) {
        Some(org) => orgs::card(r, org)?.map(|o| o.name),
        None => None,
    };
    Ok(ConversationView { conversation, viewer, peer, peer_org })
}

/// The caller's conversations in the inbox or the archive, most recent activity first.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn list(
    state: &AppState,
    ctx: AuthContext,
    archived: bool,
    cursor: Option<&str>,
    limit: usize,
) -> AppResult<Page<ConversationView>> {
    let user = ctx.user_id;
    let folder = if archived { store::Folder::Archived } else { store::Folder::Inbox };
    let before = decode_key_cursor(cursor, &store::list_prefix(user, folder))?;
    state
        .store
        .read(move |tx| -> AppResult<_> {
            let batch = store::listed(tx, user, folder, before.as_deref(), limit + 1)?;
            let more = batch.len() > limit;
            let next_cursor = if more { batch.get(limit - 1).map(|l| encode_cursor(&l.key)) } else { None };
            let mut items = Vec::with_capacity(limit);
            for listed in batch.into_iter().take(limit) {
                let c = store::conversation(tx, listed.conversation)?.or_not_found("Conversation")?;
                items.push(view(tx, c, user)?);
            }
            let total = engagement::counter(tx, &Counter::Conversations(user, archived))?;
            Ok(Page { items, next_cursor, total })
        })
        .await
}

/// One conversation as the caller sees it.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn get(state: &AppState, ctx: AuthContext, id: ConversationId) -> AppResult<ConversationView> {
    let user = ctx.user_id;
    state.store.read(move |tx| -> AppResult<_> { view(tx, member_of(tx, id, user)?, user) }).await
}

/// The caller's unread messages over all conversations.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn unread(state: &AppState, ctx: AuthContext) -> AppResult<u64> {
    let user = ctx.user_id;
    Ok(state.store.read(move |tx| engagement::counter(tx, &Counter::UnreadMessages(user))).await?)
}

/// A conversation's messages, newest first (its two members only).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn messages(
    state: &AppState,
    ctx: AuthContext,
    id: ConversationId,
    cursor: Option<&str>,
    limit: usize,
) -> AppResult<Page<MessageView>> {
    let before = decode_cursor(cursor)?.and_then(|k| MessageId::from_key(&k));
    let user = ctx.user_id;
    state
        .store
        .read(move |tx| -> AppResult<_> {
            let c = member_of(tx, id, user)?;
            let batch = store::messages(tx, id, before, limit + 1)?;
            let more = batch.len() > limit;
            let items = message_views(tx, batch.into_iter().take(limit).collect())?;
            let next_cursor = if more { items.last().map(|v| encode_cursor(&v.message.id.key())) } else { None };
            Ok(Page { items, next_cursor, total: c.sent[0] + c.sent[1] })
        })
        .await
}

/// Moves the caller's read marker to `up_to` (the newest message when `None`); a marker
/// never moves back. The other member (and the caller's other sockets) hear of a move.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn read(
    state: &AppState,
    ctx: AuthContext,
    id: ConversationId,
    up_to: Option<MessageId>,
) -> AppResult<ConversationView> {
    let user = ctx.user_id;
    let published = state.clone();
    let (view, _, _) = state
        .store
        .write_then(
            move |tx| -> AppResult<_> {
                let old = member_of(tx, id, user)?;
                let side = old.side(user).unwrap_or(0);
                let target = up_to.unwrap_or(old.last.id);
                let message = store::message(tx, target)?
                    .filter(|m| m.conversation == id)
                    .ok_or_else(|| AppError::field("message_id", "is not a message of this conversation"))?;
                let was = &old.state[side];
                let moved = was.read_up_to.is_none_or(|r| r < target);
                let mut c = old.clone();
                if moved {
                    let count = message.read_count_for(&c, user).max(was.read_count);
                    engagement::add(tx, &Counter::UnreadMessages(user), -((count - was.read_count) as i64))?;
                    (c.state[side].read_up_to, c.state[side].read_count) = (Some(target), count);
                    store::put_conversation(tx, Some(&old), &c)?;
                }
                // Read to the end: the notification about messages while away is read too.
                let seen = match moved && target == c.last.id {
                    true => notifications::seen(tx, user, Subject::Conversation(id))?,
                    false => None,
                };
                Ok((view(tx, c, user)?, moved.then_some(target), seen))
            },
            move |(v, moved, seen): &(ConversationView, Option<MessageId>, Option<NotificationsRead>)| {
                if let Some(read) = seen {
                    notifications::publish_read(&published, user, read);
                }
                if let Some(target) = moved {
                    let event = Event::ConversationRead(ConversationRead {
                        conversation_id: id.to_string(),
                        user_id: user.to_string(),
                        read_up_to: target.to_string(),
                    });
                    publish(&published, &v.conversation.members.map(Channel::User), &event);
                }
            },
        )
        .await?;
    Ok(view)
}

/// Changes one of the caller's own settings of a conversation (mute, archive).
async fn set(
    state: &AppState,
    ctx: AuthContext,
    id: ConversationId,
    change: impl FnOnce(&mut Participant) + Send + 'static,
) -> AppResult<ConversationView> {
    let user = ctx.user_id;
    state
        .store
        .write(move |tx| -> AppResult<_> {
            let old = member_of(tx, id, user)?;
            let mut c = old.clone();
            change(&mut c.state[old.side(user).unwrap_or(0)]);
            store::put_conversation(tx, Some(&old), &c)?;
            view(tx, c, user)
        })
        .await
}

/// Mutes or unmutes a conversation for the caller (no emails while muted).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn mute(state: &AppState, ctx: AuthContext, id: ConversationId, on: bool) -> AppResult<ConversationView> {
    set(state, ctx, id, move |p| p.muted = on).await
}

/// Archives or restores a conversation for the caller (a new message restores it).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn archive(state: &AppState, ctx: AuthContext, id: ConversationId, on: bool) -> AppResult<ConversationView> {
    set(state, ctx, id, move |p| p.archived = on).await
}

/// Relays "typing" to the other member's sockets (members only; nothing stored, never
/// replayed; not relayed across a block).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn typing(state: &AppState, ctx: AuthContext, id: ConversationId) -> AppResult<()> {
    let user = ctx.user_id;
    let peer = state
        .store
        .read(move |tx| -> AppResult<_> {
            let c = member_of(tx, id, user)?;
            let peer = c.peer(user);
            let blocked = store::blocked(tx, peer, user)? || store::blocked(tx, user, peer)?;
            Ok((!blocked).then_some(peer))
        })
        .await?;
    if let Some(peer) = peer {
        let event = Event::Typing(Typing { conversation_id: id.to_string(), user_id: user.to_string() });
        state.hub.signal(&Channel::User(peer), event.kind(), event.data());
    }
    Ok(())
}

/// Whether `user` may see a file attached to message `id` (one of its two members).
pub fn may_see_attachment(r: &impl Reader, id: MessageId, user: UserId) -> StoreResult<bool> {
    let Some(m) = store::message(r, id)? else { return Ok(false) };
    Ok(store::conversation(r, m.conversation)?.is_some_and(|c| c.side(user).is_some()))
}
