//! Topic drafts: saved with partial fields, listed, resumed, deleted, and published — which
//! validates everything and names every missing or invalid field at once.

use super::topics::{self, TopicForm};
use crate::{
    domain::{
        forum::Draft,
        ids::DraftId,
        text::{self, Validator},
    },
    error::{AppError, AppResult, OptionExt},
    service::{now, sessions::AuthContext},
    state::AppState,
    store::forum as store,
};

/// Draft fields; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct DraftForm {
    pub title: Option<String>,
    pub body: Option<String>,
    pub category: Option<String>,
    pub tags: Option<Vec<String>>,
}

/// Only the upper limits apply to a draft; publishing checks the rest.
fn bounded(f: &DraftForm) -> AppResult<()> {
    let mut v = Validator::default();
    if let Some(t) = &f.title {
        v.check("title", text::line(t, 0, 150));
    }
    if let Some(b) = &f.body {
        v.check("body", text::paragraph(b, 10_000));
    }
    if let Some(c) = &f.category {
        v.check("category", text::line(c, 0, 100));
    }
    if let Some(t) = &f.tags {
        v.check("tags", text::tags(t, 5));
    }
    v.finish().map_err(AppError::validation)
}

/// Creates (`id` = `None`) or updates one of the caller's drafts.
pub async fn save(state: &AppState, ctx: AuthContext, id: Option<DraftId>, f: DraftForm) -> AppResult<Draft> {
    bounded(&f)?;
    let author = ctx.user_id;
    Ok(state
        .store
        .write(move |tx| {
            let t = now();
            let mut d = match id {
                Some(id) => store::draft(tx, id)?.filter(|d| d.author == author).or_not_found("Draft")?,
                None => Draft {
                    id: DraftId::new(),
                    author,
                    title: String::new(),
                    body: String::new(),
                    category: String::new(),
                    tags: Vec::new(),
                    created_at: t,
                    updated_at: t,
                },
            };
            if let Some(x) = f.title {
                d.title = x;
            }
            if let Some(x) = f.body {
                d.body = x;
            }
            if let Some(x) = f.category {
                d.category = x;
            }
            if let Some(x) = f.tags {
                d.tags = x;
            }
            d.updated_at = t;
            store::put_draft(tx, &d)?;
            Ok(d)
        })
        .await?)
}

/// The caller's drafts.
pub async fn list(state: &AppState, ctx: AuthContext) -> AppResult<Vec<Draft>> {
    let author = ctx.user_id;
    Ok(state.store.read(move |tx| store::drafts(tx, author)).await?)
}

/// One of the caller's drafts (404 for anyone else's).
pub async fn get(state: &AppState, ctx: AuthContext, id: DraftId) -> AppResult<Draft> {
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

/// Publishes a draft as a topic (422 naming every invalid field), then deletes the draft.
pub async fn publish(state: &AppState, ctx: AuthContext, id: DraftId) -> AppResult<super::TopicView> {
    let d = get(state, ctx, id).await?;
    let form = TopicForm { title: Some(d.title), body: Some(d.body), category: Some(d.category), tags: Some(d.tags) };
    let author = ctx.user_id;
    topics::create_with(state, ctx, form, move |tx| remove_own(tx, id, author)).await
}
