//! Private messaging between two people: sending (the first message makes the
//! conversation), deleting one's own message (a tombstone stays in order), and the events
//! both people's sockets receive.
//!
//! Events are published from the store's commit hook (`Store::write_then`), so every socket
//! sees a conversation's messages, deletions and read markers in the order they committed.
//! Unread counts, list order and previews are updated in the message's own transaction.

pub mod attachments;
pub mod away;
pub mod blocks;
pub mod conversations;

use std::collections::HashMap;

use crate::{
    domain::{
        engagement::Counter,
        ids::{ConversationId, MediaId, MessageId, UserId},
        media::{Media, MediaContext},
        messages::{self, Conversation, LastMessage, Message, MessageView, Participant, Refusal},
        notifications::{NotificationKind, Subject},
        user::AuthorCard,
    },
    dto::{events::Event, messages::MessageRemoved, notifications::NotificationsRead},
    error::{AppError, AppResult, ErrorCode, OptionExt},
    jobs::Task,
    realtime::Channel,
    service::{events::publish, forum::attachments as files, media, notifications, now, sessions::AuthContext},
    state::AppState,
    store::{Reader, StoreResult, Tx, engagement, jobs as queue, media as media_table, messages as store, users},
};

/// The refusal as the client hears it: a block by the recipient is not told apart from an
/// account that cannot receive messages.
fn refused(r: Refusal) -> AppError {
    match r {
        Refusal::Yourself => AppError::field("recipient_id", "you cannot message yourself"),
        Refusal::CannotMessage => AppError::forbidden(ErrorCode::CannotMessage, "You cannot message this user"),
        Refusal::YouBlocked => {
            AppError::forbidden(ErrorCode::YouBlocked, "You blocked this user; unblock them to send a message")
        }
    }
}

/// Sends a message to `recipient` with files uploaded for it beforehand.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, recipient = %recipient))]
pub async fn send(
    state: &AppState,
    ctx: AuthContext,
    recipient: UserId,
    text: &str,
    attachment_ids: Vec<MediaId>,
) -> AppResult<MessageView> {
    let text = messages::message_text(text).map_err(|why| AppError::field("text", why))?;
    let mut seen = std::collections::HashSet::new();
    if attachment_ids.len() > messages::MAX_ATTACHMENTS || !attachment_ids.iter().all(|id| seen.insert(*id)) {
        let why = format!("at most {} different files per message", messages::MAX_ATTACHMENTS);
        return Err(AppError::field("attachment_ids", why));
    }
    let sender = ctx.user_id;
    state.message_limiter.hit(&sender.to_string()).map_err(|secs| {
        AppError::rate_limited(ErrorCode::RateLimited, "Too many messages; try again in a moment", secs)
    })?;
    let away = !state.hub.is_online(recipient);
    let config = state.config.messages.clone();
    let published = state.clone();
    let (view, _, _) = state
        .store
        .write_then(
            move |tx| -> AppResult<_> {
                let from = users::get(tx, sender)?.or_not_found("User")?;
                let to = users::get(tx, recipient)?.or_not_found("User")?;
                let blocked_by_recipient = store::blocked(tx, recipient, sender)?;
                let blocked_by_sender = store::blocked(tx, sender, recipient)?;
                messages::may_message(&from, &to, blocked_by_recipient, blocked_by_sender).map_err(refused)?;
                let t = now();
                let id = MessageId::new();
                let attachments = adopt(tx, sender, id, &attachment_ids)?;
                let pair = Conversation::pair(sender, recipient);
                let old = match store::conversation_of_pair(tx, &pair)? {
                    Some(cid) => Some(store::conversation(tx, cid)?.or_not_found("Conversation")?),
                    None => None,
                };
                let first = || Conversation {
                    id: ConversationId::new(),
                    members: pair,
                    sent: [0, 0],
                    state: Default::default(),
                    last: LastMessage { id, sender, preview: String::new(), created_at: t, deleted: false },
                    created_at: t,
                };
                let mut c = old.clone().unwrap_or_else(first);
                let side = c.side(sender).unwrap_or(0);
                c.sent[side] += 1;
                let message = Message {
                    id,
                    conversation: c.id,
                    sender,
                    text,
                    attachments,
                    sent: c.sent,
                    created_at: t,
                    deleted_at: None,
                };
                c.last = LastMessage::of(&message);
                // Sending reads everything before it (and brings the conversation back to
                // both inboxes); the recipient has one more unread.
                let me = &mut c.state[side];
                let newly_read = message.sent[1 - side].saturating_sub(me.read_count);
                (me.read_up_to, me.read_count, me.archived) = (Some(id), me.read_count + newly_read, false);
                let them = &mut c.state[1 - side];
                them.archived = false;
                if away && wants_email(tx, them, recipient, t, config.away_email_cooldown_secs)? {
                    them.emailed_at = Some(t);
                    let task = Task::MessageEmail { conversation: c.id, recipient, message: id };
                    queue::enqueue(tx, &task.into_job_after(config.away_email_delay_secs as i64 * 1000))?;
                }
                // The recipient's bell rings only when they are away and did not mute it; the
                // sender, who read everything by writing, has their own notification read.
                let told = match away && !them.muted {
                    true => notifications::message_while_away(tx, recipient, c.id, sender)?,
                    false => None,
                };
                let seen = notifications::seen(tx, sender, Subject::Conversation(c.id))?;
                store::put_message(tx, &message)?;
                store::put_conversation(tx, old.as_ref(), &c)?;
                engagement::add(tx, &Counter::UnreadMessages(sender), -(newly_read as i64))?;
                engagement::add(tx, &Counter::UnreadMessages(recipient), 1)?;
                Ok((message_view(tx, message)?, told, seen))
            },
            move |(view, told, seen): &(MessageView, Option<notifications::Change>, Option<NotificationsRead>)| {
                let event = Event::MessageCreated(view.clone().into());
                publish(&published, &[Channel::User(sender), Channel::User(recipient)], &event);
                notifications::publish(&published, told.as_slice());
                if let Some(read) = seen {
                    notifications::publish_read(&published, sender, read);
                }
            },
        )
        .await?;
    state.jobs.wake();
    Ok(view)
}

