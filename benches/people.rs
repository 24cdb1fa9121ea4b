//! People directory and avatar upload figures for the release server, run as a child process.
//!
//! Run with `cargo bench --bench people`: cargo builds the `p2p-sandbox` binary in the release
//! (bench) profile first. Set `P2P_BIN` to benchmark another binary instead. Other `P2P_*`
//! variables pass through to the server, as in `benches/core.rs`.
//!
//! It measures:
//! 1. **Directory listing**: 20,000 active, verified users in 2,000 organizations (10 each,
//!    the first one admin) are written straight into a fresh redb file through the library,
//!    in transactions of 1,000 users, before the server starts (the load is timed). One user
//!    logs in, then `GET /api/v1/users?limit=20` runs over 256 keep-alive connections for 5 s
//!    after a 1 s warm-up: requests/s, p50 and p99 (target: p99 < 50 ms). The same for a
//!    filter matching 1% of users (`q=<first> <last>`) and for the page reached after
//!    following `next_cursor` 50 times.
//! 2. **Avatar uploads**: 50 users log in, then upload at once a 5 MiB PNG of random noise
//!    (incompressible, just under the 5,242,880-byte limit) to `PUT /api/v1/users/me/avatar`.
//!    Server memory: VmRSS when idle right before, peak VmHWM (reset just before the uploads
//!    when the kernel allows it) during the uploads and the 3 s after them, when thumbnails
//!    are made (target: growth < 100 MB). Meanwhile `GET /api/v1/users/me` runs at
//!    concurrency 4; its p99 is compared with an idle run of 2,000 requests (target: within
//!    2x). Upload throughput and p50/p99; every upload must answer 200.
//!
//! The load generator shares the machine with the server, so absolute figures are
//! machine-dependent; each timed run therefore also prints the average number of cores the
//! server and the bench process kept busy (from /proc/<pid>/stat).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::{
    io::Cursor,
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use common::{
    IDLE_ME_REQUESTS, ME_CONCURRENCY, cores_since, cpu_secs, fixtures, free_port, me_load, new_client, pct, rss_mib,
    server_bin, start_server, throughput, wait_healthy,
};
use futures::{StreamExt, future::join_all, stream};
use image::{
    ExtendedColorType, ImageEncoder,
    codecs::png::{CompressionType, FilterType, PngEncoder},
};
use p2p_sandbox::{
    auth::password::PasswordHasher,
    domain::{org::Organization, user::User},
    store::{Store, orgs, users},
};
use rand::{RngCore, SeedableRng, rngs::StdRng};
use reqwest::{
    Client, StatusCode, Url,
    multipart::{Form, Part},
};
use serde_json::{Value, json};

const USERS: usize = 20_000;
const ORGS: usize = 2_000;
const PER_ORG: usize = USERS / ORGS;
const USERS_PER_TX: usize = 1_000;
const PASSWORD: &str = "Bench-people-pass9";
const CONNECTIONS: usize = 256;
const WARMUP: Duration = Duration::from_secs(1);
const RUN: Duration = Duration::from_secs(5);
const DEEP_PAGES: usize = 50;
const UPLOADS: usize = 50;
const LOGIN_CONCURRENCY: usize = 8;
const IMAGE_LIMIT: usize = 5_242_880;
const IMAGE_W: u32 = 1200;
const IMAGE_H: u32 = 1400;
const SETTLE: Duration = Duration::from_secs(3);

const FIRST: [&str; 10] = ["Omar", "Layla", "Yusuf", "Huda", "Khalid", "Noura", "Tariq", "Reem", "Faisal", "Dana"];
const LAST: [&str; 10] =
    ["Haddad", "Qureshi", "Mansour", "Farouk", "Saleh", "Nasser", "Karim", "Bakr", "Jaber", "Zahran"];
/// Matches user `i` when `i % 10 == 4` and `(i / 10) % 10 == 2`: 1% of users, evenly spread.
const FILTER: &str = "Khalid Mansour";
const TITLES: [&str; 7] = [
    "Process Engineer",
    "Plant Manager",
    "Quality Lead",
    "Maintenance Supervisor",
    "Operations Director",
    "Procurement Officer",
    "Safety Specialist",
];
const TAGS: [&str; 6] = ["welding", "lean", "automation", "logistics", "cnc", "iso 9001"];
const CITIES: [&str; 5] = ["Riyadh", "Jeddah", "Dammam", "Jubail", "Yanbu"];

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let data = tempfile::tempdir().unwrap();
    let hash = rt.block_on(async {
        let hasher = PasswordHasher::new(19456, 2, 1, 1).unwrap();
        hasher.hash(PASSWORD.to_owned()).await.expect("hash")
    });
    let t = Instant::now();
    load(&data.path().join("p2p.redb"), &hash);
    let load_time = t.elapsed();
    println!("loaded {USERS} users in {ORGS} organizations in {:.1} s", load_time.as_secs_f64());
    rt.block_on(run(data.path(), load_time));
}

