//! Real time: the in-process hub that fans events out to WebSocket subscribers.
//!
//! Channels are named `user.<id>`, `forum.topic.<id>` and `forum.category.<id>`. Every event
//! carries a `seq` that increases per channel; each channel keeps a bounded backlog so a
//! client that reconnects with its last `seq` gets exactly what it missed, or a `resync`
//! when the backlog no longer reaches back that far. Events are published by the services
//! after the store commit, so the hub never runs ahead of the data.

pub mod hub;
pub mod sockets;

pub use hub::{Event, Hub, Subscription, TrafficCounts};
pub use sockets::SocketGuard;

/// The private channel of a user (messages, notifications).
pub fn user_channel(id: crate::domain::ids::UserId) -> String {
    format!("user.{id}")
}

/// The channel of a forum topic.
pub fn topic_channel(id: crate::domain::ids::TopicId) -> String {
    format!("forum.topic.{id}")
}

/// The channel of a forum category.
pub fn category_channel(id: &str) -> String {
    format!("forum.category.{id}")
}
