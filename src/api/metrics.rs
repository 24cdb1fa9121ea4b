//! Prometheus metrics: request latency by route template and status, the hub's traffic,
//! and gauges refreshed at scrape time (open sockets, job queue depth and age, dead letters,
//! store size and cache, cached sessions), the store writer's totals (closures, batches, time
//! running and committing them), plus the process collector (CPU, memory, file handles).
//!
//! Label values come only from closed sets: the route *template* poem matched (never the
//! raw path: an attacker could otherwise create one series per URL and grow memory without
//! bound), `unmatched` for every path no route knows, a fixed list of methods, and the
//! status code.

use std::{sync::Arc, time::Duration};

use poem::{
    Request, handler,
    http::{Method, StatusCode, header},
    web::Data,
};
use prometheus::{
    Counter, CounterVec, Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder, process_collector,
};

use crate::error::ErrorCode;
use crate::{
    error::{AppError, ErrorKind},
    service::operations,
    state::AppState,
};

/// The label of every path no route matched.
pub const UNMATCHED: &str = "unmatched";

/// One latency series: a (method, route template, status) and how many requests it counted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answered {
    pub method: String,
    pub route: String,
    pub status: u16,
    pub count: u64,
}

/// Request metrics shared by the middleware and the `/metrics` endpoint.
pub struct HttpMetrics {
    registry: Registry,
    latency: HistogramVec,
    gauges: Gauges,
    hub: HubCounters,
    writer: WriterCounters,
}

/// Values read at scrape time.
struct Gauges {
    job_depth: IntGauge,
    job_oldest_due: IntGauge,
    dead_jobs: IntGauge,
    store_bytes: IntGauge,
    sessions: IntGauge,
    uptime: IntGauge,
    sockets: IntGauge,
    channels: IntGauge,
    store_cache: IntGauge,
    index_bytes: IntGauge,
    index_docs: IntGauge,
    index_queued: IntGauge,
    index_lag: IntGauge,
    index_building: IntGauge,
}

/// The store writer's running totals, copied in at scrape time: how many closures ran in
/// how many transactions, and where the writer thread's time went.
struct WriterCounters {
    jobs: IntCounter,
    batches: IntCounter,
    replays: IntCounter,
    entries: IntCounter,
    entry_bytes: IntCounter,
    job_secs: Counter,
    commit_secs: Counter,
    /// Per table (a closed set: the store's tables): entries, and seconds changing the
    /// B-tree (`kind="write"`) or encoding records (`kind="encode"`).
    table_entries: IntCounterVec,
    table_secs: CounterVec,
}

/// The hub's running totals, copied in at scrape time.
struct HubCounters {
    published: IntCounter,
    delivered: IntCounter,
    dropped: IntCounter,
}

