//! argon2id password hashing and verification on a dedicated, bounded pool of threads.
//!
//! Hashing is deliberately expensive (19 MiB and two passes by default), so it never runs on
//! the async runtime. A fixed set of `hash_concurrency` threads takes jobs from a bounded
//! queue; a login storm therefore waits in the queue instead of starving request handling.
//! Each thread:
//! - reuses one argon2 memory buffer for every hash while work is queued, so memory stays at
//!   `threads × argon2_memory_kib` instead of growing with the allocator's per-thread arenas
//!   (measured: 1.2 GiB peak RSS with per-hash allocation on the blocking pool), and gives it
//!   back to the system when the queue is empty (`buffer`): two idle threads held 38 MiB;
//! - runs at the lowest normal scheduling priority (SCHED_BATCH, nice 19), so when the CPU is
//!   contended the request handlers win and hashing uses what is left.
//!
//! Unknown users are verified against a dummy hash so timing does not reveal whether an email
//! is registered.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
};

use anyhow::anyhow;
use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::{Engine, engine::general_purpose::STANDARD_NO_PAD as B64};
use rand::RngCore;
use subtle::ConstantTimeEq;
use tokio::sync::{mpsc, oneshot};

use crate::error::{AppError, AppResult};

const HASH_LEN: usize = 32;
const SALT_LEN: usize = 16;
/// Hash requests waiting for a thread before callers wait to enqueue.
const QUEUE: usize = 1024;

static COMMON_PASSWORDS: &str = include_str!("../../assets/common-passwords.txt");

enum Work {
    Hash(Vec<u8>, oneshot::Sender<anyhow::Result<String>>),
    Verify(Vec<u8>, Arc<str>, oneshot::Sender<anyhow::Result<bool>>),
}

/// Hashes and verifies passwords on the dedicated pool.
#[derive(Clone)]
pub struct PasswordHasher {
    queue: mpsc::Sender<Work>,
    dummy: Arc<str>,
    common: Arc<HashSet<&'static str>>,
}

impl PasswordHasher {
    /// Starts `concurrency` hashing threads (0 = one per CPU) with the given argon2id cost.
    pub fn new(memory_kib: u32, iterations: u32, parallelism: u32, concurrency: usize) -> anyhow::Result<Self> {
        let params = Params::new(memory_kib, iterations, parallelism, Some(HASH_LEN))
            .map_err(|e| anyhow!("argon2 parameters: {e}"))?;
        let threads = if concurrency == 0 {
            std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)
        } else {
            concurrency
        };
        let (queue, rx) = mpsc::channel::<Work>(QUEUE);
        let rx = Arc::new(Mutex::new(rx));
        let mut memory = buffer(params.block_count());
        let dummy: Arc<str> = hash_with(&params, b"dummy password for timing equalisation", &mut memory)?.into();
        drop(memory);
        for i in 0..threads {
            let rx = rx.clone();
            let params = params.clone();
            std::thread::Builder::new().name(format!("argon2-{i}")).spawn(move || worker(params, rx))?;
        }
        let common = COMMON_PASSWORDS.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        Ok(Self { queue, dummy, common: Arc::new(common) })
    }

    /// Whether `lower_case_password` is on the embedded list of common passwords.
    pub fn is_common(&self, lower_case_password: &str) -> bool {
        self.common.contains(lower_case_password)
    }

    /// Hashes `password` into a PHC string.
    pub async fn hash(&self, password: String) -> AppResult<String> {
        let (tx, rx) = oneshot::channel();
        self.submit(Work::Hash(password.into_bytes(), tx)).await?;
        rx.await.map_err(AppError::internal)?.map_err(AppError::internal)
    }

    /// Verifies `password` against `encoded`; with `None` (unknown user) it spends the same
    /// time on a dummy hash and returns false.
    pub async fn verify(&self, password: String, encoded: Option<String>) -> AppResult<bool> {
        let known = encoded.filter(|e| !e.is_empty());
        let target: Arc<str> = known.as_deref().map(Arc::from).unwrap_or_else(|| self.dummy.clone());
        let (tx, rx) = oneshot::channel();
        self.submit(Work::Verify(password.into_bytes(), target, tx)).await?;
        let ok = rx.await.map_err(AppError::internal)?.map_err(AppError::internal)?;
        Ok(ok && known.is_some())
    }

    async fn submit(&self, work: Work) -> AppResult<()> {
        self.queue.send(work).await.map_err(|_| AppError::internal(anyhow!("password hashing pool stopped")))
    }
}

