//! Watching topics: people watch the topics they create or reply to (unless they unwatched
//! one on purpose) and can watch or unwatch by hand. A reply's notification to every
//! watcher is written by a background job in batches, so a topic with thousands of
//! watchers costs the reply's request nothing.

use super::{Change, publish, record, title};
use crate::{
    domain::{
        ids::{ReplyId, TopicId, UserId},
        notifications::{NotificationKind, NotificationView, Subject},
    },
    error::{AppResult, OptionExt},
    service::sessions::AuthContext,
    state::AppState,
    store::{forum, notifications as store, users},
};

/// Watchers read and notified per write transaction.
const BATCH: usize = 256;

/// Watches (`on`) or unwatches a topic for the caller; answers whether they watch it now.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, topic = %topic))]
pub async fn set(state: &AppState, ctx: AuthContext, topic: TopicId, on: bool) -> AppResult<bool> {
    let user = ctx.user_id;
    state
        .store
        .write(move |tx| -> AppResult<_> {
            forum::topic(tx, topic)?.or_not_found("Topic")?;
            store::set_watch(tx, topic, user, on)?;
            Ok(on)
        })
        .await
}

/// Whether the caller watches a topic.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, topic = %topic))]
pub async fn get(state: &AppState, ctx: AuthContext, topic: TopicId) -> AppResult<bool> {
    let user = ctx.user_id;
    state
        .store
        .read(move |tx| -> AppResult<_> {
            forum::topic(tx, topic)?.or_not_found("Topic")?;
            Ok(store::watching(tx, topic, user)?)
        })
        .await
}

/// Notifies the watchers of `topic` of `reply` (a job): everyone watching but `author` and
/// `skip`, in batches; nothing when the reply is gone by then. Repeating it after a crash
/// notifies the batches already done again, which at-least-once jobs accept.
pub async fn fan_out(
    state: &AppState,
    topic: TopicId,
    reply: ReplyId,
    author: UserId,
    skip: &[UserId],
) -> anyhow::Result<()> {
    let mut after = None;
    loop {
        let skip = skip.to_vec();
        let (changes, next) = state
            .store
            .write(move |tx| -> AppResult<(Vec<Change>, Option<UserId>)> {
                let (watchers, next) = store::watchers(tx, topic, after, BATCH)?;
                // Nothing once the reply is gone; every watcher's notification shows the same
                // title and actor, so they are read once.
                let subject = Subject::Reply(reply);
                let Some(title) = title(tx, subject)? else { return Ok((Vec::new(), None)) };
                let actors = vec![(author, users::author_card(tx, author)?)];
                let mut changes = Vec::new();
                for w in watchers.into_iter().filter(|w| *w != author && !skip.contains(w)) {
                    let kind = NotificationKind::WatchedReply;
                    if let Some(notification) = record(tx, w, kind, subject, Some(topic), author)? {
                        let (actors, title) = (actors.clone(), title.clone());
                        changes.push(Change::Created(NotificationView { notification, actors, title }));
                    }
                }
                Ok((changes, next))
            })
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.message))?;
        publish(state, &changes);
        match next {
            Some(n) => after = Some(n),
            None => return Ok(()),
        }
    }
}
