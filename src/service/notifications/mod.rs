//! Notifications: recorded in the transaction of the action that causes them (never for
//! one's own action), listed newest first, counted for the bell, marked read, and pushed to
//! the person's sockets (`notification.created`, `notification.updated`,
//! `notification.read`) once the action has committed. Likes of one item are one grouped
//! notification that changes in place, as are the messages of one conversation that came
//! while the person was away. A reply reaches the topic's watchers through a job
//! (`watchers`), never inside the request. Each person's `settings` say per kind whether a
//! notification is recorded for the app and whether it goes into their coalesced `email`.

pub mod email;
pub mod settings;
pub mod watchers;

use crate::{
    domain::{
        engagement::{Counter, Target},
        ids::{ConversationId, NotificationId, TopicId, UserId},
        notifications::{Notification, NotificationKind, NotificationView, Subject},
    },
    dto::{events::Event, notifications::NotificationsRead},
    error::{AppError, AppResult},
    realtime::Channel,
    service::{Page, decode_cursor, encode_cursor, events::publish as publish_event, now, sessions::AuthContext},
    state::AppState,
    store::{Reader, StoreResult, Tx, engagement, forum, messages, notifications as store, orgs, use_cases, users},
};

/// Most notifications marked read by one request naming none (everything unread).
const MARK_ALL_LIMIT: usize = 10_000;

/// What an action did to someone's notifications, to push once it has committed.
#[derive(Clone, Debug)]
pub enum Change {
    Created(NotificationView),
    Updated(NotificationView),
}

/// The title of what `subject` is about (a conversation's: its last message), `None` once
/// it is gone.
pub fn title(r: &impl Reader, subject: impl Into<Subject>) -> StoreResult<Option<String>> {
    Ok(match subject.into() {
        Subject::Topic(id) => forum::topic(r, id)?.map(|t| t.title),
        Subject::Reply(id) => match forum::reply(r, id)? {
            Some(reply) => forum::topic(r, reply.topic)?.map(|t| t.title),
            None => None,
        },
        Subject::UseCase(id) => use_cases::get(r, id)?.map(|u| u.content.title),
        Subject::Conversation(id) => messages::conversation(r, id)?.map(|c| c.last.preview),
        Subject::Organization(id) => orgs::get(r, id)?.map(|o| o.name),
    })
}

/// `n` with its actors' cards and title; `None` when its content is gone.
fn view(r: &impl Reader, notification: Notification) -> StoreResult<Option<NotificationView>> {
    let Some(title) = title(r, notification.target)? else { return Ok(None) };
    let actors =
        notification.actors.iter().map(|a| Ok((*a, users::author_card(r, *a)?))).collect::<StoreResult<_>>()?;
    Ok(Some(NotificationView { notification, actors, title }))
}

/// Records a notification of `user` about `subject` by `actor` as their settings ask: for
/// the app, and into their next email (nothing for one's own action).
pub fn notify(
    tx: &Tx,
    user: UserId,
    kind: NotificationKind,
    subject: impl Into<Subject>,
    topic: Option<TopicId>,
    actor: UserId,
) -> StoreResult<Option<Change>> {
    match record(tx, user, kind, subject.into(), topic, actor)? {
        Some(n) => Ok(view(tx, n)?.map(Change::Created)),
        None => Ok(None),
    }
}

/// What `notify` stores, without the view (a fan-out to many people builds its one view's
/// parts once).
pub fn record(
    tx: &Tx,
    user: UserId,
    kind: NotificationKind,
    subject: Subject,
    topic: Option<TopicId>,
    actor: UserId,
) -> StoreResult<Option<Notification>> {
    if user == actor {
        return Ok(None);
    }
    let channels = store::settings(tx, user)?.channels(kind);
    if channels.email {
        email::add(tx, user, kind, subject, actor)?;
    }
    if !channels.in_app {
        return Ok(None);
    }
    let n = Notification::new(user, kind, subject, topic, actor, now());
    store::put(tx, None, &n)?;
    Ok(Some(n))
}

/// Most people one topic or reply may mention.
pub const MAX_MENTIONS: usize = 20;

