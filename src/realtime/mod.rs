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

use std::fmt;

use crate::domain::ids::{TopicId, UserId};

/// A channel of the hub; its name (`Display`) is what clients subscribe to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Channel {
    /// `user.<id>`: one person's private events (messages, notifications).
    User(UserId),
    /// `forum.topic.<id>`: a topic's replies, likes and changes.
    Topic(TopicId),
    /// `forum.category.<id>`: topics created or changed in a category.
    Category(String),
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::User(id) => write!(f, "user.{id}"),
            Self::Topic(id) => write!(f, "forum.topic.{id}"),
            Self::Category(id) => write!(f, "forum.category.{id}"),
        }
    }
}

impl Channel {
    /// The channel a client names, if it is one (whether they may follow it is the
    /// service's question).
    pub fn parse(name: &str) -> Option<Self> {
        if let Some(id) = name.strip_prefix("user.") {
            return id.parse().ok().map(Self::User);
        }
        if let Some(id) = name.strip_prefix("forum.topic.") {
            return id.parse().ok().map(Self::Topic);
        }
        name.strip_prefix("forum.category.").filter(|c| !c.is_empty()).map(|c| Self::Category(c.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_names_round_trip() {
        for c in [Channel::User(UserId::new()), Channel::Topic(TopicId::new()), Channel::Category("energy".into())] {
            assert_eq!(Channel::parse(&c.to_string()), Some(c));
        }
        assert_eq!(Channel::parse("forum.topic.nope"), None);
        assert_eq!(Channel::parse("elsewhere"), None);
    }
}
