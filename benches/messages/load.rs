//! Clients of the bench: logins, recipients' sockets timestamping `message.created` frames,
//! the sustained send load (`POST /api/v1/messages`) and the read load (GETs over one
//! keep-alive connection per signed-in person).

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use futures::{StreamExt, future::join_all};
use rand::{Rng, SeedableRng, rngs::StdRng};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use tokio::{net::TcpStream, sync::mpsc, task::JoinHandle, time::timeout};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async, tungstenite::Message};

use crate::preload::{self, Group};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Every `FIRST_EVERY`th send of a sender goes to a recipient picked at random (a first
/// message when the two never talked); the others to its existing conversations.
pub const FIRST_EVERY: usize = 20;
/// Failed requests kept verbatim for the report.
const KEEP_ERRORS: usize = 5;
/// Longest wait for a handshake or the first frame.
const FRAME_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn login(client: &Client, base: &str, email: &str, password: &str) -> String {
    let body = json!({ "email": email, "password": password });
    let v: Value =
        client.post(format!("{base}/api/v1/auth/login")).json(&body).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["status"], "authenticated", "login {email}: {v}");
    v["access_token"].as_str().unwrap().to_owned()
}

/// Opens a socket and waits for its first `subscribed` frame (the user's own channel).
pub async fn connect(url: &str) -> Result<Ws, String> {
    let (mut ws, _) = timeout(FRAME_TIMEOUT, connect_async(url))
        .await
        .map_err(|_| "handshake timed out".to_owned())?
        .map_err(|e| e.to_string())?;
    loop {
        match timeout(FRAME_TIMEOUT, ws.next()).await.map_err(|_| "no `subscribed` frame in 10 s".to_owned())? {
            Some(Ok(Message::Text(t))) if t.contains("\"subscribed\"") => return Ok(ws),
            Some(Ok(Message::Text(t))) if t.contains("\"error\"") => return Err(t.to_string()),
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e.to_string()),
            None => return Err("connection ended".into()),
        }
    }
}

/// Reads `ws` until it ends; for every `message.created` frame sends the message id and the
/// arrival time (taken before the frame is parsed).
pub fn spawn_listener(mut ws: Ws, tx: mpsc::UnboundedSender<(String, Instant)>) -> JoinHandle<()> {
    tokio::spawn(async move {
        while let Some(Ok(frame)) = ws.next().await {
            let at = Instant::now();
            if let Message::Text(text) = frame
                && let Ok(v) = serde_json::from_str::<Value>(&text)
                && v["type"] == "message.created"
                && let Some(id) = v["data"]["id"].as_str()
                && tx.send((id.to_owned(), at)).is_err()
            {
                return;
            }
        }
    })
}

/// What the send load shares: recipients' user ids (by recipient number), the group, and the
/// (sender, recipient) pairs known to have a conversation (preloaded or sent to).
pub struct Plan {
    pub base: String,
    pub recipients: Vec<String>,
    pub group: Group,
    pub known: Mutex<HashSet<(usize, usize)>>,
}

/// One sender task: its connection and the senders it takes turns with (index, token).
pub struct SendTask {
    pub client: Client,
    pub senders: Vec<(usize, String)>,
}

/// What the senders did in one run.
#[derive(Default)]
pub struct Sent {
    /// Sorted latencies of the 201s.
    pub lat: Vec<Duration>,
    /// Each 201's message id and when its POST started.
    pub ok: Vec<(String, Instant)>,
    pub failed: usize,
    pub errors: Vec<String>,
    /// 201s that started a conversation.
    pub first: usize,
    /// Messages and new conversations of each recipient.
    pub per_recipient: Vec<(u64, u64)>,
    pub wall: Duration,
}

/// POSTs one message; the new message's id, or the status and body of anything but 201.
async fn post(client: &Client, base: &str, token: &str, recipient: &str, text: &str) -> Result<String, String> {
    let body = json!({ "recipient_id": recipient, "text": text });
    let r = client.post(format!("{base}/api/v1/messages")).bearer_auth(token).json(&body).send().await;
    let r = r.map_err(|e| e.to_string())?;
    let status = r.status();
    let body = r.text().await.unwrap_or_default();
    if status != StatusCode::CREATED {
        return Err(format!("{status}: {body}"));
    }
    let v: Value = serde_json::from_str(&body).map_err(|e| format!("201 with {body}: {e}"))?;
    v["id"].as_str().map(str::to_owned).ok_or_else(|| format!("201 without id: {body}"))
}

