//! One WebSocket connection: authenticate, subscribe, then one `select!` loop over client
//! frames, queued events, a ping tick and the shutdown signal.
//!
//! Each subscription has a forwarding task that moves hub events into this socket's bounded
//! queue with `try_send`: when the queue is full (the client reads too slowly) or the hub
//! reports the subscriber lagged, the socket is closed — it never slows the publisher or
//! other clients, and the client can reconnect with its last `seq`.

use std::{collections::HashMap, time::Duration};

use futures::{SinkExt, StreamExt};
use poem::web::websocket::{CloseCode, Message, WebSocketStream};
use poem_openapi::types::ToJSON;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::{
    sync::mpsc,
    task::JoinHandle,
    time::{Instant, interval},
};

use crate::{
    auth::ratelimit::Budget,
    domain::{
        ids::{ConversationId, ReplyId, TopicId},
        session::SessionEnd,
    },
    dto::forum::ForumReply,
    error::AppError,
    realtime::{Channel, hub},
    service::{
        forum::replies,
        messages::conversations,
        sessions::{self, Activity, AuthContext},
        subscriptions,
    },
    state::AppState,
};
use crate::{domain::closed::ClosedSet, error::ErrorCode};

/// Which endpoint opened the socket.
pub enum Mode {
    Main,
    /// A topic socket, with the last `seq` the client saw.
    Topic(Option<TopicId>, Option<u64>),
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ClientFrame {
    Auth {
        token: String,
    },
    Subscribe {
        channel: String,
        last_seq: Option<u64>,
    },
    Unsubscribe {
        channel: String,
    },
    Ping,
    /// The reply's text is `body` as in REST; `content`, the seed's name, is accepted too.
    NewPost {
        #[serde(alias = "content")]
        body: String,
        parent_reply_id: Option<String>,
    },
    /// The caller is typing in a conversation: relayed to the other person, never stored.
    Typing {
        conversation_id: String,
    },
}

/// Close code of a socket whose session ended (logout, revocation, password change,
/// deactivation, idle or absolute limit); the reason is the session error's code, e.g.
/// `session_revoked`. Clients should not reconnect with the same token.
pub const SESSION_ENDED: CloseCode = CloseCode::Reserved(4401);

/// Why a frame closes the socket.
enum Refusal {
    /// The frame itself is not acceptable (1007).
    Frame(&'static str),
    /// The socket's session has ended (4401), with the session error's code.
    SessionEnded(&'static str),
}

/// The close reason for a failed session check.
fn session_code(e: &AppError) -> &'static str {
    [SessionEnd::Revoked, SessionEnd::Idle, SessionEnd::Expired]
        .into_iter()
        .map(SessionEnd::code)
        .find(|c| *c == e.code.name())
        .unwrap_or("session_invalid")
}

/// The instant `deadline_ms` (ms since the epoch) falls on, a few ms late so the check then
/// sees the limit passed.
fn until(deadline_ms: i64) -> Instant {
    let wait = (deadline_ms - crate::service::now() + 5).max(0) as u64;
    Instant::now() + Duration::from_millis(wait)
}

/// Why the loop ended.
enum Outcome {
    Close(CloseCode, &'static str),
    Gone,
}

fn error_frame(e: &AppError) -> Message {
    let mut v = json!({"type": "error", "code": e.code, "message": e.message});
    if let crate::error::ErrorKind::Validation(fields) = &e.kind {
        v["fields"] = json!(fields);
    }
    Message::Text(v.to_string())
}

async fn authenticate(
    state: &AppState,
    stream: &mut futures::stream::SplitStream<WebSocketStream>,
    token: Option<String>,
) -> Option<AuthContext> {
    let token = match token {
        Some(t) => t,
        None => {
            let first = tokio::time::timeout(Duration::from_secs(10), stream.next()).await.ok()??.ok()?;
            match first {
                Message::Text(text) => match serde_json::from_str::<ClientFrame>(&text).ok()? {
                    ClientFrame::Auth { token } => token,
                    _ => return None,
                },
                _ => return None,
            }
        }
    };
    sessions::authenticate(state, &token).await.ok()
}

/// Runs a connection to its end.
pub async fn run(state: AppState, socket: WebSocketStream, token: Option<String>, mode: Mode) {
    let (mut sink, mut stream) = socket.split();
    let Some(ctx) = authenticate(&state, &mut stream, token).await else {
        let _ = sink.send(Message::Close(Some((CloseCode::Policy, ErrorCode::Unauthenticated.name().into())))).await;
        return;
    };
    let Some(mut guard) = state.hub.register_socket(ctx.user_id, ctx.session_id, state.config.ws.max_sockets_per_user)
    else {
        let _ = sink.send(Message::Close(Some((CloseCode::Policy, "too many sockets".into())))).await;
        return;
    };
    // Registered first, checked second: a session that ends from here on closes this socket
    // through the guard, one that ended before is refused here (see `realtime::sockets`).
    let deadline = match sessions::check(&state, ctx, Activity::Ignore).await {
        Ok(d) => d,
        Err(e) => {
            let _ = sink.send(Message::Close(Some((SESSION_ENDED, e.code.name().into())))).await;
            return;
        }
    };
    let (out_tx, mut out_rx) = mpsc::channel::<Message>(state.config.ws.queue);
    let (slow_tx, mut slow_rx) = mpsc::channel::<()>(1);
    let mut subs: HashMap<String, JoinHandle<()>> = HashMap::new();
    let typing = Budget::new(state.config.messages.typing_per_10s, Duration::from_secs(10));
    let mut session = Session { state: &state, ctx, out: out_tx, slow: slow_tx, subs: &mut subs, topic: None, typing };
    session.subscribe(&Channel::User(ctx.user_id), None);
    if let Mode::Topic(topic, last_seq) = mode {
        match topic {
            Some(t) if subscriptions::may_follow(&state, ctx, &Channel::Topic(t)).await.is_ok() => {
                session.topic = Some(t);
                session.subscribe(&Channel::Topic(t), last_seq);
            }
            _ => {
                let _ = sink.send(Message::Close(Some((CloseCode::Policy, "no such topic".into())))).await;
                return;
            }
        }
    }
    let frames = Budget::new(state.config.ws.frames_per_second.saturating_mul(2), Duration::from_secs(2));
    let mut ping = interval(Duration::from_secs(state.config.ws.ping_secs));
    ping.tick().await;
    let mut last_heard = Instant::now();
    let idle_limit = Duration::from_secs(state.config.ws.ping_secs * 3);
    let mut shutdown = state.hub.shutdown_signal();
    let write_timeout = Duration::from_millis(state.config.ws.write_timeout_ms);
    // One timer for the session's limits, moved when activity moves them (not re-created on
    // every event: a busy topic wakes this loop thousands of times a second).
    let session_timer = tokio::time::sleep_until(until(deadline));
    tokio::pin!(session_timer);
    let outcome = loop {
        tokio::select! {
            why = guard.session_ended() => break Outcome::Close(SESSION_ENDED, why.code()),
            // The session's idle or absolute limit: look again (a REST request may have
            // extended it); a session whose time is up is ended, which closes this socket.
            () = &mut session_timer => match sessions::check(&state, ctx, Activity::Ignore).await {
                Ok(d) => session_timer.as_mut().reset(until(d)),
                Err(e) => break Outcome::Close(SESSION_ENDED, session_code(&e)),
            },
            frame = stream.next() => {
                last_heard = Instant::now();
                match frame {
                    None | Some(Ok(Message::Close(_))) => break Outcome::Gone,
                    Some(Err(_)) => break Outcome::Close(CloseCode::Size, "frame too large or malformed"),
                    Some(Ok(Message::Text(text))) => {
                        if !frames.spend() {
                            break Outcome::Close(CloseCode::Policy, "too many frames");
                        }
                        match session.handle(&text).await {
                            Ok(Some(d)) => session_timer.as_mut().reset(until(d)),
                            Ok(None) => {}
                            Err(Refusal::Frame(reason)) => break Outcome::Close(CloseCode::Invalid, reason),
                            Err(Refusal::SessionEnded(code)) => break Outcome::Close(SESSION_ENDED, code),
                        }
                    }
                    Some(Ok(Message::Binary(_))) => break Outcome::Close(CloseCode::Unsupported, "text frames only"),
                    Some(Ok(_)) => {}
                }
            }
            Some(msg) = out_rx.recv() => {
                // A client that stops reading fills its TCP window; the write then stalls and
                // the client is dropped instead of holding this task forever.
                match tokio::time::timeout(write_timeout, sink.send(msg)).await {
                    Ok(Ok(())) => {}
                    _ => break Outcome::Gone,
                }
            }
            _ = slow_rx.recv() => break Outcome::Close(CloseCode::Policy, "client too slow"),
            _ = ping.tick() => {
                if last_heard.elapsed() > idle_limit {
                    break Outcome::Close(CloseCode::Away, "idle");
                }
                if sink.send(Message::Ping(Vec::new())).await.is_err() {
                    break Outcome::Gone;
                }
            }
            _ = shutdown.changed() => break Outcome::Close(CloseCode::Away, "server shutting down"),
        }
    };
    for (_, task) in subs.drain() {
        task.abort();
    }
    if let Outcome::Close(code, reason) = outcome {
        let _ = tokio::time::timeout(write_timeout, sink.send(Message::Close(Some((code, reason.into()))))).await;
    }
    let _ = tokio::time::timeout(write_timeout, sink.close()).await;
}

struct Session<'a> {
    state: &'a AppState,
    ctx: AuthContext,
    out: mpsc::Sender<Message>,
    slow: mpsc::Sender<()>,
    subs: &'a mut HashMap<String, JoinHandle<()>>,
    topic: Option<TopicId>,
    /// Typing indicators this socket may still relay (excess ones are dropped silently).
    typing: Budget,
}

impl Session<'_> {
    /// Handles one text frame after checking the session is still alive; returns the
    /// session's new deadline when the frame counted as activity, `Err` closes the socket.
    async fn handle(&mut self, text: &str) -> Result<Option<i64>, Refusal> {
        let frame: ClientFrame = serde_json::from_str(text).map_err(|_| Refusal::Frame("malformed frame"))?;
        // A client's keep-alive is not the user's activity; everything else is.
        let activity = if matches!(frame, ClientFrame::Ping) { Activity::Ignore } else { Activity::Record };
        let deadline = sessions::check(self.state, self.ctx, activity)
            .await
            .map_err(|e| Refusal::SessionEnded(session_code(&e)))?;
        match frame {
            ClientFrame::Auth { .. } => self.send(json!({"type": "error", "code": ErrorCode::AlreadyAuthenticated, "message": "This socket is already signed in"})),
            ClientFrame::Ping => self.send(json!({"type": "pong"})),
            ClientFrame::Typing { conversation_id } => {
                let Ok(id) = conversation_id.parse::<ConversationId>() else {
                    self.push(error_frame(&AppError::not_found("Conversation")));
                    return Ok(Some(deadline));
                };
                if self.typing.spend()
                    && let Err(e) = conversations::typing(self.state, self.ctx, id).await
                {
                    self.push(error_frame(&e));
                }
            }
            ClientFrame::Subscribe { channel, last_seq } => {
                let followed = match Channel::parse(&channel) {
                    Some(c) => subscriptions::may_follow(self.state, self.ctx, &c).await.map(|()| c),
                    None => Err(AppError::not_found("Channel")),
                };
                match followed {
                    Ok(c) => self.subscribe(&c, last_seq),
                    Err(e) => self.push(error_frame(&e)),
                }
            }
            ClientFrame::Unsubscribe { channel } => {
                if let Some(task) = self.subs.remove(&channel) {
                    task.abort();
                }
                self.send(json!({"type": "unsubscribed", "channel": channel}));
            }
            ClientFrame::NewPost { body, parent_reply_id } => {
                let Some(topic) = self.topic else {
                    return Err(Refusal::Frame("new_post is only accepted on /ws/forum/{topic_id}"));
                };
                let parent = match parent_reply_id.map(|p| p.parse::<ReplyId>()) {
                    Some(Err(_)) => {
                        self.push(error_frame(&AppError::field("parent_reply_id", "is not a reply id")));
                        return Ok(Some(deadline));
                    }
                    Some(Ok(p)) => Some(p),
                    None => None,
                };
                match replies::create(self.state, self.ctx, topic, &body, parent, Vec::new()).await {
                    // The envelope of an event without a `seq`: this is the answer to this
                    // socket's frame, not an event of the channel. The `reply.created` every
                    // follower gets (this socket too) is the channel's event and has the seq.
                    Ok(view) => self.send(json!({
                        "type": "post_created",
                        "channel": Channel::Topic(topic).to_string(),
                        "data": ForumReply::from(view).to_json(),
                        "at": hub::timestamp(),
                    })),
                    Err(e) => self.push(error_frame(&e)),
                }
            }
        }
        Ok(Some(deadline))
    }

