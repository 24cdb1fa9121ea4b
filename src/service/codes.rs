//! One-time 6-digit codes (email verification, new-device login, email change): issued
//! inside the caller's transaction, stored as a keyed hash, with a lifetime and an attempt
//! budget. Checking a code records the attempt even when it fails.

use crate::store::Tx;

use crate::error::ErrorCode;
use crate::{
    auth::secrets::{keyed_hash, same, six_digit_code},
    domain::{ids::UserId, mail::CodeMail, now_ms, user::User},
    error::{AppError, AppResult},
    state::AppState,
    store::{StoreResult, jobs as queue, security},
};

/// Outcome of checking a code.
#[derive(Debug)]
pub enum CodeCheck {
    Valid(security::OneTimeCode),
    Wrong { attempts_left: u32 },
    Expired,
    Exhausted,
    Missing,
}

/// Issues a code under `key` for `user` and queues the `mail` carrying it to `to`, in the
/// caller's transaction (so the email goes out exactly when the code exists).
pub fn send(
    tx: &Tx,
    state: &AppState,
    key: &str,
    user: &User,
    to: &str,
    mail: CodeMail,
    payload: String,
) -> StoreResult<()> {
    let code = issue(tx, state, key, user.id, payload)?;
    let minutes = (state.config.auth.code_ttl_secs / 60).max(1).to_string();
    let mail = mail.with(user.first_name.clone(), code, minutes);
    queue::enqueue(tx, &super::email_task(user, to, mail).into_job())
}

/// Counts a (re)send under `key`; 429 while the cooldown runs.
pub fn cooldown(state: &AppState, key: &str) -> AppResult<()> {
    state.resend_limiter.hit(key).map_err(|secs| {
        AppError::rate_limited(ErrorCode::ResendCooldown, "Please wait before asking for another code", secs)
    })
}

/// Creates (replacing any previous) a code under `key`; returns the plaintext to email.
fn issue(tx: &Tx, state: &AppState, key: &str, user_id: UserId, payload: String) -> StoreResult<String> {
    let code = six_digit_code();
    let now = now_ms();
    let record = security::OneTimeCode {
        hash: keyed_hash(&state.code_key, key, &code),
        user_id,
        expires_at: now + (state.config.auth.code_ttl_secs * 1000) as i64,
        attempts: 0,
        sent_at: now,
        payload,
    };
    security::put_code(tx, key, &record)?;
    Ok(code)
}

/// Checks `code` against the one under `key`, consuming it when valid and counting the
/// attempt when not.
pub fn check(tx: &Tx, state: &AppState, key: &str, code: &str) -> StoreResult<CodeCheck> {
    let Some(mut record) = security::code(tx, key)? else {
        return Ok(CodeCheck::Missing);
    };
    let max = state.config.auth.code_max_attempts;
    if now_ms() >= record.expires_at {
        security::delete_code(tx, key)?;
        return Ok(CodeCheck::Expired);
    }
    if record.attempts >= max {
        return Ok(CodeCheck::Exhausted);
    }
    if same(&record.hash, &keyed_hash(&state.code_key, key, code)) {
        security::delete_code(tx, key)?;
        return Ok(CodeCheck::Valid(record));
    }
    record.attempts += 1;
    security::put_code(tx, key, &record)?;
    if record.attempts >= max {
        return Ok(CodeCheck::Exhausted);
    }
    Ok(CodeCheck::Wrong { attempts_left: max - record.attempts })
}

/// The client-facing error for a failed check.
pub fn error(check: &CodeCheck, cooldown_secs: u64) -> AppError {
    match check {
        CodeCheck::Wrong { attempts_left } => {
            AppError::field("code", format!("is incorrect; {attempts_left} attempts left"))
                .with_code(ErrorCode::InvalidCode)
        }
        CodeCheck::Expired => {
            AppError::field("code", "has expired; request a new one").with_code(ErrorCode::CodeExpired)
        }
        CodeCheck::Exhausted => {
            AppError::rate_limited(ErrorCode::TooManyAttempts, "Too many wrong codes; request a new one", cooldown_secs)
        }
        CodeCheck::Missing | CodeCheck::Valid(_) => {
            AppError::field("code", "is incorrect or has expired; request a new one").with_code(ErrorCode::InvalidCode)
        }
    }
}
