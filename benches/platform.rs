//! The whole platform under the seed's load (issue 16, SPEC §13): one generated data set,
//! 1,000 people at once, each signed in with their own session and holding one `/ws` socket,
//! browsing, searching, replying, messaging and uploading in a realistic mix; then the write
//! and read paths alone. Every figure is printed as its phase ends, and side by side with
//! its target and the seed's bar in the closing table.
//!
//! Run with `cargo bench --bench platform`: cargo builds the `p2p-sandbox` binary in the
//! release (bench) profile first. Set `P2P_BIN` to benchmark another binary instead; other
//! `P2P_*` variables pass through to the server, but the bench's own:
//! - `P2P_BENCH_SIZE`: the data set, `small` or `medium` (default, SPEC §13's);
//! - `P2P_BENCH_DATA=DIR`: a data dir written by `p2p-sandbox bench-data` (it has
//!   `bench-data.json`) is used in place, not generated nor copied — the run writes to it
//!   (replies, topics, use cases, messages, likes, views, an avatar), so a reused set grows a
//!   little with every run; a DIR without the manifest gets a fresh set generated into it
//!   and kept. Without it the set is generated into a temporary dir (`TMPDIR` moves it);
//! - `P2P_BENCH_USERS`: people simulated (default 1,000, at most the set's users);
//! - `P2P_BENCH_SECS`: the mix's measured length (default 180 s, at most 600: access tokens
//!   live 900 s and are not refreshed).
//!
//! Phases:
//! - **A. Data**: `p2p-sandbox bench-data --size … --out …`, timed; the manifest's counts,
//!   step times and sizes.
//! - **B. Start-up**: spawn to the first 200 of `/health/ready` (polled every 10 ms; target
//!   < 2 s), then after 5 s idle the server's VmRSS and its RssAnon/RssFile split (target
//!   < 100 MB).
//! - **C. Logins**: users 0.. of the set sign in, 8 at a time, each on their own keep-alive
//!   client (argon2): p50/p99 (seed bar < 1 s). Then setup, not timed (`platform/api.rs`):
//!   topic ids (the 100 newest are the hot ones), use-case ids, forum categories, reply ids
//!   of the hot topics, and every person's conversations and partners, all through the API.
//! - **D. Sockets**: one `/ws?token=…` each, 200 handshakes at a time, each subscribed to two
//!   hot topics (`forum.topic.<id>`, 20 subscribers per topic at 1,000 people); the server's
//!   RSS before and after (seed bar 1,000+ sockets).
//! - **E. Burst**: every person `GET /api/v1/dashboard/stats` at the same moment, 5 rounds:
//!   p99 and success rate (seed bar < 500 ms and > 95 %; SPEC p99 < 50 ms, no errors).
//! - **F. Mix**: 10 s warm-up, then `P2P_BENCH_SECS`, as `platform/mix.rs` describes; per
//!   operation count, rate, p50/p99/max and errors (any status but 2xx/304; the first bodies
//!   are printed), reads held to p99 < 50 ms, writes to < 100 ms; the server's and the
//!   bench's cores and the server's RSS sampled every second.
//! - **G. Events** (during F): delivery delay of `reply.created` to the subscribers of a hot
//!   topic and of `message.created` to both people, p50/p99 (target < 100 ms), missing
//!   frames, sockets the server closed (`platform/events.rs`); joined 2 s after the mix.
//! - **H. Alone**, after the sockets are closed: 64 people (one connection each) create
//!   topics for 10 s, then use cases (target ≥ 2,000/s, p99 < 50 ms); 256 connections `GET`
//!   one topic page, then one use case, 10 s each (target ≥ 20,000 req/s); 1 s warm-up each.
//!
//! The load generator shares the machine with the server, so absolute figures are
//! machine-dependent; the bench's own cores are printed next to the server's.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "platform/api.rs"]
mod api;
mod common;
#[path = "platform/events.rs"]
mod events;
#[path = "platform/mix.rs"]
mod mix;
#[path = "platform/report.rs"]
mod report;

use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::{Duration, Instant},
};

use common::{
    Make, Proc, call, cores_since, cpu_secs, create_load,
    dataset::{self, Manifest},
    free_port, new_client, rss_mib, rss_split, server_bin, start_server, throughput,
};
use futures::future::join_all;
use reqwest::Client;
use tokio::task::JoinHandle;

