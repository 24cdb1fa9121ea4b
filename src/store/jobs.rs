//! The persistent job queue's tables: queued jobs, their due order and dead letters.
//!
//! A job is claimed by moving its due entry forward by a lease; if the process dies while
//! running it, the lease expires and the job runs again (at-least-once delivery).

use crate::store::Tx;
use serde::{Deserialize, Serialize};

use super::{
    Reader, StoreResult, codec, delete_raw, key2, put_raw,
    tables::{DEAD_JOBS, JOBS, JOBS_DUE},
};
use crate::domain::ids::JobId;

/// A queued unit of background work.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Job {
    pub id: JobId,
    /// What to do, as a tagged JSON value (see `jobs::Task`).
    pub task: serde_json::Value,
    pub attempts: u32,
    pub run_at: i64,
    pub created_at: i64,
    #[serde(default)]
    pub last_error: Option<String>,
}

fn due_key(run_at: i64, id: JobId) -> Vec<u8> {
    key2(&(run_at.max(0) as u64).to_be_bytes(), &id.key())
}

/// Queues `job` to run at `job.run_at` (in the caller's transaction, so a job is queued
/// exactly when the write that caused it commits).
pub fn enqueue(tx: &Tx, job: &Job) -> StoreResult<()> {
    put_raw(tx, JOBS_DUE, &due_key(job.run_at, job.id), &[])?;
    codec::put(tx, JOBS, &job.id.key(), job)
}

/// Claims up to `limit` jobs due at `now`, pushing each one's due time to `now + lease_ms`.
pub fn claim_due(tx: &Tx, now: i64, lease_ms: i64, limit: usize) -> StoreResult<Vec<Job>> {
    let end = due_key(now, JobId(uuid::Uuid::max()));
    let due = tx.range_raw(JOBS_DUE, &[], &end, limit)?;
    let mut claimed = Vec::with_capacity(due.len());
    for (k, _) in due {
        delete_raw(tx, JOBS_DUE, &k)?;
        let Some(mut job) =
            JobId::from_key(&k[8..]).map(|id| codec::get::<Job>(tx, JOBS, &id.key())).transpose()?.flatten()
        else {
            continue;
        };
        job.run_at = now + lease_ms;
        enqueue(tx, &job)?;
        claimed.push(job);
    }
    Ok(claimed)
}

/// Removes a finished job.
pub fn complete(tx: &Tx, job: &Job) -> StoreResult<()> {
    delete_raw(tx, JOBS_DUE, &due_key(job.run_at, job.id))?;
    delete_raw(tx, JOBS, &job.id.key())?;
    Ok(())
}

/// Reschedules a failed job at `retry_at` (`claimed_run_at` is the lease it held).
pub fn retry(tx: &Tx, job: &Job, claimed_run_at: i64) -> StoreResult<()> {
    delete_raw(tx, JOBS_DUE, &due_key(claimed_run_at, job.id))?;
    enqueue(tx, job)
}

/// Moves a job that exhausted its attempts to the dead letters.
pub fn bury(tx: &Tx, job: &Job) -> StoreResult<()> {
    complete(tx, job)?;
    codec::put(tx, DEAD_JOBS, &job.id.key(), job)
}

/// Queued jobs, and the due time of the earliest one.
pub fn depth(r: &impl Reader) -> StoreResult<(u64, Option<i64>)> {
    let first = r.range_raw(JOBS_DUE, &[], &[0xff; 24], 1)?;
    let earliest = first
        .first()
        .and_then(|(k, _)| k.get(..8))
        .and_then(|b| b.try_into().ok())
        .map(|b: [u8; 8]| u64::from_be_bytes(b) as i64);
    Ok((r.len_raw(JOBS)?, earliest))
}

/// Number of dead letters.
pub fn dead_count(r: &impl Reader) -> StoreResult<u64> {
    r.len_raw(DEAD_JOBS)
}
