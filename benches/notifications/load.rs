//! Clients of the bench: logins, the read load (one keep-alive connection per signed-in
//! person, each GETting its own dashboard or notifications), the reply load, and the job
//! queue's depth as `/metrics` reports it.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use futures::future::join_all;
use p2p_sandbox::domain::ids::TopicId;
use rand::{Rng, SeedableRng, rngs::StdRng};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::common::new_client;

/// Failed requests kept verbatim for the report.
const KEEP_ERRORS: usize = 5;

pub async fn login(client: &Client, base: &str, email: &str, password: &str) -> String {
    let body = json!({ "email": email, "password": password });
    let r = client.post(format!("{base}/api/v1/auth/login")).json(&body).send().await.expect("login request");
    let v: Value = r.json().await.expect("login body");
    assert_eq!(v["status"], "authenticated", "login {email}: {v}");
    v["access_token"].as_str().expect("access_token").to_owned()
}

pub async fn get_json(client: &Client, url: &str, token: &str) -> Value {
    let r = client.get(url).bearer_auth(token).send().await.expect("GET");
    assert_eq!(r.status(), StatusCode::OK, "{url}");
    r.json().await.expect("JSON body")
}

/// One read run: requests per second, sorted latencies of the 200s, failures.
#[derive(Default)]
pub struct Reads {
    pub rate: f64,
    pub lat: Vec<Duration>,
    pub failed: usize,
    pub errors: Vec<String>,
    /// Connections that got no answer at all (refused or timed out from the start).
    pub silent: usize,
}

/// `GET url` with `token` in a loop for `run`, one task and client (so one keep-alive
/// connection) per target: every request in flight is a different person's. `check` looks
/// at each target's first 200 body once (a wrong body counts as a failure).
pub async fn read_load(targets: &[(String, String)], run: Duration, check: fn(&Value) -> Result<(), String>) -> Reads {
    let (start, deadline) = (Instant::now(), Instant::now() + run);
    let workers = targets.iter().cloned().map(|(url, token)| {
        tokio::spawn(async move {
            let client = new_client();
            let (mut lat, mut failed, mut errors, mut checked) = (Vec::new(), 0, Vec::new(), false);
            while Instant::now() < deadline {
                let t = Instant::now();
                let r = client.get(&url).bearer_auth(&token).send().await;
                let (status, body) = match r {
                    Ok(r) => (r.status(), r.bytes().await.unwrap_or_default()),
                    Err(e) => (StatusCode::IM_A_TEAPOT, e.to_string().into_bytes().into()),
                };
                let verdict = match status {
                    StatusCode::OK if checked => Ok(()),
                    StatusCode::OK => {
                        checked = true;
                        serde_json::from_slice(&body).map_err(|e| e.to_string()).and_then(|v| check(&v))
                    }
                    s => Err(format!("{s}: {}", String::from_utf8_lossy(&body))),
                };
                match verdict {
                    Ok(()) => lat.push(t.elapsed()),
                    Err(e) => {
                        failed += 1;
                        if errors.len() < KEEP_ERRORS {
                            errors.push(format!("{url}: {e}"));
                        }
                    }
                }
            }
            (lat, failed, errors)
        })
    });
    let mut all = Reads::default();
    for r in join_all(workers).await {
        let (lat, failed, errors) = r.expect("reader task");
        all.silent += usize::from(lat.is_empty());
        all.lat.extend(lat);
        all.failed += failed;
        all.errors.extend(errors.into_iter().take(KEEP_ERRORS.saturating_sub(all.errors.len())));
    }
    all.rate = all.lat.len() as f64 / start.elapsed().as_secs_f64();
    all.lat.sort();
    all
}

/// What the posters did in one run.
#[derive(Default)]
pub struct Posted {
    /// Sorted latencies of the 201s.
    pub lat: Vec<Duration>,
    pub failed: usize,
    pub errors: Vec<String>,
    pub wall: Duration,
}

/// POSTs one reply; `Err` carries the status and body of anything but 201.
async fn post_reply(client: &Client, base: &str, token: &str, topic: TopicId, body: &str) -> Result<(), String> {
    let url = format!("{base}/api/v1/forum/topics/{topic}/replies");
    let r = client.post(url).bearer_auth(token).json(&json!({ "body": body })).send().await;
    let r = r.map_err(|e| e.to_string())?;
    let status = r.status();
    let text = r.text().await.unwrap_or_default();
    if status == StatusCode::CREATED { Ok(()) } else { Err(format!("{status}: {text}")) }
}

