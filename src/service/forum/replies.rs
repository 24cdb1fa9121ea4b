//! Replies: one nesting level, oldest first, edit by the author, delete by the author or a
//! moderator (answers to a deleted reply go with it); a locked topic takes no replies.

use super::{reply_added, reply_removed, reply_view};
use crate::error::ErrorCode;
use crate::{
    domain::{
        activity::ActivityKind,
        engagement::{Counter, Target},
        forum::{self, Reply, ReplyView},
        ids::{ReplyId, TopicId, UserId},
        notifications::NotificationKind,
        trending::Engagement,
    },
    dto::events::{Event, RepliesRemoved},
    error::{AppError, AppResult, OptionExt},
    jobs::Task,
    realtime::Channel,
    service::{
        Page, activity, caller, decode_cursor, encode_cursor, events::publish, notifications, now,
        sessions::AuthContext,
    },
    state::AppState,
    store::{StoreResult, engagement, forum as store, jobs as queue, notifications as notes, trending},
};

/// Adds a reply to a topic, optionally answering a top-level reply of it.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, topic_id = %topic_id))]
pub async fn create(
    state: &AppState,
    ctx: AuthContext,
    topic_id: TopicId,
    body: &str,
    parent: Option<ReplyId>,
    mentions: Vec<UserId>,
) -> AppResult<ReplyView> {
    let body = forum::reply_body(body).map_err(|why| AppError::field("body", why))?;
    let author = ctx.user_id;
    let published = state.clone();
    let (view, _) = state
        .store
        .write_then(
            move |tx| -> AppResult<_> {
                let old = store::topic(tx, topic_id)?.or_not_found("Topic")?;
                if old.locked {
                    return Err(AppError::conflict(
                        ErrorCode::TopicLocked,
                        "This topic is locked and takes no replies",
                    ));
                }
                notifications::check_mentions(tx, &mentions)?;
                let mut answered = None;
                if let Some(p) = parent {
                    let parent = store::reply(tx, p)?.filter(|r| r.topic == topic_id);
                    let parent =
                        parent.ok_or_else(|| AppError::field("parent_reply_id", "is not a reply of this topic"))?;
                    if parent.parent.is_some() {
                        return Err(AppError::field("parent_reply_id", "answers may nest one level only"));
                    }
                    answered = Some(parent.author);
                }
                let t = now();
                let reply = Reply {
                    id: ReplyId::new(),
                    topic: topic_id,
                    parent,
                    author,
                    body,
                    created_at: t,
                    edited_at: None,
                    like_count: 0,
                    attachments: Vec::new(),
                };
                store::put_reply(tx, &reply)?;
                let mut topic = old.clone();
                topic.reply_count += 1;
                topic.last_activity_at = t;
                store::update_topic(tx, &old, &topic)?;
                if old.reply_count == 0 {
                    engagement::add(tx, &Counter::AnsweredTopics, 1)?;
                }
                reply_added(tx, &reply)?;
                trending::engaged(tx, Target::Topic(topic_id), Engagement::Replied, t)?;
                // The card (a few bytes) carries the organization; the account record is larger.
                let org = crate::store::users::author_card(tx, author)?.and_then(|c| c.org);
                activity::record(
                    tx,
                    author,
                    org,
                    ActivityKind::Answered,
                    Some(Target::Reply(reply.id)),
                    Some(topic_id),
                )?;
                // The answered reply's author hears of an answer; the topic's author of a reply
                // (once, when they wrote the answered reply too).
                let target = Target::Reply(reply.id);
                let mut told = Vec::new();
                if let Some(a) = answered {
                    told.extend(notifications::notify(
                        tx,
                        a,
                        NotificationKind::ReplyAnswer,
                        target,
                        Some(topic_id),
                        author,
                    )?);
                }
                if answered != Some(old.author) {
                    let kind = NotificationKind::TopicReply;
                    told.extend(notifications::notify(tx, old.author, kind, target, Some(topic_id), author)?);
                }
                let heard: Vec<_> = [Some(old.author), answered].into_iter().flatten().collect();
                told.extend(notifications::mentioned(tx, &mentions, target.into(), Some(topic_id), author, &heard)?);
                // Everyone else watching hears of it through a job, never inside this request.
                // (A job is queued only when someone beyond those is watching: most replies
                // then cost no second transaction.)
                notes::auto_watch(tx, topic_id, author)?;
                let skip: Vec<_> = heard.into_iter().chain(mentions).collect();
                let (first, last) = notes::watchers(tx, topic_id, None, 16)?;
                let more = last.is_some() && notes::watchers(tx, topic_id, last, 1)?.1.is_some();
                if more || first.iter().any(|w| *w != author && !skip.contains(w)) {
                    let task = Task::NotifyWatchers { topic: topic_id, reply: reply.id, author, skip };
                    queue::enqueue(tx, &task.into_job())?;
                }
                Ok((reply_view(tx, reply, false, author)?, told))
            },
            // From the commit hook: a topic's sockets hear of its replies in commit order.
            move |(view, told): &(ReplyView, Vec<notifications::Change>)| {
                super::events::reply(&published, Event::ReplyCreated, view);
                notifications::publish(&published, told);
            },
        )
        .await?;
    state.jobs.wake();
    Ok(view)
}