const DEFAULT_SIZE: &str = "medium";
/// People simulated, at most.
const MAX_PEOPLE: usize = 1_000;
const LOGIN_CONCURRENCY: usize = 8;
const CONNECT_CONCURRENCY: usize = 200;
/// Topics the sockets follow (the newest), and how many each socket follows.
const HOT_TOPICS: usize = 100;
const FOLLOWED: usize = 2;
const READY_POLL: Duration = Duration::from_millis(10);
const READY_LIMIT: Duration = Duration::from_secs(120);
/// Idle time after start-up before the idle RSS is read, and after the sockets open.
const IDLE: Duration = Duration::from_secs(5);
const SETTLE: Duration = Duration::from_secs(1);
const BURST_ROUNDS: usize = 5;
const BURST_PAUSE: Duration = Duration::from_secs(1);
const WARMUP: Duration = Duration::from_secs(10);
const RUN_SECS: u64 = 180;
/// Access tokens live 900 s (`auth.access_ttl_secs`) and are not refreshed.
const MAX_RUN_SECS: u64 = 600;
const SAMPLE_EVERY: Duration = Duration::from_secs(1);
/// How long frames may still arrive after the mix.
const GRACE: Duration = Duration::from_secs(2);
const ALONE_WRITERS: usize = 64;
const ALONE_READERS: usize = 256;
const ALONE_WARMUP: Duration = Duration::from_secs(1);
const ALONE_RUN: Duration = Duration::from_secs(10);
/// Targets of phase H (issue 16, SPEC §13): creates per second, reads by id per second, and
/// the p99 of both (for the reads, SPEC's topic page at 256 connections).
const CREATE_RATE: f64 = 2_000.0;
const READ_RATE: f64 = 20_000.0;
const ALONE_P99_MS: f64 = 50.0;
/// Open files wanted, and needed per person (socket and connection, both ends here) plus
/// the rest (phase H's connections, the store, the index); the server inherits the limit.
const NOFILE: u64 = 65_536;
const FDS_PER_PERSON: u64 = 4;
const FDS_OTHER: u64 = 2_000;

/// Server cores, bench cores and server VmRSS (MiB), once a second.
#[derive(Default)]
pub struct Usage {
    pub server: Vec<f64>,
    pub bench: Vec<f64>,
    pub rss: Vec<f64>,
}

/// One phase of H: rate, sorted latencies, failures, server cores, and its targets.
pub struct Alone {
    pub name: &'static str,
    pub connections: usize,
    pub rate: f64,
    pub lat: Vec<Duration>,
    pub failed: usize,
    pub cores: f64,
    pub target_rate: f64,
    pub target_p99: Option<f64>,
}

#[derive(Default)]
pub struct Figures {
    pub generated: Option<Duration>,
    pub people: usize,
    pub run: Duration,
    pub ready: Duration,
    pub rss_ready: f64,
    pub rss_idle: f64,
    pub rss_idle_split: (f64, f64),
    /// Sorted (failures included), and the failures.
    pub logins: Vec<Duration>,
    pub login_errors: Vec<String>,
    pub login_wall: Duration,
    pub sockets: usize,
    pub connect: Vec<Duration>,
    pub connect_wall: Duration,
    pub socket_errors: Vec<String>,
    pub subscriptions: usize,
    pub rss_sockets: (f64, f64),
    /// Every request's time (sorted, failures included), the successes, the failures.
    pub burst: Vec<Duration>,
    pub burst_ok: usize,
    pub burst_errors: Vec<String>,
    pub mix: mix::Mixed,
    pub usage: Usage,
    pub delivery: Vec<(events::Kind, events::Delivered)>,
    pub closed: Vec<String>,
    pub alone: Vec<Alone>,
    pub rss_end: (f64, f64),
    /// Start-up to ready after the run, and VmRSS after `IDLE`.
    pub restart: Duration,
    pub rss_restart: f64,
}

fn env_usize(name: &str) -> Option<usize> {
    std::env::var(name).ok().map(|v| v.parse().unwrap_or_else(|_| panic!("{name} must be a number")))
}

fn main() {
    let size = std::env::var("P2P_BENCH_SIZE").unwrap_or_else(|_| DEFAULT_SIZE.to_owned());
    let run = env_usize("P2P_BENCH_SECS").map_or(RUN_SECS, |s| s as u64);
    assert!(run <= MAX_RUN_SECS, "P2P_BENCH_SECS at most {MAX_RUN_SECS}: access tokens are not refreshed");
    let bin = server_bin();
    let reuse = std::env::var_os("P2P_BENCH_DATA").map(PathBuf::from);
    let temp = reuse.is_none().then(|| tempfile::tempdir().unwrap());
    let dir = reuse.unwrap_or_else(|| temp.as_ref().expect("temporary dir").path().to_owned());
    if dir.join(dataset::MANIFEST).exists() {
        println!("A. data: using the set in {} (the run writes to it)", dir.display());
    } else {
        println!("A. data: generating the {size} set into {}", dir.display());
    }
    let (m, generated) = dataset::open(&bin, &size, &dir);
    let mut f = Figures { run: Duration::from_secs(run), generated, ..Figures::default() };
    report::data(&m, f.generated);
    f.people = env_usize("P2P_BENCH_USERS").unwrap_or(MAX_PEOPLE).min(m.counts.users);
    let fds = common::raise_nofile(NOFILE, FDS_PER_PERSON * f.people as u64 + FDS_OTHER);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(phases(&bin, &dir, &m, &mut f));
    report::table(&fds, &m, &f);
}

