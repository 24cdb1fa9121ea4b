//! Password change, forgotten password and reset.

use super::{
    ClientMeta, email_task, limit_ip, now,
    sessions::{self, AuthContext},
};
use crate::error::ErrorCode;
use crate::{
    auth::secrets::{random_token, sha256},
    domain::{
        mail::Mail,
        text::{self, Email},
        user::UserStatus,
    },
    error::{AppError, AppResult, OptionExt},
    state::AppState,
    store::{jobs as queue, security, users},
};

/// Checks a new password against the policy for `email`.
pub fn check_policy(state: &AppState, field: &str, password: &str, email: &str) -> AppResult<()> {
    text::password(password, Some(email), |p| state.hasher.is_common(p)).map_err(|why| AppError::field(field, why))
}

/// Changes the caller's password after checking the current one; other sessions end.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn change(state: &AppState, ctx: AuthContext, current: String, new: String) -> AppResult<()> {
    let id = ctx.user_id;
    let user = state.store.read(move |tx| users::get(tx, id)).await?.or_not_found("User")?;
    if !state.hasher.verify(current, Some(user.password_hash.clone())).await? {
        return Err(AppError::field("current_password", "is incorrect").with_code(ErrorCode::WrongPassword));
    }
    check_policy(state, "new_password", &new, &user.email)?;
    let hash = state.hasher.hash(new).await?;
    let link = format!("{}/forgot-password", state.config.public_url);
    let revoked = state
        .store
        .write(move |tx| -> AppResult<_> {
            let mut user = users::get(tx, id)?.or_not_found("User")?;
            user.password_hash = hash;
            user.updated_at = now();
            users::update(tx, &user)?;
            let mail = Mail::PasswordChanged { name: user.first_name.clone(), link };
            queue::enqueue(tx, &email_task(&user, &user.email, mail).into_job())?;
            Ok(sessions::revoke_all_in(tx, id, Some(ctx.session_id))?)
        })
        .await?;
    sessions::end_sessions(state, &revoked, crate::domain::session::SessionEnd::Revoked);
    state.jobs.wake();
    Ok(())
}

/// Emails a single-use reset link when the address belongs to an active account; the
/// answer is the same either way.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn forgot(state: &AppState, meta: &ClientMeta, email: &str) -> AppResult<()> {
    limit_ip(state, meta)?;
    let Ok(email) = Email::parse(email) else {
        return Ok(());
    };
    if state.resend_limiter.hit(&format!("reset:{}", email.as_str())).is_err() {
        return Ok(());
    }
    let token = random_token(32);
    let ttl_ms = (state.config.auth.reset_token_ttl_secs * 1000) as i64;
    let link = format!("{}/reset-password?token={token}", state.config.public_url);
    state
        .store
        .write(move |tx| {
            let Some(user) = users::by_email(tx, email.as_str())?.filter(|u| u.status == UserStatus::Active) else {
                return Ok(());
            };
            let record = security::ResetToken { user_id: user.id, expires_at: now() + ttl_ms };
            security::put_reset_token(tx, &sha256(token.as_bytes()), &record)?;
            let mail = Mail::ResetPassword { name: user.first_name.clone(), link };
            queue::enqueue(tx, &email_task(&user, &user.email, mail).into_job())
        })
        .await?;
    state.jobs.wake();
    Ok(())
}

/// Sets a new password with a reset token; every session ends and any lockout clears.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn reset(state: &AppState, meta: &ClientMeta, token: &str, new: String) -> AppResult<()> {
    limit_ip(state, meta)?;
    let bad_token = || AppError::field("token", "is invalid or has expired").with_code(ErrorCode::InvalidToken);
    let hash = sha256(token.trim().as_bytes());
    let record = state
        .store
        .read(move |tx| security::reset_token(tx, &hash))
        .await?
        .filter(|r| r.expires_at > now())
        .ok_or_else(bad_token)?;
    let uid = record.user_id;
    let user = state.store.read(move |tx| users::get(tx, uid)).await?.ok_or_else(bad_token)?;
    check_policy(state, "new_password", &new, &user.email)?;
    let password_hash = state.hasher.hash(new).await?;
    let revoked = state
        .store
        .write(move |tx| -> AppResult<_> {
            // Consumed inside the same transaction that uses it: single use even under races.
            if security::reset_token(tx, &hash)?.is_none() {
                return Err(bad_token());
            }
            security::delete_reset_token(tx, &hash)?;
            let mut user = users::get(tx, uid)?.ok_or_else(bad_token)?;
            user.password_hash = password_hash;
            user.updated_at = now();
            users::update(tx, &user)?;
            security::set_failures(tx, &sha256(user.email.as_bytes()), None)?;
            Ok(sessions::revoke_all_in(tx, uid, None)?)
        })
        .await?;
    sessions::end_sessions(state, &revoked, crate::domain::session::SessionEnd::Revoked);
    Ok(())
}
