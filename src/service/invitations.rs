//! Invitations: admins invite an address of their organization's domain with a role; the
//! emailed token is valid seven days, once, for that address only.

use crate::store::Tx;

use super::{caller, denied, email_task, now, sessions::AuthContext};
use crate::error::ErrorCode;
use crate::{
    auth::secrets::{random_token, sha256},
    domain::{
        authz,
        ids::InvitationId,
        invitation::{Invitation, InvitationState},
        mail::Mail,
        org::Organization,
        text::Email,
        user::{AuthorCard, OrgRole, User},
    },
    error::{AppError, AppResult, OptionExt},
    state::AppState,
    store::{invitations, jobs as queue, orgs, users},
};

/// What the public token check shows to the invited person.
#[derive(Debug)]
pub struct InvitationPreview {
    pub invitation: Invitation,
    pub organization: Organization,
    pub inviter_name: String,
}

/// Invites `email` to the caller's organization with `role`; a pending invitation for the
/// same address is replaced (the old link stops working).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn send(
    state: &AppState,
    ctx: AuthContext,
    email: &str,
    role: OrgRole,
) -> AppResult<(Invitation, Option<AuthorCard>)> {
    let admin = caller(state, ctx).await?;
    let inviter = admin.author_card();
    let org_id = authz::admin_of(&admin).map_err(denied)?;
    let email = Email::parse(email).map_err(|why| AppError::field("email", why))?;
    let token = random_token(32);
    let token_hash = sha256(token.as_bytes());
    let public_url = state.config.public_url.clone();
    let ttl_ms = (state.config.auth.invitation_ttl_secs * 1000) as i64;
    let inv = state
        .store
        .write(move |tx| -> AppResult<_> {
            let org = orgs::get(tx, org_id)?.or_not_found("Organization")?;
            if email.domain() != org.domain {
                return Err(AppError::field(
                    "email",
                    format!("must be an address of your organization's domain (@{})", org.domain),
                ));
            }
            if users::by_email(tx, email.as_str())?.is_some() {
                return Err(AppError::conflict(ErrorCode::AlreadyRegistered, "This address already has an account"));
            }
            let t = now();
            for mut old in invitations::of_org(tx, org_id, usize::MAX)? {
                if old.email == email.as_str() && old.state(t) == InvitationState::Pending {
                    old.cancelled_at = Some(t);
                    invitations::put(tx, &old)?;
                }
            }
            let inv = Invitation {
                id: InvitationId::new(),
                org_id,
                email: email.as_str().to_owned(),
                role,
                token_hash,
                invited_by: admin.id,
                created_at: t,
                expires_at: t + ttl_ms,
                used_by: None,
                used_at: None,
                cancelled_at: None,
            };
            invitations::put(tx, &inv)?;
            let link = format!("{public_url}/join?token={token}");
            let mail = Mail::Invitation { inviter: admin.display_name(), organization: org.name.clone(), link };
            // The invitee has no account yet: the email follows the inviter's language.
            queue::enqueue(tx, &email_task(&admin, email.as_str(), mail).into_job())?;
            Ok(inv)
        })
        .await?;
    state.jobs.wake();
    Ok((inv, Some(inviter)))
}

/// Every invitation of the caller's organization, newest first.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn list(state: &AppState, ctx: AuthContext) -> AppResult<Vec<(Invitation, Option<AuthorCard>)>> {
    let admin = caller(state, ctx).await?;
    let org_id = authz::admin_of(&admin).map_err(denied)?;
    state
        .store
        .read(move |tx| -> AppResult<_> {
            let mut out = Vec::new();
            for inv in invitations::of_org(tx, org_id, 1000)? {
                let inviter = users::author_card(tx, inv.invited_by)?;
                out.push((inv, inviter));
            }
            Ok(out)
        })
        .await
}

/// Cancels a pending invitation of the caller's organization.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn cancel(state: &AppState, ctx: AuthContext, id: InvitationId) -> AppResult<()> {
    let admin = caller(state, ctx).await?;
    let org_id = authz::admin_of(&admin).map_err(denied)?;
    state
        .store
        .write(move |tx| -> AppResult<_> {
            let mut inv = invitations::get(tx, id)?.filter(|i| i.org_id == org_id).or_not_found("Invitation")?;
            match inv.state(now()) {
                InvitationState::Pending => {
                    inv.cancelled_at = Some(now());
                    Ok(invitations::put(tx, &inv)?)
                }
                InvitationState::Cancelled => Ok(()),
                InvitationState::Used | InvitationState::Expired => Err(AppError::conflict(
                    ErrorCode::InvitationClosed,
                    "This invitation was already used or has expired",
                )),
            }
        })
        .await?;
    Ok(())
}

/// Public check of a token: the organization and inviter behind a pending invitation; 404
/// for anything else (unknown, used, cancelled or expired look the same).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn preview(state: &AppState, token: &str) -> AppResult<InvitationPreview> {
    let hash = sha256(token.trim().as_bytes());
    state
        .store
        .read(move |tx| -> AppResult<_> {
            let gone = || AppError::not_found("Invitation");
            let inv = invitations::by_token(tx, &hash)?
                .filter(|i| i.state(now()) == InvitationState::Pending)
                .ok_or_else(gone)?;
            let organization = orgs::get(tx, inv.org_id)?.ok_or_else(gone)?;
            let inviter_name = users::get(tx, inv.invited_by)?.map(|u| u.display_name()).unwrap_or_default();
            Ok(InvitationPreview { invitation: inv, organization, inviter_name })
        })
        .await
}

/// Inside the signup transaction: checks `token` for `user` and, when valid, makes the user
/// an active member with the invited role and spends the invitation. An unverified earlier
/// signup by the same address that already spent it (`replaced`) may use it again.
pub fn redeem(tx: &Tx, token: &str, user: &mut User, replaced: Option<&User>) -> AppResult<Organization> {
    let invalid = || AppError::field("invitation_token", "is invalid or has expired");
    let mut inv = invitations::by_token(tx, &sha256(token.trim().as_bytes()))?.ok_or_else(invalid)?;
    let t = now();
    let reusable = inv.state(t) == InvitationState::Used && replaced.is_some_and(|r| inv.used_by == Some(r.id));
    if inv.state(t) != InvitationState::Pending && !reusable {
        return Err(invalid());
    }
    if inv.email != user.email {
        return Err(AppError::field("email", "must be the address the invitation was sent to"));
    }
    let org = orgs::get(tx, inv.org_id)?.ok_or_else(invalid)?;
    user.org_id = Some(org.id);
    user.org_role = Some(inv.role);
    inv.used_by = Some(user.id);
    inv.used_at = Some(t);
    invitations::put(tx, &inv)?;
    Ok(org)
}
