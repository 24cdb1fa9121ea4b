//! argon2id password hashing and verification, always off the async runtime.
//!
//! Hashing is deliberately expensive, so it runs on tokio's blocking pool behind a semaphore
//! that bounds how many hashes run at once (default: one per CPU). A login storm therefore
//! queues on the semaphore instead of starving the runtime or exhausting memory
//! (each hash holds `argon2_memory_kib` of RAM). Unknown users are verified against a dummy
//! hash so response timing does not reveal whether an email is registered.

use std::sync::Arc;

use anyhow::anyhow;
use argon2::{Algorithm, Argon2, Params, Version};
use base64::{Engine, engine::general_purpose::STANDARD_NO_PAD as B64};
use rand::RngCore;
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult};

const HASH_LEN: usize = 32;
const SALT_LEN: usize = 16;

/// Hashes and verifies passwords with bounded concurrency.
#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    permits: Arc<Semaphore>,
    dummy: Arc<str>,
    common: Arc<std::collections::HashSet<&'static str>>,
}

static COMMON_PASSWORDS: &str = include_str!("../../assets/common-passwords.txt");

impl PasswordHasher {
    /// Builds a hasher with the given argon2id cost and at most `concurrency` hashes at once.
    pub fn new(
        memory_kib: u32,
        iterations: u32,
        parallelism: u32,
        concurrency: usize,
    ) -> anyhow::Result<Self> {
        let params = Params::new(memory_kib, iterations, parallelism, Some(HASH_LEN))
            .map_err(|e| anyhow!("argon2 parameters: {e}"))?;
        let concurrency = if concurrency == 0 {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
        } else {
            concurrency
        };
        let dummy = hash_blocking(&params, b"dummy password for timing equalisation")?;
        let common = COMMON_PASSWORDS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        Ok(Self {
            params,
            permits: Arc::new(Semaphore::new(concurrency)),
            dummy: dummy.into(),
            common: Arc::new(common),
        })
    }

    /// Whether `lower_case_password` is on the embedded list of common passwords.
    pub fn is_common(&self, lower_case_password: &str) -> bool {
        self.common.contains(lower_case_password)
    }

    /// Hashes `password` into a PHC string.
    pub async fn hash(&self, password: String) -> AppResult<String> {
        let params = self.params.clone();
        self.run(move || hash_blocking(&params, password.as_bytes()).map_err(AppError::internal))
            .await
    }

    /// Verifies `password` against `encoded`; with `None` (unknown user) it spends the same
    /// time on a dummy hash and returns false.
    pub async fn verify(&self, password: String, encoded: Option<String>) -> AppResult<bool> {
        let dummy = self.dummy.clone();
        self.run(move || {
            let known = encoded.as_deref().filter(|e| !e.is_empty());
            let ok = verify_blocking(known.unwrap_or(&dummy), password.as_bytes())
                .map_err(AppError::internal)?;
            Ok(ok && known.is_some())
        })
        .await
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> AppResult<T> + Send + 'static,
    ) -> AppResult<T> {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || {
            let _entered = span.enter();
            f()
        })
        .await?
    }
}

fn argon(params: Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// PHC string: `$argon2id$v=19$m=…,t=…,p=…$salt$hash`.
fn hash_blocking(params: &Params, password: &[u8]) -> anyhow::Result<String> {
    let mut salt = [0u8; SALT_LEN];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let mut out = [0u8; HASH_LEN];
    argon(params.clone())
        .hash_password_into(password, &salt, &mut out)
        .map_err(|e| anyhow!("argon2: {e}"))?;
    Ok(format!(
        "$argon2id$v=19$m={},t={},p={}${}${}",
        params.m_cost(),
        params.t_cost(),
        params.p_cost(),
        B64.encode(salt),
        B64.encode(out)
    ))
}

fn verify_blocking(encoded: &str, password: &[u8]) -> anyhow::Result<bool> {
    let parts: Vec<&str> = encoded.split('$').collect();
    let [_, "argon2id", "v=19", costs, salt, hash] = parts.as_slice() else {
        return Err(anyhow!("unrecognised password hash format"));
    };
    let mut m = 0;
    let mut t = 0;
    let mut p = 0;
    for kv in costs.split(',') {
        match kv.split_once('=') {
            Some(("m", v)) => m = v.parse()?,
            Some(("t", v)) => t = v.parse()?,
            Some(("p", v)) => p = v.parse()?,
            _ => return Err(anyhow!("unrecognised argon2 cost {kv}")),
        }
    }
    let salt = B64.decode(salt)?;
    let expected = B64.decode(hash)?;
    let params = Params::new(m, t, p, Some(expected.len()))
        .map_err(|e| anyhow!("argon2 parameters: {e}"))?;
    let mut out = vec![0u8; expected.len()];
    argon(params)
        .hash_password_into(password, &salt, &mut out)
        .map_err(|e| anyhow!("argon2: {e}"))?;
    Ok(out.ct_eq(&expected).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_then_verify() {
        let h = PasswordHasher::new(64, 1, 1, 2).unwrap();
        let encoded = h.hash("Steel-mill-42".into()).await.unwrap();
        assert!(encoded.starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
        assert!(
            h.verify("Steel-mill-42".into(), Some(encoded.clone()))
                .await
                .unwrap()
        );
        assert!(
            !h.verify("steel-mill-42".into(), Some(encoded))
                .await
                .unwrap()
        );
        assert!(!h.verify("Steel-mill-42".into(), None).await.unwrap());
        assert!(h.is_common("password123"));
    }
}
