//! Attachments of topics and replies (≤ 5 each) through the media layer: images, videos and
//! PDFs, uploaded by the post's author; removed with the post.

use tokio::io::AsyncRead;

use crate::error::ErrorCode;
use crate::{
    domain::{
        forum::{self, MAX_ATTACHMENTS},
        ids::{MediaId, ReplyId, TopicId},
        media::{Media, MediaContext},
    },
    error::{AppError, AppResult, OptionExt},
    service::{
        caller,
        media::{self, IncomingFile},
        sessions::AuthContext,
    },
    state::AppState,
    store::{StoreResult, forum as store, media as media_table},
};

fn too_many() -> AppError {
    AppError::field("file", format!("a post carries at most {MAX_ATTACHMENTS} attachments"))
}

/// Attaches an uploaded file to a topic (its author).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn to_topic<R: AsyncRead + Unpin>(
    state: &AppState,
    ctx: AuthContext,
    id: TopicId,
    file: IncomingFile<R>,
) -> AppResult<Media> {
    let topic = state.store.read(move |tx| store::topic(tx, id)).await?.or_not_found("Topic")?;
    if topic.author != ctx.user_id {
        return Err(AppError::forbidden(ErrorCode::NotAuthor, "Only the author may attach files"));
    }
    if topic.attachments.len() >= MAX_ATTACHMENTS {
        return Err(too_many());
    }
    let stored = media::store_object(state, ctx.user_id, MediaContext::Topic(id), file).await?;
    media::commit(state, stored, move |tx, m| {
        let old = store::topic(tx, id)?.or_not_found("Topic")?;
        // Checked again inside the transaction: concurrent uploads cannot exceed the limit.
        if old.attachments.len() >= MAX_ATTACHMENTS {
            return Err(too_many());
        }
        let mut topic = old.clone();
        topic.attachments.push(m.id);
        store::update_topic(tx, &old, &topic)?;
        Ok((m.clone(), None))
    })
    .await
}

/// Attaches an uploaded file to a reply (its author).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn to_reply<R: AsyncRead + Unpin>(
    state: &AppState,
    ctx: AuthContext,
    id: ReplyId,
    file: IncomingFile<R>,
) -> AppResult<Media> {
    let reply = state.store.read(move |tx| store::reply(tx, id)).await?.or_not_found("Reply")?;
    if reply.author != ctx.user_id {
        return Err(AppError::forbidden(ErrorCode::NotAuthor, "Only the author may attach files"));
    }
    if reply.attachments.len() >= MAX_ATTACHMENTS {
        return Err(too_many());
    }
    let stored = media::store_object(state, ctx.user_id, MediaContext::Reply(id), file).await?;
    media::commit(state, stored, move |tx, m| {
        let mut reply = store::reply(tx, id)?.or_not_found("Reply")?;
        if reply.attachments.len() >= MAX_ATTACHMENTS {
            return Err(too_many());
        }
        reply.attachments.push(m.id);
        store::put_reply(tx, &reply)?;
        Ok((m.clone(), None))
    })
    .await
}

/// Removes an attachment (the post's author or a moderator).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn remove(state: &AppState, ctx: AuthContext, id: MediaId) -> AppResult<()> {
    let user = caller(state, ctx).await?;
    let gone = state
        .store
        .write(move |tx| -> AppResult<_> {
            let m = media_table::get(tx, id)?.or_not_found("Attachment")?;
            match m.context {
                MediaContext::Topic(t) => {
                    let old = store::topic(tx, t)?.or_not_found("Attachment")?;
                    if !forum::may_delete(&user, old.author) {
                        return Err(AppError::forbidden(
                            ErrorCode::NotAuthor,
                            "Only the author or a moderator may remove attachments",
                        ));
                    }
                    let mut topic = old.clone();
                    topic.attachments.retain(|a| *a != id);
                    store::update_topic(tx, &old, &topic)?;
                }
                MediaContext::Reply(r) => {
                    let mut reply = store::reply(tx, r)?.or_not_found("Attachment")?;
                    if !forum::may_delete(&user, reply.author) {
                        return Err(AppError::forbidden(
                            ErrorCode::NotAuthor,
                            "Only the author or a moderator may remove attachments",
                        ));
                    }
                    reply.attachments.retain(|a| *a != id);
                    store::put_reply(tx, &reply)?;
                }
                _ => return Err(AppError::not_found("Attachment")),
            }
            media_table::remove(tx, id)?;
            Ok(m)
        })
        .await?;
    media::remove_objects(state, &gone).await;
    Ok(())
}

/// Removes the records of `ids` in the caller's transaction; the objects are deleted after
/// the commit with `media::remove_objects`.
pub fn drop_records(tx: &crate::store::Tx, ids: &[MediaId]) -> StoreResult<Vec<Media>> {
    let mut out = Vec::new();
    for id in ids {
        if let Some(m) = media_table::get(tx, *id)? {
            media_table::remove(tx, *id)?;
            out.push(m);
        }
    }
    Ok(out)
}

/// The media records of `ids` (for the views).
pub fn load(r: &impl crate::store::Reader, ids: &[MediaId]) -> StoreResult<Vec<Media>> {
    let mut out = Vec::new();
    for id in ids {
        if let Some(m) = media_table::get(r, *id)? {
            out.push(m);
        }
    }
    Ok(out)
}
