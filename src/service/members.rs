//! Members of the caller's organization: listing, role changes and (de)activation by
//! admins. An organization always keeps at least one active admin; a deactivated member's
//! sessions end at once.

use crate::store::Tx;

use super::{
    caller, denied, now,
    sessions::{self, AuthContext},
};
use crate::error::ErrorCode;
use crate::{
    domain::{
        authz,
        ids::{OrgId, UserId},
        org::Organization,
        user::{OrgRole, User, UserStatus},
    },
    error::{AppError, AppResult, OptionExt},
    state::AppState,
    store::{orgs, users},
};

/// Upper bound on a members listing (organizations are companies, not cities).
const MAX_MEMBERS: usize = 10_000;

/// Every member of the caller's organization (active and deactivated), oldest first.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn list(state: &AppState, ctx: AuthContext) -> AppResult<Vec<User>> {
    let user = caller(state, ctx).await?;
    let org = authz::member_of(&user).map_err(denied)?;
    state
        .store
        .read(move |tx| -> AppResult<_> {
            let mut out = Vec::new();
            for id in orgs::member_ids(tx, org, MAX_MEMBERS)? {
                if let Some(u) = users::get(tx, id)?.filter(|u| u.status != UserStatus::Deleted) {
                    out.push(u);
                }
            }
            Ok(out)
        })
        .await
}

fn last_admin() -> AppError {
    AppError::conflict(ErrorCode::LastAdmin, "An organization must keep at least one admin")
}

/// Loads a member of `org` for an admin's change (404 for anyone outside it).
fn member(tx: &Tx, org: OrgId, id: UserId) -> AppResult<(User, Organization)> {
    let user = users::get(tx, id)?
        .filter(|u| u.org_id == Some(org) && u.org_role.is_some() && u.status != UserStatus::Deleted);
    let user = user.or_not_found("Member")?;
    let org = orgs::get(tx, org)?.or_not_found("Organization")?;
    Ok((user, org))
}

/// Changes a member's role.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, target = %target))]
pub async fn set_role(state: &AppState, ctx: AuthContext, target: UserId, role: OrgRole) -> AppResult<User> {
    let admin = caller(state, ctx).await?;
    let org_id = authz::admin_of(&admin).map_err(denied)?;
    state
        .store
        .write(move |tx| -> AppResult<_> {
            let (mut user, mut org) = member(tx, org_id, target)?;
            if user.org_role == Some(role) {
                return Ok(user);
            }
            let counted = user.status == UserStatus::Active;
            if counted && user.org_role == Some(OrgRole::Admin) && org.admin_count <= 1 {
                return Err(last_admin());
            }
            if counted {
                match role {
                    OrgRole::Admin => org.admin_count += 1,
                    OrgRole::Member => org.admin_count = org.admin_count.saturating_sub(1),
                }
                org.updated_at = now();
                orgs::put(tx, &org)?;
            }
            user.org_role = Some(role);
            user.updated_at = now();
            users::update(tx, &user)?;
            Ok(user)
        })
        .await
}

/// Deactivates (ending every session) or reactivates a member.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, target = %target))]
pub async fn set_active(state: &AppState, ctx: AuthContext, target: UserId, active: bool) -> AppResult<User> {
    let admin = caller(state, ctx).await?;
    let org_id = authz::admin_of(&admin).map_err(denied)?;
    let (user, revoked) = state
        .store
        .write(move |tx| -> AppResult<_> {
            let (mut user, mut org) = member(tx, org_id, target)?;
            let is_admin = user.org_role == Some(OrgRole::Admin);
            let mut revoked = Vec::new();
            match (active, user.status) {
                (false, UserStatus::Active) => {
                    if is_admin && org.admin_count <= 1 {
                        return Err(last_admin());
                    }
                    user.status = UserStatus::Deactivated;
                    org.member_count = org.member_count.saturating_sub(1);
                    if is_admin {
                        org.admin_count = org.admin_count.saturating_sub(1);
                    }
                    revoked = sessions::revoke_all_in(tx, user.id, None)?;
                }
                (true, UserStatus::Deactivated) => {
                    user.status = UserStatus::Active;
                    org.member_count += 1;
                    if is_admin {
                        org.admin_count += 1;
                    }
                }
                _ => return Ok((user, revoked)),
            }
            user.updated_at = now();
            org.updated_at = now();
            users::update(tx, &user)?;
            orgs::put(tx, &org)?;
            Ok((user, revoked))
        })
        .await?;
    sessions::end_sessions(state, &revoked, crate::domain::session::SessionEnd::Revoked);
    tracing::info!(member = %target, active, by = %admin.id, "membership state changed");
    Ok(user)
}
