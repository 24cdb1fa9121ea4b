//! Write throughput of the release server: use cases, topics and replies created over 64
//! keep-alive connections, each by a signed-in person of their own organization, with the
//! rate, p50/p99 latency, errors, the server's cores and its RSS after every phase.
//!
//! Run with `cargo bench --bench writes` (cargo builds the release binary first; `P2P_BIN`
//! benchmarks another one). `WRITES_SECS` sets each phase's length (default 10) and
//! `WRITES_ROUNDS` how often the three phases repeat (default 1; 10 rounds of 10 s give the
//! five minutes of sustained creates the memory bound is stated on). Other `P2P_*` variables
//! pass through to the server, e.g. `P2P_STORE__CACHE_MIB=32`.
//!
//! Every acknowledged create is durable (the server answers after its batch's fsync), so the
//! figures include the disk. The load generator shares the machine with the server.
//!
//! `PB_URL=http://127.0.0.1:8090 PB_PID=<pid> PB_ADMIN=<email> PB_PASSWORD=<password>` runs the
//! same use-case phase against a PocketBase server instead (the single-binary peer): the bench
//! creates a `use_cases` collection with the same fields and 64 users through its API, then
//! creates records as they do here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{
    accounts::create_users, cores_since, cpu_secs, create_load, free_port, new_client, pct, rss_mib, server_bin,
    start_server, wait_healthy,
};
use reqwest::Client;
use serde_json::{Value, json};

/// People creating at once, one connection each.
const CONNECTIONS: usize = 64;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(run());
}

fn use_case(w: usize, n: usize) -> (String, Value) {
    let body = json!({
        "title": format!("Line {n} energy monitoring, team {w}"),
        "body": "Meters on every press and a weekly review cut the plant's idle consumption by a fifth within one quarter.",
        "category": "energy-efficiency",
        "factory_name": format!("Plant {w}"),
        "city": "Riyadh",
        "latitude": 24.7 + (n % 100) as f64 / 1000.0,
        "longitude": 46.7,
        "tags": ["energy", "iot"],
    });
    ("/api/v1/use-cases".into(), body)
}

fn topic(w: usize, n: usize) -> (String, Value) {
    let body = json!({
        "title": format!("Question {n} from team {w} about PLC retrofits"),
        "body": "Which PLC family did you move to when the old controllers went out of support, and why?",
        "category": "automation",
        "tags": ["plc"],
    });
    ("/api/v1/forum/topics".into(), body)
}

/// The use-case phase against PocketBase (see the header), for a side-by-side figure.
async fn pocketbase(base: String, run: Duration, rounds: u64) {
    let pid: u32 = std::env::var("PB_PID").expect("PB_PID").parse().unwrap();
    let client = new_client();
    let admin =
        json!({"identity": std::env::var("PB_ADMIN").unwrap(), "password": std::env::var("PB_PASSWORD").unwrap()});
    let r = client.post(format!("{base}/api/collections/_superusers/auth-with-password")).json(&admin).send().await;
    let v: Value = r.unwrap().json().await.unwrap();
    let root = v["token"].as_str().expect("superuser token").to_owned();
    let text = |name: &str| json!({"name": name, "type": "text", "required": true});
    let collection = json!({
        "name": "use_cases", "type": "base", "createRule": "@request.auth.id != ''",
        "fields": [text("title"), text("body"), text("category"), text("factory_name"), text("city"),
            {"name": "latitude", "type": "number"}, {"name": "longitude", "type": "number"}, {"name": "tags", "type": "json"}],
    });
    let r =
        client.post(format!("{base}/api/collections")).header("Authorization", &root).json(&collection).send().await;
    assert!(r.unwrap().status().is_success(), "collection");
    let mut people = Vec::new();
    for i in 0..CONNECTIONS {
        let (email, password) = (format!("user{i}@pb.example.com"), "Bench-pass-123".to_owned());
        let user = json!({"email": email, "password": password, "passwordConfirm": password});
        let r = client.post(format!("{base}/api/collections/users/records")).header("Authorization", &root).json(&user);
        assert!(r.send().await.unwrap().status().is_success(), "user {i}");
        let login = json!({"identity": email, "password": password});
        let r = client.post(format!("{base}/api/collections/users/auth-with-password")).json(&login).send().await;
        let v: Value = r.unwrap().json().await.unwrap();
        people.push((new_client(), v["token"].as_str().unwrap().to_owned()));
    }
    println!("PocketBase at {base}; idle RSS after setup: {:.0} MiB", rss_mib(pid).1);
    println!("| round | phase | creates/s | p50 ms | p99 ms | failed | server cores | RSS MiB (peak / now) |");
    println!("|---|---|---|---|---|---|---|---|");
    for round in 1..=rounds {
        let make = |w: usize, n: usize| {
            let (_, body) = use_case(w, n);
            ("/api/collections/use_cases/records".to_owned(), body)
        };
        // PocketBase takes the token bare in `Authorization`; `bearer_auth` adds "Bearer ",
        // which it also accepts.
        let (cpu, t) = (cpu_secs(pid), Instant::now());
        let (rate, lat, failed, _) = create_load(&base, &people, run, Box::new(make)).await;
        let (peak, now) = rss_mib(pid);
        println!(
            "| {round} | use case | {rate:.0} | {:.1} | {:.1} | {failed} | {:.2} | {peak:.0} / {now:.0} |",
            pct(&lat, 0.5),
            pct(&lat, 0.99),
            cores_since(pid, cpu, t).0
        );
    }
}

