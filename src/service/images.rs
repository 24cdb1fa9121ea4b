//! Avatars and organization logos: upload (replacing the previous one) and removal.

use tokio::io::AsyncRead;

use super::{
    caller, denied,
    media::{self, IncomingFile},
    now,
    sessions::AuthContext,
};
use crate::{
    domain::{authz, media::MediaContext, org::Organization, user::User},
    error::{AppResult, OptionExt},
    state::AppState,
    store::{media as media_table, orgs, users},
};

/// Replaces the caller's avatar with the uploaded image.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn set_avatar<R: AsyncRead + Unpin>(
    state: &AppState,
    ctx: AuthContext,
    file: IncomingFile<R>,
) -> AppResult<(User, Option<Organization>)> {
    let uid = ctx.user_id;
    let stored = media::store_object(state, uid, MediaContext::Avatar(uid), file).await?;
    media::commit(state, stored, move |tx, m| {
        let mut user = users::get(tx, uid)?.or_not_found("User")?;
        let old = user.avatar.replace(m.id);
        user.updated_at = now();
        users::update(tx, &user)?;
        let org = user.org_id.map(|o| orgs::get(tx, o)).transpose()?.flatten();
        Ok(((user, org), old))
    })
    .await
}

/// Removes the caller's avatar.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn remove_avatar(state: &AppState, ctx: AuthContext) -> AppResult<(User, Option<Organization>)> {
    let uid = ctx.user_id;
    let (user, org, old) = state
        .store
        .write(move |tx| -> AppResult<_> {
            let mut user = users::get(tx, uid)?.or_not_found("User")?;
            let old = match user.avatar.take() {
                Some(id) => {
                    let m = media_table::get(tx, id)?;
                    media_table::remove(tx, id)?;
                    m
                }
                None => None,
            };
            user.updated_at = now();
            users::update(tx, &user)?;
            let org = user.org_id.map(|o| orgs::get(tx, o)).transpose()?.flatten();
            Ok((user, org, old))
        })
        .await?;
    if let Some(m) = old {
        media::remove_objects(state, &m).await;
    }
    Ok((user, org))
}

/// Replaces the logo of the caller's organization (admins).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn set_logo<R: AsyncRead + Unpin>(
    state: &AppState,
    ctx: AuthContext,
    file: IncomingFile<R>,
) -> AppResult<Organization> {
    let admin = caller(state, ctx).await?;
    let org_id = authz::admin_of(&admin).map_err(denied)?;
    let stored = media::store_object(state, admin.id, MediaContext::Logo(org_id), file).await?;
    media::commit(state, stored, move |tx, m| {
        let mut org = orgs::get(tx, org_id)?.or_not_found("Organization")?;
        let old = org.logo.replace(m.id);
        org.updated_at = now();
        orgs::put(tx, &org)?;
        Ok((org, old))
    })
    .await
}

/// Removes the logo of the caller's organization (admins).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn remove_logo(state: &AppState, ctx: AuthContext) -> AppResult<Organization> {
    let admin = caller(state, ctx).await?;
    let org_id = authz::admin_of(&admin).map_err(denied)?;
    let (org, old) = state
        .store
        .write(move |tx| -> AppResult<_> {
            let mut org = orgs::get(tx, org_id)?.or_not_found("Organization")?;
            let old = match org.logo.take() {
                Some(id) => {
                    let m = media_table::get(tx, id)?;
                    media_table::remove(tx, id)?;
                    m
                }
                None => None,
            };
            org.updated_at = now();
            orgs::put(tx, &org)?;
            Ok((org, old))
        })
        .await?;
    if let Some(m) = old {
        media::remove_objects(state, &m).await;
    }
    Ok(org)
}
