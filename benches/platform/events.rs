//! Live events under the mix: every person's one `/ws` socket, its subscriptions to two hot
//! topics, listeners that timestamp each frame as it arrives (before parsing it), and the
//! join of what the writers expected against what arrived. A reply to a hot topic should
//! reach every socket subscribed to that topic (`reply.created`), a private message the
//! sockets of both people (`message.created`, on each one's user channel); the delay is
//! from just before the writer's POST to the frame's arrival, as a person waiting for it
//! would see it.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use futures::{StreamExt, future::join_all, stream};
use p2p_sandbox::{domain::ids::TopicId, realtime::Channel};
use serde::Deserialize;
use tokio::{
    sync::{mpsc, watch},
    task::JoinHandle,
    time::timeout,
};
use tokio_tungstenite::tungstenite::Message;

use crate::common::ws::{self, Ws};

/// Longest wait for a socket's close handshake when the bench closes it.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// The events the bench times.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Reply,
    Message,
}

impl Kind {
    pub const ALL: [Kind; 2] = [Kind::Reply, Kind::Message];

    /// The frame's `type`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Reply => "reply.created",
            Kind::Message => "message.created",
        }
    }
}

/// What a writer expects: the event of the record `id` (created by a POST started at
/// `sent`) on the sockets of the bench's people `to`.
pub struct Expect {
    pub kind: Kind,
    pub id: String,
    pub sent: Instant,
    pub to: Vec<usize>,
}

/// A timed frame: the record it is about, the socket's person, when it arrived.
pub struct Arrival {
    pub id: String,
    pub person: usize,
    pub at: Instant,
}

/// The fields of an event frame the bench reads.
#[derive(Deserialize)]
struct Frame {
    #[serde(rename = "type")]
    kind: String,
    data: Option<Record>,
}

#[derive(Deserialize)]
struct Record {
    id: Option<String>,
}

/// Opens one socket per token, `concurrency` handshakes at a time; the sockets by person
/// (`None` where it failed), the sorted connect times, the errors and the wall time.
pub async fn open(
    ws_base: &str,
    tokens: &[String],
    concurrency: usize,
) -> (Vec<Option<Ws>>, Vec<Duration>, Vec<String>, Duration) {
    let t = Instant::now();
    let urls: Vec<String> = tokens.iter().map(|token| format!("{ws_base}/ws?token={token}")).collect();
    let opened: Vec<_> = stream::iter(urls.iter().enumerate())
        .map(|(i, url)| async move { (i, ws::connect(url).await) })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let wall = t.elapsed();
    let mut socks: Vec<Option<Ws>> = tokens.iter().map(|_| None).collect();
    let (mut times, mut errors) = (Vec::new(), Vec::new());
    for (i, r) in opened {
        match r {
            Ok((sock, took)) => {
                socks[i] = Some(sock);
                times.push(took);
            }
            Err(e) => errors.push(e),
        }
    }
    times.sort();
    (socks, times, errors, wall)
}

/// Subscribes each open socket to the channels of `followed` of the `hot` topics (the first
/// of `topics`; person `i` follows topics `i·followed + k`, modulo `hot`, so they are evenly
/// shared), all sockets at once. The subscribed people of each hot topic, and the errors.
pub async fn subscribe(
    socks: &mut [Option<Ws>],
    followed: usize,
    topics: &[String],
    hot: usize,
) -> (Vec<Vec<usize>>, Vec<String>) {
    let plan: Vec<Vec<usize>> =
        (0..socks.len()).map(|i| (0..followed).map(|k| (i * followed + k) % hot).collect()).collect();
    let plan = &plan;
    let channel = |rank: usize| Channel::Topic(topics[rank].parse::<TopicId>().expect("topic id")).to_string();
    let done = join_all(socks.iter_mut().enumerate().filter_map(|(i, s)| s.as_mut().map(|s| (i, s))).map(
        |(i, sock)| async move {
            let mut results = Vec::new();
            for &rank in &plan[i] {
                results.push((rank, ws::subscribe(sock, &channel(rank)).await));
            }
            (i, results)
        },
    ))
    .await;
    let (mut subscribers, mut errors) = (vec![Vec::new(); hot], Vec::new());
    for (i, results) in done {
        for (rank, r) in results {
            match r {
                Ok(()) => subscribers[rank].push(i),
                Err(e) => errors.push(e),
            }
        }
    }
    (subscribers, errors)
}

