//! End-to-end performance figures for the release server, run as a child process.
//!
//! Run with `cargo bench --bench core`: cargo builds the `p2p-sandbox` binary in the release
//! (bench) profile first, so that one command does everything. Set `P2P_BIN` to benchmark
//! another binary instead. The server gets a fresh temporary data dir, a free port on
//! 127.0.0.1, the default argon2 parameters (OWASP: 19 MiB, t=2, p=1), device verification
//! off and the per-IP auth rate limit lifted; other `P2P_*` variables set in the environment
//! pass through to it (e.g. `P2P_AUTH__HASH_CONCURRENCY=1`).
//!
//! It measures:
//! 1. **Login storm**: 100 users (signed up and verified through the outbox) log in at once,
//!    in several rounds; logins/s and p50/p99 latency. Meanwhile `GET /api/v1/users/me` runs
//!    at a fixed concurrency; its p99 is compared with an idle run (target: within 2x).
//! 2. **`GET /health` throughput** over 256 keep-alive connections against a bare poem
//!    handler returning the same JSON, served by this executable re-run as a separate
//!    process (`--bare-server <port>`) (target: at least 70%).
//! 3. **Peak RSS** (`VmHWM`) of the server process after each phase.
//!
//! The load generator shares the machine with the servers, so absolute figures are
//! machine-dependent; the ratios are the point.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::{
    io::Read,
    process::{Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use common::{
    IDLE_ME_REQUESTS, ME_CONCURRENCY, PHASE_LIMIT, Proc,
    accounts::{create_users, email, password},
    free_port, me_load, new_client, pct, rss_mib, server_bin, start_server, throughput, wait_healthy,
};
use futures::future::join_all;
use reqwest::Client;
use serde_json::{Value, json};

const USERS: usize = 100;
const LOGIN_ROUNDS: usize = 3;
const HEALTH_CONNECTIONS: usize = 256;
const HEALTH_WARMUP: Duration = Duration::from_secs(1);
const HEALTH_RUN: Duration = Duration::from_secs(5);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--bare-server") {
        let port: u16 = args[i + 1].parse().expect("port");
        return bare_server(port);
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(run());
}

/// `LOGIN_ROUNDS` rounds of `USERS` simultaneous logins; sorted latencies and total time.
async fn login_storm(client: &Client, base: &str) -> (Vec<Duration>, usize, Duration) {
    let start = Instant::now();
    let (mut lat, mut failed) = (Vec::new(), 0);
    for _ in 0..LOGIN_ROUNDS {
        let logins = (0..USERS).map(|i| {
            let body = json!({ "email": email(i), "password": password(i) });
            let req = client.post(format!("{base}/api/v1/auth/login")).json(&body);
            tokio::spawn(async move {
                let t = Instant::now();
                let v: Value = req.send().await.ok()?.json().await.ok()?;
                (v["status"] == "authenticated").then(|| t.elapsed())
            })
        });
        for r in join_all(logins).await {
            match r.unwrap() {
                Some(d) => lat.push(d),
                None => failed += 1,
            }
        }
        if start.elapsed() > PHASE_LIMIT {
            break;
        }
    }
    lat.sort();
    (lat, failed, start.elapsed())
}