fn email(i: usize) -> String {
    format!("user{i}@org{}.example.com", i / PER_ORG)
}

fn organization(j: usize, now: i64) -> Organization {
    let city = CITIES[j % CITIES.len()];
    let (name, domain) = (format!("{city} Works {j}"), format!("org{j}.example.com"));
    Organization {
        size: "small".into(),
        ..fixtures::organization(name, domain, fixtures::industry(j), city, PER_ORG, now)
    }
}

fn user(i: usize, org: &Organization, hash: &str, now: i64) -> User {
    User {
        first_name: FIRST[i % FIRST.len()].to_owned(),
        last_name: LAST[(i / 10) % LAST.len()].to_owned(),
        title: TITLES[i % TITLES.len()].to_owned(),
        expertise_tags: vec![TAGS[i % TAGS.len()].to_owned(), TAGS[(i / 3 + 1) % TAGS.len()].to_owned()],
        ..fixtures::user(email(i), Some((org, i.is_multiple_of(PER_ORG))), hash, now)
    }
}

/// Writes every organization and user; the store is closed on return, before the server opens it.
fn load(path: &Path, hash: &str) {
    let store = Store::open(path).unwrap();
    let now = p2p_sandbox::service::now();
    for batch in 0..USERS / USERS_PER_TX {
        let orgs_in_tx = batch * USERS_PER_TX / PER_ORG..(batch + 1) * USERS_PER_TX / PER_ORG;
        store
            .write_blocking(|tx| {
                for j in orgs_in_tx {
                    let org = organization(j, now);
                    orgs::put(tx, &org)?;
                    for i in j * PER_ORG..(j + 1) * PER_ORG {
                        let u = user(i, &org, hash, now);
                        users::insert(tx, &u)?;
                        orgs::add_member(tx, org.id, u.id)?;
                    }
                }
                Ok(())
            })
            .unwrap();
    }
}

async fn login(client: &Client, base: &str, i: usize) -> String {
    let body = json!({ "email": email(i), "password": PASSWORD });
    let v: Value =
        client.post(format!("{base}/api/v1/auth/login")).json(&body).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["status"], "authenticated", "login {}: {v}", email(i));
    v["access_token"].as_str().unwrap().to_owned()
}

async fn get_json(client: &Client, url: &Url, token: &str) -> Value {
    let r = client.get(url.clone()).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{url}");
    r.json().await.unwrap()
}

fn with_cursor(url: &Url, cursor: &Value) -> Url {
    let mut next = url.clone();
    next.query_pairs_mut().append_pair("cursor", cursor.as_str().unwrap());
    next
}

/// Checks the listing and the filter, follows `DEEP_PAGES` cursors, then loads each of the
/// three URLs over `CONNECTIONS` connections; returns (label, req/s, sorted latencies).
async fn directory(base: &str, token: &str, pid: u32) -> Vec<(&'static str, f64, Vec<Duration>, (f64, f64))> {
    let client = new_client();
    let first = Url::parse(&format!("{base}/api/v1/users?limit=20")).unwrap();
    let page = get_json(&client, &first, token).await;
    assert_eq!(page["total"], USERS, "directory total");
    assert_eq!(page["items"].as_array().unwrap().len(), 20);

    let filtered = Url::parse_with_params(first.as_str(), [("q", FILTER)]).unwrap();
    let (mut matches, mut url) = (0, filtered.clone());
    for _ in 0..USERS {
        let page = get_json(&client, &url, token).await;
        matches += page["items"].as_array().unwrap().len();
        match &page["next_cursor"] {
            Value::Null => break,
            c => url = with_cursor(&filtered, c),
        }
    }
    println!("filter q={FILTER:?} matches {matches} of {USERS} users");
    assert_eq!(matches, USERS / 100);

    let mut deep = first.clone();
    for _ in 0..DEEP_PAGES {
        let page = get_json(&client, &deep, token).await;
        deep = with_cursor(&first, &page["next_cursor"]);
    }

    let clients: Vec<Client> = (0..CONNECTIONS).map(|_| new_client()).collect();
    let mut out = Vec::new();
    for (label, url) in [("first page", first), ("filtered (1%)", filtered), ("page 51 (cursor)", deep)] {
        throughput(&clients, url.as_str(), Some(token), WARMUP).await;
        let (cpu, t) = (cpu_secs(pid), Instant::now());
        let (rps, lat) = throughput(&clients, url.as_str(), Some(token), RUN).await;
        out.push((label, rps, lat, cores_since(pid, cpu, t)));
    }
    out
}

