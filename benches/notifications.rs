//! Dashboard and notification figures for the release server, run as a child process
//! (issue 13): the dashboard under 1,000 signed-in people at once, the notification list and
//! the bell's count under 256, and reply creation with the watchers' fan-out on.
//!
//! Run with `cargo bench --bench notifications`: cargo builds the `p2p-sandbox` binary in the
//! release (bench) profile first. Set `P2P_BIN` to benchmark another binary instead; other
//! `P2P_*` variables pass through to the server, as in `benches/core.rs`, but
//! `P2P_BENCH_SCALE` (default 1.0), which scales the data set down for a quick run (0.05
//! loads in seconds).
//!
//! Before the server starts, the spec's medium data set — 2,000 organizations of 10 active,
//! verified members (20,000 users, one shared argon2 hash), 100,000 topics with 500,000
//! replies (1 to 9 each), 10 watchers per topic, 20 notifications per person (0 to 10
//! unread) and 10,000 use cases — is written straight into a fresh redb file through the
//! library, with every counter, the activity feed and the trending scores as the services
//! keep them (see `common/medium.rs`); the load is timed, and so is the search
//! index's build with `p2p-sandbox reindex` (a server finding no index builds it before it
//! listens, longer than `wait_healthy` waits on this data set). Then the first 1,000
//! people log in over HTTP (one session each), and, each phase 1 s (2 s for the first) of
//! warm-up then `RUN`:
//! 1. **Dashboard**: 1,000 connections, each a different person, `GET
//!    /api/v1/dashboard/stats`: req/s, p50/p99, failures (target p99 < 50 ms, no errors).
//!    Before it, one connection alone for 1 s gives the latency without queueing (so do
//!    the reads of phase 2).
//! 2. **Notifications**: 256 of them `GET /api/v1/notifications` (the first page, 20 items),
//!    then `GET /api/v1/notifications/unread`: req/s, p50/p99 (target p99 < 20 ms).
//! 3. **Replies**: 64 of them (one connection each) POST replies to random topics. Each
//!    reply notifies the topic's author in its own transaction and queues a job that
//!    notifies the topic's other ~9 watchers: replies/s, p50/p99 (targets ≥ 2,000/s, p99 <
//!    50 ms); then the job queue's backlog when the load stops and how long it takes to
//!    empty (`p2p_job_queue_depth` of `/metrics`, polled every 20 ms). The queue is drained
//!    after the warm-up, so the run starts from an empty one.
//!
//! Checks: the first person's bell and their organization's figures on the dashboard match
//! the preload before the load, and the forum's counters add up afterwards.
//! With a read phase keeping N requests in flight, its mean latency is N / rate: a 50 ms
//! mean at 1,000 connections needs 20,000 req/s. The load generator shares the machine with
//! the server, so absolute figures are machine-dependent; each phase also prints the cores
//! the server and the bench kept busy.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "notifications/load.rs"]
mod load;
#[path = "notifications/report.rs"]
mod report;

// The medium data set, shared with the search bench.
use common::medium as preload;

use std::{
    path::Path,
    sync::Arc,
    time::{Duration, Instant},
};

use common::{cores_since, cpu_secs, free_port, new_client, rss_mib, server_bin, start_server, wait_healthy};
use futures::{StreamExt, stream};
use p2p_sandbox::{auth::password::PasswordHasher, service::progress::Silent, store::Store};
use serde_json::Value;

const PASSWORD: &str = "Bench-notify-pass9";
const DASHBOARD_CLIENTS: usize = 1_000;
const NOTIFICATION_CLIENTS: usize = 256;
const POSTERS: usize = 64;
const LOGIN_CONCURRENCY: usize = 8;
const WARMUP: Duration = Duration::from_secs(1);
/// Opening 1,000 connections at once takes a moment of its own.
const DASHBOARD_WARMUP: Duration = Duration::from_secs(2);
const RUN: Duration = Duration::from_secs(10);
/// One connection alone first: the service time of a request without queueing.
const ALONE: Duration = Duration::from_secs(1);
/// Longest wait for the job queue to empty.
const DRAIN_LIMIT: Duration = Duration::from_secs(120);
/// Page cache of the preload's store: the load writes far more than the server's default.
const PRELOAD_CACHE: usize = 512 << 20;

/// The data set's size after `P2P_BENCH_SCALE`.
struct Sizes {
    scale: f64,
    orgs: usize,
    users: usize,
    topics: usize,
    use_cases: usize,
}

impl Sizes {
    fn from_env() -> Self {
        let scale = std::env::var("P2P_BENCH_SCALE").ok().and_then(|v| v.parse::<f64>().ok()).unwrap_or(1.0);
        assert!(scale > 0.0 && scale <= 1.0, "P2P_BENCH_SCALE must be in (0, 1]");
        let of = |n: usize, min: usize| ((n as f64 * scale).round() as usize).max(min);
        // At least 26 organizations, so that 256 people read their own notifications.
        let orgs = of(preload::ORGS, NOTIFICATION_CLIENTS.div_ceil(preload::PER_ORG));
        Self {
            scale,
            orgs,
            users: orgs * preload::PER_ORG,
            topics: of(preload::TOPICS, 10),
            use_cases: of(preload::USE_CASES, 1),
        }
    }
}

