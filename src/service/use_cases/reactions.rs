//! Likes and bookmarks of use cases, with their counters.

use super::{UseCaseView, view};
use crate::{
    domain::ids::UseCaseId,
    error::{AppResult, OptionExt},
    service::sessions::AuthContext,
    state::AppState,
    store::{forum, use_cases as store},
};

/// Likes or unlikes; returns whether the caller likes it now and the count.
pub async fn like(state: &AppState, ctx: AuthContext, id: UseCaseId, on: bool) -> AppResult<(bool, u64)> {
    let user = ctx.user_id;
    Ok(state
        .store
        .write(move |tx| {
            let old = store::get(tx, id)?.or_not_found("Use case")?;
            let changed = if on { forum::like(tx, &id.key(), user)? } else { forum::unlike(tx, &id.key(), user)? };
            if !changed {
                return Ok((on, old.like_count));
            }
            let mut u = old.clone();
            u.like_count = if on { old.like_count + 1 } else { old.like_count.saturating_sub(1) };
            store::update(tx, &old, &u)?;
            crate::service::forum::reactions::credit(tx, u.author, on)?;
            Ok((on, u.like_count))
        })
        .await?)
}

/// Bookmarks or un-bookmarks; returns whether it is bookmarked now and the count.
pub async fn bookmark(state: &AppState, ctx: AuthContext, id: UseCaseId, on: bool) -> AppResult<(bool, u64)> {
    let user = ctx.user_id;
    Ok(state
        .store
        .write(move |tx| {
            let old = store::get(tx, id)?.or_not_found("Use case")?;
            if !store::set_bookmark(tx, user, id, on, crate::domain::now_ms())? {
                return Ok((on, old.bookmark_count));
            }
            let mut u = old.clone();
            u.bookmark_count = if on { old.bookmark_count + 1 } else { old.bookmark_count.saturating_sub(1) };
            store::update(tx, &old, &u)?;
            Ok((on, u.bookmark_count))
        })
        .await?)
}

/// The caller's bookmarked use cases.
pub async fn bookmarks(state: &AppState, ctx: AuthContext) -> AppResult<Vec<UseCaseView>> {
    let user = ctx.user_id;
    Ok(state
        .store
        .read(move |tx| {
            let mut out = Vec::new();
            for id in store::bookmarks(tx, user, 1000)? {
                if let Some(u) = store::get(tx, id)? {
                    out.push(view(tx, u, user)?);
                }
            }
            Ok(out)
        })
        .await?)
}