/// A PNG of random RGB noise, just under the image limit.
fn noise_png() -> Vec<u8> {
    let mut pixels = vec![0u8; (IMAGE_W * IMAGE_H * 3) as usize];
    StdRng::seed_from_u64(7).fill_bytes(&mut pixels);
    let mut png = Vec::new();
    PngEncoder::new_with_quality(Cursor::new(&mut png), CompressionType::Fast, FilterType::NoFilter)
        .write_image(&pixels, IMAGE_W, IMAGE_H, ExtendedColorType::Rgb8)
        .unwrap();
    assert!((4_500_000..=5_200_000).contains(&png.len()) && png.len() < IMAGE_LIMIT, "PNG is {} bytes", png.len());
    png
}

/// One avatar upload per token, all at once; sorted latencies of the 200s, the failures, and
/// the wall time.
async fn upload_all(base: &str, tokens: &[String], png: &'static [u8]) -> (Vec<Duration>, Vec<String>, Duration) {
    let client = new_client();
    let start = Instant::now();
    let uploads = tokens.iter().map(|token| {
        let part = Part::bytes(png).file_name("a.png").mime_str("image/png").unwrap();
        let req = client.put(format!("{base}/api/v1/users/me/avatar")).bearer_auth(token);
        let req = req.multipart(Form::new().part("file", part));
        tokio::spawn(async move {
            let t = Instant::now();
            let r = req.send().await.map_err(|e| e.to_string())?;
            let status = r.status();
            let body = r.text().await.unwrap_or_default();
            if status == StatusCode::OK { Ok(t.elapsed()) } else { Err(format!("{status}: {body}")) }
        })
    });
    let (mut lat, mut failed) = (Vec::new(), Vec::new());
    for r in join_all(uploads).await {
        match r.unwrap() {
            Ok(d) => lat.push(d),
            Err(e) => failed.push(e),
        }
    }
    lat.sort();
    (lat, failed, start.elapsed())
}

/// Resets the peak RSS of `pid` (Linux `clear_refs` 5); false when the kernel refuses.
fn reset_hwm(pid: u32) -> bool {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
}

