//! Login: generic failures, lockout after consecutive failures, new-device verification
//! with an emailed code, and trusted-device tokens.

use crate::store::Tx;

use super::{ClientMeta, codes, limit_ip, now, sessions};
use crate::error::ErrorCode;
use crate::{
    auth::secrets::{random_token, sha256},
    domain::{
        ids::{ChallengeId, UserId},
        mail::CodeMail,
        text::{self, Email},
        user::{User, UserStatus},
    },
    error::{AppError, AppResult},
    state::AppState,
    store::{security, sessions as session_table, users},
};

/// Result of a correct email and password.
#[derive(Debug)]
pub enum LoginOutcome {
    /// Signed in (known device, or device verification is off).
    SignedIn(Box<sessions::IssuedSession>),
    /// A code was emailed; finish with `verify_device`.
    DeviceCheck { challenge_id: ChallengeId },
}

fn invalid_credentials() -> AppError {
    AppError::unauthenticated(ErrorCode::InvalidCredentials, "Invalid email or password")
}

fn locked(secs: u64) -> AppError {
    AppError::rate_limited(ErrorCode::LoginLocked, "Too many failed sign-in attempts; try again later", secs)
}

/// `POST /auth/login`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn login(
    state: &AppState,
    meta: &ClientMeta,
    email: &str,
    password: String,
    device_token: Option<String>,
) -> AppResult<LoginOutcome> {
    limit_ip(state, meta)?;
    // A malformed address can never match an account: answer like any other failure.
    let email = Email::parse(email).map(Email::into_string).unwrap_or_else(|_| email.trim().to_lowercase());
    let email_hash = sha256(email.as_bytes());
    let t = now();
    let lookup = email.clone();
    let (failures, user) = state
        .store
        .read(move |tx| -> AppResult<_> { Ok((security::failures(tx, &email_hash)?, users::by_email(tx, &lookup)?)) })
        .await?;
    if let Some(until) = failures.locked_until.filter(|u| *u > t) {
        return Err(locked(((until - t) / 1000) as u64 + 1));
    }
    let user = user.filter(|u| u.status != UserStatus::Deleted);
    let ok = state.hasher.verify(password, user.as_ref().map(|u| u.password_hash.clone())).await?;
    let (max, lockout_ms) = (state.config.auth.max_failed_logins, (state.config.auth.lockout_secs * 1000) as i64);
    let Some(user) = user.filter(|_| ok) else {
        let now_locked = state
            .store
            .write(move |tx| -> AppResult<_> {
                let mut f = security::failures(tx, &email_hash)?;
                if f.locked_until.is_some_and(|u| u <= now()) {
                    f = security::LoginFailures::default();
                }
                f.count += 1;
                let lock = f.count >= max;
                if lock {
                    f = security::LoginFailures { count: 0, locked_until: Some(now() + lockout_ms) };
                }
                security::set_failures(tx, &email_hash, Some(&f))?;
                Ok(lock)
            })
            .await?;
        tracing::info!(locked = now_locked, "failed login");
        return Err(if now_locked { locked(state.config.auth.lockout_secs) } else { invalid_credentials() });
    };
    if failures.count > 0 || failures.locked_until.is_some() {
        state.store.write(move |tx| security::set_failures(tx, &email_hash, None)).await?;
    }
    check_may_sign_in(&user)?;
    let trusted = !state.config.auth.device_verification || is_trusted(state, user.id, device_token).await?;
    let st = state.clone();
    let meta = meta.clone();
    if trusted {
        let (session, refresh, user) = state
            .store
            .write(move |tx| -> AppResult<_> {
                let user = record_login(tx, user.id)?;
                let (session, refresh) = sessions::new_session(user.id, &meta);
                session_table::put(tx, &session)?;
                Ok((session, refresh, user))
            })
            .await?;
        return Ok(LoginOutcome::SignedIn(Box::new(sessions::finish_issue(state, &session, refresh, user)?)));
    }
    let challenge_id = ChallengeId::new();
    state
        .store
        .write(move |tx| {
            codes::send(tx, &st, &device_key(challenge_id), &user, &user.email, CodeMail::LoginCode, String::new())
        })
        .await?;
    state.jobs.wake();
    Ok(LoginOutcome::DeviceCheck { challenge_id })
}

