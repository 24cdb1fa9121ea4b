//! Private messaging figures for the release server, run as a child process (issue 12):
//! sustained sends with live delivery to the recipients' sockets, then the conversation list
//! and a conversation's first page under 256 connections.
//!
//! Run with `cargo bench --bench messages`: cargo builds the `p2p-sandbox` binary in the
//! release (bench) profile first. Set `P2P_BIN` to benchmark another binary instead; other
//! `P2P_*` variables pass through to the server, as in `benches/core.rs`.
//!
//! Before the server starts, 20,000 active, verified users (one shared argon2 hash) and
//! 50,000 conversations between distinct pairs of them with 200,000 messages (1 to 7 each,
//! alternating senders, short English and Arabic texts) are written straight into a fresh
//! redb file through the library, 1,000 conversations per write transaction, every record,
//! index and counter as `service::messages::send` leaves them (see `messages/preload.rs`);
//! the load is timed. `BENCH_USERS` and `BENCH_CONVERSATIONS` shrink the data set for a quick
//! run, `BENCH_SEND_SECS` (20) and `BENCH_READ_SECS` (10) the phases.
//!
//! Then 128 senders and 128 recipients log in (each sender already has conversations with
//! four recipients), and:
//! 1. **Sends**: every recipient holds one open `/ws?token=…` socket; 64 tasks (one
//!    keep-alive connection each, two senders taking turns) POST `/api/v1/messages` for 1 s
//!    of warm-up then 20 s, mostly to existing conversations and every 20th to a random
//!    recipient (a first message when the two never talked): messages/s, p50/p99 of the
//!    POST, failures (targets: ≥ 2,000/s, p99 < 50 ms), and the delivery latency from the
//!    start of the POST to the `message.created` frame at the recipient's socket, matched by
//!    message id (target p99 < 50 ms); the server's cores and RSS. Afterwards every
//!    recipient's unread badge and inbox total must be the preloaded ones plus what it got.
//! 2. **Reads** at 256 connections, each a different signed-in person, 10 s each:
//!    `GET /api/v1/conversations` and `GET /api/v1/conversations/{id}/messages` (the first
//!    page of one of that person's conversations): req/s, p50/p99 (target p99 < 20 ms).
//!
//! The load generator shares the machine with the server, so absolute figures are
//! machine-dependent; timed runs also print the cores the server and the bench kept busy.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "messages/load.rs"]
mod load;
#[path = "messages/preload.rs"]
mod preload;