/// Polls `/health/ready` every `READY_POLL` until it answers 200, or `READY_LIMIT` passes
/// (then its last answer is printed): the time since `t`.
async fn wait_ready(client: &Client, base: &str, server: &mut Proc, t: Instant) -> Duration {
    let mut last = String::new();
    while t.elapsed() < READY_LIMIT {
        if let Some(status) = server.0.try_wait().unwrap() {
            panic!("the server exited during start-up with {status}");
        }
        match call(client.get(format!("{base}/health/ready"))).await {
            Ok(_) => return t.elapsed(),
            Err(e) => last = e,
        }
        tokio::time::sleep(READY_POLL).await;
    }
    println!("B. /health/ready still not 200 after {READY_LIMIT:?}: {last}");
    t.elapsed()
}

/// Samples `Usage` every `SAMPLE_EVERY` for `run`, starting after `after`.
fn sampler(pid: u32, after: Duration, run: Duration) -> JoinHandle<Usage> {
    tokio::spawn(async move {
        tokio::time::sleep(after).await;
        let (mut usage, mut tick) = (Usage::default(), tokio::time::interval(SAMPLE_EVERY));
        tick.tick().await;
        let (mut cpu, mut t) = (cpu_secs(pid), Instant::now());
        for _ in 0..(run.as_secs_f64() / SAMPLE_EVERY.as_secs_f64()) as usize {
            tick.tick().await;
            let (server, bench) = cores_since(pid, cpu, t);
            (cpu, t) = (cpu_secs(pid), Instant::now());
            usage.server.push(server);
            usage.bench.push(bench);
            usage.rss.push(rss_mib(pid).1);
        }
        usage
    })
}

/// The create requests of phase H: topics, or use cases.
fn creates(topics: bool, categories: &[String]) -> Make {
    let categories = categories.to_vec();
    Box::new(move |w, n| {
        if topics {
            ("/api/v1/forum/topics".into(), api::topic_body(&categories, w, n))
        } else {
            ("/api/v1/use-cases".into(), api::use_case_body(w, n))
        }
    })
}

/// The shared `World` and the people of the mix, from what they learned and who follows
/// which hot topic.
fn world(
    base: &str,
    password: &str,
    known: api::Known,
    people: &[api::Signed],
    subscribers: Vec<Vec<usize>>,
) -> (Arc<mix::World>, Vec<mix::Person>) {
    let world = mix::World {
        base: base.to_owned(),
        password: password.to_owned(),
        topic_rank: mix::Zipf::new(known.topics.len()),
        use_case_rank: mix::Zipf::new(known.use_cases.len()),
        topics: known.topics,
        hot: known.hot,
        use_cases: known.use_cases,
        categories: known.categories,
        user_index: people.iter().map(|p| p.u).collect(),
        user_ids: people.iter().map(|p| p.id.clone()).collect(),
        bench_index: people.iter().enumerate().map(|(i, p)| (p.id.clone(), i)).collect(),
        by_user_index: people.iter().enumerate().map(|(i, p)| (p.u, i)).collect(),
        subscribers,
        replies: std::sync::Mutex::new(known.replies),
        avatar: api::avatar_png(),
    };
    let persons = (people.iter().zip(known.conversations).enumerate())
        .map(|(idx, (p, conversations))| mix::Person {
            idx,
            client: p.client.clone(),
            token: p.token.clone(),
            conversations,
        })
        .collect();
    (Arc::new(world), persons)
}

