//! Real-time figures for the release server, run as a child process: many WebSocket
//! connections, one reply fanned out to many subscribers, and reply creation under load on
//! a large forum.
//!
//! Run with `cargo bench --bench realtime`: cargo builds the `p2p-sandbox` binary in the
//! release (bench) profile first. Set `P2P_BIN` to benchmark another binary instead; other
//! `P2P_*` variables pass through to the server, as in `benches/core.rs`.
//!
//! Before the server starts, 1,000 active, verified users (one shared argon2 hash), 100,000
//! topics and 500,000 replies (1 to 9 per topic, by 8 authors) are written straight into a
//! fresh redb file through the library, 800 topics with their replies (~4,800 records) per
//! write transaction, with reply counts, last activity, user stats and forum counters as the
//! services keep them (the load is timed). The server's start-up time on that data set
//! (spawn to `/health` 200, polled every 50 ms) and its RSS are printed; then the users log
//! in over HTTP. The data dir is a temporary directory (set `TMPDIR` to move it); 200 4 KiB
//! writes with `fdatasync` there show what one durable commit costs at least on that disk.
//! Sockets need file descriptors on both sides: the bench tries to raise its own
//! `RLIMIT_NOFILE` to 65,536 (soft and hard, with `prlimit(1)`; needs CAP_SYS_RESOURCE),
//! else the soft limit to the hard one, checks that at least 11,000 are allowed, and the
//! server inherits the result.
//!
//! It measures:
//! 1. **10,000 sockets**: 1,000 users × 10 sockets (the default per-user limit) to
//!    `/ws?token=…`, 200 handshakes at a time; a socket counts as connected when its first
//!    `subscribed` frame (the user's own channel) arrives. Wall time, per-socket p50/p99,
//!    and the server's VmRSS/VmHWM with all of them open (target: < 500 MB).
//! 2. **Fan-out**: 1,000 of those sockets subscribe to one topic; 20 replies are posted one
//!    after another over REST, each timed from just before its POST to the arrival of its
//!    `reply.created` frame at each subscriber: p50/p99/max over all deliveries (target:
//!    p99 < 100 ms). The other 9,000 sockets stay open.
//! 3. **Reply load**, on a server restarted (SIGTERM, then a fresh process on the same data,
//!    so freed socket memory does not blur its RSS): 100 new sockets subscribe to 4 topics
//!    (25 each); 32 clients (one keep-alive connection and user each) POST replies to random
//!    topics of the 100,000 — every 20th to a watched one — for 1 s of warm-up then 10 s: replies/s
//!    and p50/p99 (targets: ≥ 2,000/s, p99 < 50 ms), and the server's RSS after the load.
//!    Every watched reply must reach its 25 subscribers, and the forum counters must add up.
//!
//! The load generator shares the machine with the server, so absolute figures are
//! machine-dependent; timed runs also print the cores the server and the bench kept busy.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "realtime/load.rs"]
mod load;
#[path = "realtime/preload.rs"]
mod preload;
#[path = "realtime/ws.rs"]
mod ws;

use std::{
    path::Path,
    sync::Arc,
    time::{Duration, Instant},
};

use common::{cores_since, cpu_secs, free_port, new_client, pct, rss_mib, server_bin, start_server, wait_healthy};
use futures::{StreamExt, stream};
use p2p_sandbox::{auth::password::PasswordHasher, realtime::Channel::Topic as TopicChannel, store::Store};
use tokio::sync::mpsc;