    /// Subscribes, acknowledges, replays what was missed (or asks for a resync) and starts
    /// forwarding live events.
    fn subscribe(&mut self, channel: &Channel, last_seq: Option<u64>) {
        let name = channel.to_string();
        if let Some(old) = self.subs.remove(&name) {
            old.abort();
        }
        let sub = self.state.hub.subscribe(channel, last_seq);
        match &sub.missed {
            Some(missed) => {
                self.send(json!({"type": "subscribed", "channel": name, "seq": sub.seq}));
                for e in missed {
                    self.push(Message::Text(e.wire.to_string()));
                }
            }
            None => self.send(json!({"type": "resync", "channel": name, "seq": sub.seq})),
        }
        let (out, slow, mut rx, hub) = (self.out.clone(), self.slow.clone(), sub.rx, self.state.hub.clone());
        let task = tokio::spawn(async move {
            loop {
                match rx.recv().await {
                    Ok(event) => {
                        if out.try_send(Message::Text(event.wire.to_string())).is_err() {
                            hub.record_dropped(1);
                            let _ = slow.try_send(());
                            return;
                        }
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                        for _ in 0..n {
                            hub.record_dropped(1);
                        }
                        let _ = slow.try_send(());
                        return;
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                }
            }
        });
        self.subs.insert(name, task);
    }

    fn send(&self, v: Value) {
        self.push(Message::Text(v.to_string()));
    }

    fn push(&self, msg: Message) {
        if self.out.try_send(msg).is_err() {
            let _ = self.slow.try_send(());
        }
    }
}
