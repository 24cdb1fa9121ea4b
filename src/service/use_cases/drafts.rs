//! Use-case drafts: partial fields saved as they are, listed, resumed, deleted; publishing
//! validates the whole and answers 422 naming every missing or invalid field at once.

use super::UseCaseView;
use crate::{
    domain::{
        ids::DraftId,
        use_case::{Raw, UseCaseDraft},
    },
    error::{AppResult, OptionExt},
    service::{now, sessions::AuthContext},
    state::AppState,
    store::use_cases as store,
};

/// Creates (`id` = `None`) or updates one of the caller's drafts with `merge`.
pub async fn save(
    state: &AppState,
    ctx: AuthContext,
    id: Option<DraftId>,
    merge: impl FnOnce(&mut Raw) + Send + 'static,
) -> AppResult<UseCaseDraft> {
    let author = ctx.user_id;
    Ok(state
        .store
        .write(move |tx| {
            let t = now();
            let mut d = match id {
                Some(id) => store::draft(tx, id)?.filter(|d| d.author == author).or_not_found("Draft")?,
                None => UseCaseDraft {
                    id: DraftId::new(),
                    author,
                    content: Raw::default(),
                    latitude: None,
                    longitude: None,
                    created_at: t,
                    updated_at: t,
                },
            };
            let mut raw = d.raw();
            merge(&mut raw);
            d.latitude = Some(raw.latitude).filter(|v| v.is_finite());
            d.longitude = Some(raw.longitude).filter(|v| v.is_finite());
            d.content = Raw { latitude: 0.0, longitude: 0.0, ..raw };
            d.updated_at = t;
            store::put_draft(tx, &d)?;
            Ok(d)
        })
        .await?)
}

/// The caller's drafts.
pub async fn list(state: &AppState, ctx: AuthContext) -> AppResult<Vec<UseCaseDraft>> {
    let author = ctx.user_id;
    Ok(state.store.read(move |tx| store::drafts(tx, author)).await?)
}

/// One of the caller's drafts (404 for anyone else's).
pub async fn get(state: &AppState, ctx: AuthContext, id: DraftId) -> AppResult<UseCaseDraft> {
    let author = ctx.user_id;
    state.store.read(move |tx| store::draft(tx, id)).await?.filter(|d| d.author == author).or_not_found("Draft")
}

/// Removes `author`'s draft `id` (404 for anyone else's).
fn remove_own(
    tx: &redb::WriteTransaction,
    id: DraftId,
    author: crate::domain::ids::UserId,
) -> crate::store::StoreResult<()> {
    let d = store::draft(tx, id)?.filter(|d| d.author == author).or_not_found("Draft")?;
    store::remove_draft(tx, &d)
}

/// Deletes one of the caller's drafts.
pub async fn delete(state: &AppState, ctx: AuthContext, id: DraftId) -> AppResult<()> {
    let author = ctx.user_id;
    state.store.write(move |tx| remove_own(tx, id, author)).await?;
    Ok(())
}

/// Publishes a draft: full validation (422 naming every field), then the draft is deleted.
pub async fn publish(state: &AppState, ctx: AuthContext, id: DraftId) -> AppResult<UseCaseView> {
    let d = get(state, ctx, id).await?;
    let author = ctx.user_id;
    super::create_with(state, ctx, d.raw(), move |tx| remove_own(tx, id, author)).await
}
