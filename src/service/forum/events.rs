//! Forum events for the hub, published only after the write they describe has committed.
//! Payloads use the same field names as the REST API.

use serde_json::{Value, json};

use super::{ReplyView, TopicView};
use crate::{
    domain::{forum::Topic, ids::UserId, user::User},
    realtime::{category_channel, topic_channel},
    state::AppState,
};

fn ms(t: i64) -> String {
    chrono::DateTime::from_timestamp_millis(t).unwrap_or_default().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn author(id: UserId, user: &Option<User>) -> Value {
    match user {
        Some(u) => json!({"id": u.id.to_string(), "name": u.display_name(), "title": u.title}),
        None => json!({"id": id.to_string(), "name": "Deleted user", "title": ""}),
    }
}

/// A reply as the REST API shows it (without the caller-specific flags).
pub fn reply_json(v: &ReplyView) -> Value {
    let r = &v.reply;
    json!({
        "id": r.id.to_string(),
        "topic_id": r.topic.to_string(),
        "parent_reply_id": r.parent.map(|p| p.to_string()),
        "content": r.body,
        "author": author(r.author, &v.author),
        "created_at": ms(r.created_at),
        "edited_at": r.edited_at.map(ms),
        "like_count": r.like_count,
        "is_best_answer": v.best,
    })
}

/// A topic summary as the REST API shows it.
pub fn topic_json(v: &TopicView) -> Value {
    let t = &v.topic;
    json!({
        "id": t.id.to_string(),
        "title": t.title,
        "category": t.category,
        "tags": t.tags,
        "author": author(t.author, &v.author),
        "created_at": ms(t.created_at),
        "last_activity_at": ms(t.last_activity_at),
        "pinned": t.pinned,
        "locked": t.locked,
        "reply_count": t.reply_count,
        "like_count": t.like_count,
        "view_count": t.view_count,
        "best_reply_id": t.best_reply.map(|r| r.to_string()),
    })
}

/// Publishes `kind` about a topic on its channel and its category's.
pub fn topic_event(state: &AppState, kind: &str, v: &TopicView) {
    let data = topic_json(v);
    state.hub.publish(&topic_channel(v.topic.id), kind, data.clone());
    state.hub.publish(&category_channel(&v.topic.category), kind, data);
}

/// Publishes `kind` about a reply on its topic's channel.
pub fn reply_event(state: &AppState, kind: &str, v: &ReplyView) {
    state.hub.publish(&topic_channel(v.reply.topic), kind, reply_json(v));
}

/// Publishes a bare event on a topic's channel.
pub fn topic_signal(state: &AppState, topic: &Topic, kind: &str, data: Value) {
    state.hub.publish(&topic_channel(topic.id), kind, data);
}