const PASSWORD: &str = "Bench-realtime-pass9";
const USERS: usize = 1_000;
const SOCKETS: usize = 10_000;
const CONNECT_CONCURRENCY: usize = 200;
const LOGIN_CONCURRENCY: usize = 8;
const FANOUT_SUBSCRIBERS: usize = 1_000;
const FANOUT_ROUNDS: usize = 20;
const TOPICS: usize = 100_000;
const TOPICS_PER_TX: usize = 800;
const AUTHORS: usize = 8;
const POSTERS: usize = 32;
const LOAD_SUBSCRIBERS: usize = 100;
const WATCHED: usize = 4;
const WARMUP: Duration = Duration::from_secs(1);
const RUN: Duration = Duration::from_secs(10);
const PHASE_LIMIT: Duration = Duration::from_secs(60);
const NOFILE: u64 = 65_536;
const FSYNC_PROBES: usize = 200;
const MIB_TO_MB: f64 = 1.048_576;

fn main() {
    let fds = common::raise_nofile(NOFILE, (SOCKETS + 1_000) as u64);
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
    let store = Store::open(&db).unwrap();
    let users = preload::users(&store, USERS, &hash);
    let (topics, replies) = preload::forum(&store, &users[..AUTHORS], &categories, TOPICS, TOPICS_PER_TX);
    drop(store);
    let load = t.elapsed();
    let size = std::fs::metadata(&db).map_or(0, |m| m.len()) as f64 / (1024.0 * 1024.0);
    println!("loaded {USERS} users, {TOPICS} topics, {replies} replies in {:.1} s ({size:.0} MiB)", load.as_secs_f64());
    let fsync = fsync_probe(data.path(), FSYNC_PROBES);
    let figures = rt.block_on(run(data.path(), topics, replies));
    print_table(&fds, load, size, replies, &fsync, &figures);
}

/// Latencies (sorted) of `n` 4 KiB writes, each followed by `fdatasync`, in `dir`: what one
/// durable redb commit costs at least on this disk.
fn fsync_probe(dir: &Path, n: usize) -> Vec<Duration> {
    use std::io::Write;
    let path = dir.join("fsync-probe");
    let mut file = std::fs::File::create(&path).unwrap();
    let mut lat: Vec<Duration> = (0..n)
        .map(|_| {
            let t = Instant::now();
            file.write_all(&[7u8; 4096]).unwrap();
            file.sync_data().unwrap();
            t.elapsed()
        })
        .collect();
    std::fs::remove_file(path).unwrap();
    lat.sort();
    lat
}

/// Bytes the process sent to storage and its write syscalls so far, from /proc/<pid>/io.
fn io_written(pid: u32) -> (f64, f64) {
    let io = std::fs::read_to_string(format!("/proc/{pid}/io")).unwrap_or_default();
    let field = |name: &str| io.lines().find_map(|l| l.strip_prefix(name)).and_then(|v| v.trim().parse().ok());
    (field("write_bytes:").unwrap_or(f64::NAN), field("syscw:").unwrap_or(f64::NAN))
}

fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count())
}

#[derive(Default)]
struct Figures {
    startup: Duration,
    rss_start: f64,
    login: Duration,
    rss_before_ws: f64,
    connected: usize,
    connect_errors: Vec<String>,
    connect_wall: Duration,
    connect_times: Vec<Duration>,
    server_fds: usize,
    rss_ws: (f64, f64),
    bench_rss: f64,
    fanout: load::Fanout,
    fanout_subscribed: usize,
    load_subscribed: usize,
    posted: load::Posted,
    cores: (f64, f64),
    io_per_reply: (f64, f64),
    delivered: (usize, usize),
    counters_ok: String,
    rss_closed: f64,
    restart: Duration,
    rss_restart: f64,
    rss_end: (f64, f64),
}

