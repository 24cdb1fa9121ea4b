//! WebSocket endpoints: `GET /ws` (the user's channel plus subscriptions) and
//! `GET /ws/forum/{topic_id}` (one topic; `new_post` frames create replies). Authentication
//! is an access token in the `token` query parameter or in a first `auth` frame. Every frame
//! and close code is specified in `openapi/asyncapi.yaml` (checked by `tests/api/asyncapi.rs`).

pub mod session;

use poem::{
    IntoResponse, handler,
    web::{
        Data, Path, Query,
        websocket::{WebSocket, WebSocketConfig},
    },
};
use serde::Deserialize;

use crate::api::ws::session::{Mode, run};
use crate::{domain::ids::TopicId, state::AppState};

/// Query parameters of both endpoints.
#[derive(Debug, Deserialize)]
pub struct WsQuery {
    /// Access token (or send `{"type":"auth","token":…}` as the first frame).
    pub token: Option<String>,
    /// For `/ws/forum/{topic_id}`: the last `seq` seen, to receive what was missed.
    pub last_seq: Option<u64>,
}

fn config(state: &AppState) -> WebSocketConfig {
    let max = state.config.ws.max_frame_bytes;
    // A small read buffer: the library's 128 KiB default is zero-filled per socket, which cost
    // 137 KiB of RSS per idle connection (1.4 GB for 10,000 sockets; 4 KiB gives ~13 KiB).
    WebSocketConfig::default().max_frame_size(Some(max)).max_message_size(Some(max)).read_buffer_size(4 * 1024)
}

/// `GET /ws`.
#[handler]
pub async fn main_socket(ws: WebSocket, Query(q): Query<WsQuery>, state: Data<&AppState>) -> impl IntoResponse {
    let state = state.0.clone();
    ws.config(config(&state)).on_upgrade(move |socket| run(state, socket, q.token, Mode::Main))
}

/// `GET /ws/forum/{topic_id}`.
#[handler]
pub async fn topic_socket(
    ws: WebSocket,
    Path(topic): Path<String>,
    Query(q): Query<WsQuery>,
    state: Data<&AppState>,
) -> impl IntoResponse {
    let state = state.0.clone();
    // An unknown id is handled like a missing topic once the socket is open.
    let topic = topic.parse::<TopicId>().ok();
    ws.config(config(&state)).on_upgrade(move |socket| run(state, socket, q.token, Mode::Topic(topic, q.last_seq)))
}
