//! Join requests from pending signups: listed, approved or rejected by the organization's
//! admins; the requester is told by email either way, and an approved one by a
//! notification too (a rejected account is erased, so nobody would read it).

use super::{caller, denied, email_task, notifications, now, sessions::AuthContext};
use crate::domain::activity::ActivityKind;
use crate::error::ErrorCode;
use crate::{
    domain::{
        authz,
        ids::JoinRequestId,
        mail::Mail,
        notifications::{NotificationKind, Subject},
        org::{JoinRequest, JoinRequestStatus},
        user::{OrgRole, User, UserStatus},
    },
    error::{AppError, AppResult, OptionExt},
    state::AppState,
    store::{jobs as queue, orgs, users},
};

/// Pending requests of the caller's organization with their requesters, oldest first.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn list(state: &AppState, ctx: AuthContext) -> AppResult<Vec<(JoinRequest, User)>> {
    let admin = caller(state, ctx).await?;
    let org = authz::admin_of(&admin).map_err(denied)?;
    state
        .store
        .read(move |tx| -> AppResult<_> {
            let mut out = Vec::new();
            for req in orgs::join_requests(tx, org)?.into_iter().filter(|r| r.status == JoinRequestStatus::Pending) {
                if let Some(user) = users::get(tx, req.user_id)? {
                    out.push((req, user));
                }
            }
            Ok(out)
        })
        .await
}

/// Approves (the requester becomes an active member) or rejects (the pending account is
/// erased, freeing the address) a pending request.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn decide(
    state: &AppState,
    ctx: AuthContext,
    id: JoinRequestId,
    approve: bool,
) -> AppResult<(JoinRequest, User)> {
    let admin = caller(state, ctx).await?;
    let org_id = authz::admin_of(&admin).map_err(denied)?;
    let link = state.config.public_url.clone();
    let admin_id = admin.id;
    let (result, told) = state
        .store
        .write(move |tx| -> AppResult<_> {
            let mut told = None;
            let mut req = orgs::join_request(tx, id)?.filter(|r| r.org_id == org_id).or_not_found("Join request")?;
            if req.status != JoinRequestStatus::Pending {
                return Err(AppError::conflict(ErrorCode::AlreadyDecided, "This request has already been decided"));
            }
            let mut user = users::get(tx, req.user_id)?.or_not_found("Join request")?;
            let mut org = orgs::get(tx, org_id)?.or_not_found("Organization")?;
            if user.status != UserStatus::PendingApproval {
                return Err(AppError::conflict(
                    ErrorCode::AlreadyDecided,
                    "The requester's account is no longer pending",
                ));
            }
            let t = now();
            req.status = if approve { JoinRequestStatus::Approved } else { JoinRequestStatus::Rejected };
            orgs::put_join_request(tx, &req)?;
            if approve {
                user.status = UserStatus::Active;
                user.org_role = Some(OrgRole::Member);
                user.updated_at = t;
                org.member_count += 1;
                org.updated_at = t;
                orgs::put(tx, &org)?;
                orgs::add_member(tx, org_id, user.id)?;
                super::activity::record(tx, user.id, Some(org_id), ActivityKind::Joined, None, None)?;
                let kind = NotificationKind::JoinApproved;
                told = notifications::notify(tx, user.id, kind, Subject::Organization(org_id), None, admin_id)?;
                let mail = Mail::JoinApproved { name: user.first_name.clone(), organization: org.name.clone(), link };
                queue::enqueue(tx, &email_task(&user, &user.email, mail).into_job())?;
            } else {
                let mail = Mail::JoinRejected { name: user.first_name.clone(), organization: org.name.clone() };
                queue::enqueue(tx, &email_task(&user, &user.email, mail).into_job())?;
                // Erasing empties the email, which frees the address for a later signup.
                user.erase(t);
                user.org_id = None;
            }
            users::update(tx, &user)?;
            Ok(((req, user), told))
        })
        .await?;
    notifications::publish(state, told.as_slice());
    state.jobs.wake();
    tracing::info!(request = %id, approve, by = %admin.id, "join request decided");
    Ok(result)
}
