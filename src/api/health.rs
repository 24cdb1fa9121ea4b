//! Liveness and readiness.

use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};

use super::{error::Success, security::State, tags::ApiTags};
use crate::{error::AppError, service::operations};

/// Health endpoints.
#[derive(Default)]
pub struct HealthApi;

/// Liveness answer.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct Health {
    /// Always `healthy` when the process answers.
    pub status: String,
    /// The server is asynchronous (tokio); kept for clients of the earlier backend.
    #[oai(rename = "async")]
    pub is_async: bool,
    /// Server version.
    pub version: String,
    /// Seconds since the process started.
    pub uptime_seconds: u64,
}

/// One readiness check.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct Check {
    /// Whether it passed.
    pub ok: bool,
    /// Detail when it failed, or a figure.
    pub detail: String,
}

/// Readiness answer.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct Readiness {
    /// `ready` or `not_ready`.
    pub status: String,
    /// The database answers reads.
    pub store: Check,
    /// The data directory accepts writes.
    pub disk: Check,
    /// Background jobs are not falling behind.
    pub jobs: Check,
    /// The media store answers.
    pub media: Check,
    /// The search index keeps up with the store (its lag).
    pub search: Check,
}

/// Readiness status.
#[derive(ApiResponse)]
pub enum ReadyResponse {
    /// Ready to serve.
    #[oai(status = 200)]
    Ready(Json<Readiness>),
    /// Not ready; see which check failed.
    #[oai(status = 503)]
    NotReady(Json<Readiness>),
}

/// What a failed check says: the underlying cause (operators read this endpoint).
fn failure(e: &AppError) -> String {
    e.cause.as_ref().map_or_else(|| e.message.clone(), |c| format!("{c:#}"))
}

/// A search index trailing the store by more than this makes the server not ready.
const MAX_SEARCH_LAG_MS: i64 = 60 * 1000;

/// Jobs overdue by more than this make the server not ready.
const MAX_JOB_LAG_MS: i64 = 5 * 60 * 1000;

#[OpenApi(tag = "ApiTags::Health")]
impl HealthApi {
    /// Liveness: the process is up
    #[oai(path = "/health", method = "get", operation_id = "health")]
    async fn health(&self, state: State<'_>) -> Success<Health> {
        Success::Ok(Json(Health {
            status: "healthy".into(),
            is_async: true,
            version: env!("CARGO_PKG_VERSION").into(),
            uptime_seconds: state.started_at.elapsed().as_secs(),
        }))
    }

    /// Readiness: store, disk, job queue, media and search index are usable
    #[oai(path = "/health/ready", method = "get", operation_id = "ready")]
    async fn ready(&self, state: State<'_>) -> ReadyResponse {
        let (store_check, jobs_check) = match operations::job_queue(&state).await {
            Ok(q) => (
                Check { ok: true, detail: "reads ok".into() },
                Check {
                    ok: q.oldest_due_ms <= MAX_JOB_LAG_MS,
                    detail: format!("{} queued, oldest due {}s ago", q.queued, q.oldest_due_ms / 1000),
                },
            ),
            Err(e) => {
                (Check { ok: false, detail: failure(&e) }, Check { ok: false, detail: "store unavailable".into() })
            }
        };
        let check = |r: crate::error::AppResult<()>, good: &str| match r {
            Ok(()) => Check { ok: true, detail: good.into() },
            Err(e) => Check { ok: false, detail: failure(&e) },
        };
        let disk = match operations::data_dir_writable(&state).await {
            Ok(room) => Check { ok: true, detail: format!("writable, {} MiB left for the store", room >> 20) },
            Err(e) => Check { ok: false, detail: failure(&e) },
        };
        let media = check(operations::media_reachable(&state).await, "reachable");
        let search = match operations::search_lag(&state).await {
            Ok(l) if l.building => {
                Check { ok: false, detail: format!("{} documents, building from the store", l.documents) }
            }
            Ok(l) => Check {
                ok: l.oldest_ms <= MAX_SEARCH_LAG_MS,
                detail: format!("{} documents, {} queued, lag {} ms", l.documents, l.queued, l.oldest_ms),
            },
            Err(e) => Check { ok: false, detail: failure(&e) },
        };
        let ok = store_check.ok && disk.ok && jobs_check.ok && media.ok && search.ok;
        let body = Readiness {
            status: if ok { "ready" } else { "not_ready" }.into(),
            store: store_check,
            disk,
            jobs: jobs_check,
            media,
            search,
        };
        if ok { ReadyResponse::Ready(Json(body)) } else { ReadyResponse::NotReady(Json(body)) }
    }
}