/// Refuses mentions of more than `MAX_MENTIONS` people or of anyone who cannot sign in (422
/// on `mentions`).
pub fn check_mentions(r: &impl Reader, mentions: &[UserId]) -> AppResult<()> {
    if mentions.len() > MAX_MENTIONS {
        return Err(AppError::field("mentions", format!("at most {MAX_MENTIONS} people")));
    }
    for id in mentions {
        if !users::get(r, *id)?.is_some_and(|u| u.can_sign_in()) {
            return Err(AppError::field("mentions", format!("{id} is not a person who can be mentioned")));
        }
    }
    Ok(())
}

/// Tells the people `mentioned` in `subject` by `author`, each once, except the author and
/// those already told of it (`told`) in the same action.
pub fn mentioned(
    tx: &Tx,
    mentioned: &[UserId],
    subject: Subject,
    topic: Option<TopicId>,
    author: UserId,
    told: &[UserId],
) -> StoreResult<Vec<Change>> {
    let mut changes = Vec::new();
    let mut done: Vec<UserId> = told.to_vec();
    for user in mentioned {
        if !done.contains(user) {
            done.push(*user);
            changes.extend(notify(tx, *user, NotificationKind::Mention, subject, topic, author)?);
        }
    }
    Ok(changes)
}

/// A message from `sender` to `recipient`, who is away: their notification about the
/// conversation counts it and is unread again (one per conversation, changing in place).
pub fn message_while_away(
    tx: &Tx,
    recipient: UserId,
    conversation: ConversationId,
    sender: UserId,
) -> StoreResult<Option<Change>> {
    let subject = Subject::Conversation(conversation);
    if !store::settings(tx, recipient)?.channels(NotificationKind::Message).in_app {
        return Ok(None);
    }
    match store::group(tx, recipient, subject)? {
        Some(old) => {
            let mut n = old.clone();
            n.again(now());
            store::put(tx, Some(&old), &n)?;
            Ok(view(tx, n)?.map(Change::Updated))
        }
        None => {
            let n = Notification::new(recipient, NotificationKind::Message, subject, None, sender, now());
            store::put(tx, None, &n)?;
            store::set_group(tx, &n)?;
            Ok(view(tx, n)?.map(Change::Created))
        }
    }
}

/// `user` has read what `subject` is about (a conversation): its grouped notification is
/// read too. Returns the ids marked and what is still unread, for `notification.read`.
pub fn seen(tx: &Tx, user: UserId, subject: Subject) -> StoreResult<Option<NotificationsRead>> {
    let Some(old) = store::group(tx, user, subject)?.filter(|n| !n.read) else { return Ok(None) };
    let n = Notification { read: true, ..old.clone() };
    store::put(tx, Some(&old), &n)?;
    let unread_count = engagement::counter(tx, &Counter::UnreadNotifications(user))?;
    Ok(Some(NotificationsRead { ids: vec![n.id.to_string()], all: false, unread_count }))
}

/// Pushes `notification.read` to `user`'s sockets (after the commit that marked them).
pub fn publish_read(state: &AppState, user: UserId, read: &NotificationsRead) {
    publish_event(state, &[Channel::User(user)], &Event::NotificationsRead(read.clone()));
}

/// A like (`on`) or unlike of `target`, owned by `owner`, by `liker`: the owner's grouped
/// notification about it gains or loses the liker (and goes when nobody likes it any more).
pub fn liked(tx: &Tx, owner: UserId, target: Target, liker: UserId, on: bool) -> StoreResult<Option<Change>> {
    if owner == liker {
        return Ok(None);
    }
    let channels = store::settings(tx, owner)?.channels(NotificationKind::Liked);
    if on && channels.email {
        email::add(tx, owner, NotificationKind::Liked, target.into(), liker)?;
    }
    // With likes off in the app nothing new is recorded, but an unlike still leaves the
    // notification recorded before (it must not name someone who took their like back).
    if on && !channels.in_app {
        return Ok(None);
    }
    let t = now();
    let changed = match (store::group(tx, owner, target.into())?, on) {
        (Some(old), true) => {
            let mut n = old.clone();
            n.add_actor(liker, t);
            store::put(tx, Some(&old), &n)?;
            Some(n)
        }
        (Some(old), false) if old.actor_count <= 1 => {
            store::remove(tx, &old)?;
            None
        }
        (Some(old), false) => {
            let mut n = old.clone();
            n.remove_actor(liker, t);
            store::put(tx, Some(&old), &n)?;
            Some(n)
        }
        (None, true) => {
            let topic = match target {
                Target::Reply(r) => forum::reply(tx, r)?.map(|r| r.topic),
                _ => None,
            };
            let n = Notification::new(owner, NotificationKind::Liked, target, topic, liker, t);
            store::put(tx, None, &n)?;
            store::set_group(tx, &n)?;
            return Ok(view(tx, n)?.map(Change::Created));
        }
        (None, false) => None,
    };
    Ok(match changed {
        Some(n) => view(tx, n)?.map(Change::Updated),
        None => None,
    })
}