/// Replies of a topic, oldest first.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, topic_id = %topic_id))]
pub async fn list(
    state: &AppState,
    ctx: AuthContext,
    topic_id: TopicId,
    cursor: Option<&str>,
    limit: usize,
) -> AppResult<Page<ReplyView>> {
    let after = decode_cursor(cursor)?.and_then(|k| ReplyId::from_key(&k));
    let viewer = ctx.user_id;
    state
        .store
        .read(move |tx| -> AppResult<_> {
            let topic = store::topic(tx, topic_id)?.or_not_found("Topic")?;
            let batch = store::replies(tx, topic_id, after, limit + 1)?;
            let more = batch.len() > limit;
            let items = batch
                .into_iter()
                .take(limit)
                .map(|r| {
                    let best = topic.best_reply == Some(r.id);
                    reply_view(tx, r, best, viewer)
                })
                .collect::<StoreResult<Vec<_>>>()?;
            let next_cursor = if more { items.last().map(|v| encode_cursor(&v.reply.id.key())) } else { None };
            Ok(Page { items, next_cursor, total: topic.reply_count })
        })
        .await
}

/// Edits a reply (its author).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn edit(state: &AppState, ctx: AuthContext, id: ReplyId, body: &str) -> AppResult<ReplyView> {
    let body = forum::reply_body(body).map_err(|why| AppError::field("body", why))?;
    let user = caller(state, ctx).await?;
    let view = state
        .store
        .write(move |tx| -> AppResult<_> {
            let mut reply = store::reply(tx, id)?.or_not_found("Reply")?;
            if !forum::may_edit(&user, reply.author) {
                return Err(AppError::forbidden(ErrorCode::NotAuthor, "Only the author may edit this reply"));
            }
            reply.body = body;
            reply.edited_at = Some(now());
            store::put_reply(tx, &reply)?;
            let best = store::topic(tx, reply.topic)?.is_some_and(|t| t.best_reply == Some(id));
            Ok(reply_view(tx, reply, best, user.id)?)
        })
        .await?;
    super::events::reply(state, Event::ReplyUpdated, &view);
    Ok(view)
}

/// Deletes a reply and the answers to it (the author or a moderator).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn delete(state: &AppState, ctx: AuthContext, id: ReplyId) -> AppResult<()> {
    let user = caller(state, ctx).await?;
    let done = state
        .store
        .write(move |tx| -> AppResult<_> {
            let reply = store::reply(tx, id)?.or_not_found("Reply")?;
            if !forum::may_delete(&user, reply.author) {
                return Err(AppError::forbidden(
                    ErrorCode::NotAuthor,
                    "Only the author or a moderator may delete this reply",
                ));
            }
            let old = store::topic(tx, reply.topic)?.or_not_found("Topic")?;
            let mut doomed = vec![reply.clone()];
            if reply.parent.is_none() {
                let mut after = None;
                loop {
                    let batch = store::replies(tx, reply.topic, after, 500)?;
                    let Some(last) = batch.last() else { break };
                    after = Some(last.id);
                    doomed.extend(batch.into_iter().filter(|r| r.parent == Some(id)));
                }
            }
            let mut topic = old.clone();
            let mut media = Vec::new();
            for r in &doomed {
                let was_best = topic.best_reply == Some(r.id);
                if was_best {
                    topic.best_reply = None;
                }
                reply_removed(tx, r, was_best)?;
                media.extend(super::attachments::drop_records(tx, &r.attachments)?);
                store::remove_reply(tx, r)?;
            }
            topic.reply_count = topic.reply_count.saturating_sub(doomed.len() as u64);
            if old.reply_count > 0 && topic.reply_count == 0 {
                engagement::add(tx, &Counter::AnsweredTopics, -1)?;
            }
            store::update_topic(tx, &old, &topic)?;
            Ok((topic, doomed.iter().map(|r| r.id.to_string()).collect::<Vec<_>>(), media))
        })
        .await?;
    let (topic, ids, media) = done;
    for m in &media {
        crate::service::media::remove_objects(state, m).await;
    }
    publish(state, &[Channel::Topic(topic.id)], &Event::RepliesDeleted(RepliesRemoved { ids }));
    Ok(())
}
