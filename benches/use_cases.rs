//! Use-case listing and map figures for the release server, run as a child process.
//!
//! Run with `cargo bench --bench use_cases`: cargo builds the `p2p-sandbox` binary in the
//! release (bench) profile first. Set `P2P_BIN` to benchmark another binary instead; other
//! `P2P_*` variables pass through to the server, as in `benches/core.rs`.
//!
//! Before the server starts, 500 organizations with 2 active, verified users each (the first
//! one admin, one shared argon2 hash) and 10,000 use cases are written straight into a fresh
//! redb file through the library, 1,000 use cases per write transaction (the load is timed).
//! Each use case passes `use_case::validate`, gets a free slug within its organization, and
//! the batch keeps the counters the service keeps (`uc_total`, `uc_category:<c>`,
//! `uc_org:<id>`, `uc_orgs`, the authors' reputation). Use case `i` is in category `i % 10`
//! (of `CATEGORY_LIST`), in city `(i / 10) % 12` of twelve Saudi cities (coordinates jittered
//! around the city), with two of eight tags, a view count spread over 0..5000 (for the
//! `most_viewed` index; no viewer records), and a title of varied words, 1% of which contain
//! "cryogenic". One user logs in; each query is checked once, then loaded over 256 keep-alive
//! connections for 1 s of warm-up and 5 s: requests/s, p50, p99 (target: p99 < 50 ms), the
//! cores the server and the bench kept busy, and the server's RSS after each query. Before
//! that, one connection alone for 1 s gives the p50 of a request without queueing. The map is
//! loaded three times: plain, asking for gzip as browsers do (the compressed bytes are read),
//! and revalidated with its `ETag` as a browser does for a map it already has (304).
//! Listing pages are cached until a write changes what listings show, so the newest page is
//! also loaded while another client likes or unlikes a use case of that page every 10 ms:
//! most requests then find their cached page stale and read it afresh.
//!
//! The load generator shares the machine with the server, so absolute figures are
//! machine-dependent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "use_cases/load.rs"]
mod load;

use std::{
    path::Path,
    time::{Duration, Instant},
};

use common::{cores_since, cpu_secs, free_port, new_client, pct, rss_mib, server_bin, start_server, throughput};
use p2p_sandbox::{auth::password::PasswordHasher, domain::use_case::CATEGORY_LIST};
use reqwest::{Client, StatusCode, Url};
use serde_json::{Value, json};

const ORGS: usize = 500;
const PER_ORG: usize = 2;
const USE_CASES: usize = 10_000;
const PER_TX: usize = 1_000;
const PASSWORD: &str = "Bench-usecases-pass9";
const CONNECTIONS: usize = 256;
const WARMUP: Duration = Duration::from_secs(1);
const RUN: Duration = Duration::from_secs(5);
/// One connection alone first: the service time of a request without queueing.
const ALONE: Duration = Duration::from_secs(1);
/// In the titles of use cases `i % 100 == 42` only: a `q` matching 1%.
const RARE: &str = "cryogenic";

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let data = tempfile::tempdir().unwrap();
    let hash = rt.block_on(async {
        let hasher = PasswordHasher::new(19456, 2, 1, 1).unwrap();
        hasher.hash(PASSWORD.to_owned()).await.expect("hash")
    });
    let db = data.path().join("p2p.redb");
    let t = Instant::now();
    load::load(&db, &hash);
    let load_time = t.elapsed();
    let size = std::fs::metadata(&db).map_or(0, |m| m.len()) as f64 / (1024.0 * 1024.0);
    println!(
        "loaded {USE_CASES} use cases of {ORGS} organizations in {:.1} s ({size:.0} MiB)",
        load_time.as_secs_f64()
    );
    rt.block_on(run(data.path(), load_time, size));
}

fn email(i: usize) -> String {
    format!("uc{i}@org{}.example.com", i / PER_ORG)
}

async fn get_json(client: &Client, url: &Url, token: &str) -> (Value, usize) {
    let r = client.get(url.clone()).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{url}");
    let body = r.bytes().await.unwrap();
    (serde_json::from_slice(&body).unwrap(), body.len())
}