impl HttpMetrics {
    /// Registers every metric in a fresh registry.
    pub fn new() -> anyhow::Result<Self> {
        let registry = Registry::new_custom(Some("p2p".into()), None)?;
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency by route template and status")
                .buckets(vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0]),
            &["method", "route", "status"],
        )?;
        let latency = registered(&registry, latency)?;
        let gauge = |name: &str, help: &str| registered(&registry, IntGauge::new(name, help)?);
        let gauges = Gauges {
            job_depth: gauge("job_queue_depth", "Jobs waiting or running")?,
            job_oldest_due: gauge("job_queue_oldest_due_seconds", "How long the most overdue job has been due")?,
            dead_jobs: gauge("job_dead_letters", "Jobs that exhausted their attempts")?,
            store_bytes: gauge("store_size_bytes", "Size of the redb file")?,
            sessions: gauge("sessions_cached", "Sessions in the in-memory liveness cache")?,
            uptime: gauge("uptime_seconds", "Seconds since start")?,
            sockets: gauge("ws_open_sockets", "Open WebSocket connections")?,
            channels: gauge("hub_active_channels", "Hub channels with at least one subscriber")?,
            store_cache: gauge("store_cache_bytes", "The store's configured page cache")?,
            index_bytes: gauge("search_index_size_bytes", "Size of the search index on disk")?,
            index_docs: gauge("search_index_documents", "Documents in the search index")?,
            index_queued: gauge("search_index_queued", "Records waiting to be (re)indexed")?,
            index_lag: gauge("search_index_lag_milliseconds", "How long the longest-waiting record has waited")?,
            index_building: gauge("search_index_building", "1 while a new index is being filled from the store")?,
        };
        let counter = |name: &str, help: &str| registered(&registry, IntCounter::new(name, help)?);
        let hub = HubCounters {
            published: counter("hub_events_published_total", "Events published on the hub")?,
            delivered: counter("hub_events_delivered_total", "Events handed to subscribed sockets")?,
            dropped: counter("hub_events_dropped_total", "Events a too-slow socket could not take (it is closed)")?,
        };
        let seconds = |name: &str, help: &str| registered(&registry, Counter::new(name, help)?);
        let writer = WriterCounters {
            jobs: counter("store_write_jobs_total", "Write closures the store ran")?,
            batches: counter("store_write_batches_total", "Write transactions committed (one per batch of closures)")?,
            replays: counter("store_write_replays_total", "Batches replayed after a closure failed having written")?,
            entries: counter("store_write_entries_total", "Entries written or deleted by write closures")?,
            entry_bytes: counter("store_write_entry_bytes_total", "Key and value bytes of those entries")?,
            job_secs: seconds("store_write_job_seconds_total", "Writer-thread time running write closures")?,
            commit_secs: seconds(
                "store_write_commit_seconds_total",
                "Writer-thread time committing (pages and fsync)",
            )?,
            table_entries: registered(
                &registry,
                IntCounterVec::new(
                    Opts::new("store_write_table_entries_total", "Entries write closures changed, by table"),
                    &["table"],
                )?,
            )?,
            table_secs: registered(
                &registry,
                CounterVec::new(
                    Opts::new(
                        "store_write_table_seconds_total",
                        "Writer-thread time changing (write) or encoding (encode) entries, by table",
                    ),
                    &["table", "kind"],
                )?,
            )?,
        };
        registry.register(Box::new(process_collector::ProcessCollector::for_self()))?;
        Ok(Self { registry, latency, gauges, hub, writer })
    }

    /// Records one request; `route` is the template poem matched, `None` when none did.
    pub fn observe(&self, method: &Method, route: Option<&str>, status: StatusCode, elapsed: Duration) {
        // An unknown path under a nested router carries the nest's pattern (`` or `/`).
        let route = route.filter(|r| r.len() > 1).unwrap_or(UNMATCHED);
        self.latency.with_label_values(&[method_label(method), route, status.as_str()]).observe(elapsed.as_secs_f64());
    }

    /// Every (method, route template, status) answered so far, with its count: what the
    /// latency series hold, read without rendering (tests compare it with the document).
    pub fn answered(&self) -> Vec<Answered> {
        let mut out = Vec::new();
        for family in prometheus::core::Collector::collect(&self.latency) {
            for m in family.get_metric() {
                let label = |name: &str| {
                    m.get_label().iter().find(|l| l.name() == name).map(|l| l.value().to_owned()).unwrap_or_default()
                };
                out.push(Answered {
                    method: label("method"),
                    route: label("route"),
                    status: label("status").parse().unwrap_or_default(),
                    count: m.get_histogram().get_sample_count(),
                });
            }
        }
        out
    }

    /// Refreshes the scrape-time values and renders the text format.
    async fn render(&self, state: &AppState) -> Result<String, AppError> {
        let jobs = operations::job_queue(state).await?;
        let search = operations::search_lag(state).await?;
        let v = operations::vitals(state);
        let g = &self.gauges;
        g.index_bytes.set(i64::try_from(search.bytes).unwrap_or(i64::MAX));
        g.index_docs.set(i64::try_from(search.documents).unwrap_or(i64::MAX));
        g.index_queued.set(i64::try_from(search.queued).unwrap_or(i64::MAX));
        g.index_lag.set(search.oldest_ms);
        g.index_building.set(i64::from(search.building));
        g.job_depth.set(jobs.queued as i64);
        g.job_oldest_due.set(jobs.oldest_due_ms / 1000);
        g.dead_jobs.set(jobs.dead as i64);
        g.store_bytes.set(v.store_bytes as i64);
        g.sessions.set(v.cached_sessions as i64);
        g.uptime.set(v.uptime_secs as i64);
        g.sockets.set(v.open_sockets as i64);
        g.channels.set(v.active_channels as i64);
        g.store_cache.set(i64::try_from(v.store_cache_bytes).unwrap_or(i64::MAX));
        let (w, written) = (&self.writer, v.writes);
        for (counter, total) in [
            (&w.jobs, written.jobs),
            (&w.batches, written.batches),
            (&w.replays, written.replays),
            (&w.entries, written.entries),
            (&w.entry_bytes, written.entry_bytes),
        ] {
            counter.inc_by(total.saturating_sub(counter.get()));
        }
        for (counter, total) in [(&w.job_secs, written.job_secs), (&w.commit_secs, written.commit_secs)] {
            counter.inc_by((total - counter.get()).max(0.0));
        }
        for (table, t) in &v.write_tables {
            let entries = w.table_entries.with_label_values(&[*table]);
            entries.inc_by(t.entries.saturating_sub(entries.get()));
            for (kind, nanos) in [("write", t.write_nanos), ("encode", t.encode_nanos)] {
                let secs = w.table_secs.with_label_values(&[*table, kind]);
                secs.inc_by((nanos as f64 / 1e9 - secs.get()).max(0.0));
            }
        }
        let traffic = v.hub;
        for (counter, total) in [
            (&self.hub.published, traffic.published),
            (&self.hub.delivered, traffic.delivered),
            (&self.hub.dropped, traffic.dropped),
        ] {
            counter.inc_by(total.saturating_sub(counter.get()));
        }
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out).map_err(AppError::internal)?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}