async fn run() {
    let (secs, rounds) = (env_or("WRITES_SECS", 10), env_or("WRITES_ROUNDS", 1));
    if let Ok(base) = std::env::var("PB_URL") {
        return pocketbase(base, Duration::from_secs(secs), rounds).await;
    }
    let run = Duration::from_secs(secs);
    let bin = server_bin();
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    println!("server: {} on {base}; {CONNECTIONS} connections, {secs} s phases, {rounds} round(s)", bin.display());
    let mut server = start_server(&bin, data.path(), port);
    let pid = server.0.id();
    let setup = new_client();
    wait_healthy(&setup, &base, &mut server).await;
    let tokens = create_users(&setup, &base, &data.path().join("outbox"), CONNECTIONS).await;
    let people: Vec<(Client, String)> = tokens.into_iter().map(|t| (new_client(), t)).collect();
    println!("idle RSS after setup: {:.0} MiB", rss_mib(pid).1);

    println!("| round | phase | creates/s | p50 ms | p99 ms | failed | server cores | RSS MiB (peak / now) |");
    println!("|---|---|---|---|---|---|---|---|");
    for round in 1..=rounds {
        let report = |name: &str, (rate, lat, failed, _): &(f64, Vec<Duration>, usize, Vec<String>), cores: f64| {
            let (peak, now) = rss_mib(pid);
            println!(
                "| {round} | {name} | {rate:.0} | {:.1} | {:.1} | {failed} | {cores:.2} | {peak:.0} / {now:.0} |",
                pct(lat, 0.5),
                pct(lat, 0.99)
            );
        };
        let (cpu, t) = (cpu_secs(pid), Instant::now());
        let cases = create_load(&base, &people, run, Box::new(use_case)).await;
        report("use case", &cases, cores_since(pid, cpu, t).0);
        let (cpu, t) = (cpu_secs(pid), Instant::now());
        let topics = create_load(&base, &people, run, Box::new(topic)).await;
        report("topic", &topics, cores_since(pid, cpu, t).0);
        // Replies go to the topics each worker just created.
        let targets: Vec<String> = topics.3.iter().filter(|id| !id.is_empty()).take(CONNECTIONS).cloned().collect();
        let reply = move |w: usize, n: usize| {
            let topic = &targets[w % targets.len()];
            let body = json!({ "body": format!("Reply {n} from team {w}: we moved to a modular PLC with a web HMI.") });
            (format!("/api/v1/forum/topics/{topic}/replies"), body)
        };
        let (cpu, t) = (cpu_secs(pid), Instant::now());
        let replies = create_load(&base, &people, run, Box::new(reply)).await;
        report("reply", &replies, cores_since(pid, cpu, t).0);
    }
    writer_profile(&setup, &base).await;
}

/// The writer thread's totals from `/metrics`: closures per transaction, entries per closure,
/// and where its time went.
async fn writer_profile(client: &Client, base: &str) {
    let text = client.get(format!("{base}/metrics")).send().await.unwrap().text().await.unwrap();
    let value =
        |name: &str| text.lines().find_map(|l| l.strip_prefix(name)?.trim().parse::<f64>().ok()).unwrap_or(f64::NAN);
    let (jobs, batches) = (value("p2p_store_write_jobs_total"), value("p2p_store_write_batches_total"));
    let (entries, bytes) = (value("p2p_store_write_entries_total"), value("p2p_store_write_entry_bytes_total"));
    let (run, commit) = (value("p2p_store_write_job_seconds_total"), value("p2p_store_write_commit_seconds_total"));
    println!(
        "writer: {jobs:.0} closures in {batches:.0} transactions ({:.1} per commit), {:.1} entries and {:.0} bytes \
         per closure; {run:.1} s running closures ({:.0} µs each), {commit:.1} s committing ({:.2} ms per commit)",
        jobs / batches,
        entries / jobs,
        bytes / jobs,
        run / jobs * 1e6,
        commit / batches * 1e3
    );
    // Where the closures' time went, by table: changing the B-tree, encoding records.
    let label = |line: &str, name: &str| {
        line.split(&format!("{name}=\"")).nth(1).and_then(|r| r.split('"').next()).unwrap_or_default().to_owned()
    };
    let mut tables: std::collections::BTreeMap<String, (f64, f64, f64)> = Default::default();
    for line in text.lines() {
        let Some((series, v)) = line.rsplit_once(' ') else { continue };
        let v: f64 = v.parse().unwrap_or(0.0);
        if series.starts_with("p2p_store_write_table_seconds_total{") {
            let t = tables.entry(label(series, "table")).or_default();
            if label(series, "kind") == "write" { t.0 += v } else { t.1 += v }
        } else if series.starts_with("p2p_store_write_table_entries_total{") {
            tables.entry(label(series, "table")).or_default().2 += v;
        }
    }
    let mut rows: Vec<_> = tables.into_iter().collect();
    rows.sort_by(|a, b| (b.1.0 + b.1.1).total_cmp(&(a.1.0 + a.1.1)));
    println!("| table | entries per closure | B-tree s | encode s | µs per entry |");
    println!("|---|---|---|---|---|");
    for (table, (write, encode, entries)) in rows.iter().take(12) {
        println!(
            "| {table} | {:.2} | {write:.1} | {encode:.1} | {:.1} |",
            entries / jobs,
            (write + encode) / entries * 1e6
        );
    }
}
