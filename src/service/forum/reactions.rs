//! Likes (idempotent, counts returned), bookmarks and best answers.

use crate::{
    domain::{
        forum::{self, points},
        ids::{ReplyId, TopicId, UserId},
    },
    error::{AppError, AppResult, OptionExt},
    service::{caller, sessions::AuthContext},
    state::AppState,
    store::{StoreResult, forum as store},
};

/// Credits (or withdraws) a like received by `author`: the count and the reputation.
pub(crate) fn credit(tx: &redb::WriteTransaction, author: UserId, liked: bool) -> StoreResult<()> {
    store::adjust_stats(tx, author, |s| {
        if liked {
            s.likes_received += 1;
            s.reputation += points::LIKE;
        } else {
            s.likes_received = s.likes_received.saturating_sub(1);
            s.reputation = s.reputation.saturating_sub(points::LIKE);
        }
    })
    .map(drop)
}

/// Likes or unlikes a topic; returns whether the caller likes it now and the count.
pub async fn like_topic(state: &AppState, ctx: AuthContext, id: TopicId, like: bool) -> AppResult<(bool, u64)> {
    let user = ctx.user_id;
    Ok(state
        .store
        .write(move |tx| {
            let old = store::topic(tx, id)?.or_not_found("Topic")?;
            let changed = if like { store::like(tx, &id.key(), user)? } else { store::unlike(tx, &id.key(), user)? };
            if !changed {
                return Ok((like, old.like_count));
            }
            let mut topic = old.clone();
            topic.like_count = if like { old.like_count + 1 } else { old.like_count.saturating_sub(1) };
            store::update_topic(tx, &old, &topic)?;
            credit(tx, topic.author, like)?;
            Ok((like, topic.like_count))
        })
        .await
        .inspect(|(_, likes)| {
            let data = serde_json::json!({"topic_id": id.to_string(), "like_count": likes});
            state.hub.publish(&crate::realtime::topic_channel(id), "topic_liked", data);
        })?)
}

/// Likes or unlikes a reply; returns whether the caller likes it now and the count.
pub async fn like_reply(state: &AppState, ctx: AuthContext, id: ReplyId, like: bool) -> AppResult<(bool, u64)> {
    let user = ctx.user_id;
    Ok(state
        .store
        .write(move |tx| {
            let mut reply = store::reply(tx, id)?.or_not_found("Reply")?;
            let changed = if like { store::like(tx, &id.key(), user)? } else { store::unlike(tx, &id.key(), user)? };
            if changed {
                reply.like_count = if like { reply.like_count + 1 } else { reply.like_count.saturating_sub(1) };
                store::put_reply(tx, &reply)?;
                credit(tx, reply.author, like)?;
            }
            Ok((like, reply.like_count, reply.topic))
        })
        .await
        .map(|(liked, likes, topic)| {
            let data = serde_json::json!({"reply_id": id.to_string(), "like_count": likes});
            state.hub.publish(&crate::realtime::topic_channel(topic), "reply_liked", data);
            (liked, likes)
        })?)
}

/// Bookmarks or un-bookmarks a topic; returns whether it is bookmarked now.
pub async fn bookmark(state: &AppState, ctx: AuthContext, id: TopicId, on: bool) -> AppResult<bool> {
    let user = ctx.user_id;
    Ok(state
        .store
        .write(move |tx| {
            store::topic(tx, id)?.or_not_found("Topic")?;
            if on {
                store::bookmark(tx, user, id, crate::domain::now_ms())?;
            } else {
                store::unbookmark(tx, user, id)?;
            }
            Ok(on)
        })
        .await?)
}

/// Marks (or with `None` unmarks) the best answer of a topic: its author or a moderator.
pub async fn best_answer(
    state: &AppState,
    ctx: AuthContext,
    id: TopicId,
    reply: Option<ReplyId>,
) -> AppResult<super::TopicView> {
    let user = caller(state, ctx).await?;
    Ok(state
        .store
        .write(move |tx| {
            let old = store::topic(tx, id)?.or_not_found("Topic")?;
            if !forum::may_choose_best(&user, &old) {
                return Err(AppError::forbidden(
                    "not_author",
                    "Only the topic's author or a moderator may choose the best answer",
                )
                .into());
            }
            if let Some(r) = reply
                && store::reply(tx, r)?.filter(|x| x.topic == id).is_none()
            {
                return Err(AppError::field("reply_id", "is not a reply of this topic").into());
            }
            if old.best_reply == reply {
                return super::topic_view(tx, old, user.id);
            }
            let award = |tx: &redb::WriteTransaction, r: ReplyId, give: bool| -> StoreResult<()> {
                if let Some(x) = store::reply(tx, r)? {
                    store::adjust_stats(tx, x.author, |s| {
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
            if let Some(r) = reply {
                award(tx, r, true)?;
            }
            let mut topic = old.clone();
            topic.best_reply = reply;
            store::update_topic(tx, &old, &topic)?;
            super::topic_view(tx, topic, user.id)
        })
        .await
        .inspect(|view| super::events::topic_event(state, "best_answer_changed", view))?)
}

/// The caller's bookmarked topics, newest bookmark last.
pub async fn bookmarks(state: &AppState, ctx: AuthContext) -> AppResult<Vec<super::TopicView>> {
    let user = ctx.user_id;
    Ok(state
        .store
        .read(move |tx| {
            let mut out = Vec::new();
            for id in store::bookmarks(tx, user, 1000)? {
                if let Some(t) = store::topic(tx, id)? {
                    out.push(super::topic_view(tx, t, user)?);
                }
            }
            Ok(out)
        })
        .await?)
}
