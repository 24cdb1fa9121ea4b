//! Forum events: a topic's go to its channel and its category's, a reply's to its topic's.
//! Payloads are the REST shapes as anyone on the channel sees them (no viewer's flags).

use crate::{
    domain::forum::{ReplyView, TopicView},
    dto::{
        events::Event,
        forum::{ForumReply, ForumTopic},
    },
    realtime::Channel,
    service::events::publish,
    state::AppState,
};

/// Publishes the event `make` builds from a topic on its and its category's channels.
pub fn topic(state: &AppState, make: fn(ForumTopic) -> Event, v: &TopicView) {
    let channels = [Channel::Topic(v.topic.id), Channel::Category(v.topic.category.clone())];
    let shared = TopicView { liked: false, bookmarked: false, ..v.clone() };
    publish(state, &channels, &make(shared.into()));
}

/// Publishes the event `make` builds from a reply on its topic's channel.
pub fn reply(state: &AppState, make: fn(ForumReply) -> Event, v: &ReplyView) {
    let shared = ReplyView { liked: false, ..v.clone() };
    publish(state, &[Channel::Topic(v.reply.topic)], &make(shared.into()));
}