/// Whether a message to `p` (away) should be emailed: not muted, emails on, and none
/// queued for this conversation within the cool-down.
fn wants_email(tx: &Tx, p: &Participant, user: UserId, t: i64, cooldown_secs: u64) -> StoreResult<bool> {
    let cooled = p.emailed_at.is_none_or(|at| t - at >= cooldown_secs as i64 * 1000);
    let wanted = crate::store::notifications::settings(tx, user)?.channels(NotificationKind::Message).email;
    Ok(!p.muted && cooled && wanted)
}

/// Takes the files `sender` uploaded for a message (not sent yet) into message `id`.
fn adopt(tx: &Tx, sender: UserId, id: MessageId, ids: &[MediaId]) -> AppResult<Vec<MediaId>> {
    for media_id in ids {
        let mut m =
            media_table::get(tx, *media_id)?.filter(|m| m.context == MediaContext::MessageUpload(sender)).ok_or_else(
                || AppError::field("attachment_ids", format!("{media_id} is not a file you uploaded for a message")),
            )?;
        m.context = MediaContext::Message(id);
        media_table::put(tx, &m)?;
    }
    Ok(ids.to_vec())
}

/// A message with its sender's card and attachments.
fn message_view(r: &impl Reader, message: Message) -> StoreResult<MessageView> {
    let sender = users::author_card(r, message.sender)?;
    let attachments = files::load(r, &message.attachments)?;
    Ok(MessageView { message, sender, attachments })
}

/// Views of messages of one conversation: each sender's card is read once.
fn message_views(r: &impl Reader, batch: Vec<Message>) -> StoreResult<Vec<MessageView>> {
    let mut cards: HashMap<UserId, Option<AuthorCard>> = HashMap::new();
    let mut out = Vec::with_capacity(batch.len());
    for message in batch {
        let sender = match cards.get(&message.sender) {
            Some(c) => c.clone(),
            None => {
                let c = users::author_card(r, message.sender)?;
                cards.insert(message.sender, c.clone());
                c
            }
        };
        let attachments = files::load(r, &message.attachments)?;
        out.push(MessageView { message, sender, attachments });
    }
    Ok(out)
}

/// The conversation `id` if `user` is one of its two members (else 404: strangers learn
/// nothing, not even that it exists).
fn member_of(r: &impl Reader, id: ConversationId, user: UserId) -> AppResult<Conversation> {
    store::conversation(r, id)?.filter(|c| c.side(user).is_some()).or_not_found("Conversation")
}

/// What a deletion removed: the attachment records (their objects go after the commit) and,
/// when it changed anything, the conversation and its members to tell.
type Deleted = (Vec<Media>, Option<(ConversationId, [UserId; 2])>);

/// Deletes a message (its sender): the text and files go, a tombstone keeps its place.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn delete(state: &AppState, ctx: AuthContext, id: MessageId) -> AppResult<()> {
    let user = ctx.user_id;
    let published = state.clone();
    let (removed, _): Deleted = state
        .store
        .write_then(
            move |tx| -> AppResult<Deleted> {
                let mut m = store::message(tx, id)?.or_not_found("Message")?;
                let old = member_of(tx, m.conversation, user).map_err(|_| AppError::not_found("Message"))?;
                if m.sender != user {
                    return Err(AppError::forbidden(ErrorCode::NotAuthor, "Only its sender may delete a message"));
                }
                if m.deleted_at.is_some() {
                    return Ok((Vec::new(), None));
                }
                let removed = files::drop_records(tx, &m.attachments)?;
                m.text.clear();
                m.attachments.clear();
                m.deleted_at = Some(now());
                store::put_message(tx, &m)?;
                if old.last.id == m.id {
                    let c = Conversation { last: LastMessage::of(&m), ..old.clone() };
                    store::put_conversation(tx, Some(&old), &c)?;
                }
                Ok((removed, Some((old.id, old.members))))
            },
            move |(_, told): &Deleted| {
                if let Some((conversation, members)) = told {
                    let event = Event::MessageDeleted(MessageRemoved {
                        id: id.to_string(),
                        conversation_id: conversation.to_string(),
                    });
                    publish(&published, &members.map(Channel::User), &event);
                }
            },
        )
        .await?;
    for m in &removed {
        media::remove_objects(state, m).await;
    }
    Ok(())
}
