//! Helpers shared by the benchmarks: starting the release server as a child process (and its
//! `bench-data` generator, in `dataset`), reading its memory and CPU time from /proc, the
//! open-file limit, percentiles, and load loops over keep-alive connections.
// Each bench compiles this module on its own and uses a subset of it.
#![allow(dead_code)]

pub mod accounts;
pub mod dataset;

// The data sets live in the library (`p2p-sandbox bench-data` writes them too).
#[allow(unused_imports)] // Each bench uses some of them.
pub use p2p_sandbox::service::bench_data::{self as medium, fixtures};
pub mod ws;

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use futures::future::join_all;
use reqwest::{Client, StatusCode};
use serde_json::Value;

/// Concurrency of the `GET /api/v1/users/me` probe.
pub const ME_CONCURRENCY: usize = 4;
/// Requests of the idle `users/me` run.
pub const IDLE_ME_REQUESTS: usize = 2_000;
/// Upper bound on the duration of any one phase.
pub const PHASE_LIMIT: Duration = Duration::from_secs(90);
/// Idle connections each client keeps per host.
const POOL_MAX_IDLE: usize = 256;

/// Kills the child process when dropped, so a panic never leaves a server behind.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The server binary: `P2P_BIN`, or the one cargo built for this bench.
pub fn server_bin() -> PathBuf {
    std::env::var_os("P2P_BIN").map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_p2p-sandbox")), PathBuf::from)
}

/// `bin` logging at `warn`; other `P2P_*` variables but `P2P_BIN` and `P2P_BENCH_*` pass
/// through.
fn bare_command(bin: &Path) -> Command {
    let mut c = Command::new(bin);
    // The benches' own variables: the server refuses unknown `P2P_*` keys.
    c.env_remove("P2P_BIN");
    for (key, _) in std::env::vars_os() {
        if key.to_str().is_some_and(|k| k.starts_with("P2P_BENCH_")) {
            c.env_remove(key);
        }
    }
    c.env("P2P_LOG_LEVEL", "warn").stdin(Stdio::null());
    c
}

/// `bin` with data in `data`, logging at `warn`, its output discarded; other `P2P_*`
/// variables but `P2P_BIN` and `P2P_BENCH_*` pass through.
fn command(bin: &Path, data: &Path) -> Command {
    let mut c = bare_command(bin);
    c.env("P2P_DATA_DIR", data).stdout(Stdio::null());
    c
}

/// Starts `bin` on `127.0.0.1:port` with data in `data`: device verification off, the per-IP
/// auth and per-person message rate limits lifted, logging at `warn`; other `P2P_*` variables but `P2P_BIN`
/// and `P2P_BENCH_*` pass through.
pub fn start_server(bin: &Path, data: &Path, port: u16) -> Proc {
    Proc(
        command(bin, data)
            .env("P2P_BIND", format!("127.0.0.1:{port}"))
            .env("P2P_AUTH__DEVICE_VERIFICATION", "false")
            .env("P2P_HTTP__AUTH_IP_RATE_PER_MINUTE", "1000000")
            .env("P2P_MESSAGES__SENDS_PER_MINUTE", "1000000")
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display())),
    )
}

/// Builds the search index of the store in `data` with `bin reindex`, as an operator would
/// before the first start: a server finding no index builds it before it listens, which on
/// a large preloaded store takes longer than `wait_healthy` waits. Returns how long it took.
pub fn reindex(bin: &Path, data: &Path) -> Duration {
    let t = Instant::now();
    let status = command(bin, data).arg("reindex").status().unwrap_or_else(|e| panic!("cannot run reindex: {e}"));
    assert!(status.success(), "{} reindex: {status}", bin.display());
    t.elapsed()
}

/// Peak and current resident set size of `pid`, in MiB, from /proc.
pub fn rss_mib(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// Anonymous and file-backed resident memory of `pid` (MiB): the index is mapped, so its
/// pages count as resident file pages the kernel can drop, unlike the heap.
pub fn rss_split(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb = |name: &str| {
        let line = status.lines().find_map(|l| l.strip_prefix(name));
        line.and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok()).map_or(f64::NAN, |k| k / 1024.0)
    };
    (kb("RssAnon:"), kb("RssFile:"))
}

/// This process's soft and hard `RLIMIT_NOFILE` (`u64::MAX` for unlimited), from /proc.
fn nofile() -> (u64, u64) {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    let line = limits.lines().find(|l| l.starts_with("Max open files")).unwrap_or_default();
    let f: Vec<u64> = line.split_whitespace().skip(3).take(2).map(|v| v.parse().unwrap_or(u64::MAX)).collect();
    (f.first().copied().unwrap_or(0), f.get(1).copied().unwrap_or(0))
}