async fn run(data: &Path, topics: Vec<p2p_sandbox::domain::ids::TopicId>, preloaded: usize) -> Figures {
    let mut f = Figures::default();
    let (bin, port) = (server_bin(), free_port());
    let base = format!("http://127.0.0.1:{port}");
    println!("server: {} on {base}, data dir {}", bin.display(), data.display());
    let t = Instant::now();
    let mut server = start_server(&bin, data, port);
    let pid = server.0.id();
    let client = new_client();
    wait_healthy(&client, &base, &mut server).await;
    (f.startup, f.rss_start) = (t.elapsed(), rss_mib(pid).1);

    let t = Instant::now();
    let emails: Vec<String> = (0..USERS).map(preload::email).collect();
    let tokens: Vec<String> = stream::iter(&emails)
        .map(|e| load::login(&client, &base, e, PASSWORD))
        .buffered(LOGIN_CONCURRENCY)
        .collect()
        .await;
    f.login = t.elapsed();
    println!("logged in {USERS} users in {:.1} s", f.login.as_secs_f64());

    // 1. Sockets.
    tokio::time::sleep(Duration::from_millis(500)).await;
    f.rss_before_ws = rss_mib(pid).1;
    let urls = (0..SOCKETS).map(|i| format!("ws://127.0.0.1:{port}/ws?token={}", tokens[i % USERS])).collect();
    let (mut socks, times, errors, wall) = ws::connect_all(urls, CONNECT_CONCURRENCY, PHASE_LIMIT).await;
    (f.connected, f.connect_errors, f.connect_wall, f.connect_times) = (socks.len(), errors, wall, times);
    tokio::time::sleep(Duration::from_secs(1)).await;
    (f.rss_ws, f.server_fds, f.bench_rss) = (rss_mib(pid), open_fds(pid), rss_mib(std::process::id()).1);
    println!("{} sockets open in {:.1} s", f.connected, f.connect_wall.as_secs_f64());

    // 2. Fan-out to subscribers of one topic; the other sockets stay open.
    let fan_topic = topics[TOPICS - 1];
    let channel = TopicChannel(fan_topic).to_string();
    let chosen = socks.drain(..FANOUT_SUBSCRIBERS.min(socks.len())).map(|ws| (ws, channel.clone())).collect();
    let (subscribed, sub_errors) = ws::subscribe_all(chosen).await;
    sub_errors.iter().take(3).for_each(|e| println!("subscribe failed: {e}"));
    f.fanout_subscribed = subscribed.len();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let listeners: Vec<_> = subscribed.into_iter().map(|ws| ws::spawn_listener(ws, tx.clone())).collect();
    f.fanout =
        load::fanout(&base, &tokens[0], fan_topic, f.fanout_subscribed, FANOUT_ROUNDS, PHASE_LIMIT, &mut rx).await;
    println!("fan-out: {} rounds to {} subscribers", f.fanout.rounds, f.fanout_subscribed);
    listeners.iter().for_each(|l| l.abort());
    drop((socks, rx));
    tokio::time::sleep(Duration::from_secs(2)).await;
    f.rss_closed = rss_mib(pid).1;

    // 3. Reply load with a few listeners, on a fresh server process on the same data (the
    // first one keeps the memory the sockets freed), restarted as an operator would.
    common::stop(&mut server);
    let t = Instant::now();
    let mut server = start_server(&bin, data, port);
    let pid = server.0.id();
    wait_healthy(&client, &base, &mut server).await;
    (f.restart, f.rss_restart) = (t.elapsed(), rss_mib(pid).1);
    let watched: Arc<Vec<_>> = Arc::new((0..WATCHED).map(|k| topics[k * (TOPICS / WATCHED)]).collect());
    let urls = (0..LOAD_SUBSCRIBERS).map(|i| format!("ws://127.0.0.1:{port}/ws?token={}", tokens[i % USERS])).collect();
    let (socks, _, errors, _) = ws::connect_all(urls, CONNECT_CONCURRENCY, PHASE_LIMIT).await;
    errors.iter().take(3).for_each(|e| println!("connect failed: {e}"));
    let chosen =
        socks.into_iter().enumerate().map(|(i, ws)| (ws, TopicChannel(watched[i % WATCHED]).to_string())).collect();
    let (subscribed, _) = ws::subscribe_all(chosen).await;
    f.load_subscribed = subscribed.len();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let listeners: Vec<_> = subscribed.into_iter().map(|ws| ws::spawn_listener(ws, tx.clone())).collect();
    let posters: Vec<_> = (0..POSTERS).map(|w| (new_client(), tokens[w % USERS].clone())).collect();
    let all_topics = Arc::new(topics);
    let warm = load::post_load(&base, &posters, &all_topics, &watched, WARMUP).await;
    warm.errors.iter().for_each(|e| println!("warm-up reply failed: {e}"));
    let (cpu, io, t) = (cpu_secs(pid), io_written(pid), Instant::now());
    f.posted = load::post_load(&base, &posters, &all_topics, &watched, RUN).await;
    f.cores = cores_since(pid, cpu, t);
    let (io_after, n) = (io_written(pid), f.posted.lat.len().max(1) as f64);
    f.io_per_reply = ((io_after.0 - io.0) / 1024.0 / n, (io_after.1 - io.1) / n);
    println!("reply load: {} replies in {:.1} s", f.posted.lat.len(), f.posted.wall.as_secs_f64());
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut frames = 0;
    while rx.try_recv().is_ok() {
        frames += 1;
    }
    let expected = (warm.watched + f.posted.watched) * (LOAD_SUBSCRIBERS / WATCHED);
    f.delivered = (frames, expected);
    listeners.iter().for_each(|l| l.abort());

    // Counters after everything.
    let stats = load::get_json(&client, &format!("{base}/api/v1/forum/stats"), &tokens[0]).await;
    let topic = load::get_json(&client, &format!("{base}/api/v1/forum/topics/{fan_topic}"), &tokens[0]).await;
    let posted = f.fanout.rounds + warm.lat.len() + f.posted.lat.len();
    let want = (TOPICS, preloaded + posted, preload::replies_of(TOPICS - 1) + f.fanout.rounds);
    let got = (stats["topic_count"].as_u64(), stats["reply_count"].as_u64(), topic["reply_count"].as_u64());
    let ok = (Some(want.0 as u64), Some(want.1 as u64), Some(want.2 as u64)) == got;
    f.counters_ok = format!("{}: topics {:?}, replies {:?}, fan-out topic {:?}", ok, got.0, got.1, got.2);
    f.rss_end = rss_mib(pid);
    common::stop(&mut server);
    f
}

