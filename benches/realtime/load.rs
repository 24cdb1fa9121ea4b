//! REST side of the bench: logins, single replies timed against their WebSocket delivery,
//! and the sustained reply load.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use futures::future::join_all;
use p2p_sandbox::domain::ids::TopicId;
use rand::{Rng, SeedableRng, rngs::StdRng};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// Every `WATCH_EVERY`th reply of a poster goes to one of the watched topics.
pub const WATCH_EVERY: usize = 20;
/// Failed requests kept verbatim for the report.
const KEEP_ERRORS: usize = 5;

pub async fn login(client: &Client, base: &str, email: &str, password: &str) -> String {
    let body = json!({ "email": email, "password": password });
    let v: Value =
        client.post(format!("{base}/api/v1/auth/login")).json(&body).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["status"], "authenticated", "login {email}: {v}");
    v["access_token"].as_str().unwrap().to_owned()
}

pub async fn get_json(client: &Client, url: &str, token: &str) -> Value {
    let r = client.get(url).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{url}");
    r.json().await.unwrap()
}

/// POSTs one reply; `Err` carries the status and body of anything but 201.
pub async fn post_reply(client: &Client, base: &str, token: &str, topic: TopicId, content: &str) -> Result<(), String> {
    let url = format!("{base}/api/v1/forum/topics/{topic}/replies");
    let r = client.post(url).bearer_auth(token).json(&json!({ "body": content })).send().await;
    let r = r.map_err(|e| e.to_string())?;
    let status = r.status();
    let body = r.text().await.unwrap_or_default();
    if status == StatusCode::CREATED { Ok(()) } else { Err(format!("{status}: {body}")) }
}

/// Fan-out figures: per-subscriber delivery latencies (sorted), POST latencies (sorted),
/// the time until the last subscriber of each round had the frame, and missing deliveries.
#[derive(Default)]
pub struct Fanout {
    pub deliveries: Vec<Duration>,
    pub posts: Vec<Duration>,
    pub round_max: Vec<Duration>,
    pub missing: usize,
    pub rounds: usize,
}

/// `rounds` sequential replies to `topic`, each timed from just before its POST to the
/// arrival of its `reply.created` frame at each of `subscribers` listeners (`rx`).
pub async fn fanout(
    base: &str,
    token: &str,
    topic: TopicId,
    subscribers: usize,
    rounds: usize,
    limit: Duration,
    rx: &mut mpsc::UnboundedReceiver<(usize, Instant)>,
) -> Fanout {
    let (client, deadline) = (crate::common::new_client(), Instant::now() + limit);
    let mut out = Fanout::default();
    for round in 0..rounds {
        if Instant::now() > deadline {
            break;
        }
        let t0 = Instant::now();
        post_reply(&client, base, token, topic, &format!("Fan-out reply, round {round}")).await.unwrap();
        out.posts.push(t0.elapsed());
        let (wait_until, mut got, mut last) = (tokio::time::Instant::from_std(t0 + Duration::from_secs(5)), 0, t0);
        while got < subscribers {
            match tokio::time::timeout_at(wait_until, rx.recv()).await {
                Ok(Some((n, at))) if n == round => {
                    out.deliveries.push(at.saturating_duration_since(t0));
                    last = last.max(at);
                    got += 1;
                }
                Ok(Some(_)) => {}
                _ => break,
            }
        }
        out.missing += subscribers - got;
        out.round_max.push(last.saturating_duration_since(t0));
        out.rounds += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    out.deliveries.sort();
    out.posts.sort();
    out.round_max.sort();
    out
}

/// What the posters did in one run.
#[derive(Default)]
pub struct Posted {
    /// Sorted latencies of the 201s.
    pub lat: Vec<Duration>,
    pub failed: usize,
    pub errors: Vec<String>,
    /// 201s on watched topics.
    pub watched: usize,
    pub wall: Duration,
}

/// One task per client POSTs replies for `run`, to topics picked at random from `topics`,
/// every `WATCH_EVERY`th to one of `watched`.
pub async fn post_load(
    base: &str,
    clients: &[(Client, String)],
    topics: &Arc<Vec<TopicId>>,
    watched: &Arc<Vec<TopicId>>,
    run: Duration,
) -> Posted {
    let (start, deadline) = (Instant::now(), Instant::now() + run);
    let workers = clients.iter().enumerate().map(|(w, (client, token))| {
        let (client, token, base) = (client.clone(), token.clone(), base.to_owned());
        let (topics, watched) = (topics.clone(), watched.clone());
        tokio::spawn(async move {
            let mut rng = StdRng::from_entropy();
            let mut out = Posted::default();
            for n in 0.. {
                if Instant::now() >= deadline {
                    break;
                }
                let topic = if (n + w) % WATCH_EVERY == 0 {
                    watched[n % watched.len()]
                } else {
                    topics[rng.gen_range(0..topics.len())]
                };
                let content = format!("Load reply from poster {w}, number {n}");
                let t = Instant::now();
                match post_reply(&client, &base, &token, topic, &content).await {
                    Ok(()) => {
                        out.lat.push(t.elapsed());
                        // A random pick may be a watched topic too.
                        out.watched += usize::from(watched.contains(&topic));
                    }
                    Err(e) => {
                        out.failed += 1;
                        if out.errors.len() < KEEP_ERRORS {
                            out.errors.push(e);
                        }
                    }
                }
            }
            out
        })
    });
    let mut all = Posted::default();
    for p in join_all(workers).await {
        let p = p.unwrap();
        all.lat.extend(p.lat);
        all.failed += p.failed;
        all.watched += p.watched;
        all.errors.extend(p.errors.into_iter().take(KEEP_ERRORS.saturating_sub(all.errors.len())));
    }
    all.wall = start.elapsed();
    all.lat.sort();
    all
}