/// Tries to raise this process's open-file limit to `want` with `prlimit(1)`, soft and hard
/// (needs CAP_SYS_RESOURCE), else the soft one to the hard; the server inherits the result.
/// Describes what happened; panics when the result is below `need`.
pub fn raise_nofile(want: u64, need: u64) -> String {
    let before = nofile();
    if before.0 >= want {
        return format!("RLIMIT_NOFILE {}/{} (soft/hard), enough", before.0, before.1);
    }
    let pid = std::process::id().to_string();
    let set = |soft: u64, hard: u64| {
        let out = Command::new("prlimit").args(["--pid", &pid, &format!("--nofile={soft}:{hard}")]).output();
        out.map_or_else(|e| e.to_string(), |o| String::from_utf8_lossy(&o.stderr).trim().to_owned())
    };
    let refused = set(want, want.max(before.1));
    if nofile().0 < want && before.0 < before.1 {
        set(before.1, before.1);
    }
    let after = nofile();
    assert!(after.0 >= need, "RLIMIT_NOFILE {after:?}: need {need} ({refused})");
    if after.0 >= want {
        format!("RLIMIT_NOFILE {}/{} raised to {}/{} with prlimit", before.0, before.1, after.0, after.1)
    } else {
        let why = if refused.contains("not permitted") { "not permitted" } else { "failed" };
        format!(
            "RLIMIT_NOFILE {}/{} (soft/hard); raising to {want} {why}, soft now {} (>= {need} needed)",
            before.0, before.1, after.0
        )
    }
}

pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// The `p` quantile (0..=1) of sorted latencies, in ms.
pub fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

pub async fn wait_healthy(client: &Client, base: &str, child: &mut Proc) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Some(status) = child.0.try_wait().unwrap() {
            panic!("{base}: server exited early with {status}");
        }
        if let Ok(r) = client.get(format!("{base}/health")).send().await
            && r.status() == StatusCode::OK
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{base}/health did not answer 200 within 30 s");
}

pub fn new_client() -> Client {
    Client::builder().no_proxy().pool_max_idle_per_host(POOL_MAX_IDLE).timeout(Duration::from_secs(60)).build().unwrap()
}

/// Characters of an error answer's body kept by `call`.
const ERROR_CHARS: usize = 300;

/// Sends `req`: the answer's body when its status is 2xx or 304, else the status and the
/// start of the body (or the transport error).
pub async fn call(req: reqwest::RequestBuilder) -> Result<bytes::Bytes, String> {
    let r = req.send().await.map_err(|e| format!("request failed: {e}"))?;
    let status = r.status();
    let body = r.bytes().await.map_err(|e| format!("{status}, body unread: {e}"))?;
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        return Ok(body);
    }
    Err(format!("{status}: {}", String::from_utf8_lossy(&body[..body.len().min(ERROR_CHARS)])))
}

/// `call`, the body parsed as JSON.
pub async fn call_json(req: reqwest::RequestBuilder) -> Result<Value, String> {
    let body = call(req).await?;
    serde_json::from_slice(&body).map_err(|e| format!("bad JSON: {e}"))
}

/// Signs in with `POST /api/v1/auth/login`; the access token and the user id (an answer
/// other than `authenticated`, e.g. a new-device check, is an error).
pub async fn login(client: &Client, base: &str, email: &str, password: &str) -> Result<(String, String), String> {
    let body = serde_json::json!({ "email": email, "password": password });
    let v = call_json(client.post(format!("{base}/api/v1/auth/login")).json(&body)).await?;
    match (v["status"].as_str(), v["access_token"].as_str(), v["user"]["id"].as_str()) {
        (Some("authenticated"), Some(token), Some(id)) => Ok((token.to_owned(), id.to_owned())),
        _ => Err(format!("login {email}: {v}")),
    }
}

/// `GET /users/me` from `ME_CONCURRENCY` tasks, each on its own client, until `max` requests
/// are made, `stop` is set, or `PHASE_LIMIT` passes. Returns the sorted latencies.
pub async fn me_load(base: &str, tokens: &[String], max: usize, stop: Arc<AtomicBool>) -> Vec<Duration> {
    let deadline = Instant::now() + PHASE_LIMIT;
    let issued = Arc::new(AtomicUsize::new(0));
    let url = format!("{base}/api/v1/users/me");
    let workers = (0..ME_CONCURRENCY).map(|w| {
        let (issued, stop, url) = (issued.clone(), stop.clone(), url.clone());
        let (client, token) = (new_client(), tokens[w % tokens.len()].clone());
        tokio::spawn(async move {
            let mut lat = Vec::new();
            while issued.fetch_add(1, Ordering::Relaxed) < max
                && !stop.load(Ordering::Relaxed)
                && Instant::now() < deadline
            {
                let t = Instant::now();
                let r = client.get(&url).bearer_auth(&token).send().await.unwrap();
                assert_eq!(r.status(), StatusCode::OK, "users/me");
                r.bytes().await.unwrap();
                lat.push(t.elapsed());
            }
            lat
        })
    });
    let mut all: Vec<Duration> = join_all(workers).await.into_iter().flat_map(Result::unwrap).collect();
    all.sort();
    all
}