use std::{
    collections::HashMap,
    path::Path,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use common::{cores_since, cpu_secs, free_port, new_client, pct, rss_mib, server_bin, start_server, wait_healthy};
use futures::{StreamExt, stream};
use p2p_sandbox::{auth::password::PasswordHasher, store::Store};
use serde_json::Value;
use tokio::sync::mpsc;

const PASSWORD: &str = "Bench-messages-pass9";
const GROUP: preload::Group = preload::Group { senders: 128, recipients: 128, partners: 4 };
const SEND_TASKS: usize = 64;
const LOGIN_CONCURRENCY: usize = 8;
const WARMUP: Duration = Duration::from_secs(1);
/// How long frames may still arrive after the last send.
const GRACE: Duration = Duration::from_secs(2);

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The data set's size and the phases' lengths.
struct Sizes {
    users: usize,
    conversations: usize,
    send: Duration,
    read: Duration,
}

fn main() {
    let sizes = Sizes {
        users: env_or("BENCH_USERS", 20_000),
        conversations: env_or("BENCH_CONVERSATIONS", 50_000),
        send: Duration::from_secs(env_or("BENCH_SEND_SECS", 20) as u64),
        read: Duration::from_secs(env_or("BENCH_READ_SECS", 10) as u64),
    };
    assert!(sizes.users >= GROUP.senders + GROUP.recipients, "BENCH_USERS must be at least 256");
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let data = tempfile::tempdir().unwrap();
    let hash = rt.block_on(async {
        let hasher = PasswordHasher::new(19456, 2, 1, 1).unwrap();
        hasher.hash(PASSWORD.to_owned()).await.expect("hash")
    });
    let db = data.path().join("p2p.redb");
    let t = Instant::now();
    let store = Store::open(&db).unwrap();
    let users = preload::users(&store, sizes.users, &hash);
    let loaded = preload::conversations(&store, &users, sizes.conversations, GROUP);
    drop(store);
    let took = t.elapsed();
    let size = std::fs::metadata(&db).map_or(0, |m| m.len()) as f64 / (1024.0 * 1024.0);
    println!(
        "preload: {} users, {} conversations, {} messages in {:.1} s ({} transactions, {size:.0} MiB)",
        users.len(),
        loaded.conversations,
        loaded.messages,
        took.as_secs_f64(),
        sizes.users.div_ceil(preload::USERS_PER_TX) + loaded.transactions,
    );
    let figures = rt.block_on(run(data.path(), &sizes, &users, &loaded));
    print_summary(&sizes, &loaded, took, size, &figures);
}

#[derive(Default)]
struct Figures {
    startup: Duration,
    rss_start: f64,
    login: Duration,
    sockets: usize,
    sent: load::Sent,
    warm_failed: usize,
    delivered: Vec<Duration>,
    missing: usize,
    send_cores: (f64, f64),
    rss_sends: (f64, f64),
    checks: String,
    list: load::Reads,
    list_cores: (f64, f64),
    page: load::Reads,
    page_cores: (f64, f64),
    rss_end: (f64, f64),
}

async fn run(
    data: &Path,
    sizes: &Sizes,
    users: &[p2p_sandbox::domain::ids::UserId],
    loaded: &preload::Loaded,
) -> Figures {
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

    let people = GROUP.senders + GROUP.recipients;
    let t = Instant::now();
    let emails: Vec<String> = (0..people).map(preload::email).collect();
    let tokens: Vec<String> = stream::iter(&emails)
        .map(|e| load::login(&client, &base, e, PASSWORD))
        .buffered(LOGIN_CONCURRENCY)
        .collect()
        .await;
    f.login = t.elapsed();
    println!("logged in {people} users in {:.1} s", f.login.as_secs_f64());

    // 1. Sends, each recipient listening on one socket.
    let urls: Vec<String> =
        tokens[GROUP.senders..].iter().map(|t| format!("ws://127.0.0.1:{port}/ws?token={t}")).collect();
    let socks = futures::future::join_all(urls.iter().map(|u| load::connect(u))).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut listeners = Vec::new();
    for s in socks {
        match s {
            Ok(ws) => listeners.push(load::spawn_listener(ws, tx.clone())),
            Err(e) => println!("socket failed: {e}"),
        }
    }
    f.sockets = listeners.len();
    let plan = Arc::new(load::Plan {
        base: base.clone(),
        recipients: users[GROUP.senders..people].iter().map(ToString::to_string).collect(),
        group: GROUP,
        known: Mutex::new(loaded.talked.clone()),
    });
    let tasks: Vec<load::SendTask> = (0..SEND_TASKS)
        .map(|w| load::SendTask {
            client: new_client(),
            senders: (w..GROUP.senders).step_by(SEND_TASKS).map(|s| (s, tokens[s].clone())).collect(),
        })
        .collect();
    let warm = load::send_load(&plan, &tasks, WARMUP).await;
    warm.errors.iter().for_each(|e| println!("warm-up send failed: {e}"));
    f.warm_failed = warm.failed;
    let (cpu, t) = (cpu_secs(pid), Instant::now());
    f.sent = load::send_load(&plan, &tasks, sizes.send).await;
    (f.send_cores, f.rss_sends) = (cores_since(pid, cpu, t), rss_mib(pid));
    println!("sends: {} messages in {:.1} s", f.sent.lat.len(), f.sent.wall.as_secs_f64());
    tokio::time::sleep(GRACE).await;
    let mut arrived = HashMap::new();
    while let Ok((id, at)) = rx.try_recv() {
        arrived.insert(id, at);
    }
    for (id, t0) in &f.sent.ok {
        match arrived.get(id) {
            Some(at) => f.delivered.push(at.saturating_duration_since(*t0)),
            None => f.missing += 1,
        }
    }
    f.delivered.sort();
    listeners.iter().for_each(|l| l.abort());
    f.checks = check_recipients(&client, &base, &tokens[GROUP.senders..], loaded, &[&warm, &f.sent]).await;

    // 2. Reads: each of the group's people on one connection.
    let list = tokens.iter().map(|t| (format!("{base}/api/v1/conversations"), t.clone())).collect();
    let (cpu, t) = (cpu_secs(pid), Instant::now());
    f.list = load::read_load(list, sizes.read).await;
    f.list_cores = cores_since(pid, cpu, t);
    println!("conversation list: {:.0} req/s", f.list.rate);
    let mut theirs: HashMap<usize, _> = HashMap::new();
    for (&(s, r), c) in &loaded.group {
        theirs.entry(s).or_insert(*c);
        theirs.entry(r).or_insert(*c);
    }
    let pages = tokens
        .iter()
        .enumerate()
        .map(|(u, t)| (format!("{base}/api/v1/conversations/{}/messages", theirs[&u]), t.clone()));
    let (cpu, t) = (cpu_secs(pid), Instant::now());
    f.page = load::read_load(pages.collect(), sizes.read).await;
    f.page_cores = cores_since(pid, cpu, t);
    println!("first page of messages: {:.0} req/s", f.page.rate);
    f.rss_end = rss_mib(pid);
    f
}

/// Every recipient's unread badge and inbox total against the preloaded ones plus what the
/// runs sent them (nobody read anything, no conversation was archived).
async fn check_recipients(
    client: &reqwest::Client,
    base: &str,
    tokens: &[String],
    loaded: &preload::Loaded,
    runs: &[&load::Sent],
) -> String {
    let got: Vec<(u64, u64)> = stream::iter(tokens)
        .map(|t| async move {
            let get = |path: &'static str| async move {
                let r = client.get(format!("{base}{path}")).bearer_auth(t).send().await.unwrap();
                r.json::<Value>().await.unwrap_or_default()
            };
            let total = get("/api/v1/conversations").await["total"].as_u64().unwrap_or(u64::MAX);
            let unread = get("/api/v1/conversations/unread").await["unread_count"].as_u64().unwrap_or(u64::MAX);
            (total, unread)
        })
        .buffered(16)
        .collect()
        .await;
    let mut wrong = Vec::new();
    for (r, (total, unread)) in got.iter().enumerate() {
        let (convs, pre_unread) = loaded.per_user[GROUP.senders + r];
        let (received, new): (u64, u64) =
            runs.iter().map(|s| s.per_recipient[r]).fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        let want = (convs + new, pre_unread + received);
        if (*total, *unread) != want {
            wrong.push(format!("recipient {r}: total/unread {total}/{unread}, want {}/{}", want.0, want.1));
        }
    }
    wrong.iter().take(3).for_each(|w| println!("check: {w}"));
    let ok = wrong.is_empty();
    format!("{}: {} of {} recipients' unread badge and inbox total as expected", ok, got.len() - wrong.len(), got.len())
}