/// Samples VmRSS every 5 ms until `stop`; returns the highest value seen, in MiB.
async fn sample_rss(pid: u32, stop: Arc<AtomicBool>) -> f64 {
    let mut max = 0f64;
    while !stop.load(Ordering::Relaxed) {
        max = max.max(rss_mib(pid).1);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    max
}

async fn run(data: &Path, load_time: Duration) {
    let bin = server_bin();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    println!("server: {} on {base}, data dir {}", bin.display(), data.display());
    let mut server = start_server(&bin, data, port);
    let pid = server.0.id();
    let client = new_client();
    wait_healthy(&client, &base, &mut server).await;

    let t = Instant::now();
    let uploaders: Vec<usize> = (0..UPLOADS).map(|k| k * (USERS / UPLOADS)).collect();
    let tokens: Vec<String> =
        stream::iter(&uploaders).map(|&i| login(&client, &base, i)).buffered(LOGIN_CONCURRENCY).collect().await;
    println!("logged in {UPLOADS} users in {:.1} s", t.elapsed().as_secs_f64());

    let listing = directory(&base, &tokens[0], pid).await;
    let hwm_directory = rss_mib(pid).0;
    println!("directory measured");

    let png: &'static [u8] = noise_png().leak();
    let idle = me_load(&base, &tokens, IDLE_ME_REQUESTS, Arc::default()).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_idle = rss_mib(pid).1;
    let hwm_reset = reset_hwm(pid);
    let (stop_me, stop_rss) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
    let sampler = tokio::spawn(sample_rss(pid, stop_rss.clone()));
    let (cpu, t) = (cpu_secs(pid), Instant::now());
    let (during, (up_lat, failed, up_time)) =
        tokio::join!(me_load(&base, &tokens, usize::MAX, stop_me.clone()), async {
            let r = upload_all(&base, &tokens, png).await;
            stop_me.store(true, Ordering::Relaxed);
            r
        });
    let (up_srv, up_bench) = cores_since(pid, cpu, t);
    tokio::time::sleep(SETTLE).await;
    stop_rss.store(true, Ordering::Relaxed);
    let rss_max = sampler.await.unwrap();
    let (hwm_uploads, rss_end) = rss_mib(pid);
    drop(server);

    for f in &failed {
        println!("upload failed: {f}");
    }
    let ok_word = |ok: bool| if ok { "ok" } else { "MISSED" };
    let mut rows = String::new();
    for (label, rps, lat, (srv, bench)) in &listing {
        let (p50, p99) = (pct(lat, 0.5), pct(lat, 0.99));
        let target = ok_word(p99 < 50.0);
        rows += &format!(
            "directory {label:<17}     {rps:>12.0}  req/s     p50 {p50:.1} ms, p99 {p99:.1} ms; p99 < 50 ms: {target}\n\
             \x20 cores busy server / bench   {srv:>7.2} / {bench:.2}\n"
        );
    }
    let (load_s, png_mb) = (load_time.as_secs_f64(), png.len() as f64 / 1e6);
    let (ups_ok, up_rate) = (up_lat.len(), up_lat.len() as f64 / up_time.as_secs_f64());
    let up_mib_s = up_rate * png.len() as f64 / (1024.0 * 1024.0);
    let (up_p50, up_p99) = (pct(&up_lat, 0.5), pct(&up_lat, 0.99));
    let (idle_p99, during_p99) = (pct(&idle, 0.99), pct(&during, 0.99));
    let me_ratio = during_p99 / idle_p99;
    let peak = if hwm_reset { hwm_uploads } else { rss_max };
    let growth_mb = (peak - rss_idle) * 1.048_576;
    let (idle_n, during_n, failed_n) = (idle.len(), during.len(), failed.len());
    let (secs, ok_all, ok_mem, ok_me) =
        (RUN.as_secs(), ok_word(failed_n == 0), ok_word(growth_mb < 100.0), ok_word(me_ratio <= 2.0));
    let hwm_note = if hwm_reset { "VmHWM reset before uploads" } else { "VmHWM not resettable: sampled VmRSS used" };
    println!(
        "\n== p2p-sandbox people benchmark ==\n\
         directory: {USERS} users in {ORGS} organizations, limit=20, {CONNECTIONS} keep-alive connections, {secs} s per query\n\
         uploads: {UPLOADS} simultaneous {png_mb:.2} MB noise PNGs ({IMAGE_W}x{IMAGE_H}) by {UPLOADS} users\n\
         users/me: concurrency {ME_CONCURRENCY}, {idle_n} requests idle, {during_n} during the uploads\n\n\
         figure                                 value  unit      note\n\
         store load (20 transactions)    {load_s:>12.1}  s\n\
         {rows}\
         uploads ok / failed               {ups_ok:>6} / {failed_n}                 all 200: {ok_all}\n\
         uploads: throughput             {up_rate:>12.1}  uploads/s {up_mib_s:.1} MiB/s over {:.2} s\n\
         uploads: p50                    {up_p50:>12.0}  ms\n\
         uploads: p99                    {up_p99:>12.0}  ms\n\
         uploads: cores busy srv / bench {up_srv:>7.2} / {up_bench:.2}           of {} on this machine\n\
         users/me p99 idle               {idle_p99:>12.2}  ms\n\
         users/me p99 during uploads     {during_p99:>12.2}  ms\n\
         users/me p99 uploads / idle     {me_ratio:>12.2}  x         target <= 2x: {ok_me}\n\
         server VmHWM after directory    {hwm_directory:>12.1}  MiB\n\
         server VmRSS idle before upload {rss_idle:>12.1}  MiB\n\
         server peak RSS uploads (+{}s)   {peak:>12.1}  MiB       {hwm_note}\n\
         server sampled VmRSS max        {rss_max:>12.1}  MiB       every 5 ms\n\
         server memory growth, uploads   {growth_mb:>12.1}  MB        target < 100 MB: {ok_mem}\n\
         server VmRSS at the end         {rss_end:>12.1}  MiB",
        up_time.as_secs_f64(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        SETTLE.as_secs()
    );
}
