//! Typed access to short-lived security records: one-time codes, login failure counters,
//! trusted devices and password-reset tokens. Secrets are only ever stored hashed.

use crate::store::Tx;
use serde::{Deserialize, Serialize};

use super::{
    Reader, StoreResult, codec, delete_raw,
    tables::{CODES, LOGIN_FAILURES, RESET_TOKENS, TRUSTED_DEVICES},
};
use crate::domain::ids::UserId;

/// A 6-digit code awaiting entry (email verification, new-device login, email change).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OneTimeCode {
    /// Keyed hash of the code.
    pub hash: [u8; 32],
    pub user_id: UserId,
    pub expires_at: i64,
    pub attempts: u32,
    pub sent_at: i64,
    /// Purpose-specific data, e.g. the new address of an email change.
    #[serde(default)]
    pub payload: String,
}

/// Consecutive failed logins for one email (keyed by its hash, known or not).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct LoginFailures {
    pub count: u32,
    pub locked_until: Option<i64>,
}

/// A device that completed new-device verification.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TrustedDevice {
    pub user_id: UserId,
    pub expires_at: i64,
}

/// A single-use password-reset token.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ResetToken {
    pub user_id: UserId,
    pub expires_at: i64,
}

/// The code stored under `key` (`<purpose>:<subject>`).
pub fn code(r: &impl Reader, key: &str) -> StoreResult<Option<OneTimeCode>> {
    codec::get(r, CODES, key.as_bytes())
}

/// Stores (replacing) the code under `key`.
pub fn put_code(tx: &Tx, key: &str, code: &OneTimeCode) -> StoreResult<()> {
    codec::put(tx, CODES, key.as_bytes(), code)
}

/// Deletes the code under `key`.
pub fn delete_code(tx: &Tx, key: &str) -> StoreResult<()> {
    delete_raw(tx, CODES, key.as_bytes()).map(drop)
}

/// Failure counter for an email hash.
pub fn failures(r: &impl Reader, email_hash: &[u8; 32]) -> StoreResult<LoginFailures> {
    Ok(codec::get(r, LOGIN_FAILURES, email_hash)?.unwrap_or_default())
}

/// Writes (or clears, when `None`) the failure counter for an email hash.
pub fn set_failures(tx: &Tx, email_hash: &[u8; 32], value: Option<&LoginFailures>) -> StoreResult<()> {
    match value {
        Some(v) => codec::put(tx, LOGIN_FAILURES, email_hash, v),
        None => delete_raw(tx, LOGIN_FAILURES, email_hash).map(drop),
    }
}

/// The trusted device with this token hash.
pub fn trusted_device(r: &impl Reader, token_hash: &[u8; 32]) -> StoreResult<Option<TrustedDevice>> {
    codec::get(r, TRUSTED_DEVICES, token_hash)
}

/// Remembers a trusted device.
pub fn put_trusted_device(tx: &Tx, token_hash: &[u8; 32], d: &TrustedDevice) -> StoreResult<()> {
    codec::put(tx, TRUSTED_DEVICES, token_hash, d)
}

/// The reset token with this hash.
pub fn reset_token(r: &impl Reader, token_hash: &[u8; 32]) -> StoreResult<Option<ResetToken>> {
    codec::get(r, RESET_TOKENS, token_hash)
}

/// Stores a reset token.
pub fn put_reset_token(tx: &Tx, token_hash: &[u8; 32], t: &ResetToken) -> StoreResult<()> {
    codec::put(tx, RESET_TOKENS, token_hash, t)
}

/// Consumes a reset token (single use).
pub fn delete_reset_token(tx: &Tx, token_hash: &[u8; 32]) -> StoreResult<()> {
    delete_raw(tx, RESET_TOKENS, token_hash).map(drop)
}
