//! Private messaging: people to message, sending and deleting messages, files for them,
//! conversations (list, messages, read marker, mute, archive, unread badge), blocks,
//! notification settings, and the `typing` frame of a socket.

use reqwest::{
    Method, Response, StatusCode,
    multipart::{Form, Part},
};
use serde_json::{Value, json};

use super::{PASSWORD, TestApp, accounts::token, ws::Ws};

/// A signed-in person: their access token, user id and email.
#[derive(Clone, Debug)]
pub struct Person {
    /// Access token.
    pub token: String,
    /// User id.
    pub id: String,
    /// Email address.
    pub email: String,
}

impl TestApp {
    /// Signs up and verifies `email` (an organization of its own domain, or a pending member
    /// of an existing one); returns the person signed in.
    pub async fn person(&self, email: &str) -> Person {
        let auth = self.signed_in_user(email, PASSWORD).await;
        Person { token: token(&auth), id: auth["user"]["id"].as_str().unwrap().to_owned(), email: email.to_owned() }
    }

    /// `n` people, each the admin of an organization of their own (`<name><i>@<domain><i>.sa`).
    pub async fn people(&self, name: &str, domain: &str, n: usize) -> Vec<Person> {
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            out.push(self.person(&format!("{name}{i}@{domain}{i}.sa")).await);
        }
        out
    }

    /// `POST /messages` with any body.
    pub async fn send_message_body(&self, token: &str, body: Value) -> Response {
        self.post("/api/v1/messages", Some(token), body).await
    }

    /// `POST /messages`: `text` to `recipient` (a user id).
    pub async fn send_message(&self, token: &str, recipient: &str, text: &str) -> Response {
        self.send_message_body(token, json!({"recipient_id": recipient, "text": text})).await
    }

    /// Sends `text` to `recipient`; asserts a 201 and returns the stored message.
    pub async fn message(&self, token: &str, recipient: &str, text: &str) -> Value {
        let r = self.send_message(token, recipient, text).await;
        let status = r.status();
        let body = r.text().await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "send to {recipient}: {body}");
        serde_json::from_str(&body).unwrap()
    }

    /// `POST /messages/attachments` with `bytes` as the `file` part named `name`.
    pub async fn upload_message_file(&self, token: &str, bytes: Vec<u8>, name: &str) -> Response {
        let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()));
        self.req(Method::POST, "/api/v1/messages/attachments").bearer_auth(token).multipart(form).send().await.unwrap()
    }

    /// `DELETE /messages/{id}`.
    pub async fn delete_message(&self, token: &str, id: &str) -> Response {
        self.delete(&format!("/api/v1/messages/{id}"), token).await
    }

    /// `GET /conversations?<query>` (the inbox, or `archived=true`); asserts a 200.
    pub async fn conversations(&self, token: &str, query: &str) -> Value {
        self.get_json(&format!("/api/v1/conversations?{query}"), token).await
    }

    /// `GET /conversations/unread`: the caller's unread badge.
    pub async fn unread_messages(&self, token: &str) -> u64 {
        self.get_json("/api/v1/conversations/unread", token).await["unread_count"].as_u64().unwrap()
    }

    /// `GET /conversations/{id}`.
    pub async fn conversation(&self, token: &str, id: &str) -> Response {
        self.get(&format!("/api/v1/conversations/{id}"), Some(token)).await
    }

    /// `GET /conversations/{id}`; asserts a 200.
    pub async fn conversation_json(&self, token: &str, id: &str) -> Value {
        self.get_json(&format!("/api/v1/conversations/{id}"), token).await
    }

    /// `GET /conversations/{id}/messages?<query>`.
    pub async fn conversation_messages(&self, token: &str, id: &str, query: &str) -> Response {
        self.get(&format!("/api/v1/conversations/{id}/messages?{query}"), Some(token)).await
    }

    /// One page of a conversation's messages (newest first); asserts a 200.
    pub async fn message_page(&self, token: &str, id: &str, query: &str) -> Value {
        self.get_json(&format!("/api/v1/conversations/{id}/messages?{query}"), token).await
    }

    /// Every message of a conversation, newest first, paged through with `limit`.
    pub async fn all_messages(&self, token: &str, id: &str, limit: usize) -> Vec<Value> {
        let mut out = Vec::new();
        let mut query = format!("limit={limit}");
        loop {
            let page = self.message_page(token, id, &query).await;
            out.extend(page["items"].as_array().unwrap().iter().cloned());
            match page["next_cursor"].as_str() {
                Some(c) => query = format!("limit={limit}&cursor={c}"),
                None => return out,
            }
        }
    }

    /// `POST /conversations/{id}/read`, up to `message` or (`None`) all of it.
    pub async fn read_conversation(&self, token: &str, id: &str, message: Option<&str>) -> Response {
        let body = message.map_or_else(|| json!({}), |m| json!({"message_id": m}));
        self.post(&format!("/api/v1/conversations/{id}/read"), Some(token), body).await
    }

    /// `PUT` (`on`) or `DELETE /conversations/{id}/mute`.
    pub async fn mute_conversation(&self, token: &str, id: &str, on: bool) -> Response {
        let method = if on { Method::PUT } else { Method::DELETE };
        self.send(method, &format!("/api/v1/conversations/{id}/mute"), Some(token), json!({})).await
    }

    /// `PUT` (`on`) or `DELETE /conversations/{id}/archive`.
    pub async fn archive_conversation(&self, token: &str, id: &str, on: bool) -> Response {
        let method = if on { Method::PUT } else { Method::DELETE };
        self.send(method, &format!("/api/v1/conversations/{id}/archive"), Some(token), json!({})).await
    }

    /// `POST /users/{id}/block`.
    pub async fn block(&self, token: &str, user: &str) -> Response {
        self.post(&format!("/api/v1/users/{user}/block"), Some(token), json!({})).await
    }

    /// `DELETE /users/{id}/block`.
    pub async fn unblock(&self, token: &str, user: &str) -> Response {
        self.delete(&format!("/api/v1/users/{user}/block"), token).await
    }

    /// `GET /users/me/blocks`.
    pub async fn blocks(&self, token: &str) -> Value {
        self.get_json("/api/v1/users/me/blocks", token).await
    }

    /// `GET /users/me/notification-settings`.
    pub async fn notification_settings(&self, token: &str) -> Value {
        self.get_json("/api/v1/users/me/notification-settings", token).await
    }

    /// `PUT /users/me/notification-settings` with `body`.
    pub async fn set_notification_settings(&self, token: &str, body: Value) -> Response {
        self.put("/api/v1/users/me/notification-settings", token, body).await
    }
}

impl Ws {
    /// Sends a `typing` frame for conversation `id`.
    pub async fn send_typing(&mut self, id: &str) {
        self.send_json(json!({"type": "typing", "conversation_id": id})).await;
    }
}

/// The `id`s of a list of messages (or any JSON objects), in order.
pub fn ids_of(items: &[Value]) -> Vec<String> {
    items.iter().map(super::id_of).collect()
}

/// Asserts `ids` (UUIDv7, time-ordered) are strictly decreasing: newest first, no repeat.
pub fn assert_newest_first(ids: &[String]) {
    for pair in ids.windows(2) {
        assert!(pair[0] > pair[1], "not strictly newest first: {} then {}", pair[0], pair[1]);
    }
}