fn print_summary(sizes: &Sizes, loaded: &preload::Loaded, took: Duration, size: f64, f: &Figures) {
    let ok = |b: bool| if b { "ok" } else { "MISSED" };
    let s = &f.sent;
    s.errors.iter().for_each(|e| println!("send failed: {e}"));
    f.list.errors.iter().chain(&f.page.errors).for_each(|e| println!("read failed: {e}"));
    let rate = s.lat.len() as f64 / s.wall.as_secs_f64();
    let (s50, s99, smax) = (pct(&s.lat, 0.5), pct(&s.lat, 0.99), pct(&s.lat, 1.0));
    let (d50, d99, dmax) = (pct(&f.delivered, 0.5), pct(&f.delivered, 0.99), pct(&f.delivered, 1.0));
    let (l50, l99) = (pct(&f.list.lat, 0.5), pct(&f.list.lat, 0.99));
    let (p50, p99) = (pct(&f.page.lat, 0.5), pct(&f.page.lat, 0.99));
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let readers = GROUP.senders + GROUP.recipients;
    println!(
        "\n== p2p-sandbox messages benchmark ==\n\
         data: {} users, {} conversations, {} messages ({size:.0} MiB redb file)\n\
         {cores} cores shared by the server and the bench\n\n\
         figure                                  value          target            result\n\
         preload through the library       {:>10.1} s\n\
         server start-up on that data      {:>10.0} ms\n\
         server VmRSS after start-up       {:>10.1} MiB\n\
         login {readers} users (argon2)          {:>10.1} s\n\
         recipient sockets open            {:>6} / {}\n\
         sends: throughput                 {rate:>10.0} /s       >= 2,000/s         {}\n\
         sends: POST p50 / p99 / max   {s50:>6.1} / {s99:.1} / {smax:.1} ms  p99 < 50 ms   {}\n\
         sends: 201 / failed               {:>6} / {}     ({} warm-up failures)\n\
         sends: first messages             {:>10}      new conversations\n\
         delivery p50 / p99 / max      {d50:>6.1} / {d99:.1} / {dmax:.1} ms  p99 < 50 ms   {}\n\
         delivery: missing frames          {:>10}      of {} sends\n\
         sends: cores server / bench       {:>5.2} / {:.2}\n\
         server VmRSS / VmHWM after sends  {:>5.1} / {:.1} MiB\n\
         counters after the sends          {}\n\
         GET /conversations                {:>10.0} req/s  {readers} connections\n\
         GET /conversations p50 / p99      {l50:>5.1} / {l99:.1} ms     p99 < 20 ms        {}\n\
         GET /conversations failed         {:>10}      fewest items on a page: {}\n\
         GET /conversations: cores s / b   {:>5.2} / {:.2}\n\
         GET …/{{id}}/messages               {:>10.0} req/s  {readers} connections\n\
         GET …/messages p50 / p99          {p50:>5.1} / {p99:.1} ms     p99 < 20 ms        {}\n\
         GET …/messages failed             {:>10}      fewest items on a page: {}\n\
         GET …/messages: cores s / b       {:>5.2} / {:.2}\n\
         server VmRSS / VmHWM at the end   {:>5.1} / {:.1} MiB\n\
         phases: sends {} s after 1 s warm-up, reads {} s each; the reads keep {readers} requests in\n\
         flight, so their mean latency is {readers} / rate (a 20 ms mean needs {:.0} req/s)",
        sizes.users,
        loaded.conversations,
        loaded.messages,
        took.as_secs_f64(),
        f.startup.as_secs_f64() * 1000.0,
        f.rss_start,
        f.login.as_secs_f64(),
        f.sockets,
        GROUP.recipients,
        ok(rate >= 2000.0),
        ok(s99 < 50.0),
        s.lat.len(),
        s.failed,
        f.warm_failed,
        s.first,
        ok(f.missing == 0 && d99 < 50.0),
        f.missing,
        s.ok.len(),
        f.send_cores.0,
        f.send_cores.1,
        f.rss_sends.1,
        f.rss_sends.0,
        f.checks,
        f.list.rate,
        ok(f.list.failed == 0 && l99 < 20.0),
        f.list.failed,
        f.list.min_items,
        f.list_cores.0,
        f.list_cores.1,
        f.page.rate,
        ok(f.page.failed == 0 && p99 < 20.0),
        f.page.failed,
        f.page.min_items,
        f.page_cores.0,
        f.page_cores.1,
        f.rss_end.1,
        f.rss_end.0,
        sizes.send.as_secs(),
        sizes.read.as_secs(),
        readers as f64 / 0.020,
    );
}