/// Pushes what an action did to people's notifications (after its commit).
pub fn publish(state: &AppState, changes: &[Change]) {
    for change in changes {
        let (event, user) = match change {
            Change::Created(v) => (Event::NotificationCreated(v.clone().into()), v.notification.user),
            Change::Updated(v) => (Event::NotificationUpdated(v.clone().into()), v.notification.user),
        };
        publish_event(state, &[Channel::User(user)], &event);
    }
}

/// The caller's notifications, newest first (only unread ones with `unread_only`); those
/// about content that is gone are left out.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn list(
    state: &AppState,
    ctx: AuthContext,
    unread_only: bool,
    cursor: Option<&str>,
    limit: usize,
) -> AppResult<Page<NotificationView>> {
    let before = decode_cursor(cursor)?.and_then(|k| NotificationId::from_key(&k));
    let user = ctx.user_id;
    state
        .store
        .read(move |tx| -> AppResult<_> {
            let batch = store::page(tx, user, unread_only, before, limit + 1)?;
            let more = batch.len() > limit;
            let next_cursor = if more { batch.get(limit - 1).map(|n| encode_cursor(&n.id.key())) } else { None };
            let mut items = Vec::with_capacity(limit);
            for n in batch.into_iter().take(limit) {
                if let Some(v) = view(tx, n)? {
                    items.push(v);
                }
            }
            let total = if unread_only { engagement::counter(tx, &Counter::UnreadNotifications(user))? } else { 0 };
            Ok(Page { items, next_cursor, total })
        })
        .await
}

/// The caller's unread notifications (the bell).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn unread(state: &AppState, ctx: AuthContext) -> AppResult<u64> {
    let user = ctx.user_id;
    Ok(state.store.read(move |tx| engagement::counter(tx, &Counter::UnreadNotifications(user))).await?)
}

/// Marks some of the caller's notifications read (all when `ids` is `None`); returns what is
/// still unread. The caller's other sockets hear of it (`notification.read`).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn mark_read(state: &AppState, ctx: AuthContext, ids: Option<Vec<NotificationId>>) -> AppResult<u64> {
    if ids.as_ref().is_some_and(|i| i.len() > crate::service::MAX_PAGE) {
        return Err(AppError::field("ids", format!("at most {} ids at once", crate::service::MAX_PAGE)));
    }
    let user = ctx.user_id;
    let all = ids.is_none();
    let published = state.clone();
    let (_, left) = state
        .store
        .write_then(
            move |tx| -> AppResult<_> {
                let ids = match ids {
                    Some(ids) => ids,
                    None => store::unread_ids(tx, user, MARK_ALL_LIMIT)?,
                };
                let mut marked = Vec::new();
                for id in ids {
                    if let Some(old) = store::get(tx, user, id)?.filter(|n| !n.read) {
                        let n = Notification { read: true, ..old.clone() };
                        store::put(tx, Some(&old), &n)?;
                        marked.push(id);
                    }
                }
                Ok((marked, engagement::counter(tx, &Counter::UnreadNotifications(user))?))
            },
            move |(marked, left): &(Vec<NotificationId>, u64)| {
                let ids = marked.iter().map(ToString::to_string).collect();
                publish_read(&published, user, &NotificationsRead { ids, all, unread_count: *left });
            },
        )
        .await?;
    Ok(left)
}