/// One task per token (each with its own connection) POSTs replies for `run` to topics
/// picked at random: each reply tells the topic's author inline and queues the fan-out to
/// its other watchers.
pub async fn post_load(base: &str, tokens: &[String], topics: &Arc<Vec<TopicId>>, run: Duration) -> Posted {
    let (start, deadline) = (Instant::now(), Instant::now() + run);
    let workers = tokens.iter().enumerate().map(|(w, token)| {
        let (token, base, topics) = (token.clone(), base.to_owned(), topics.clone());
        tokio::spawn(async move {
            let (client, mut rng) = (new_client(), StdRng::from_entropy());
            let mut out = Posted::default();
            for n in 0.. {
                if Instant::now() >= deadline {
                    break;
                }
                let topic = topics[rng.gen_range(0..topics.len())];
                let body = format!("Load reply from poster {w}, number {n}: the valve was the culprit.");
                let t = Instant::now();
                match post_reply(&client, &base, &token, topic, &body).await {
                    Ok(()) => out.lat.push(t.elapsed()),
                    Err(e) => {
                        out.failed += 1;
                        if out.errors.len() < KEEP_ERRORS {
                            out.errors.push(e);
                        }
                    }
                }
            }
            out
        })
    });
    let mut all = Posted::default();
    for p in join_all(workers).await {
        let p = p.expect("poster task");
        all.lat.extend(p.lat);
        all.failed += p.failed;
        all.errors.extend(p.errors.into_iter().take(KEEP_ERRORS.saturating_sub(all.errors.len())));
    }
    all.wall = start.elapsed();
    all.lat.sort();
    all
}

/// The value of the unlabelled series `name` in `/metrics` text.
fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')).and_then(|v| v.trim().parse().ok())
}

async fn metrics(client: &Client, base: &str) -> Option<String> {
    client.get(format!("{base}/metrics")).send().await.ok()?.text().await.ok()
}

/// The gauge `name` of `GET /metrics` (e.g. `p2p_job_queue_depth`), `None` if absent.
pub async fn gauge(client: &Client, base: &str, name: &str) -> Option<u64> {
    metric(&metrics(client, base).await?, name).map(|v| v as u64)
}

/// The store writer's totals from `/metrics`: write closures, the transactions that
/// committed them in batches, entries written, and the writer thread's time running the
/// closures and committing (s). NaN where absent.
#[derive(Clone, Copy, Debug, Default)]
pub struct Writer {
    pub closures: f64,
    pub batches: f64,
    pub entries: f64,
    pub running: f64,
    pub committing: f64,
}

impl Writer {
    pub async fn read(client: &Client, base: &str) -> Self {
        let text = metrics(client, base).await.unwrap_or_default();
        let m = |name: &str| metric(&text, name).unwrap_or(f64::NAN);
        Self {
            closures: m("p2p_store_write_jobs_total"),
            batches: m("p2p_store_write_batches_total"),
            entries: m("p2p_store_write_entries_total"),
            running: m("p2p_store_write_job_seconds_total"),
            committing: m("p2p_store_write_commit_seconds_total"),
        }
    }

    /// What happened between `before` and `self`.
    pub fn since(&self, before: &Self) -> Self {
        Self {
            closures: self.closures - before.closures,
            batches: self.batches - before.batches,
            entries: self.entries - before.entries,
            running: self.running - before.running,
            committing: self.committing - before.committing,
        }
    }
}

/// Jobs waiting or running.
pub async fn queue_depth(client: &Client, base: &str) -> Option<u64> {
    gauge(client, base, "p2p_job_queue_depth").await
}

/// How the job queue emptied after a load.
#[derive(Clone, Copy, Default)]
pub struct Drain {
    /// Jobs queued when the load stopped.
    pub backlog: Option<u64>,
    /// Jobs still queued at the end (0 when it emptied).
    pub left: Option<u64>,
    /// Until it emptied, or the limit.
    pub took: Duration,
}

impl Drain {
    /// Jobs finished per second while draining.
    pub fn rate(&self) -> f64 {
        match (self.backlog, self.left) {
            (Some(b), Some(l)) => b.saturating_sub(l) as f64 / self.took.as_secs_f64(),
            _ => f64::NAN,
        }
    }
}

/// The backlog when called and how long the queue then takes to empty, polled every 20 ms
/// up to `limit`. A job counts until its last batch committed.
pub async fn drain(client: &Client, base: &str, limit: Duration) -> Drain {
    let t = Instant::now();
    let backlog = queue_depth(client, base).await;
    let mut left = backlog;
    while t.elapsed() < limit && left.is_some_and(|l| l > 0) {
        tokio::time::sleep(Duration::from_millis(20)).await;
        left = queue_depth(client, base).await;
    }
    Drain { backlog, left, took: t.elapsed() }
}