/// `GET url` (with `bearer` auth when given) in a loop for `run`, one task per client (each
/// keeps one keep-alive connection). Returns requests per second and the sorted latencies.
pub async fn throughput(clients: &[Client], url: &str, bearer: Option<&str>, run: Duration) -> (f64, Vec<Duration>) {
    let (start, deadline) = (Instant::now(), Instant::now() + run);
    let workers = clients.iter().map(|c| {
        let (c, url, bearer) = (c.clone(), url.to_owned(), bearer.map(str::to_owned));
        tokio::spawn(async move {
            let mut lat = Vec::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                let mut req = c.get(&url);
                if let Some(token) = &bearer {
                    req = req.bearer_auth(token);
                }
                let r = req.send().await.unwrap();
                // 304 for clients that revalidate with `If-None-Match`.
                assert!(matches!(r.status(), StatusCode::OK | StatusCode::NOT_MODIFIED), "{url}: {}", r.status());
                r.bytes().await.unwrap();
                lat.push(t.elapsed());
            }
            lat
        })
    });
    let mut all: Vec<Duration> = join_all(workers).await.into_iter().flat_map(Result::unwrap).collect();
    let secs = start.elapsed().as_secs_f64();
    all.sort();
    (all.len() as f64 / secs, all)
}

/// What a create phase sends: the path and body of the `n`-th request of worker `w`.
pub type Make = Box<dyn Fn(usize, usize) -> (String, Value) + Send + Sync>;

/// Closed-loop creates: every worker (one person's client and token) POSTs in a loop for
/// `run`. Rate, sorted latencies, failures, and the ids created (`id` of each 201 body).
pub async fn create_load(
    base: &str,
    people: &[(Client, String)],
    run: Duration,
    make: Make,
) -> (f64, Vec<Duration>, usize, Vec<String>) {
    let make = Arc::new(make);
    let (start, deadline) = (Instant::now(), Instant::now() + run);
    let workers = people.iter().enumerate().map(|(w, (client, token))| {
        let (client, token, make, base) = (client.clone(), token.clone(), make.clone(), base.to_owned());
        tokio::spawn(async move {
            let (mut lat, mut failed, mut ids) = (Vec::new(), 0, Vec::new());
            let mut n = 0;
            while Instant::now() < deadline {
                let (path, body) = make(w, n);
                n += 1;
                let t = Instant::now();
                let r = client.post(format!("{base}{path}")).bearer_auth(&token).json(&body).send().await.unwrap();
                // 201 here; PocketBase answers a create with 200.
                let ok = matches!(r.status(), StatusCode::CREATED | StatusCode::OK);
                let v: Value = r.json().await.unwrap_or_default();
                if ok {
                    lat.push(t.elapsed());
                    ids.push(v["id"].as_str().unwrap_or_default().to_owned());
                } else {
                    failed += 1;
                }
            }
            (lat, failed, ids)
        })
    });
    let (mut all, mut failed, mut ids) = (Vec::new(), 0, Vec::new());
    for r in join_all(workers).await {
        let (lat, f, i) = r.unwrap();
        all.extend(lat);
        failed += f;
        ids.extend(i);
    }
    let secs = start.elapsed().as_secs_f64();
    all.sort();
    (all.len() as f64 / secs, all, failed, ids)
}

/// CPU time (user + system, all threads) used so far by `pid` and by this process, in s.
pub fn cpu_secs(pid: u32) -> (f64, f64) {
    let secs = |who: &str| {
        let stat = std::fs::read_to_string(format!("/proc/{who}/stat")).unwrap_or_default();
        let fields: Vec<&str> = stat.rsplit_once(')').map_or("", |(_, f)| f).split_whitespace().collect();
        let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(f64::NAN);
        (ticks(11) + ticks(12)) / 100.0 // utime + stime, in USER_HZ (100 on Linux)
    };
    (secs(&pid.to_string()), secs("self"))
}

/// Average cores busy in the server and in this process since `before` was taken at `t`.
pub fn cores_since(pid: u32, before: (f64, f64), t: Instant) -> (f64, f64) {
    let (now, wall) = (cpu_secs(pid), t.elapsed().as_secs_f64());
    ((now.0 - before.0) / wall, (now.1 - before.1) / wall)
}

/// Stops the server with SIGTERM, as an operator would, so redb closes cleanly (a killed
/// server leaves a store that the next start must repair first).
pub fn stop(server: &mut Proc) {
    let _ = Command::new("kill").args(["-TERM", &server.0.id().to_string()]).status();
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.0.try_wait().unwrap().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
}
