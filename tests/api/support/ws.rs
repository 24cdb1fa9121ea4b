//! A small WebSocket client for the tests (tokio-tungstenite against the real port): connect,
//! authenticate and subscribe, read frames, send frames, and wait for the close.
//!
//! Every JSON frame it sends or receives, every close code it gets and the query it connects
//! with are checked against the protocol document (`support::asyncapi`), so each WebSocket
//! test also checks the document; the names of the messages seen are kept for the test that
//! makes sure every message of the document exists. Only `send_raw` sends unchecked frames, for
//! the tests of what the server does with frames that break the protocol.

use std::{collections::BTreeSet, time::Duration};

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async, tungstenite::Message};

use super::{
    TestApp,
    asyncapi::{Dir, contract},
};

/// An open WebSocket to the test server.
pub struct Ws {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// The document's channel it opened, e.g. `/ws/forum/{topic_id}`.
    channel: String,
    /// Names of the document's messages sent and received so far.
    seen: BTreeSet<String>,
}

impl Ws {
    fn new(stream: WebSocketStream<MaybeTlsStream<TcpStream>>, path: &str) -> Self {
        let channel = contract().channel_of(path);
        contract().check_query(&channel, path);
        Self { stream, channel, seen: BTreeSet::new() }
    }

    /// Connects to `path` (with its query) on the test server.
    pub async fn connect(app: &TestApp, path: &str) -> Self {
        let url = format!("{}{path}", app.addr.replace("http://", "ws://"));
        let (stream, _) = connect_async(url).await.expect("websocket connects");
        Self::new(stream, path)
    }

    /// Connects with a tiny receive buffer, for a client that stops reading.
    pub async fn connect_small_window(app: &TestApp, path: &str) -> Self {
        let url = format!("{}{path}", app.addr.replace("http://", "ws://"));
        let addr: std::net::SocketAddr = app.addr.trim_start_matches("http://").parse().unwrap();
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let tcp = socket.connect(addr).await.unwrap();
        let (stream, _) =
            tokio_tungstenite::client_async(url, MaybeTlsStream::Plain(tcp)).await.expect("websocket connects");
        Self::new(stream, path)
    }

    /// Names of the document's messages this socket sent or received.
    pub fn seen(&self) -> &BTreeSet<String> {
        &self.seen
    }

    /// Checks a frame against the document and notes its message.
    fn check(&mut self, dir: Dir, frame: &Value) {
        let name = contract().check_frame(&self.channel, dir, frame);
        self.seen.insert(name);
    }

    /// A received text frame as JSON, checked.
    fn received(&mut self, text: &str) -> Value {
        let v: Value = serde_json::from_str(text).expect("json frame");
        self.check(Dir::ToClient, &v);
        v
    }

    /// A `/ws` socket authenticated by `token` in the query, past its user-channel
    /// acknowledgement.
    pub async fn open(app: &TestApp, token: &str) -> Self {
        let mut ws = Self::connect(app, &format!("/ws?token={token}")).await;
        let (_, ack) = ws.until("subscribed").await;
        assert!(ack["channel"].as_str().unwrap().starts_with("user."), "{ack}");
        ws
    }

    /// A `/ws/forum/{topic}` socket past both acknowledgements (user channel, topic).
    pub async fn open_topic(app: &TestApp, token: &str, topic: &str) -> Self {
        let mut ws = Self::connect(app, &format!("/ws/forum/{topic}?token={token}")).await;
        ws.until("subscribed").await;
        ws.until("subscribed").await;
        ws
    }

    /// A `/ws` socket that subscribed to `topic` with a `subscribe` frame (resuming after
    /// `last_seq` when given), past the topic's acknowledgement.
    pub async fn follow(app: &TestApp, token: &str, topic: &str, last_seq: Option<u64>) -> Self {
        let mut ws = Self::open(app, token).await;
        let channel = format!("forum.topic.{topic}");
        ws.send_json(json!({"type": "subscribe", "channel": channel, "last_seq": last_seq})).await;
        let (_, ack) = ws.until("subscribed").await;
        assert_eq!(ack["channel"], channel.as_str());
        ws
    }

    /// The next JSON frame (pings skipped), within 5 s.
    pub async fn next_json(&mut self) -> Value {
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(5), self.stream.next()).await.expect("a frame in time");
            match msg.expect("socket open").expect("valid frame") {
                Message::Text(t) => return self.received(t.as_str()),
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("expected a text frame, got {other:?}"),
            }
        }
    }

    /// Frames until one of type `kind` arrives (others are returned in order before it).
    pub async fn until(&mut self, kind: &str) -> (Vec<Value>, Value) {
        let mut before = Vec::new();
        loop {
            let v = self.next_json().await;
            if v["type"] == kind {
                return (before, v);
            }
            before.push(v);
        }
    }

    /// The next JSON frame, or `None` once the socket is closed or dropped.
    pub async fn next_frame(&mut self) -> Option<Value> {
        loop {
            match self.stream.next().await {
                Some(Ok(Message::Text(t))) => return Some(self.received(t.as_str())),
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                _ => return None,
            }
        }
    }

    /// Sends a JSON frame (checked); the socket must be open.
    pub async fn send_json(&mut self, v: Value) {
        self.check(Dir::ToServer, &v);
        self.stream.send(Message::text(v.to_string())).await.expect("send");
    }

    /// Sends any frame, unchecked, ignoring a failure (the server may already have closed).
    pub async fn send_raw(&mut self, msg: Message) {
        let _ = self.stream.send(msg).await;
    }

    /// Sends a `ping` frame and waits for the `pong`; returns the frames before it and the pong.
    pub async fn ping(&mut self) -> (Vec<Value>, Value) {
        self.send_json(json!({"type": "ping"})).await;
        self.until("pong").await
    }

    /// Sends a `new_post` frame (a reply to the socket's topic).
    pub async fn send_post(&mut self, content: &str) {
        self.send_json(json!({"type": "new_post", "body": content})).await;
    }

    /// Sends a `new_post` frame that races the server closing the socket: a failed send is
    /// ignored, since either outcome must store nothing.
    pub async fn send_post_racing(&mut self, content: &str) {
        let frame = json!({"type": "new_post", "body": content});
        self.check(Dir::ToServer, &frame);
        self.send_raw(Message::text(frame.to_string())).await;
    }

    /// Waits for the server to close the socket; returns the close code (1006 when the
    /// connection just dropped).
    pub async fn closed(&mut self) -> u16 {
        self.close_frame().await.0
    }

    /// Waits for the server to close the socket; returns the close code and reason (1006 and
    /// no reason when the connection just dropped).
    pub async fn close_frame(&mut self) -> (u16, String) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            match tokio::time::timeout_at(deadline, self.stream.next()).await.expect("closes in time") {
                Some(Ok(Message::Close(Some(frame)))) => {
                    let (code, reason) = (u16::from(frame.code), frame.reason.to_string());
                    contract().check_close(code, &reason);
                    return (code, reason);
                }
                Some(Ok(Message::Close(None))) | None | Some(Err(_)) => return (1006, String::new()),
                Some(Ok(_)) => continue,
            }
        }
    }
}
