//! Notifications: recorded in the transaction of the action that causes them (never for
//! one's own action), listed newest first, counted for the bell, marked read, and pushed to
//! the person's sockets (`notification.created`, `notification.updated`,
//! `notification.read`) once the action has committed. Likes of one item are one grouped
//! notification that changes in place. A reply reaches the topic's watchers through a job
//! (`watchers`), never inside the request.

pub mod watchers;

use crate::{
    domain::{
        engagement::{Counter, Target},
        ids::{NotificationId, TopicId, UserId},
        notifications::{Notification, NotificationKind, NotificationView},
    },
    dto::{events::Event, notifications::NotificationsRead},
    error::{AppError, AppResult},
    realtime::Channel,
    service::{Page, decode_cursor, encode_cursor, events::publish as publish_event, now, sessions::AuthContext},
    state::AppState,
    store::{Reader, StoreResult, Tx, engagement, forum, notifications as store, use_cases, users},
};

/// Most notifications marked read by one request naming none (everything unread).
const MARK_ALL_LIMIT: usize = 10_000;

/// What an action did to someone's notifications, to push once it has committed.
#[derive(Clone, Debug)]
pub enum Change {
    Created(NotificationView),
    Updated(NotificationView),
}

/// The title of what `target` is about, `None` once it is gone.
pub fn title(r: &impl Reader, target: Target) -> StoreResult<Option<String>> {
    Ok(match target {
        Target::Topic(id) => forum::topic(r, id)?.map(|t| t.title),
        Target::Reply(id) => match forum::reply(r, id)? {
            Some(reply) => forum::topic(r, reply.topic)?.map(|t| t.title),
            None => None,
        },
        Target::UseCase(id) => use_cases::get(r, id)?.map(|u| u.content.title),
    })
}

/// `n` with its actors' cards and title; `None` when its content is gone.
fn view(r: &impl Reader, notification: Notification) -> StoreResult<Option<NotificationView>> {
    let Some(title) = title(r, notification.target)? else { return Ok(None) };
    let actors =
        notification.actors.iter().map(|a| Ok((*a, users::author_card(r, *a)?))).collect::<StoreResult<_>>()?;
    Ok(Some(NotificationView { notification, actors, title }))
}

/// Records a notification of `user` about `target` by `actor` (nothing for one's own action).
pub fn notify(
    tx: &Tx,
    user: UserId,
    kind: NotificationKind,
    target: Target,
    topic: Option<TopicId>,
    actor: UserId,
) -> StoreResult<Option<Change>> {
    if user == actor {
        return Ok(None);
    }
    let n = Notification::new(user, kind, target, topic, actor, now());
    store::put(tx, None, &n)?;
    Ok(view(tx, n)?.map(Change::Created))
}

/// A like (`on`) or unlike of `target`, owned by `owner`, by `liker`: the owner's grouped
/// notification about it gains or loses the liker (and goes when nobody likes it any more).
pub fn liked(tx: &Tx, owner: UserId, target: Target, liker: UserId, on: bool) -> StoreResult<Option<Change>> {
    if owner == liker {
        return Ok(None);
    }
    let t = now();
    let changed = match (store::group(tx, owner, target)?, on) {
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
    let (marked, left) = state
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
                let event = Event::NotificationsRead(NotificationsRead {
                    ids: marked.iter().map(ToString::to_string).collect(),
                    all,
                    unread_count: *left,
                });
                publish_event(&published, &[Channel::User(user)], &event);
            },
        )
        .await?;
    let _ = marked;
    Ok(left)
}