/// Checks what each query returns before it is loaded; returns the first page's size in bytes.
async fn check(client: &Client, label: &str, url: &Url, token: &str) -> usize {
    let (page, bytes) = get_json(client, url, token).await;
    let items = page["items"].as_array().unwrap();
    let field = |k: &str| items.iter().map(|u| u[k].clone()).collect::<Vec<_>>();
    match label {
        // `total` (the `uc_total` counter) comes only with the last page; `/stats` checks it.
        "newest" => {
            let created: Vec<String> = field("created_at").iter().map(|v| v.as_str().unwrap().to_owned()).collect();
            assert!(items.len() == 20 && created.is_sorted_by(|a, b| a >= b), "{label}: {created:?}");
        }
        "category" => assert!(items.len() == 20 && field("category").iter().all(|c| c == "quality-control")),
        "city, most viewed" => {
            let views: Vec<u64> = field("view_count").iter().map(|v| v.as_u64().unwrap()).collect();
            assert!(items.len() == 20 && field("city").iter().all(|c| c == "Riyadh"), "{label}");
            assert!(views.is_sorted_by(|a, b| a >= b), "{label}: {views:?}");
        }
        "q (1%)" => {
            let (mut matches, mut next) = (items.len(), page["next_cursor"].clone());
            while let Some(c) = next.as_str() {
                let mut more = url.clone();
                more.query_pairs_mut().append_pair("cursor", c);
                let (p, _) = get_json(client, &more, token).await;
                matches += p["items"].as_array().unwrap().len();
                next = p["next_cursor"].clone();
            }
            assert_eq!(matches, USE_CASES / 100, "{label}");
        }
        _ => assert_eq!(items.len(), USE_CASES, "{label}"),
    }
    bytes
}

fn gzip_client(etag: Option<&str>) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("accept-encoding", reqwest::header::HeaderValue::from_static("gzip"));
    if let Some(etag) = etag {
        headers.insert("if-none-match", reqwest::header::HeaderValue::from_str(etag).unwrap());
    }
    Client::builder().no_proxy().default_headers(headers).timeout(Duration::from_secs(60)).build().unwrap()
}

struct Row {
    label: &'static str,
    bytes: usize,
    rps: f64,
    lat: Vec<Duration>,
    cores: (f64, f64),
    rss: (f64, f64),
    alone: f64,
}

