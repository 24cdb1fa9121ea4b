//! The hub: a clonable handle over per-channel broadcast senders, sequence counters and
//! backlogs, all behind one mutex whose critical sections are a few pointer operations.
//!
//! Publishing never waits for subscribers: each channel is a `tokio::sync::broadcast` with
//! a fixed capacity, so a subscriber that falls behind by more than `CHANNEL_CAPACITY`
//! events sees `Lagged` and is disconnected by its socket task (it can resume from its
//! last `seq`), while everyone else keeps receiving at full speed.

use std::{
    collections::{HashMap, VecDeque},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use serde::Serialize;
use tokio::sync::{broadcast, watch};

use super::{
    Channel,
    sockets::{SocketGuard, Sockets},
};
use crate::domain::{
    ids::{SessionId, UserId},
    session::SessionEnd,
};

/// Events a channel buffers for subscribers before a slow one is considered lagging (each
/// socket also has its own queue, see `ws.queue`).
pub const CHANNEL_CAPACITY: usize = 256;
/// Events a channel keeps for clients that reconnect.
pub const BACKLOG: usize = 128;
/// Channels kept without subscribers (for resume) before idle ones are dropped. Bounds the
/// hub's memory when events hit many topics nobody follows.
const MAX_IDLE_CHANNELS: usize = 2_000;

/// The `at` of a frame: now, RFC 3339 in UTC with milliseconds (one format for every frame
/// that carries a time, so clients parse one shape).
pub fn timestamp() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// One event as kept for subscribers and replays: only its serialized frame and what replay
/// needs. The payload is not kept as a JSON tree beside its text: the rings and backlogs of
/// a thousand channels hold tens of thousands of events, and the tree took several times the
/// memory of the text (the platform bench's server grew past 800 MiB with it).
#[derive(Debug, Clone)]
pub struct Event {
    /// Position in the channel, increasing by one per event (0 for a signal).
    pub seq: u64,
    /// The serialized frame, made once at publication for every subscriber.
    pub wire: Arc<str>,
}

/// The frame of an event on the wire.
#[derive(Serialize)]
struct Frame<'a> {
    /// What happened, e.g. `reply.created`.
    #[serde(rename = "type")]
    kind: &'a str,
    /// The channel it was published on.
    channel: &'a str,
    seq: u64,
    /// The payload (same field names as the REST API).
    data: &'a serde_json::Value,
    /// RFC 3339 time of publication.
    at: String,
}

/// One channel's state: its broadcast ring, sequence and backlog.
struct Ring {
    /// Created at the first subscribe: a channel nobody follows holds no broadcast ring.
    tx: Option<broadcast::Sender<Arc<Event>>>,
    seq: u64,
    backlog: VecDeque<Arc<Event>>,
}

impl Ring {
    fn new() -> Self {
        Self { tx: None, seq: 0, backlog: VecDeque::new() }
    }

    fn receivers(&self) -> usize {
        self.tx.as_ref().map_or(0, broadcast::Sender::receiver_count)
    }
}

struct Shared {
    channels: Mutex<HashMap<String, Ring>>,
    sockets: Arc<Sockets>,
    traffic: Traffic,
    shutdown: watch::Sender<bool>,
}

/// Hub traffic since start (for metrics).
#[derive(Default)]
struct Traffic {
    published: AtomicU64,
    delivered: AtomicU64,
    dropped: AtomicU64,
}

/// Hub traffic since start: events published, deliveries to subscribers, and deliveries
/// dropped because a subscriber was too slow (its socket is then closed).
#[derive(Clone, Copy, Debug, Default)]
pub struct TrafficCounts {
    pub published: u64,
    pub delivered: u64,
    pub dropped: u64,
}

/// A subscription: the live receiver plus what was missed since the given `seq`.
pub struct Subscription {
    pub rx: broadcast::Receiver<Arc<Event>>,
    /// Events after the client's last `seq`, oldest first; `None` means the backlog no
    /// longer reaches back that far and the client must refetch (resync).
    pub missed: Option<Vec<Arc<Event>>>,
    /// The channel's current `seq`.
    pub seq: u64,
}

/// Clonable handle to the hub.
#[derive(Clone)]
pub struct Hub(Arc<Shared>);

impl Default for Hub {
    fn default() -> Self {
        Self(Arc::new(Shared {
            channels: Mutex::new(HashMap::new()),
            sockets: Arc::default(),
            traffic: Traffic::default(),
            shutdown: watch::channel(false).0,
        }))
    }
}

