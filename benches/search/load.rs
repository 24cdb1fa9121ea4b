//! Clients of the search bench: sign-in, the probe that reads each query's match count once,
//! the query load (one keep-alive connection per client, cycling through one kind's
//! queries), and the freshness run (paced reply creation, with sampled replies polled for
//! until search finds them).

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use futures::future::join_all;
use p2p_sandbox::domain::ids::TopicId;
use rand::{Rng, SeedableRng, rngs::StdRng};
use reqwest::{Client, StatusCode, Url};
use serde_json::{Value, json};
use tokio::time::MissedTickBehavior;

use crate::{common::new_client, text};

/// Failed requests kept verbatim for the report.
const KEEP_ERRORS: usize = 5;
/// A sampled reply not found by then counts as missing.
const FRESH_LIMIT: Duration = Duration::from_secs(10);
/// Time between two searches for a sampled reply: the resolution of the freshness figure.
const POLL: Duration = Duration::from_millis(20);
/// Time between two reads of `/metrics` during the freshness run.
const METRICS_EVERY: Duration = Duration::from_millis(200);

pub async fn login(client: &Client, base: &str, email: &str, password: &str) -> String {
    let body = json!({ "email": email, "password": password });
    let r = client.post(format!("{base}/api/v1/auth/login")).json(&body).send().await.expect("login request");
    let v: Value = r.json().await.expect("login body");
    assert_eq!(v["status"], "authenticated", "login {email}: {v}");
    v["access_token"].as_str().expect("access_token").to_owned()
}

/// `GET url` as `token`: the status and the JSON body (`Null` if it is none).
async fn get(client: &Client, url: Url, token: &str) -> Result<(StatusCode, Value), String> {
    let r = client.get(url).bearer_auth(token).send().await.map_err(|e| e.to_string())?;
    let status = r.status();
    Ok((status, r.json().await.unwrap_or(Value::Null)))
}

/// The `total` of each search in `urls`, one after the other (`None` for a failure).
pub async fn totals(client: &Client, urls: &[Url], token: &str) -> Vec<Option<u64>> {
    let mut out = Vec::with_capacity(urls.len());
    for url in urls {
        let got = get(client, url.clone(), token).await;
        out.push(got.ok().filter(|(s, _)| *s == StatusCode::OK).and_then(|(_, v)| v["total"].as_u64()));
    }
    out
}

/// The suggestions of each of `urls`.
pub async fn suggestions(client: &Client, urls: &[Url], token: &str) -> Vec<Option<usize>> {
    let mut out = Vec::with_capacity(urls.len());
    for url in urls {
        let got = get(client, url.clone(), token).await;
        out.push(got.ok().and_then(|(_, v)| v["suggestions"].as_array().map(Vec::len)));
    }
    out
}

/// One read run: requests per second, sorted latencies of the 200s, failures.
#[derive(Default)]
pub struct Reads {
    pub rate: f64,
    pub lat: Vec<Duration>,
    pub failed: usize,
    pub errors: Vec<String>,
}

impl Reads {
    fn add(&mut self, lat: Vec<Duration>, failed: usize, errors: Vec<String>) {
        self.lat.extend(lat);
        self.failed += failed;
        self.errors.extend(errors.into_iter().take(KEEP_ERRORS.saturating_sub(self.errors.len())));
    }
}

