//! Prometheus metrics: request latency by route and status, plus gauges (job queue depth,
//! dead letters, store size, cached sessions) refreshed at scrape time.

use std::time::Duration;

use poem::{handler, http::Method, web::Data};
use prometheus::{Encoder, HistogramOpts, HistogramVec, IntGauge, Registry, TextEncoder};

use crate::{state::AppState, store::jobs};

/// Request metrics shared by the middleware and the `/metrics` endpoint.
pub struct HttpMetrics {
    registry: Registry,
    latency: HistogramVec,
    job_depth: IntGauge,
    dead_jobs: IntGauge,
    store_bytes: IntGauge,
    sessions: IntGauge,
    uptime: IntGauge,
    sockets: IntGauge,
    channels: IntGauge,
}

impl HttpMetrics {
    /// Registers every metric in a fresh registry.
    pub fn new() -> anyhow::Result<Self> {
        let registry = Registry::new_custom(Some("p2p".into()), None)?;
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency by route and status")
                .buckets(vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0]),
            &["method", "route", "status"],
        )?;
        let gauge = |name: &str, help: &str| IntGauge::new(name, help);
        let job_depth = gauge("job_queue_depth", "Jobs waiting or running")?;
        let dead_jobs = gauge("job_dead_letters", "Jobs that exhausted their attempts")?;
        let store_bytes = gauge("store_size_bytes", "Size of the redb file")?;
        let sessions = gauge("sessions_cached", "Sessions in the in-memory liveness cache")?;
        let uptime = gauge("uptime_seconds", "Seconds since start")?;
        let sockets = gauge("ws_open_sockets", "Open WebSocket connections")?;
        let channels = gauge("hub_active_channels", "Hub channels with at least one subscriber")?;
        for c in [&job_depth, &dead_jobs, &store_bytes, &sessions, &uptime, &sockets, &channels] {
            registry.register(Box::new(c.clone()))?;
        }
        registry.register(Box::new(latency.clone()))?;
        Ok(Self { registry, latency, job_depth, dead_jobs, store_bytes, sessions, uptime, sockets, channels })
    }

    /// Records one request.
    pub fn observe(&self, method: &Method, path: &str, status: u16, elapsed: Duration) {
        let route = if status == 404 || status == 405 { "unmatched".to_owned() } else { route_label(path) };
        self.latency.with_label_values(&[method.as_str(), &route, &status.to_string()]).observe(elapsed.as_secs_f64());
    }
}

/// Replaces id-like path segments by `{id}` so label cardinality stays bounded.
fn route_label(path: &str) -> String {
    path.trim_end_matches('/')
        .split('/')
        .map(|seg| {
            if seg.len() >= 16 && seg.chars().all(|c| c.is_ascii_hexdigit() || c == '-') || seg.parse::<u64>().is_ok() {
                "{id}"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// `GET /metrics` in the Prometheus text format.
#[handler]
pub async fn metrics(state: Data<&AppState>, m: Data<&std::sync::Arc<HttpMetrics>>) -> poem::Result<String> {
    let (depth, dead) = state
        .store
        .read(|tx| Ok((jobs::depth(tx)?.0, jobs::dead_count(tx)?)))
        .await
        .map_err(crate::error::AppError::from)?;
    m.job_depth.set(depth as i64);
    m.dead_jobs.set(dead as i64);
    m.store_bytes.set(std::fs::metadata(state.config.db_path()).map(|md| md.len() as i64).unwrap_or(0));
    m.sessions.set(state.sessions.len() as i64);
    m.uptime.set(state.started_at.elapsed().as_secs() as i64);
    m.sockets.set(state.hub.open_sockets() as i64);
    m.channels.set(state.hub.active_channels() as i64);
    let mut out = Vec::new();
    TextEncoder::new().encode(&m.registry.gather(), &mut out).map_err(crate::error::AppError::internal)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn route_labels_hide_ids() {
        assert_eq!(
            super::route_label("/api/v1/auth/sessions/0195f1a2-7b3c-7d4e-8f90-123456789abc"),
            "/api/v1/auth/sessions/{id}"
        );
        assert_eq!(super::route_label("/health/"), "/health");
    }
}
