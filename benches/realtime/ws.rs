//! WebSocket side of the realtime bench: the clients are `common::ws` (connecting many
//! sockets with bounded concurrency, subscribing); here, listener tasks that timestamp
//! `reply.created` frames as they arrive.

use std::time::Instant;

use futures::StreamExt;
use serde_json::Value;
use tokio::{sync::mpsc, task::JoinHandle};
use tokio_tungstenite::tungstenite::Message;

pub use crate::common::ws::{Ws, connect_all, subscribe_all};

/// Reads `ws` until it ends; for every `reply.created` frame sends the number that ends the
/// reply's content and the arrival time (taken before the frame is parsed).
pub fn spawn_listener(mut ws: Ws, tx: mpsc::UnboundedSender<(usize, Instant)>) -> JoinHandle<()> {
    tokio::spawn(async move {
        while let Some(Ok(frame)) = ws.next().await {
            let at = Instant::now();
            if let Message::Text(text) = frame
                && let Ok(v) = serde_json::from_str::<Value>(&text)
                && v["type"] == "reply.created"
            {
                let content = v["data"]["body"].as_str().unwrap_or_default();
                let n = content.rsplit(' ').next().and_then(|n| n.parse().ok()).unwrap_or(usize::MAX);
                if tx.send((n, at)).is_err() {
                    return;
                }
            }
        }
    })
}