async fn run() {
    let bin = server_bin();
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    println!("server: {} on {base}, data dir {}", bin.display(), data.path().display());
    let mut server = start_server(&bin, data.path(), port);
    let pid = server.0.id();
    let client = new_client();
    wait_healthy(&client, &base, &mut server).await;

    let t = Instant::now();
    let tokens = create_users(&client, &base, &data.path().join("outbox"), USERS).await;
    println!("created and verified {USERS} users in {:.1} s", t.elapsed().as_secs_f64());
    let rss_setup = rss_mib(pid);

    let idle = me_load(&base, &tokens, IDLE_ME_REQUESTS, Arc::default()).await;
    let stop = Arc::new(AtomicBool::new(false));
    let (storm_me, (logins, failed, storm_time)) =
        tokio::join!(me_load(&base, &tokens, usize::MAX, stop.clone()), async {
            let r = login_storm(&client, &base).await;
            stop.store(true, Ordering::Relaxed);
            r
        });
    let rss_storm = rss_mib(pid);
    let login_rate = logins.len() as f64 / storm_time.as_secs_f64();
    let (idle_p99, storm_p99) = (pct(&idle, 0.99), pct(&storm_me, 0.99));
    println!("login storm done in {:.1} s", storm_time.as_secs_f64());

    let bare_port = free_port();
    let bare_base = format!("http://127.0.0.1:{bare_port}");
    let mut bare = Proc(
        Command::new(std::env::current_exe().unwrap())
            .args(["--bare-server", &bare_port.to_string()])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    wait_healthy(&client, &bare_base, &mut bare).await;
    let clients: Vec<Client> = (0..HEALTH_CONNECTIONS).map(|_| new_client()).collect();
    let mut health = Vec::new();
    for url in [format!("{base}/health"), format!("{bare_base}/health")] {
        throughput(&clients, &url, None, HEALTH_WARMUP).await;
        let (rps, lat) = throughput(&clients, &url, None, HEALTH_RUN).await;
        health.push((rps, pct(&lat, 0.99)));
    }
    let ((hwm_health, rss_end), (bare_hwm, _)) = (rss_mib(pid), rss_mib(bare.0.id()));
    drop((bare, server));

    let (ok, p50, p99) = (logins.len(), pct(&logins, 0.5), pct(&logins, 0.99));
    let (idle_n, storm_n, secs) = (idle.len(), storm_me.len(), HEALTH_RUN.as_secs());
    let ((srv_rps, srv_p99), (bare_rps, bare_p99)) = (health[0], health[1]);
    let health_pct = 100.0 * srv_rps / bare_rps;
    let me_ratio = storm_p99 / idle_p99;
    let me_ok = if me_ratio <= 2.0 { "ok" } else { "MISSED" };
    let health_ok = if health_pct >= 70.0 { "ok" } else { "MISSED" };
    let (hwm_setup, hwm_storm) = (rss_setup.0, rss_storm.0);
    println!(
        "\n== p2p-sandbox core benchmark ==\n\
         login storm: {LOGIN_ROUNDS} rounds of {USERS} simultaneous logins (argon2 defaults)\n\
         users/me: concurrency {ME_CONCURRENCY}, {idle_n} requests idle, {storm_n} in the storm\n\
         /health: {HEALTH_CONNECTIONS} keep-alive connections, {secs} s per target\n\n\
         figure                                 value  unit      note\n\
         login storm: logins ok / failed   {ok:>6} / {failed}\n\
         login storm: throughput         {login_rate:>12.1}  logins/s\n\
         login storm: login p50          {p50:>12.0}  ms\n\
         login storm: login p99          {p99:>12.0}  ms\n\
         users/me p99 idle               {idle_p99:>12.2}  ms\n\
         users/me p99 during storm       {storm_p99:>12.2}  ms\n\
         users/me p99 storm / idle       {me_ratio:>12.2}  x         target <= 2x: {me_ok}\n\
         GET /health server              {srv_rps:>12.0}  req/s     p99 {srv_p99:.1} ms\n\
         GET /health bare poem handler   {bare_rps:>12.0}  req/s     p99 {bare_p99:.1} ms\n\
         GET /health server / bare       {health_pct:>12.1}  %         target >= 70%: {health_ok}\n\
         server VmHWM after signups      {hwm_setup:>12.1}  MiB\n\
         server VmHWM after login storm  {hwm_storm:>12.1}  MiB       peak RSS, login phase\n\
         server VmHWM after /health      {hwm_health:>12.1}  MiB       peak RSS, whole run\n\
         server VmRSS at the end         {rss_end:>12.1}  MiB\n\
         bare poem server VmHWM          {bare_hwm:>12.1}  MiB"
    );
}

/// The reference: a minimal poem route answering the same JSON as the server's `/health`.
/// Exits when its stdin closes, so it never outlives the benchmark.
fn bare_server(port: u16) {
    use poem::{
        EndpointExt, Route, Server, get, handler,
        listener::TcpListener,
        web::{Data, Json},
    };

    #[handler]
    fn health(started: Data<&Instant>) -> Json<Value> {
        Json(json!({
            "status": "healthy",
            "async": true,
            "version": env!("CARGO_PKG_VERSION"),
            "uptime_seconds": started.elapsed().as_secs(),
        }))
    }

    std::thread::spawn(|| {
        let _ = std::io::stdin().read_to_end(&mut Vec::new());
        std::process::exit(0);
    });
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let app = Route::new().at("/health", get(health)).data(Instant::now());
    rt.block_on(Server::new(TcpListener::bind(format!("127.0.0.1:{port}"))).run(app)).unwrap();
}
