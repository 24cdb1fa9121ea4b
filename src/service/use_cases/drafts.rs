//! Use-case drafts as the submission wizard keeps them: content, step and client state saved
//! through the engagement core, plus media uploaded before publishing — kept with the draft,
//! removed with it, and adopted by the use case it is published as.

use crate::store::Tx;

use super::{UseCaseView, media::too_many};
use crate::{
    domain::{
        engagement::Draft,
        ids::{DraftId, MediaId},
        media::{Media, MediaContext, MediaKind},
        use_case::{MAX_MEDIA, UseCase, UseCaseDraft},
    },
    error::{AppError, AppResult},
    jobs::Task,
    service::{
        engagement::{self, own_draft},
        forum::attachments,
        media,
        sessions::AuthContext,
    },
    state::AppState,
    store::{Reader, StoreResult, engagement as drafts_table, jobs as queue, media as media_table},
};

/// A draft with the records of its media, as the wizard reopens it.
#[derive(Debug, Clone)]
pub struct DraftView {
    pub draft: Draft<UseCaseDraft>,
    pub media: Vec<Media>,
}

fn viewed(r: &impl Reader, draft: Draft<UseCaseDraft>) -> StoreResult<DraftView> {
    let media = attachments::load(r, &draft.fields.media)?;
    Ok(DraftView { draft, media })
}

/// Creates (`id` = `None`) or updates one of the caller's drafts with `edit`.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn save(
    state: &AppState,
    ctx: AuthContext,
    id: Option<DraftId>,
    edit: impl FnOnce(&mut UseCaseDraft) + Send + 'static,
) -> AppResult<DraftView> {
    let draft = engagement::save_draft(state, ctx, id, edit).await?;
    Ok(state.store.read(move |tx| viewed(tx, draft)).await?)
}

/// One of the caller's drafts with its media.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn get(state: &AppState, ctx: AuthContext, id: DraftId) -> AppResult<DraftView> {
    let author = ctx.user_id;
    state.store.read(move |tx| Ok(viewed(tx, own_draft(tx, id, author)?)?)).await
}

/// Checks the caller may add media to draft `id` (before any byte is read).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn authorize_media(state: &AppState, ctx: AuthContext, id: DraftId) -> AppResult<()> {
    let d = engagement::draft::<UseCaseDraft>(state, ctx, id).await?;
    if d.fields.media.len() >= MAX_MEDIA { Err(too_many()) } else { Ok(()) }
}

/// Appends stored files to draft `id` in one transaction; on failure every stored object is
/// removed.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn attach(state: &AppState, ctx: AuthContext, id: DraftId, stored: Vec<Media>) -> AppResult<DraftView> {
    if stored.is_empty() {
        return Err(AppError::field("files", "send at least one file"));
    }
    let (author, records) = (ctx.user_id, stored.clone());
    let result = state
        .store
        .write(move |tx| -> AppResult<_> {
            let mut d = own_draft::<UseCaseDraft>(tx, id, author)?;
            if d.fields.media.len() + records.len() > MAX_MEDIA {
                return Err(too_many());
            }
            for m in &records {
                media_table::put(tx, m)?;
                d.fields.media.push(m.id);
                if m.media_type.kind() == MediaKind::Image {
                    queue::enqueue(tx, &Task::Thumbnail { media_id: m.id }.into_job())?;
                }
            }
            d.updated_at = crate::service::now();
            drafts_table::put_draft(tx, &d)?;
            Ok(viewed(tx, d)?)
        })
        .await;
    super::media::settle(state, result, &stored).await
}

/// Removes one medium from draft `id`.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id, media_id = %media_id))]
pub async fn remove_media(state: &AppState, ctx: AuthContext, id: DraftId, media_id: MediaId) -> AppResult<()> {
    let author = ctx.user_id;
    let gone = state
        .store
        .write(move |tx| -> AppResult<_> {
            let mut d = own_draft::<UseCaseDraft>(tx, id, author)?;
            if !d.fields.media.contains(&media_id) {
                return Err(AppError::not_found("Media"));
            }
            d.fields.media.retain(|m| *m != media_id);
            d.updated_at = crate::service::now();
            drafts_table::put_draft(tx, &d)?;
            Ok(attachments::drop_records(tx, &[media_id])?)
        })
        .await?;
    for m in &gone {
        media::remove_objects(state, m).await;
    }
    Ok(())
}

/// Publishes one of the caller's drafts as a use case (422 naming every missing or invalid
/// field). In the use case's transaction the draft is removed and its media become the use
/// case's (the first image its cover).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn publish(state: &AppState, ctx: AuthContext, id: DraftId) -> AppResult<UseCaseView> {
    let draft = engagement::draft::<UseCaseDraft>(state, ctx, id).await?.fields;
    let discard = engagement::discard_draft::<UseCaseDraft>(id, ctx.user_id);
    let media = draft.media;
    super::create_with(state, ctx, draft.content, move |tx, u| {
        discard(tx)?;
        Ok(adopt(tx, u, &media)?)
    })
    .await
}

/// Makes the draft's media `ids` the media of `u`.
fn adopt(tx: &Tx, u: &mut UseCase, ids: &[MediaId]) -> StoreResult<()> {
    for m in attachments::load(tx, ids)? {
        let mut m = m;
        m.context = MediaContext::UseCase(u.id);
        media_table::put(tx, &m)?;
        u.media.push(m.id);
        if u.cover.is_none() && m.media_type.kind() == MediaKind::Image {
            u.cover = Some(m.id);
        }
    }
    Ok(())
}
