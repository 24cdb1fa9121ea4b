//! Likes and bookmarks of topics and replies (the engagement flow, plus their events) and
//! best answers.

use crate::error::ErrorCode;
use crate::{
    domain::{
        activity::ActivityKind,
        engagement::Target,
        forum::{self, Reply, Topic, TopicView, points},
        ids::{ReplyId, TopicId},
        notifications::NotificationKind,
    },
    dto::events::{Event, ReplyLikes, TopicLikes},
    error::{AppError, AppResult, OptionExt},
    realtime::Channel,
    service::{activity, caller, engagement, events::publish, notifications, sessions::AuthContext},
    state::AppState,
    store::{StoreResult, forum as store, stats},
};

/// Likes or unlikes a topic; returns whether the caller likes it now and the count.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn like_topic(state: &AppState, ctx: AuthContext, id: TopicId, like: bool) -> AppResult<(bool, u64)> {
    let topic = engagement::like::<Topic>(state, ctx, id, like).await?;
    let likes = TopicLikes { topic_id: id.to_string(), like_count: topic.like_count };
    publish(state, &[Channel::Topic(id)], &Event::TopicLiked(likes));
    Ok((like, topic.like_count))
}

/// Likes or unlikes a reply; returns whether the caller likes it now and the count.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn like_reply(state: &AppState, ctx: AuthContext, id: ReplyId, like: bool) -> AppResult<(bool, u64)> {
    let reply = engagement::like::<Reply>(state, ctx, id, like).await?;
    let likes = ReplyLikes { reply_id: id.to_string(), like_count: reply.like_count };
    publish(state, &[Channel::Topic(reply.topic)], &Event::ReplyLiked(likes));
    Ok((like, reply.like_count))
}

/// Bookmarks or un-bookmarks a topic; returns whether it is bookmarked now.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn bookmark(state: &AppState, ctx: AuthContext, id: TopicId, on: bool) -> AppResult<bool> {
    engagement::bookmark::<Topic>(state, ctx, id, on).await.map(|_| on)
}

/// Marks (or with `None` unmarks) the best answer of a topic: its author or a moderator.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn best_answer(
    state: &AppState,
    ctx: AuthContext,
    id: TopicId,
    reply: Option<ReplyId>,
) -> AppResult<TopicView> {
    let user = caller(state, ctx).await?;
    let published = state.clone();
    state
        .store
        .write_then(
            move |tx| -> AppResult<_> {
                let old = store::topic(tx, id)?.or_not_found("Topic")?;
                if !forum::may_choose_best(&user, &old) {
                    return Err(AppError::forbidden(
                        ErrorCode::NotAuthor,
                        "Only the topic's author or a moderator may choose the best answer",
                    ));
                }
                if let Some(r) = reply
                    && store::reply(tx, r)?.filter(|x| x.topic == id).is_none()
                {
                    return Err(AppError::field("reply_id", "is not a reply of this topic"));
                }
                if old.best_reply == reply {
                    return Ok((super::topic_view(tx, old, user.id)?, None));
                }
                let award = |tx: &crate::store::Tx, r: ReplyId, give: bool| -> StoreResult<()> {
                    if let Some(x) = store::reply(tx, r)? {
                        stats::adjust_stats(tx, x.author, |s| {
                            if give {
                                s.best_answers += 1;
                                s.reputation += points::BEST_ANSWER;
                            } else {
                                s.best_answers = s.best_answers.saturating_sub(1);
                                s.reputation = s.reputation.saturating_sub(points::BEST_ANSWER);
                            }
                        })?;
                    }
                    Ok(())
                };
                if let Some(previous) = old.best_reply {
                    award(tx, previous, false)?;
                }
                let mut told = None;
                if let Some(r) = reply {
                    award(tx, r, true)?;
                    if let Some(x) = store::reply(tx, r)? {
                        let best = NotificationKind::BestAnswer;
                        told = notifications::notify(tx, x.author, best, Target::Reply(r), Some(id), user.id)?;
                        let kind = ActivityKind::BestAnswer;
                        activity::record(tx, user.id, user.org_id, kind, Some(Target::Reply(r)), Some(id))?;
                    }
                }
                let mut topic = old.clone();
                topic.best_reply = reply;
                store::update_topic(tx, &old, &topic)?;
                Ok((super::topic_view(tx, topic, user.id)?, told))
            },
            move |(_, told): &(TopicView, Option<notifications::Change>)| {
                notifications::publish(&published, told.as_slice())
            },
        )
        .await
        .map(|(view, _)| {
            super::events::topic(state, Event::BestAnswerChanged, &view);
            view
        })
}