async fn run(data: &Path, load_time: Duration, size: f64) {
    let (bin, port) = (server_bin(), free_port());
    let base = format!("http://127.0.0.1:{port}");
    println!("server: {} on {base}, data dir {}", bin.display(), data.display());
    let t = Instant::now();
    let mut server = start_server(&bin, data, port);
    let pid = server.0.id();
    let client = new_client();
    common::wait_healthy(&client, &base, &mut server).await;
    let (startup, rss_start) = (t.elapsed(), rss_mib(pid).1);

    let body = json!({ "email": email(0), "password": PASSWORD });
    let v: Value =
        client.post(format!("{base}/api/v1/auth/login")).json(&body).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["status"], "authenticated", "login: {v}");
    let token = v["access_token"].as_str().unwrap().to_owned();

    let api = format!("{base}/api/v1/use-cases");
    let (cats, _) = get_json(&client, &Url::parse(&format!("{api}/categories")).unwrap(), &token).await;
    let counts: Vec<u64> =
        cats["items"].as_array().unwrap().iter().map(|c| c["use_case_count"].as_u64().unwrap()).collect();
    assert_eq!(counts, vec![(USE_CASES / CATEGORY_LIST.len()) as u64; CATEGORY_LIST.len()], "category counts");
    let (stats, _) = get_json(&client, &Url::parse(&format!("{api}/stats")).unwrap(), &token).await;
    assert_eq!(
        (stats["use_case_count"].as_u64(), stats["contributing_organization_count"].as_u64()),
        (Some(USE_CASES as u64), Some(ORGS as u64))
    );

    let queries = [
        ("newest", format!("{api}?limit=20")),
        ("newest, 100 likes/s", format!("{api}?limit=20")),
        ("category", format!("{api}?category=quality-control&limit=20")),
        ("city, most viewed", format!("{api}?city=Riyadh&sort=most_viewed&limit=20")),
        ("q (1%)", format!("{api}?q={RARE}&limit=20")),
        ("map", format!("{api}/map")),
        ("map, gzip", format!("{api}/map")),
        ("map, revalidated", format!("{api}/map")),
    ];
    let plain: Vec<Client> = (0..CONNECTIONS).map(|_| new_client()).collect();
    // What a browser does: ask for gzip (reqwest here has no decoder, so it reads the
    // compressed bytes, which is what crosses the wire).
    let gzip: Vec<Client> = (0..CONNECTIONS).map(|_| gzip_client(None)).collect();
    // What a browser does with a map it has: send its ETag back and get a 304.
    let r = client.get(format!("{api}/map")).bearer_auth(&token).send().await.unwrap();
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    let revalidating: Vec<Client> = (0..CONNECTIONS).map(|_| gzip_client(Some(&etag))).collect();
    let mut rows = Vec::new();
    for (label, url) in queries {
        let clients = match label {
            "map, gzip" => &gzip,
            "map, revalidated" => &revalidating,
            _ => &plain,
        };
        let bytes = match label {
            "map, gzip" => gzip[0].get(&url).bearer_auth(&token).send().await.unwrap().bytes().await.unwrap().len(),
            "map, revalidated" => {
                let r = revalidating[0].get(&url).bearer_auth(&token).send().await.unwrap();
                assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
                0
            }
            "newest, 100 likes/s" => check(&client, "newest", &Url::parse(&url).unwrap(), &token).await,
            _ => check(&client, label, &Url::parse(&url).unwrap(), &token).await,
        };
        // Writes invalidate cached pages: a like or unlike every 10 ms on a use case of the
        // first page (which every request reads) keeps forcing fresh reads.
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writer = label.contains("likes/s").then(|| {
            let (client, token, stop, api) = (new_client(), token.clone(), stop.clone(), api.clone());
            let first = format!("{api}?limit=20");
            tokio::spawn(async move {
                let (page, _) = get_json(&client, &Url::parse(&first).unwrap(), &token).await;
                let ids: Vec<String> =
                    page["items"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap().to_owned()).collect();
                let mut tick = tokio::time::interval(Duration::from_millis(10));
                let mut writes = 0usize;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    tick.tick().await;
                    let like = format!("{api}/{}/like", ids[writes % ids.len()]);
                    let req =
                        if (writes / ids.len()).is_multiple_of(2) { client.put(like) } else { client.delete(like) };
                    assert!(req.bearer_auth(&token).send().await.unwrap().status().is_success());
                    writes += 1;
                }
                writes
            })
        });
        let alone = pct(&throughput(&clients[..1], &url, Some(&token), ALONE).await.1, 0.5);
        throughput(clients, &url, Some(&token), WARMUP).await;
        let (cpu, t) = (cpu_secs(pid), Instant::now());
        let (rps, lat) = throughput(clients, &url, Some(&token), RUN).await;
        let cores = cores_since(pid, cpu, t);
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(w) = writer {
            println!("{label}: {} likes/unlikes during the run and warm-up", w.await.unwrap());
        }
        println!("{label}: {} requests", lat.len());
        rows.push(Row { label, bytes, rps, lat, cores, rss: rss_mib(pid), alone });
    }
    drop(server);

    let mut table = String::new();
    for r in &rows {
        let (p50, p99) = (pct(&r.lat, 0.5), pct(&r.lat, 0.99));
        let target = if p99 < 50.0 { "ok" } else { "MISSED" };
        table += &format!(
            "{:<18} {:>9.0} req/s  p50 {p50:>7.1} ms  p99 {p99:>7.1} ms  p99 < 50 ms: {target}\n\
             \x20 alone p50 {:.1} ms, {:.1} KB/response, cores busy server / bench {:.2} / {:.2}, \
             server VmRSS / VmHWM after {:.0} / {:.0} MiB\n",
            r.label,
            r.rps,
            r.alone,
            r.bytes as f64 / 1000.0,
            r.cores.0,
            r.cores.1,
            r.rss.1,
            r.rss.0
        );
    }
    println!(
        "\n== p2p-sandbox use-case benchmark ==\n\
         {USE_CASES} use cases, {ORGS} organizations, {} users; {CONNECTIONS} keep-alive connections, \
         {} s warm-up + {} s per query; {} cores on this machine\n\n\
         store load ({} transactions)  {:>8.1} s   ({size:.0} MiB redb file)\n\
         server start to /health 200   {:>8.0} ms  (VmRSS {rss_start:.1} MiB)\n\n{table}",
        ORGS * PER_ORG,
        WARMUP.as_secs(),
        RUN.as_secs(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        USE_CASES / PER_TX + 1,
        load_time.as_secs_f64(),
        startup.as_secs_f64() * 1000.0,
    );
}