/// Reads `sock` until `stop` (then closes it and answers `None`) or until the server ends
/// it (`Some(why)`); sends every `reply.created` and `message.created` frame's record id
/// with its arrival time, taken before the frame is parsed.
fn listen(
    person: usize,
    mut sock: Ws,
    tx: mpsc::UnboundedSender<Arrival>,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<Option<String>> {
    tokio::spawn(async move {
        loop {
            let frame = tokio::select! {
                _ = stop.changed() => {
                    let _ = timeout(CLOSE_WAIT, sock.close(None)).await;
                    return None;
                }
                frame = sock.next() => frame,
            };
            let at = Instant::now();
            match frame {
                Some(Ok(Message::Text(text))) => {
                    let Ok(f) = serde_json::from_str::<Frame>(&text) else { continue };
                    if Kind::ALL.iter().any(|k| k.name() == f.kind)
                        && let Some(id) = f.data.and_then(|d| d.id)
                    {
                        let _ = tx.send(Arrival { id, person, at });
                    }
                }
                Some(Ok(Message::Close(why))) => return Some(format!("socket {person} closed by the server: {why:?}")),
                Some(Ok(_)) => {}
                Some(Err(e)) => return Some(format!("socket {person}: {e}")),
                None => return Some(format!("socket {person}: connection ended")),
            }
        }
    })
}

/// The listeners of the open sockets, from `start` to `finish`.
pub struct Listening {
    /// Whose socket was open when listening started.
    open: Vec<bool>,
    tasks: Vec<JoinHandle<Option<String>>>,
    arrivals: mpsc::UnboundedReceiver<Arrival>,
    stop: watch::Sender<bool>,
}

impl Listening {
    /// One listener per open socket (by person).
    pub fn start(socks: Vec<Option<Ws>>) -> Self {
        let (tx, arrivals) = mpsc::unbounded_channel();
        let (stop, stopped) = watch::channel(false);
        let open = socks.iter().map(Option::is_some).collect();
        let tasks = (socks.into_iter().enumerate())
            .filter_map(|(i, s)| s.map(|s| listen(i, s, tx.clone(), stopped.clone())))
            .collect();
        Self { open, tasks, arrivals, stop }
    }

    /// Closes the sockets, then joins `expects` with what arrived: the figures of each kind,
    /// and why the server closed the sockets it closed.
    pub async fn finish(mut self, expects: &[Expect]) -> (Vec<(Kind, Delivered)>, Vec<String>) {
        let _ = self.stop.send(true);
        let closed = join_all(self.tasks).await.into_iter().filter_map(|r| r.expect("listener")).collect();
        let mut arrived = Vec::new();
        while let Some(a) = self.arrivals.recv().await {
            arrived.push(a);
        }
        (join(expects, arrived, &self.open), closed)
    }
}

/// Delivery figures of one kind of event.
#[derive(Default)]
pub struct Delivered {
    /// Events expected, and deliveries (event × socket) expected.
    pub events: usize,
    pub expected: usize,
    /// Sorted delays of the deliveries that arrived.
    pub lat: Vec<Duration>,
    pub missing: usize,
}

/// Joins what was expected with what arrived, by record id and person. Sockets that were
/// not open when the mix started (`open[p]` false) are not expected to receive anything.
fn join(expects: &[Expect], arrivals: Vec<Arrival>, open: &[bool]) -> Vec<(Kind, Delivered)> {
    let arrived: HashMap<(String, usize), Instant> = arrivals.into_iter().map(|a| ((a.id, a.person), a.at)).collect();
    let mut out: Vec<(Kind, Delivered)> = Kind::ALL.iter().map(|&k| (k, Delivered::default())).collect();
    for e in expects {
        let d = &mut out.iter_mut().find(|(k, _)| *k == e.kind).expect("kind").1;
        d.events += 1;
        for &p in e.to.iter().filter(|&&p| open.get(p).copied().unwrap_or(false)) {
            d.expected += 1;
            match arrived.get(&(e.id.clone(), p)) {
                Some(at) => d.lat.push(at.saturating_duration_since(e.sent)),
                None => d.missing += 1,
            }
        }
    }
    out.iter_mut().for_each(|(_, d)| d.lat.sort());
    out
}