async fn phases(bin: &Path, dir: &Path, m: &Manifest, f: &mut Figures) {
    // B. Start-up.
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let probe = new_client();
    let t = Instant::now();
    let mut server = start_server(bin, dir, port);
    let pid = server.0.id();
    f.ready = wait_ready(&probe, &base, &mut server, t).await;
    f.rss_ready = rss_mib(pid).1;
    tokio::time::sleep(IDLE).await;
    (f.rss_idle, f.rss_idle_split) = (rss_mib(pid).1, rss_split(pid));
    report::startup(f);

    // C. Logins, then what the people need to know.
    let t = Instant::now();
    let (people, logins, errors) = api::sign_in(&base, &m.password, f.people, LOGIN_CONCURRENCY).await;
    (f.login_wall, f.logins, f.login_errors) = (t.elapsed(), logins, errors);
    report::logins(f);
    assert!(!people.is_empty(), "no one signed in");
    let known = api::learn(&base, &people, HOT_TOPICS).await;

    // D. Sockets, two hot topics each.
    let tokens: Vec<String> = people.iter().map(|p| p.token.clone()).collect();
    f.rss_sockets.0 = rss_mib(pid).1;
    let (mut socks, times, errors, wall) =
        events::open(&format!("ws://127.0.0.1:{port}"), &tokens, CONNECT_CONCURRENCY).await;
    let (subscribers, sub_errors) = events::subscribe(&mut socks, FOLLOWED, &known.topics, known.hot).await;
    tokio::time::sleep(SETTLE).await;
    f.rss_sockets.1 = rss_mib(pid).1;
    (f.connect, f.connect_wall, f.socket_errors) = (times, wall, errors.into_iter().chain(sub_errors).collect());
    f.sockets = socks.iter().flatten().count();
    f.subscriptions = subscribers.iter().map(Vec::len).sum();
    report::sockets(f);
    let listening = events::Listening::start(socks);

    // E. Burst: everyone's dashboard at once.
    for _ in 0..BURST_ROUNDS {
        let url = format!("{base}/api/v1/dashboard/stats");
        let answers = join_all(people.iter().map(|p| {
            let req = p.client.get(&url).bearer_auth(&p.token);
            async move {
                let t = Instant::now();
                (call(req).await, t.elapsed())
            }
        }))
        .await;
        for (r, took) in answers {
            f.burst.push(took);
            match r {
                Ok(_) => f.burst_ok += 1,
                Err(e) => f.burst_errors.push(e),
            }
        }
        tokio::time::sleep(BURST_PAUSE).await;
    }
    f.burst.sort();
    report::burst(f);

    // F. The mix, and G. its events.
    let (world, persons) = world(&base, &m.password, known, &people, subscribers);
    println!("F. mix: {} people, {} s warm-up then {} s", people.len(), WARMUP.as_secs(), f.run.as_secs());
    let usage = sampler(pid, WARMUP, f.run);
    f.mix = mix::run(world.clone(), persons, WARMUP, f.run).await;
    f.usage = usage.await.expect("sampler");
    report::mix(f);
    tokio::time::sleep(GRACE).await;
    (f.delivery, f.closed) = listening.finish(&f.mix.expects).await;
    report::events(f);

    // H. Alone: creates at 64 connections, reads by id at 256; the sockets are closed.
    let writers: Vec<(Client, String)> =
        (0..ALONE_WRITERS).map(|w| (new_client(), tokens[w % tokens.len()].clone())).collect();
    for (name, topics) in [("POST /forum/topics", true), ("POST /use-cases", false)] {
        create_load(&base, &writers, ALONE_WARMUP, creates(topics, &world.categories)).await;
        let (cpu, t) = (cpu_secs(pid), Instant::now());
        let (rate, lat, failed, _) = create_load(&base, &writers, ALONE_RUN, creates(topics, &world.categories)).await;
        let cores = cores_since(pid, cpu, t).0;
        let (target_rate, target_p99) = (CREATE_RATE, Some(ALONE_P99_MS));
        let a = Alone { name, connections: ALONE_WRITERS, rate, lat, failed, cores, target_rate, target_p99 };
        report::alone(&a);
        f.alone.push(a);
    }
    let readers: Vec<Client> = (0..ALONE_READERS).map(|_| new_client()).collect();
    let reads = [
        ("GET /forum/topics/{id}", format!("{base}/api/v1/forum/topics/{}", world.topics[0]), Some(ALONE_P99_MS)),
        ("GET /use-cases/{id}", format!("{base}/api/v1/use-cases/{}", world.use_cases[0]), None),
    ];
    for (name, url, target_p99) in reads {
        throughput(&readers, &url, Some(&tokens[0]), ALONE_WARMUP).await;
        let (cpu, t) = (cpu_secs(pid), Instant::now());
        let (rate, lat) = throughput(&readers, &url, Some(&tokens[0]), ALONE_RUN).await;
        let cores = cores_since(pid, cpu, t).0;
        let a =
            Alone { name, connections: ALONE_READERS, rate, lat, failed: 0, cores, target_rate: READ_RATE, target_p99 };
        report::alone(&a);
        f.alone.push(a);
    }
    f.rss_end = rss_mib(pid);

    // I. Restart on the data the run wrote, stopped as an operator would.
    common::stop(&mut server);
    let t = Instant::now();
    let mut server = start_server(bin, dir, port);
    let pid = server.0.id();
    f.restart = wait_ready(&probe, &base, &mut server, t).await;
    tokio::time::sleep(IDLE).await;
    f.rss_restart = rss_mib(pid).1;
    report::restart(f);
    common::stop(&mut server);
}