/// `clients` tasks, each with its own connection and one of `tokens`, GET `urls` in turn
/// (each from its own place in the list) for `run`.
pub async fn query_load(urls: &Arc<Vec<Url>>, tokens: &[String], clients: usize, run: Duration) -> Reads {
    let (start, deadline) = (Instant::now(), Instant::now() + run);
    let workers = (0..clients).map(|c| {
        let (urls, token) = (urls.clone(), tokens[c % tokens.len()].clone());
        tokio::spawn(async move {
            let client = new_client();
            let (mut lat, mut failed, mut errors) = (Vec::new(), 0, Vec::new());
            let mut next = c * 7;
            while Instant::now() < deadline {
                let url = &urls[next % urls.len()];
                next += 1;
                let t = Instant::now();
                let verdict = match client.get(url.clone()).bearer_auth(&token).send().await {
                    Ok(r) if r.status() == StatusCode::OK => r.bytes().await.map(drop).map_err(|e| e.to_string()),
                    Ok(r) => Err(format!("{}: {}", r.status(), r.text().await.unwrap_or_default())),
                    Err(e) => Err(e.to_string()),
                };
                match verdict {
                    Ok(()) => lat.push(t.elapsed()),
                    Err(e) => {
                        failed += 1;
                        if errors.len() < KEEP_ERRORS {
                            errors.push(format!("{url}: {e}"));
                        }
                    }
                }
            }
            (lat, failed, errors)
        })
    });
    let mut all = Reads::default();
    for r in join_all(workers).await {
        let (lat, failed, errors) = r.expect("query task");
        all.add(lat, failed, errors);
    }
    all.rate = all.lat.len() as f64 / start.elapsed().as_secs_f64();
    all.lat.sort();
    all
}

/// What the freshness run saw.
#[derive(Default)]
pub struct Fresh {
    /// Sorted latencies of the 201s (load and sampled replies).
    pub posted: Vec<Duration>,
    pub failed: usize,
    pub errors: Vec<String>,
    pub wall: Duration,
    /// Sorted times from a sampled reply's 201 to the first search that returned it.
    pub visible: Vec<Duration>,
    /// Sampled replies search had not returned after `FRESH_LIMIT`.
    pub missing: usize,
    /// Sorted latencies of those searches.
    pub polls: Vec<Duration>,
    /// The highest `search_index_queued` and `search_index_lag_milliseconds`, and job queue
    /// depth, seen in `/metrics`.
    pub max_queued: f64,
    pub max_lag_ms: f64,
    pub max_jobs: f64,
}

/// POSTs a reply; its id, or the status and body of anything but 201.
async fn post_reply(client: &Client, base: &str, token: &str, topic: TopicId, body: &str) -> Result<String, String> {
    let url = format!("{base}/api/v1/forum/topics/{topic}/replies");
    let r = client.post(url).bearer_auth(token).json(&json!({ "body": body })).send().await;
    let r = r.map_err(|e| e.to_string())?;
    let status = r.status();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    match (status, v["id"].as_str()) {
        (StatusCode::CREATED, Some(id)) => Ok(id.to_owned()),
        _ => Err(format!("{status}: {v}")),
    }
}

/// Searches for `marker` every `POLL` until the result holds reply `id`: the time since
/// `acked`, or `None` after `FRESH_LIMIT`; with each search's latency.
async fn until_found(
    client: Client,
    url: Url,
    token: String,
    id: String,
    acked: Instant,
) -> (Option<Duration>, Vec<Duration>) {
    let mut lat = Vec::new();
    while acked.elapsed() < FRESH_LIMIT {
        let t = Instant::now();
        let got = get(&client, url.clone(), &token).await;
        lat.push(t.elapsed());
        if let Ok((StatusCode::OK, v)) = got
            && v["results"].as_array().is_some_and(|r| r.iter().any(|h| h["id"].as_str() == Some(id.as_str())))
        {
            return (Some(acked.elapsed()), lat);
        }
        tokio::time::sleep(POLL).await;
    }
    (None, lat)
}

/// The value of the unlabelled series `name` in `/metrics` text.
fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')).and_then(|v| v.trim().parse().ok())
}