fn print_table(fds: &str, load: Duration, size: f64, replies: usize, fsync: &[Duration], f: &Figures) {
    let ok = |b: bool| if b { "ok" } else { "MISSED" };
    f.connect_errors.iter().take(3).for_each(|e| println!("connect failed: {e}"));
    f.posted.errors.iter().for_each(|e| println!("reply failed: {e}"));
    let (hwm, rss) = f.rss_ws;
    let per_socket = (rss - f.rss_before_ws) * 1024.0 / f.connected.max(1) as f64;
    let (c50, c99) = (pct(&f.connect_times, 0.5), pct(&f.connect_times, 0.99));
    let fo = &f.fanout;
    let (d50, d99, dmax) = (pct(&fo.deliveries, 0.5), pct(&fo.deliveries, 0.99), pct(&fo.deliveries, 1.0));
    let (r50, rmax, post50) = (pct(&fo.round_max, 0.5), pct(&fo.round_max, 1.0), pct(&fo.posts, 0.5));
    let p = &f.posted;
    let rate = p.lat.len() as f64 / p.wall.as_secs_f64();
    let (l50, l99, lmax) = (pct(&p.lat, 0.5), pct(&p.lat, 0.99), pct(&p.lat, 1.0));
    let all_sockets = f.connected == SOCKETS;
    let (s50, s99) = (pct(fsync, 0.5), pct(fsync, 0.99));
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "\n== p2p-sandbox realtime benchmark ==\n\
         data: {USERS} users, {TOPICS} topics, {replies} replies ({size:.0} MiB redb file); {fds}\n\
         {cores} cores shared by the server and the bench\n\n\
         figure                                 value  unit      note\n\
         store load ({} transactions)   {:>12.1}  s\n\
         server start-up on that data     {:>11.0}  ms        spawn to /health 200\n\
         server restart before phase 3    {:>11.0}  ms        after SIGTERM, same data\n\
         server VmRSS after start-up      {:>11.1}  MiB\n\
         login {USERS} users (argon2)       {:>11.1}  s\n\
         sockets connected                {:>5} / {SOCKETS}            all: {}\n\
         connect all (200 at a time)      {:>11.2}  s         {:.0} sockets/s\n\
         connect one: p50 / p99           {c50:>7.1} / {c99:.1} ms    handshake to first `subscribed`\n\
         server open fds with sockets     {:>11}\n\
         server VmRSS before sockets      {:>11.1}  MiB\n\
         server VmRSS with sockets        {rss:>11.1}  MiB       {per_socket:.1} KiB per socket\n\
         server VmHWM with sockets        {hwm:>11.1}  MiB       target < 500 MB: {} ({:.0} MB)\n\
         bench VmRSS with sockets         {:>11.1}  MiB\n\
         server VmRSS, sockets closed     {:>11.1}  MiB       2 s after the fan-out\n\
         fan-out subscribers / rounds     {:>5} / {}\n\
         fan-out delivery p50             {d50:>11.1}  ms        POST to frame, {} deliveries, {} missing\n\
         fan-out delivery p99             {d99:>11.1}  ms        target < 100 ms: {}\n\
         fan-out delivery max             {dmax:>11.1}  ms\n\
         fan-out last subscriber p50/max  {r50:>7.1} / {rmax:.1} ms    per round\n\
         fan-out POST p50                 {post50:>11.1}  ms\n\
         reply load: subscribers          {:>11}            on {WATCHED} topics\n\
         reply load: throughput           {rate:>11.0}  replies/s {POSTERS} concurrent, target >= 2000: {}\n\
         reply load: p50                  {l50:>11.1}  ms\n\
         reply load: p99                  {l99:>11.1}  ms        target < 50 ms: {}\n\
         reply load: max                  {lmax:>11.1}  ms\n\
         reply load: failed               {:>11}\n\
         reply load: cores srv / bench    {:>6.2} / {:.2}\n\
         reply load: written per reply    {:>6.1} KiB in {:.1} write syscalls (redb pages, commit)\n\
         data dir fdatasync p50 / p99     {s50:>6.2} / {s99:.2} ms    after one 4 KiB append (floor per commit)\n\
         reply load: frames delivered     {:>6} / {}      all: {}\n\
         counters after the run           {}\n\
         restarted server: VmRSS at start {:>11.1}  MiB\n\
         restarted server: RSS/HWM after  {:>6.1} / {:.1} MiB  the reply load",
        TOPICS.div_ceil(TOPICS_PER_TX) + 1,
        load.as_secs_f64(),
        f.startup.as_secs_f64() * 1000.0,
        f.restart.as_secs_f64() * 1000.0,
        f.rss_start,
        f.login.as_secs_f64(),
        f.connected,
        ok(all_sockets),
        f.connect_wall.as_secs_f64(),
        f.connected as f64 / f.connect_wall.as_secs_f64(),
        f.server_fds,
        f.rss_before_ws,
        ok(all_sockets && hwm * MIB_TO_MB < 500.0),
        hwm * MIB_TO_MB,
        f.bench_rss,
        f.rss_closed,
        f.fanout_subscribed,
        fo.rounds,
        fo.deliveries.len(),
        fo.missing,
        ok(fo.missing == 0 && d99 < 100.0),
        f.load_subscribed,
        ok(rate >= 2000.0),
        ok(l99 < 50.0),
        p.failed,
        f.cores.0,
        f.cores.1,
        f.io_per_reply.0,
        f.io_per_reply.1,
        f.delivered.0,
        f.delivered.1,
        ok(f.delivered.0 == f.delivered.1),
        f.counters_ok,
        f.rss_restart,
        f.rss_end.1,
        f.rss_end.0,
    );
}
