//! What operators read about the running server — the job queue, the store, the data disk,
//! the media backend, sockets and sessions — for readiness and metrics, so their handlers
//! never reach into a subsystem themselves.

use crate::{
    domain::now_ms,
    error::{AppError, AppResult},
    realtime::TrafficCounts,
    state::AppState,
    store::{StoreResult, jobs, search_queue},
};

/// The search index: how far it trails the store, and its size.
#[derive(Clone, Copy, Debug)]
pub struct SearchLag {
    /// Records waiting to be (re)indexed.
    pub queued: u64,
    /// How long the longest-waiting one has waited (ms; 0 when none).
    pub oldest_ms: i64,
    /// Documents in the index.
    pub documents: u64,
    /// Bytes the index takes on disk.
    pub bytes: u64,
    /// The index is new and still being filled from the store.
    pub building: bool,
}

/// Records the search queue looks at for its oldest entry (the queue is short unless the
/// indexer is stuck, which the count alone then shows).
const LAG_SCAN: usize = 10_000;

/// How far the search index trails the store.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn search_lag(state: &AppState) -> AppResult<SearchLag> {
    let (queued, oldest) = state.store.read(|r| search_queue::lag(r, LAG_SCAN)).await?;
    let index = state.search.clone();
    let (documents, bytes) = tokio::task::spawn_blocking(move || (index.num_docs(), index.size_bytes()))
        .await
        .map_err(AppError::internal)?;
    let building = state.search.unbuilt();
    Ok(SearchLag { queued, oldest_ms: oldest.map_or(0, |t| (now_ms() - t).max(0)), documents, bytes, building })
}

/// The persistent job queue.
#[derive(Clone, Copy, Debug)]
pub struct JobQueue {
    /// Jobs waiting to run.
    pub queued: u64,
    /// How long ago the most overdue job was due (ms; 0 when none is overdue).
    pub oldest_due_ms: i64,
    /// Jobs that exhausted their attempts.
    pub dead: u64,
}

/// The job queue, read from one snapshot (an error means the store cannot be read).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn job_queue(state: &AppState) -> AppResult<JobQueue> {
    let (depth, dead) =
        state.store.read(|tx| -> StoreResult<_> { Ok((jobs::depth(tx)?, jobs::dead_count(tx)?)) }).await?;
    let (queued, earliest) = depth;
    Ok(JobQueue { queued, oldest_due_ms: earliest.map_or(0, |due| (now_ms() - due).max(0)), dead })
}

/// Whether a file can be written in the data directory and the store has room to grow
/// (writes are refused below `store.min_free_mib`); the room left, in bytes.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn data_dir_writable(state: &AppState) -> AppResult<u64> {
    let probe = state.config.data_dir.join(".ready-probe");
    tokio::fs::write(&probe, b"ok").await.map_err(AppError::internal)?;
    let _ = tokio::fs::remove_file(&probe).await;
    state.store.space().check().map_err(AppError::internal)?;
    Ok(state.store.space().headroom())
}

/// Whether the media backend answers.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn media_reachable(state: &AppState) -> AppResult<()> {
    Ok(state.media.check().await?)
}

/// Figures kept in memory, read without I/O but the store file's size.
#[derive(Clone, Debug)]
pub struct Vitals {
    pub store_bytes: u64,
    /// The configured page cache of the store.
    pub store_cache_bytes: u64,
    /// The writer's totals: closures, batches, seconds running closures and committing.
    pub writes: crate::store::WriteTotals,
    /// What write closures cost per table (name, entries, time changing it, time encoding).
    pub write_tables: Vec<(&'static str, crate::store::TableTime)>,
    pub cached_sessions: usize,
    pub uptime_secs: u64,
    pub open_sockets: usize,
    pub active_channels: usize,
    pub hub: TrafficCounts,
}

/// The process's in-memory figures.
pub fn vitals(state: &AppState) -> Vitals {
    Vitals {
        store_bytes: std::fs::metadata(state.config.db_path()).map_or(0, |md| md.len()),
        store_cache_bytes: state.config.store.cache_mib << 20,
        write_tables: state.store.write_stats().per_table(),
        writes: state.store.write_stats().totals(),
        cached_sessions: state.sessions.len(),
        uptime_secs: state.started_at.elapsed().as_secs(),
        open_sockets: state.hub.open_sockets(),
        active_channels: state.hub.active_channels(),
        hub: state.hub.traffic(),
    }
}