/// The gauges `names` of `GET /metrics` (NaN where absent).
pub async fn gauges<const N: usize>(client: &Client, base: &str, names: [&str; N]) -> [f64; N] {
    let text = match client.get(format!("{base}/metrics")).send().await {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    names.map(|n| metric(&text, n).unwrap_or(f64::NAN))
}

/// For `run`, `posters` (one connection each) create replies to random topics at `rate` per
/// second in all, while one more client writes `samples` replies carrying a unique word and
/// searches for each from its 201 until it is found.
pub async fn freshness(
    base: &str,
    posters: &[String],
    sampler: &str,
    topics: &Arc<Vec<TopicId>>,
    rate: f64,
    samples: usize,
    run: Duration,
) -> Fresh {
    let (start, deadline) = (Instant::now(), Instant::now() + run);
    let every = Duration::from_secs_f64(posters.len() as f64 / rate);
    let workers = posters.iter().enumerate().map(|(w, token)| {
        let (token, base, topics) = (token.clone(), base.to_owned(), topics.clone());
        tokio::spawn(async move {
            let (client, mut rng) = (new_client(), StdRng::seed_from_u64(w as u64));
            // Paced, not as fast as possible: the figure is freshness at a given write rate.
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
            let (mut lat, mut failed, mut errors) = (Vec::new(), 0, Vec::new());
            while Instant::now() < deadline {
                tick.tick().await;
                let (topic, body) = (topics[rng.gen_range(0..topics.len())], text::reply_body(&mut rng));
                let t = Instant::now();
                match post_reply(&client, &base, &token, topic, &body).await {
                    Ok(_) => lat.push(t.elapsed()),
                    Err(e) => {
                        failed += 1;
                        if errors.len() < KEEP_ERRORS {
                            errors.push(e);
                        }
                    }
                }
            }
            (lat, failed, errors)
        })
    });
    let workers: Vec<_> = workers.collect();
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (stop, base) = (stop.clone(), base.to_owned());
        tokio::spawn(async move {
            let (client, mut max) = (new_client(), [0.0f64; 3]);
            let names = ["p2p_search_index_queued", "p2p_search_index_lag_milliseconds", "p2p_job_queue_depth"];
            while !stop.load(Ordering::Relaxed) {
                let now = gauges(&client, &base, names).await;
                max.iter_mut().zip(now).for_each(|(m, v)| *m = m.max(v));
                tokio::time::sleep(METRICS_EVERY).await;
            }
            max
        })
    };
    let (client, mut rng) = (new_client(), StdRng::seed_from_u64(99));
    let mut tick = tokio::time::interval(run / samples as u32);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let (mut sampled, mut fresh) = (Vec::new(), Fresh::default());
    let (mut lat, mut failed, mut errors) = (Vec::new(), 0, Vec::new());
    for _ in 0..samples {
        tick.tick().await;
        let marker = text::marker(&mut rng);
        let body = format!("{marker} {}", text::reply_body(&mut rng));
        let topic = topics[rng.gen_range(0..topics.len())];
        let t = Instant::now();
        match post_reply(&client, base, sampler, topic, &body).await {
            Ok(id) => {
                let acked = Instant::now();
                lat.push(acked - t);
                let url = Url::parse_with_params(
                    &format!("{base}/api/v1/search"),
                    [("q", marker.as_str()), ("type", "forum")],
                )
                .expect("search URL");
                sampled.push(tokio::spawn(until_found(client.clone(), url, sampler.to_owned(), id, acked)));
            }
            Err(e) => {
                failed += 1;
                errors.push(e);
            }
        }
    }
    fresh.add_posts(lat, failed, errors);
    for w in join_all(workers).await {
        let (lat, failed, errors) = w.expect("poster task");
        fresh.add_posts(lat, failed, errors);
    }
    fresh.wall = start.elapsed();
    for s in join_all(sampled).await {
        let (found, lat) = s.expect("sample task");
        fresh.polls.extend(lat);
        match found {
            Some(d) => fresh.visible.push(d),
            None => fresh.missing += 1,
        }
    }
    stop.store(true, Ordering::Relaxed);
    [fresh.max_queued, fresh.max_lag_ms, fresh.max_jobs] = watcher.await.expect("metrics task");
    fresh.posted.sort();
    fresh.visible.sort();
    fresh.polls.sort();
    fresh
}

impl Fresh {
    fn add_posts(&mut self, lat: Vec<Duration>, failed: usize, errors: Vec<String>) {
        self.posted.extend(lat);
        self.failed += failed;
        self.errors.extend(errors.into_iter().take(KEEP_ERRORS.saturating_sub(self.errors.len())));
    }

    /// Replies acknowledged per second over the run.
    pub fn write_rate(&self) -> f64 {
        self.posted.len() as f64 / self.wall.as_secs_f64()
    }
}