/// What the preload wrote and how long it took.
struct Loaded {
    forum: preload::Forum,
    took: Duration,
    transactions: usize,
    size_mib: f64,
}

fn main() {
    let sizes = Sizes::from_env();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let data = tempfile::tempdir().unwrap();
    let hash = rt.block_on(async {
        let hasher = PasswordHasher::new(19456, 2, 1, 1).unwrap();
        hasher.hash(PASSWORD.to_owned()).await.expect("hash")
    });
    // The embedded default categories: the server runs without a config file.
    let categories: Vec<String> =
        p2p_sandbox::Config::load_from(None, []).unwrap().forum.categories.into_iter().map(|c| c.id).collect();
    let db = data.path().join("p2p.redb");
    let t = Instant::now();
    let store = Store::open_with_cache(&db, PRELOAD_CACHE).unwrap();
    let people = preload::people(&store, sizes.orgs, &hash, &preload::text::PLAIN, &Silent).unwrap();
    println!("preload: {} users in {:.1} s", people.ids.len(), t.elapsed().as_secs_f64());
    let forum = preload::forum(&store, &people, &categories, sizes.topics, &preload::text::PLAIN, &Silent).unwrap();
    println!("preload: {} topics, {} replies by {:.1} s", forum.topics.len(), forum.replies, t.elapsed().as_secs_f64());
    let uc_transactions = preload::use_cases(&store, &people, sizes.use_cases, &preload::text::PLAIN, &Silent).unwrap();
    drop(store);
    let loaded = Loaded {
        transactions: sizes.orgs.div_ceil(200) + forum.transactions + uc_transactions,
        forum,
        took: t.elapsed(),
        size_mib: std::fs::metadata(&db).map_or(0, |m| m.len()) as f64 / (1024.0 * 1024.0),
    };
    println!(
        "preload: scale {}: {} orgs, {} users, {} topics, {} replies, {} watches, {} notifications, {} use cases \
         in {:.1} s ({:.0} MiB)",
        sizes.scale,
        sizes.orgs,
        sizes.users,
        sizes.topics,
        loaded.forum.replies,
        loaded.forum.watches,
        loaded.forum.notifications,
        sizes.use_cases,
        loaded.took.as_secs_f64(),
        loaded.size_mib
    );
    let figures = rt.block_on(run(data.path(), &sizes, &loaded.forum));
    report::print(&sizes, &loaded, &figures);
}

#[derive(Default)]
struct Figures {
    reindex: Duration,
    startup: Duration,
    rss_start: f64,
    clients: usize,
    login: Duration,
    dashboard_alone: load::Reads,
    dashboard: load::Reads,
    dashboard_cores: (f64, f64),
    rss_dashboard: (f64, f64),
    list_alone: load::Reads,
    list: load::Reads,
    list_cores: (f64, f64),
    unread_alone: load::Reads,
    unread: load::Reads,
    unread_cores: (f64, f64),
    warm_failed: usize,
    warm_drain: load::Drain,
    posted: load::Posted,
    post_cores: (f64, f64),
    rss_replies: (f64, f64),
    writer: load::Writer,
    drain: load::Drain,
    dead_jobs: Option<u64>,
    checks: Vec<String>,
    rss_end: (f64, f64),
}

/// A dashboard with the caller's figures and a full feed and ranking.
fn check_dashboard(v: &Value) -> Result<(), String> {
    let full = |k: &str| v[k].as_array().is_some_and(|a| a.len() == 10);
    let ok = v["user_stats"]["unread_notifications"].is_u64() && full("recent_activity") && full("trending_topics");
    if ok { Ok(()) } else { Err(format!("unexpected dashboard: {v}")) }
}

/// A full first page of notifications.
fn check_list(v: &Value) -> Result<(), String> {
    let n = v["items"].as_array().map_or(0, Vec::len);
    if n == preload::NOTIFICATIONS { Ok(()) } else { Err(format!("{n} notifications on the first page: {v}")) }
}

fn check_unread(v: &Value) -> Result<(), String> {
    if v["unread_count"].is_u64() { Ok(()) } else { Err(format!("no unread_count: {v}")) }
}

/// Topics and replies the preload gave the people of the first organization.
fn org_zero(sizes: &Sizes) -> (Option<u64>, Option<u64>) {
    let (u, mine) = (sizes.users, |user: usize| user < preload::PER_ORG);
    let topics = (0..sizes.topics).filter(|&i| mine(preload::author(i, u))).count() as u64;
    let replies = (0..sizes.topics)
        .flat_map(|i| (0..preload::replies_of(i)).map(move |k| preload::replier(i, k, u)))
        .filter(|&w| mine(w))
        .count() as u64;
    (Some(topics), Some(replies))
}