/// Refuses accounts that may not sign in; only reached after a correct password, so the
/// distinct answers reveal nothing to someone who does not know it.
fn check_may_sign_in(user: &User) -> AppResult<()> {
    if !user.email_verified {
        return Err(AppError::forbidden(ErrorCode::EmailNotVerified, "Verify your email before signing in"));
    }
    match user.status {
        UserStatus::Active => Ok(()),
        UserStatus::PendingApproval => Err(AppError::forbidden(
            ErrorCode::AccountPending,
            "Your organization's admins have not approved your account yet",
        )),
        UserStatus::Deactivated => {
            Err(AppError::forbidden(ErrorCode::AccountDeactivated, "This account has been deactivated"))
        }
        UserStatus::Deleted => Err(invalid_credentials()),
    }
}

fn device_key(id: ChallengeId) -> String {
    format!("device:{id}")
}

async fn is_trusted(state: &AppState, user: UserId, token: Option<String>) -> AppResult<bool> {
    let Some(token) = token.filter(|t| !t.is_empty() && t.len() <= 128) else {
        return Ok(false);
    };
    let hash = sha256(token.as_bytes());
    let device = state.store.read(move |tx| security::trusted_device(tx, &hash)).await?;
    Ok(device.is_some_and(|d| d.user_id == user && d.expires_at > now()))
}

/// Stores a new trusted-device token for `user`; returns the token for the cookie.
pub fn trust_device(tx: &Tx, state: &AppState, user: UserId) -> AppResult<String> {
    let token = random_token(32);
    let expires_at = now() + (state.config.auth.trusted_device_days * 86_400_000) as i64;
    security::put_trusted_device(
        tx,
        &sha256(token.as_bytes()),
        &security::TrustedDevice { user_id: user, expires_at },
    )?;
    Ok(token)
}

fn record_login(tx: &Tx, id: UserId) -> AppResult<User> {
    let mut user = users::get(tx, id)?.ok_or_else(invalid_credentials)?;
    user.last_login_at = Some(now());
    users::update(tx, &user)?;
    Ok(user)
}

/// `POST /auth/login/verify`: finishes a new-device login; returns the session and the
/// trusted-device token.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn verify_device(
    state: &AppState,
    meta: &ClientMeta,
    challenge: &str,
    code: &str,
) -> AppResult<(sessions::IssuedSession, String)> {
    limit_ip(state, meta)?;
    let challenge: ChallengeId =
        challenge.parse().map_err(|_| AppError::field("challenge_id", "is not a valid challenge id"))?;
    let code = text::one_time_code(code).map_err(|why| AppError::field("code", why))?;
    let st = state.clone();
    let meta = meta.clone();
    let outcome = state
        .store
        .write(move |tx| -> AppResult<_> {
            let check = codes::check(tx, &st, &device_key(challenge), &code)?;
            let codes::CodeCheck::Valid(record) = check else {
                return Ok(Err(check));
            };
            let user = record_login(tx, record.user_id)?;
            if !user.can_sign_in() {
                return Err(invalid_credentials());
            }
            let (session, refresh) = sessions::new_session(user.id, &meta);
            session_table::put(tx, &session)?;
            let device = trust_device(tx, &st, user.id)?;
            Ok(Ok((session, refresh, user, device)))
        })
        .await?;
    match outcome {
        Err(check) => Err(codes::error(&check, state.config.auth.code_resend_cooldown_secs)),
        Ok((session, refresh, user, device)) => Ok((sessions::finish_issue(state, &session, refresh, user)?, device)),
    }
}
