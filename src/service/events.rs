//! Publishing typed events on the hub. Callers publish only after the write an event
//! describes has committed, so the hub never runs ahead of the store.

use crate::{dto::events::Event, realtime::Channel, state::AppState};

/// Publishes `event` on each of `channels` (its payload serialized once).
pub fn publish(state: &AppState, channels: &[Channel], event: &Event) {
    let (kind, data) = (event.kind(), event.data());
    for channel in channels {
        state.hub.publish(channel, kind, data.clone());
    }
}
