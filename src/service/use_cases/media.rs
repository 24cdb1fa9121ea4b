//! Photos, videos and documents of a use case: several files per request (each streamed and
//! checked like every upload), appended in order in one transaction per request, so
//! concurrent requests never lose or interleave files; reordering, a cover, removal.

use tokio::io::AsyncRead;

use super::{UseCaseView, view};
use crate::error::ErrorCode;
use crate::{
    domain::{
        ids::{MediaId, UseCaseId},
        media::{Media, MediaContext, MediaKind},
        use_case::{MAX_FILES_PER_REQUEST, MAX_MEDIA, UseCase, may_edit},
        user::User,
    },
    error::{AppError, AppResult, OptionExt},
    jobs::Task,
    service::{
        caller,
        media::{self, IncomingFile},
        sessions::AuthContext,
    },
    state::AppState,
    store::{jobs as queue, media as media_table, use_cases as store},
};

/// Loads a use case for a media change by `user`; 403 unless they may edit it.
fn managed(tx: &impl crate::store::Reader, user: &User, id: UseCaseId) -> AppResult<UseCase> {
    let u = store::get(tx, id)?.or_not_found("Use case")?;
    if !may_edit(user, &u) {
        return Err(AppError::forbidden(
            ErrorCode::NotAuthor,
            "Only the author or their organization's admins may change its media",
        ));
    }
    Ok(u)
}

/// Refusal of a file beyond the most a use case (or its draft) carries.
pub fn too_many() -> AppError {
    AppError::field("files", format!("a use case carries at most {MAX_MEDIA} files"))
}

/// Checks the caller may add media to `id` (before any byte is read).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn authorize(state: &AppState, ctx: AuthContext, id: UseCaseId) -> AppResult<()> {
    let user = caller(state, ctx).await?;
    let u = state.store.read(move |tx| store::get(tx, id)).await?.or_not_found("Use case")?;
    if !may_edit(&user, &u) {
        return Err(AppError::forbidden(
            ErrorCode::NotAuthor,
            "Only the author or their organization's admins may add media",
        ));
    }
    if u.media.len() >= MAX_MEDIA {
        return Err(too_many());
    }
    Ok(())
}

/// Streams one file of a request into the store (the caller collects them for `attach`).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, into = ?into))]
pub async fn store_one<R: AsyncRead + Unpin>(
    state: &AppState,
    ctx: AuthContext,
    into: MediaContext,
    stored: &[Media],
    file: IncomingFile<R>,
) -> AppResult<Media> {
    if stored.len() >= MAX_FILES_PER_REQUEST {
        return Err(AppError::field("files", format!("at most {MAX_FILES_PER_REQUEST} files per request")));
    }
    media::store_object(state, ctx.user_id, into, file).await
}

/// Removes objects stored for a request that failed.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn discard(state: &AppState, stored: &[Media]) {
    for m in stored {
        media::remove_objects(state, m).await;
    }
}

/// Appends the stored files to the use case in one transaction (the first image becomes the
/// cover when there is none). On failure every stored object is removed.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn attach(state: &AppState, ctx: AuthContext, id: UseCaseId, stored: Vec<Media>) -> AppResult<UseCaseView> {
    if stored.is_empty() {
        return Err(AppError::field("files", "send at least one file"));
    }
    let user = caller(state, ctx).await?;
    let records = stored.clone();
    let result = state
        .store
        .write(move |tx| {
            let old = managed(tx, &user, id)?;
            if old.media.len() + records.len() > MAX_MEDIA {
                return Err(too_many());
            }
            let mut u = old.clone();
            for m in &records {
                media_table::put(tx, m)?;
                u.media.push(m.id);
                if m.media_type.kind() == MediaKind::Image {
                    queue::enqueue(tx, &Task::Thumbnail { media_id: m.id }.into_job())?;
                    if u.cover.is_none() {
                        u.cover = Some(m.id);
                    }
                }
            }
            store::update(tx, &old, &u)?;
            Ok(view(tx, u, user.id)?)
        })
        .await;
    settle(state, result, &stored).await
}

/// The end of an attach: on success the thumbnail jobs it queued are woken; on failure the
/// objects stored for it are removed, so nothing is half kept.
pub async fn settle<T>(state: &AppState, result: AppResult<T>, stored: &[Media]) -> AppResult<T> {
    match result {
        Ok(v) => {
            state.jobs.wake();
            Ok(v)
        }
        Err(e) => {
            discard(state, stored).await;
            Err(e)
        }
    }
}

/// Reorders the media (`order` must list every media id once) and/or sets the cover.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn arrange(
    state: &AppState,
    ctx: AuthContext,
    id: UseCaseId,
    order: Option<Vec<MediaId>>,
    cover: Option<MediaId>,
) -> AppResult<UseCaseView> {
    let user = caller(state, ctx).await?;
    state
        .store
        .write(move |tx| {
            let old = managed(tx, &user, id)?;
            let mut u = old.clone();
            if let Some(order) = order {
                let mut a = order.clone();
                let mut b = old.media.clone();
                a.sort();
                b.sort();
                if a != b {
                    return Err(AppError::field("media_ids", "must list every media id of the use case exactly once"));
                }
                u.media = order;
            }
            if let Some(c) = cover {
                let image = media_table::get(tx, c)?
                    .filter(|m| u.media.contains(&c) && m.media_type.kind() == MediaKind::Image);
                if image.is_none() {
                    return Err(AppError::field("cover_id", "must be an image of this use case"));
                }
                u.cover = Some(c);
            }
            store::update(tx, &old, &u)?;
            Ok(view(tx, u, user.id)?)
        })
        .await
}

/// Removes one medium.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id, media_id = %media_id))]
pub async fn remove(state: &AppState, ctx: AuthContext, id: UseCaseId, media_id: MediaId) -> AppResult<()> {
    let user = caller(state, ctx).await?;
    let gone = state
        .store
        .write(move |tx| -> AppResult<_> {
            let old = managed(tx, &user, id)?;
            if !old.media.contains(&media_id) {
                return Err(AppError::not_found("Media"));
            }
            let mut u = old.clone();
            u.media.retain(|m| *m != media_id);
            if u.cover == Some(media_id) {
                u.cover = None;
            }
            store::update(tx, &old, &u)?;
            let m = media_table::get(tx, media_id)?;
            media_table::remove(tx, media_id)?;
            Ok(m)
        })
        .await?;
    if let Some(m) = gone {
        media::remove_objects(state, &m).await;
    }
    Ok(())
}
