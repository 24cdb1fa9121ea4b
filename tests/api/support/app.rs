//! `TestApp`: the real server in-process on a random port with a temporary data dir, the
//! settings it runs with, and the plain HTTP verbs every endpoint helper is built on.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::{Duration, Instant},
};

use p2p_sandbox::{App, Config, api::metrics::HttpMetrics, state::AppState};
use reqwest::{Client, Method, RequestBuilder, Response};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::{sync::oneshot, task::JoinHandle};

/// A running server.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub addr: String,
    /// The data dir (store, media, outbox).
    pub dir: PathBuf,
    _tmp: Option<TempDir>,
    stop: Option<oneshot::Sender<()>>,
    state: Option<AppState>,
    handle: Option<JoinHandle<anyhow::Result<()>>>,
    /// What it answered, checked against the document when it is dropped.
    metrics: Arc<HttpMetrics>,
    /// Every `P2P_*` setting it was started with.
    pub env: Vec<(String, String)>,
}

/// Settings every test server uses: loopback, cheap argon2, no new-device codes.
fn base_env(dir: &Path) -> Vec<(String, String)> {
    [
        ("P2P_DATA_DIR", dir.to_str().unwrap()),
        ("P2P_BIND", "127.0.0.1:0"),
        ("P2P_LOG_LEVEL", "warn"),
        ("P2P_AUTH__ARGON2_MEMORY_KIB", "256"),
        ("P2P_AUTH__ARGON2_ITERATIONS", "1"),
        ("P2P_AUTH__DEVICE_VERIFICATION", "false"),
        ("P2P_HTTP__AUTH_IP_RATE_PER_MINUTE", "100000"),
        ("P2P_JOBS__POLL_INTERVAL_MS", "100"),
        // Notification emails go out at once (a waiting one would keep the job queue from
        // ever emptying); the tests of their timing set their own.
        ("P2P_NOTIFICATIONS__EMAIL_DELAY_SECS", "0"),
        ("P2P_NOTIFICATIONS__EMAIL_WINDOW_SECS", "0"),
        // No scheduled backups (the backup tests take theirs).
        ("P2P_BACKUP__INTERVAL_SECS", "0"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

/// `extra` as owned pairs.
fn owned<K: AsRef<str>, V: AsRef<str>>(extra: &[(K, V)]) -> Vec<(String, String)> {
    extra.iter().map(|(k, v)| (k.as_ref().to_owned(), v.as_ref().to_owned())).collect()
}

impl TestApp {
    /// A server with the default test settings.
    pub async fn spawn() -> Self {
        Self::spawn_with::<&str, &str>(&[]).await
    }

    /// A server with extra `P2P_*` settings.
    pub async fn spawn_with<K: AsRef<str>, V: AsRef<str>>(extra: &[(K, V)]) -> Self {
        let tmp = TempDir::new().unwrap();
        let dir = tmp.path().to_path_buf();
        let mut env = base_env(&dir);
        env.extend(owned(extra));
        let mut app = Self::start(dir, env).await;
        app._tmp = Some(tmp);
        app
    }

    /// A server with the default test settings on `tmp`, a data dir already filled (e.g.
    /// with a fixture store); it is removed with the app.
    pub async fn spawn_in(tmp: TempDir) -> Self {
        let dir = tmp.path().to_path_buf();
        let mut app = Self::start(dir.clone(), base_env(&dir)).await;
        app._tmp = Some(tmp);
        app
    }

    /// Starts a server on `dir` with exactly `env`.
    pub async fn start(dir: PathBuf, env: Vec<(String, String)>) -> Self {
        let config = Config::load_from(None, env.clone()).expect("test config");
        p2p_sandbox::telemetry::init(&config);
        let app = App::build(config).await.expect("app builds");
        let addr = format!("http://{}", app.addr());
        let state = Some(app.state().clone());
        let metrics = app.metrics().clone();
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(app.run_until_stopped(async move {
            let _ = rx.await;
        }));
        Self { addr, dir, _tmp: None, stop: Some(tx), state, handle: Some(handle), metrics, env }
    }

    /// Stops gracefully and waits until the database is closed.
    pub async fn stop(&mut self) {
        // Our handle on the state keeps the database open; release it first.
        self.state = None;
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            h.await.unwrap().unwrap();
        }
    }

    /// Stops, then starts again on the same data dir with the same settings plus `extra`.
    pub async fn restart_with(mut self, extra: &[(&str, &str)]) -> Self {
        self.stop().await;
        let mut env = self.env.clone();
        env.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
        env.extend(owned(extra));
        let mut next = Self::start(self.dir.clone(), env).await;
        next._tmp = self._tmp.take();
        next
    }

    /// The running server's state, for fixtures no endpoint can make.
    pub fn state(&self) -> &AppState {
        self.state.as_ref().expect("running")
    }

    /// The absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.addr)
    }

    /// A request without cookies (API-client style).
    pub fn req(&self, method: Method, path: &str) -> RequestBuilder {
        Client::new().request(method, self.url(path))
    }

    /// `GET path`, with a bearer token when given.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut r = self.req(Method::GET, path);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send().await.unwrap()
    }

    /// `GET path` as `token`; asserts a success status and returns the JSON body.
    pub async fn get_json(&self, path: &str, token: &str) -> Value {
        let r = self.get(path, Some(token)).await;
        let status = r.status();
        let body = r.text().await.unwrap();
        assert!(status.is_success(), "GET {path}: {status} {body}");
        serde_json::from_str(&body).unwrap()
    }

    /// `POST path` with a JSON body.
    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.send(Method::POST, path, token, body).await
    }

    /// `PUT path` with a JSON body.
    pub async fn put(&self, path: &str, token: &str, body: Value) -> Response {
        self.send(Method::PUT, path, Some(token), body).await
    }

    /// `PATCH path` with a JSON body.
    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Response {
        self.send(Method::PATCH, path, Some(token), body).await
    }

    /// `DELETE path` (with an empty JSON body).
    pub async fn delete(&self, path: &str, token: &str) -> Response {
        self.send(Method::DELETE, path, Some(token), json!({})).await
    }

    /// Any method with a JSON body.
    pub async fn send(&self, method: Method, path: &str, token: Option<&str>, body: Value) -> Response {
        let mut r = self.req(method, path).json(&body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send().await.unwrap()
    }

    /// The `/metrics` text (no token configured).
    pub async fn metrics(&self) -> String {
        self.get("/metrics", None).await.text().await.unwrap()
    }

    /// Waits (bounded) until the search index holds every acknowledged write (it is built and
    /// its queue is empty; the indexer commits at most every 0.5 s).
    pub async fn wait_for_index(&self) {
        let started = Instant::now();
        let caught_up = |m: &str| m.contains("p2p_search_index_queued 0") && m.contains("p2p_search_index_building 0");
        while !caught_up(&self.metrics().await) {
            assert!(started.elapsed() < Duration::from_secs(10), "the search index never caught up");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits (bounded) until the job queue is empty, e.g. every thumbnail is made.
    pub async fn wait_for_jobs(&self) {
        let started = Instant::now();
        while !self.metrics().await.contains("p2p_job_queue_depth 0") {
            assert!(started.elapsed() < Duration::from_secs(10), "the job queue never emptied");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        // A test that failed already says why; a second panic would abort the run.
        if std::thread::panicking() {
            return;
        }
        let wrong = super::conformance::undocumented(&self.metrics.answered());
        assert!(
            wrong.is_empty(),
            "the server answered statuses its OpenAPI document does not list:\n{}",
            wrong.join("\n")
        );
    }
}