/// A hashing thread: lowers its priority, then serves jobs until every sender is gone, with
/// one buffer reused while jobs are queued and released when none are.
fn worker(params: Params, rx: Arc<Mutex<mpsc::Receiver<Work>>>) {
    use thread_priority::{
        NormalThreadSchedulePolicy, ThreadPriority, ThreadSchedulePolicy, set_thread_priority_and_policy,
        thread_native_id,
    };
    let policy = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Batch);
    if let Err(e) = set_thread_priority_and_policy(thread_native_id(), ThreadPriority::Min, policy) {
        tracing::warn!(error = ?e, "cannot lower the priority of a password hashing thread");
    }
    let mut memory: Option<Vec<Block>> = None;
    loop {
        let next = match rx.lock() {
            Ok(mut guard) => guard.try_recv().ok().or_else(|| {
                memory = None;
                guard.blocking_recv()
            }),
            Err(_) => None,
        };
        let blocks = memory.get_or_insert_with(|| buffer(params.block_count()));
        match next {
            None => return,
            Some(Work::Hash(password, reply)) => {
                let _ = reply.send(hash_with(&params, &password, blocks));
            }
            Some(Work::Verify(password, encoded, reply)) => {
                let _ = reply.send(verify_with(&encoded, &password, blocks));
            }
        }
    }
}

/// Blocks reserved for a buffer at least: 33 MiB, above glibc's largest mmap threshold.
const UNSHARED_BLOCKS: usize = 33 << 10;

/// `blocks` zeroed argon2 blocks in an allocation of at least `UNSHARED_BLOCKS`. glibc serves
/// an allocation above its largest mmap threshold (32 MiB on 64-bit, mallopt(3)) with its own
/// mapping whatever the dynamic threshold has grown to, so dropping the buffer unmaps it;
/// a 19 MiB buffer instead stayed in the allocator's arena after it was freed (the threshold
/// grows to the size of the first mapped block freed). Only the `blocks` in use are written,
/// so the rest of the reservation is address space, not memory.
fn buffer(blocks: usize) -> Vec<Block> {
    let mut memory = Vec::with_capacity(blocks.max(UNSHARED_BLOCKS));
    memory.resize(blocks, Block::default());
    memory
}

fn argon(params: Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// PHC string: `$argon2id$v=19$m=…,t=…,p=…$salt$hash`.
fn hash_with(params: &Params, password: &[u8], memory: &mut [Block]) -> anyhow::Result<String> {
    let mut salt = [0u8; SALT_LEN];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let mut out = [0u8; HASH_LEN];
    argon(params.clone())
        .hash_password_into_with_memory(password, &salt, &mut out, memory)
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

fn verify_with(encoded: &str, password: &[u8], memory: &mut [Block]) -> anyhow::Result<bool> {
    let parts: Vec<&str> = encoded.split('$').collect();
    let [_, "argon2id", "v=19", costs, salt, hash] = parts.as_slice() else {
        return Err(anyhow!("unrecognised password hash format"));
    };
    let (mut m, mut t, mut p) = (0, 0, 0);
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
    let params = Params::new(m, t, p, Some(expected.len())).map_err(|e| anyhow!("argon2 parameters: {e}"))?;
    let mut out = vec![0u8; expected.len()];
    // A hash made with other costs (an older configuration) needs its own buffer size.
    let mut other;
    let blocks = if params.block_count() == memory.len() {
        memory
    } else {
        other = vec![Block::default(); params.block_count()];
        &mut other[..]
    };
    argon(params)
        .hash_password_into_with_memory(password, &salt, &mut out, blocks)
        .map_err(|e| anyhow!("argon2: {e}"))?;
    Ok(out.ct_eq(&expected).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_then_verify_including_other_costs() {
        let h = PasswordHasher::new(64, 1, 1, 2).unwrap();
        let encoded = h.hash("Steel-mill-42".into()).await.unwrap();
        assert!(encoded.starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
        assert!(h.verify("Steel-mill-42".into(), Some(encoded.clone())).await.unwrap());
        assert!(!h.verify("steel-mill-42".into(), Some(encoded)).await.unwrap());
        assert!(!h.verify("Steel-mill-42".into(), None).await.unwrap());
        let older = PasswordHasher::new(128, 2, 1, 1).unwrap().hash("Old-pass-77".into()).await.unwrap();
        assert!(h.verify("Old-pass-77".into(), Some(older)).await.unwrap());
        assert!(h.is_common("password123"));
    }
}