impl Hub {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, Ring>) -> T) -> T {
        let mut map = match self.0.channels.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut map)
    }

    /// Publishes an event of `kind` on `channel`; returns how many subscribers it reached.
    pub fn publish(&self, channel: &Channel, kind: &str, data: serde_json::Value) -> usize {
        let channel = channel.to_string();
        self.with(|map| {
            if map.len() > MAX_IDLE_CHANNELS {
                map.retain(|_, c| c.receivers() > 0);
            }
            let c = map.entry(channel.clone()).or_insert_with(Ring::new);
            c.seq += 1;
            let frame = Frame { kind, channel: &channel, seq: c.seq, data: &data, at: timestamp() };
            let event = Arc::new(Event { seq: c.seq, wire: serde_json::to_string(&frame).unwrap_or_default().into() });
            if c.backlog.len() == BACKLOG {
                c.backlog.pop_front();
            }
            c.backlog.push_back(event.clone());
            // No receivers is fine: the backlog keeps it for reconnecting clients.
            let reached = c.tx.as_ref().map_or(0, |tx| tx.send(event).unwrap_or(0));
            let t = &self.0.traffic;
            t.published.fetch_add(1, Ordering::Relaxed);
            t.delivered.fetch_add(reached as u64, Ordering::Relaxed);
            reached
        })
    }

    /// Sends an ephemeral event (e.g. typing) to the current subscribers of `channel`: no
    /// `seq` on the wire, not kept in the backlog, so a reconnecting client never replays it.
    pub fn signal(&self, channel: &Channel, kind: &str, data: serde_json::Value) -> usize {
        let channel = channel.to_string();
        self.with(|map| {
            let Some(tx) = map.get(&channel).and_then(|c| c.tx.as_ref()) else { return 0 };
            let at = timestamp();
            let wire = serde_json::json!({"type": kind, "channel": channel, "data": data, "at": at}).to_string();
            let reached = tx.send(Arc::new(Event { seq: 0, wire: wire.into() })).unwrap_or(0);
            self.0.traffic.delivered.fetch_add(reached as u64, Ordering::Relaxed);
            reached
        })
    }

    /// Whether `user` has a socket open now (messaging emails people who are away).
    pub fn is_online(&self, user: UserId) -> bool {
        self.0.sockets.holds(user)
    }

    /// Subscribes to `channel`, replaying what came after `last_seq`. Taken under the same
    /// lock as `publish`, so replay and live stream neither overlap nor leave a gap.
    pub fn subscribe(&self, channel: &Channel, last_seq: Option<u64>) -> Subscription {
        let channel = channel.to_string();
        self.with(|map| {
            let c = map.entry(channel).or_insert_with(Ring::new);
            let rx = c.tx.get_or_insert_with(|| broadcast::channel(CHANNEL_CAPACITY).0).subscribe();
            let missed = match last_seq {
                None => Some(Vec::new()),
                Some(last) if last >= c.seq => Some(Vec::new()),
                Some(last) => {
                    let oldest = c.backlog.front().map(|e| e.seq).unwrap_or(c.seq + 1);
                    if last + 1 < oldest {
                        None
                    } else {
                        Some(c.backlog.iter().filter(|e| e.seq > last).cloned().collect())
                    }
                }
            };
            Subscription { rx, missed, seq: c.seq }
        })
    }

    /// Registers a socket of `user` signed in with `session`; `None` when they already
    /// hold `max`.
    pub fn register_socket(&self, user: UserId, session: SessionId, max: usize) -> Option<SocketGuard> {
        self.0.sockets.register(user, session, max)
    }

    /// Closes every socket of these sessions (they ended for `why`); returns how many.
    pub fn end_sessions(&self, ids: &[SessionId], why: SessionEnd) -> usize {
        self.0.sockets.end_sessions(ids, why)
    }

    /// Open sockets (for metrics).
    pub fn open_sockets(&self) -> usize {
        self.0.sockets.open()
    }

    /// Records `n` events a subscriber could not take (it was too slow and is disconnected).
    pub fn record_dropped(&self, n: u64) {
        self.0.traffic.dropped.fetch_add(n, Ordering::Relaxed);
    }

    /// Traffic since start (for metrics).
    pub fn traffic(&self) -> TrafficCounts {
        let t = &self.0.traffic;
        TrafficCounts {
            published: t.published.load(Ordering::Relaxed),
            delivered: t.delivered.load(Ordering::Relaxed),
            dropped: t.dropped.load(Ordering::Relaxed),
        }
    }

    /// Number of channels with at least one subscriber.
    pub fn active_channels(&self) -> usize {
        self.with(|map| map.values().filter(|c| c.receivers() > 0).count())
    }

    /// Asks every socket to close (code 1001) — called when the server shuts down.
    pub fn shutdown(&self) {
        self.0.shutdown.send_replace(true);
    }

    /// Resolves when shutdown is requested.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.0.shutdown.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c() -> Channel {
        Channel::Category("c".into())
    }

    #[test]
    fn replay_gives_exactly_the_missed_events_or_resync() {
        let hub = Hub::default();
        for i in 0..5 {
            hub.publish(&c(), "e", serde_json::json!(i));
        }
        let s = hub.subscribe(&c(), Some(3));
        assert_eq!(s.missed.unwrap().iter().map(|e| e.seq).collect::<Vec<_>>(), vec![4, 5]);
        assert!(hub.subscribe(&c(), Some(5)).missed.unwrap().is_empty());
        for i in 0..BACKLOG {
            hub.publish(&c(), "e", serde_json::json!(i));
        }
        assert!(hub.subscribe(&c(), Some(1)).missed.is_none(), "too old: resync");
    }

    #[tokio::test]
    async fn live_events_follow_the_replay_in_order() {
        let hub = Hub::default();
        hub.publish(&c(), "e", serde_json::json!(1));
        let mut s = hub.subscribe(&c(), Some(0));
        hub.publish(&c(), "e", serde_json::json!(2));
        assert_eq!(s.missed.unwrap()[0].seq, 1);
        assert_eq!(s.rx.recv().await.unwrap().seq, 2);
    }
}