async fn run(data: &Path, sizes: &Sizes, forum: &preload::Forum) -> Figures {
    let mut f = Figures::default();
    let (bin, port) = (server_bin(), free_port());
    let base = format!("http://127.0.0.1:{port}");
    println!("server: {} on {base}, data dir {}", bin.display(), data.display());
    f.reindex = common::reindex(&bin, data);
    println!("search index built in {:.1} s", f.reindex.as_secs_f64());
    let t = Instant::now();
    let mut server = start_server(&bin, data, port);
    let pid = server.0.id();
    let client = new_client();
    wait_healthy(&client, &base, &mut server).await;
    (f.startup, f.rss_start) = (t.elapsed(), rss_mib(pid).1);

    f.clients = DASHBOARD_CLIENTS.min(sizes.users);
    let t = Instant::now();
    let emails: Vec<String> = (0..f.clients).map(preload::email).collect();
    let tokens: Vec<String> = stream::iter(&emails)
        .map(|e| load::login(&client, &base, e, PASSWORD))
        .buffered(LOGIN_CONCURRENCY)
        .collect()
        .await;
    f.login = t.elapsed();
    println!("logged in {} users in {:.1} s", f.clients, f.login.as_secs_f64());
    let me = load::get_json(&client, &format!("{base}/api/v1/dashboard/stats"), &tokens[0]).await;
    let bell = me["user_stats"]["unread_notifications"].as_u64();
    f.checks.push(format!("{}: user 0's bell before the load {bell:?}", bell == Some(forum.unread[0])));
    let org = &me["organization_stats"];
    let got = (org["topics"].as_u64(), org["replies"].as_u64());
    let want = org_zero(sizes);
    f.checks.push(format!("{}: their organization's topics / replies {got:?} (want {want:?})", got == want));

    // 1. The dashboard, every connection a different person.
    let url = format!("{base}/api/v1/dashboard/stats");
    let targets: Vec<_> = tokens.iter().map(|t| (url.clone(), t.clone())).collect();
    f.dashboard_alone = load::read_load(&targets[..1], ALONE, check_dashboard).await;
    let warm = load::read_load(&targets, DASHBOARD_WARMUP, check_dashboard).await;
    warm.errors.iter().take(3).for_each(|e| println!("dashboard warm-up failed: {e}"));
    let (cpu, t) = (cpu_secs(pid), Instant::now());
    f.dashboard = load::read_load(&targets, RUN, check_dashboard).await;
    (f.dashboard_cores, f.rss_dashboard) = (cores_since(pid, cpu, t), rss_mib(pid));
    println!("dashboard: {:.0} req/s", f.dashboard.rate);

    // 2. Notifications: the first page, then the bell's count.
    let readers = &tokens[..NOTIFICATION_CLIENTS.min(tokens.len())];
    for (path, check, alone, out, cores) in [
        ("/api/v1/notifications", check_list as fn(&Value) -> _, &mut f.list_alone, &mut f.list, &mut f.list_cores),
        ("/api/v1/notifications/unread", check_unread, &mut f.unread_alone, &mut f.unread, &mut f.unread_cores),
    ] {
        let targets: Vec<_> = readers.iter().map(|t| (format!("{base}{path}"), t.clone())).collect();
        *alone = load::read_load(&targets[..1], ALONE, check).await;
        load::read_load(&targets, WARMUP, check).await;
        let (cpu, t) = (cpu_secs(pid), Instant::now());
        *out = load::read_load(&targets, RUN, check).await;
        *cores = cores_since(pid, cpu, t);
        println!("{path}: {:.0} req/s", out.rate);
    }

    // 3. Replies with the watchers' fan-out; the warm-up's jobs drain before the run.
    let topics = Arc::new(forum.topics.clone());
    let posters = &tokens[..POSTERS.min(tokens.len())];
    let warm = load::post_load(&base, posters, &topics, WARMUP).await;
    warm.errors.iter().for_each(|e| println!("warm-up reply failed: {e}"));
    f.warm_failed = warm.failed;
    f.warm_drain = load::drain(&client, &base, DRAIN_LIMIT).await;
    let (cpu, t, writer) = (cpu_secs(pid), Instant::now(), load::Writer::read(&client, &base).await);
    f.posted = load::post_load(&base, posters, &topics, RUN).await;
    (f.post_cores, f.rss_replies) = (cores_since(pid, cpu, t), rss_mib(pid));
    f.writer = load::Writer::read(&client, &base).await.since(&writer);
    f.drain = load::drain(&client, &base, DRAIN_LIMIT).await;
    println!("replies: {} in {:.1} s", f.posted.lat.len(), f.posted.wall.as_secs_f64());
    f.dead_jobs = load::gauge(&client, &base, "p2p_job_dead_letters").await;

    // Counters after everything.
    let stats = load::get_json(&client, &format!("{base}/api/v1/forum/stats"), &tokens[0]).await;
    let posted = (warm.lat.len() + f.posted.lat.len()) as u64;
    let want = (forum.topics.len() as u64, forum.replies as u64 + posted);
    let got = (stats["topic_count"].as_u64().unwrap_or(0), stats["reply_count"].as_u64().unwrap_or(0));
    f.checks.push(format!(
        "{}: forum topics / replies {} / {} (want {} / {})",
        got == want,
        got.0,
        got.1,
        want.0,
        want.1
    ));
    f.rss_end = rss_mib(pid);
    f
}