/// One task per `SendTask` sends messages for `run`, its senders taking turns.
pub async fn send_load(plan: &Arc<Plan>, tasks: &[SendTask], run: Duration) -> Sent {
    let (start, deadline) = (Instant::now(), Instant::now() + run);
    let workers = tasks.iter().enumerate().map(|(w, task)| {
        let (client, senders, plan) = (task.client.clone(), task.senders.clone(), plan.clone());
        tokio::spawn(async move {
            let g = plan.group;
            let mut rng = StdRng::seed_from_u64(w as u64 + start.elapsed().as_nanos() as u64);
            let mut out = Sent { per_recipient: vec![(0, 0); g.recipients], ..Sent::default() };
            for n in 0.. {
                if Instant::now() >= deadline {
                    break;
                }
                let (s, token) = &senders[n % senders.len()];
                let r = if n % FIRST_EVERY == FIRST_EVERY - 1 {
                    rng.gen_range(0..g.recipients)
                } else {
                    g.partner(*s, (n / senders.len()) % g.partners) - g.senders
                };
                let text = preload::text(rng.gen_range(0..64));
                let t = Instant::now();
                match post(&client, &plan.base, token, &plan.recipients[r], text).await {
                    Ok(id) => {
                        out.lat.push(t.elapsed());
                        out.ok.push((id, t));
                        out.per_recipient[r].0 += 1;
                        if plan.known.lock().unwrap().insert((*s, r)) {
                            out.first += 1;
                            out.per_recipient[r].1 += 1;
                        }
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
    let mut all = Sent { per_recipient: vec![(0, 0); plan.group.recipients], ..Sent::default() };
    for s in join_all(workers).await {
        let s = s.unwrap();
        all.lat.extend(s.lat);
        all.ok.extend(s.ok);
        (all.failed, all.first) = (all.failed + s.failed, all.first + s.first);
        all.errors.extend(s.errors.into_iter().take(KEEP_ERRORS.saturating_sub(all.errors.len())));
        for (a, b) in all.per_recipient.iter_mut().zip(s.per_recipient) {
            (a.0, a.1) = (a.0 + b.0, a.1 + b.1);
        }
    }
    all.wall = start.elapsed();
    all.lat.sort();
    all
}

/// One read run: requests per second, sorted latencies of the 200s, failures, and the
/// fewest items any client's first page had.
#[derive(Default)]
pub struct Reads {
    pub rate: f64,
    pub lat: Vec<Duration>,
    pub failed: usize,
    pub errors: Vec<String>,
    pub min_items: usize,
}

/// `GET url` with `token` in a loop for `run`, one task (and keep-alive connection) per
/// target.
pub async fn read_load(targets: Vec<(String, String)>, run: Duration) -> Reads {
    let (start, deadline) = (Instant::now(), Instant::now() + run);
    let workers = targets.into_iter().map(|(url, token)| {
        tokio::spawn(async move {
            let client = crate::common::new_client();
            let (mut lat, mut failed, mut errors, mut items) = (Vec::new(), 0, Vec::new(), None);
            while Instant::now() < deadline {
                let t = Instant::now();
                let r = client.get(&url).bearer_auth(&token).send().await;
                let (status, body) = match r {
                    Ok(r) => (r.status(), r.bytes().await.unwrap_or_default()),
                    Err(e) => (StatusCode::IM_A_TEAPOT, e.to_string().into_bytes().into()),
                };
                if status == StatusCode::OK {
                    lat.push(t.elapsed());
                    items = items.or_else(|| {
                        let v: Value = serde_json::from_slice(&body).unwrap_or_default();
                        Some(v["items"].as_array().map_or(0, Vec::len))
                    });
                } else {
                    failed += 1;
                    if errors.len() < KEEP_ERRORS {
                        errors.push(format!("{url}: {status}: {}", String::from_utf8_lossy(&body)));
                    }
                }
            }
            (lat, failed, errors, items.unwrap_or(0))
        })
    });
    let mut all = Reads { min_items: usize::MAX, ..Reads::default() };
    for r in join_all(workers).await {
        let (lat, failed, errors, items) = r.unwrap();
        all.lat.extend(lat);
        all.failed += failed;
        all.errors.extend(errors.into_iter().take(KEEP_ERRORS.saturating_sub(all.errors.len())));
        all.min_items = all.min_items.min(items);
    }
    all.rate = all.lat.len() as f64 / start.elapsed().as_secs_f64();
    all.lat.sort();
    all
}
