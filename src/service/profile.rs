//! The caller's own account: profile read and update, email change, deletion.

use super::{
    codes, now,
    sessions::{self, AuthContext},
};
use crate::error::ErrorCode;
use crate::{
    domain::{
        mail::CodeMail,
        org::Organization,
        text::{self, Email, Validator},
        user::{Language, OrgRole, User},
    },
    error::{AppError, AppResult, OptionExt},
    state::AppState,
    store::{orgs, users},
};

/// Fields of `PATCH /users/me`; `None` leaves a field unchanged.
#[derive(Debug, Default)]
pub struct ProfilePatch {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub title: Option<String>,
    pub location: Option<String>,
    pub bio: Option<String>,
    pub expertise_tags: Option<Vec<String>>,
    pub language: Option<Language>,
}

/// The caller and their organization.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn me(state: &AppState, ctx: AuthContext) -> AppResult<(User, Option<Organization>)> {
    let id = ctx.user_id;
    state
        .store
        .read(move |tx| -> AppResult<_> {
            let user = users::get(tx, id)?.or_not_found("User")?;
            let org = user.org_id.map(|o| orgs::get(tx, o)).transpose()?.flatten();
            Ok((user, org))
        })
        .await
}

/// Validates and applies a profile patch in one transaction (concurrent patches serialise;
/// each applies to the latest record).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn update(state: &AppState, ctx: AuthContext, p: ProfilePatch) -> AppResult<(User, Option<Organization>)> {
    let mut v = Validator::default();
    let first_name = p.first_name.as_deref().map(text::person_name).and_then(|r| v.check("first_name", r));
    let last_name = p.last_name.as_deref().map(text::person_name).and_then(|r| v.check("last_name", r));
    let title = p.title.as_deref().map(|t| text::line(t, 0, 100)).and_then(|r| v.check("title", r));
    let location = p.location.as_deref().map(|t| text::line(t, 0, 100)).and_then(|r| v.check("location", r));
    let bio = p.bio.as_deref().map(|t| text::paragraph(t, 2000)).and_then(|r| v.check("bio", r));
    let tags = p.expertise_tags.as_deref().map(|t| text::tags(t, 10)).and_then(|r| v.check("expertise_tags", r));
    v.finish().map_err(AppError::validation)?;
    let id = ctx.user_id;
    state
        .store
        .write(move |tx| -> AppResult<_> {
            let mut user = users::get(tx, id)?.or_not_found("User")?;
            if let Some(x) = first_name {
                user.first_name = x;
            }
            if let Some(x) = last_name {
                user.last_name = x;
            }
            if let Some(x) = title {
                user.title = x;
            }
            if let Some(x) = location {
                user.location = x;
            }
            if let Some(x) = bio {
                user.bio = x;
            }
            if let Some(x) = tags {
                user.expertise_tags = x;
            }
            if let Some(x) = p.language {
                user.language = x;
            }
            user.updated_at = now();
            users::update(tx, &user)?;
            let org = user.org_id.map(|o| orgs::get(tx, o)).transpose()?.flatten();
            Ok((user, org))
        })
        .await
}

fn email_change_key(ctx: &AuthContext) -> String {
    format!("email:{}", ctx.user_id)
}

/// Starts an email change: checks the password and the domain rule, then emails a code to
/// the new address.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn request_email_change(
    state: &AppState,
    ctx: AuthContext,
    new_email: &str,
    password: String,
) -> AppResult<()> {
    let new_email = Email::parse(new_email).map_err(|why| AppError::field("new_email", why))?;
    let (user, org) = me(state, ctx).await?;
    if !state.hasher.verify(password, Some(user.password_hash.clone())).await? {
        return Err(AppError::field("password", "is incorrect").with_code(ErrorCode::WrongPassword));
    }
    let domain = org
        .map(|o| o.domain)
        .unwrap_or_else(|| user.email.rsplit_once('@').map(|(_, d)| d.to_owned()).unwrap_or_default());
    if new_email.domain() != domain {
        return Err(AppError::field("new_email", format!("must stay within your organization's domain (@{domain})")));
    }
    if new_email.as_str() == user.email {
        return Err(AppError::field("new_email", "is already your email"));
    }
    codes::cooldown(state, &email_change_key(&ctx))?;
    let st = state.clone();
    state
        .store
        .write(move |tx| -> AppResult<_> {
            if users::by_email(tx, new_email.as_str())?.is_some() {
                return Err(AppError::conflict(ErrorCode::EmailTaken, "Another account uses this email"));
            }
            let to = new_email.as_str();
            Ok(codes::send(tx, &st, &email_change_key(&ctx), &user, to, CodeMail::EmailChange, to.to_owned())?)
        })
        .await?;
    state.jobs.wake();
    Ok(())
}

/// Finishes an email change with the code sent to the new address.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn confirm_email_change(
    state: &AppState,
    ctx: AuthContext,
    code: &str,
) -> AppResult<(User, Option<Organization>)> {
    let code = text::one_time_code(code).map_err(|why| AppError::field("code", why))?;
    let st = state.clone();
    let outcome = state
        .store
        .write(move |tx| -> AppResult<_> {
            let check = codes::check(tx, &st, &email_change_key(&ctx), &code)?;
            let codes::CodeCheck::Valid(record) = check else {
                return Ok(Err(check));
            };
            let mut user = users::get(tx, ctx.user_id)?.or_not_found("User")?;
            user.email = record.payload;
            user.updated_at = now();
            users::update(tx, &user)?;
            let org = user.org_id.map(|o| orgs::get(tx, o)).transpose()?.flatten();
            Ok(Ok((user, org)))
        })
        .await?;
    outcome.map_err(|check| codes::error(&check, state.config.auth.code_resend_cooldown_secs))
}

/// Deletes the caller's account after checking the password: personal data is erased, the
/// record stays as "Deleted user" for content attribution, and every session ends. The last
/// admin of an organization with other members must hand over first (409).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn delete_account(state: &AppState, ctx: AuthContext, password: String) -> AppResult<()> {
    let (user, _) = me(state, ctx).await?;
    if !state.hasher.verify(password, Some(user.password_hash.clone())).await? {
        return Err(AppError::field("password", "is incorrect").with_code(ErrorCode::WrongPassword));
    }
    let id = ctx.user_id;
    let revoked = state
        .store
        .write(move |tx| -> AppResult<_> {
            let mut user = users::get(tx, id)?.or_not_found("User")?;
            if let Some(mut org) = user.org_id.map(|o| orgs::get(tx, o)).transpose()?.flatten() {
                let counted = user.email_verified && user.status == crate::domain::user::UserStatus::Active;
                if counted {
                    let is_admin = user.org_role == Some(OrgRole::Admin);
                    if is_admin && org.admin_count <= 1 && org.member_count > 1 {
                        return Err(AppError::conflict(
                            ErrorCode::LastAdmin,
                            "Make another member an admin before deleting your account",
                        ));
                    }
                    org.member_count = org.member_count.saturating_sub(1);
                    if is_admin {
                        org.admin_count = org.admin_count.saturating_sub(1);
                    }
                    org.updated_at = now();
                    orgs::put(tx, &org)?;
                }
                orgs::remove_member(tx, org.id, id)?;
            }
            user.erase(now());
            users::update(tx, &user)?;
            Ok(sessions::revoke_all_in(tx, id, None)?)
        })
        .await?;
    sessions::end_sessions(state, &revoked, crate::domain::session::SessionEnd::Revoked);
    tracing::info!(user = %id, "account deleted");
    Ok(())
}