/// Registers `metric` in `registry` and returns it (its clones share the values).
fn registered<M: prometheus::core::Collector + Clone + 'static>(registry: &Registry, metric: M) -> anyhow::Result<M> {
    registry.register(Box::new(metric.clone()))?;
    Ok(metric)
}

/// The method as a label: the standard ones by name, any extension method as `OTHER`.
fn method_label(m: &Method) -> &'static str {
    const KNOWN: [Method; 9] = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::HEAD,
        Method::OPTIONS,
        Method::CONNECT,
        Method::TRACE,
    ];
    KNOWN.iter().find(|k| *k == m).map_or("OTHER", |k| k.as_str())
}

/// `GET /metrics` in the Prometheus text format; with `http.metrics_token` set, only for
/// `Authorization: Bearer <token>` (401 otherwise).
#[handler]
pub async fn metrics(req: &Request, state: Data<&AppState>, m: Data<&Arc<HttpMetrics>>) -> poem::Result<String> {
    let expected = state.config.http.metrics_token.as_bytes();
    if !expected.is_empty() {
        let given = req.header(header::AUTHORIZATION).and_then(|v| v.strip_prefix("Bearer ")).unwrap_or_default();
        let digest = crate::auth::secrets::sha256;
        if !crate::auth::secrets::same(&digest(given.as_bytes()), &digest(expected)) {
            return Err(AppError::new(
                ErrorKind::Unauthenticated,
                ErrorCode::MetricsTokenRequired,
                "This endpoint needs the metrics bearer token",
            )
            .into());
        }
    }
    Ok(m.render(&state).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_outside_the_standard_set_share_one_label() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::from_bytes(b"BREW").unwrap()), "OTHER");
    }
}
