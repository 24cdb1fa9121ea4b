//! WebSocket clients for the benchmarks: connecting with bounded concurrency (a socket counts
//! as connected when its first `subscribed` frame, the user's own channel, arrives) and
//! subscribing to channels, waiting for each acknowledgement. Moved here from the realtime
//! bench so that the platform bench opens its sockets the same way.

use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt, stream};
use serde_json::{Value, json};
use tokio::{
    net::TcpStream,
    time::{timeout, timeout_at},
};
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async_with_config,
    tungstenite::{Message, protocol::WebSocketConfig},
};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Longest wait for a handshake or an expected frame.
const FRAME_TIMEOUT: Duration = Duration::from_secs(10);

/// Small read buffers: the bench holds as many sockets as the server.
fn client_config() -> WebSocketConfig {
    WebSocketConfig::default().read_buffer_size(8 * 1024)
}

/// Reads frames until a text frame of type `kind` (on `channel` when given) arrives.
async fn wait_for(ws: &mut Ws, kind: &str, channel: Option<&str>) -> Result<(), String> {
    let deadline = tokio::time::Instant::now() + FRAME_TIMEOUT;
    loop {
        let frame = timeout_at(deadline, ws.next()).await.map_err(|_| format!("no `{kind}` frame within 10 s"))?;
        match frame {
            Some(Ok(Message::Text(text))) => {
                let v: Value = serde_json::from_str(&text).map_err(|e| format!("bad frame {text}: {e}"))?;
                if v["type"] == kind && channel.is_none_or(|c| v["channel"] == c) {
                    return Ok(());
                }
                if v["type"] == "error" {
                    return Err(text.to_string());
                }
            }
            Some(Ok(Message::Close(f))) => return Err(format!("closed: {f:?}")),
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e.to_string()),
            None => return Err("connection ended".into()),
        }
    }
}

/// Opens one socket; it counts as connected when its first `subscribed` frame (the user's
/// own channel) arrives. Returns the socket and the time that took.
pub async fn connect(url: &str) -> Result<(Ws, Duration), String> {
    let t = Instant::now();
    let handshake = connect_async_with_config(url, Some(client_config()), true);
    let (mut ws, _) = timeout(FRAME_TIMEOUT, handshake)
        .await
        .map_err(|_| "handshake timed out".to_owned())?
        .map_err(|e| e.to_string())?;
    wait_for(&mut ws, "subscribed", None).await?;
    Ok((ws, t.elapsed()))
}

/// Connects to every URL, `concurrency` at a time; connections not started within `limit`
/// are skipped. Returns the sockets, their sorted connect times, the errors and the wall time.
pub async fn connect_all(
    urls: Vec<String>,
    concurrency: usize,
    limit: Duration,
) -> (Vec<Ws>, Vec<Duration>, Vec<String>, Duration) {
    let (start, deadline) = (Instant::now(), Instant::now() + limit);
    let results: Vec<_> = stream::iter(urls)
        .map(|url| async move {
            if Instant::now() > deadline {
                return Err("skipped: time limit".to_owned());
            }
            connect(&url).await
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let wall = start.elapsed();
    let (mut socks, mut times, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    for r in results {
        match r {
            Ok((ws, d)) => {
                socks.push(ws);
                times.push(d);
            }
            Err(e) => errors.push(e),
        }
    }
    times.sort();
    (socks, times, errors, wall)
}

/// Subscribes `ws` to `channel` and waits for the acknowledgement.
pub async fn subscribe(ws: &mut Ws, channel: &str) -> Result<(), String> {
    let frame = json!({"type": "subscribe", "channel": channel}).to_string();
    ws.send(Message::text(frame)).await.map_err(|e| e.to_string())?;
    wait_for(ws, "subscribed", Some(channel)).await
}

/// Subscribes every socket to its channel, all at once; returns the subscribed sockets and
/// the errors.
pub async fn subscribe_all(socks: Vec<(Ws, String)>) -> (Vec<Ws>, Vec<String>) {
    let done = futures::future::join_all(
        socks.into_iter().map(|(mut ws, channel)| async move { subscribe(&mut ws, &channel).await.map(|()| ws) }),
    )
    .await;
    let (mut ok, mut errors) = (Vec::new(), Vec::new());
    for r in done {
        match r {
            Ok(ws) => ok.push(ws),
            Err(e) => errors.push(e),
        }
    }
    (ok, errors)
}
