//! Notifications: the list (paged, unread only), the bell's count, marking read, the unlikes
//! that shrink grouped notifications, and people with names of their own to tell likers apart.

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use super::{TestApp, messages::Person};

impl TestApp {
    /// `GET /notifications?{query}`.
    pub async fn notifications_raw(&self, token: &str, query: &str) -> Response {
        self.get(&format!("/api/v1/notifications?{query}"), Some(token)).await
    }

    /// One page of the caller's notifications; asserts a 200.
    pub async fn notifications(&self, token: &str, query: &str) -> Value {
        self.get_json(&format!("/api/v1/notifications?{query}"), token).await
    }

    /// Every notification of the caller, newest first, paged through `limit` at a time (only
    /// the unread ones with `unread_only`).
    pub async fn all_notifications(&self, token: &str, unread_only: bool, limit: usize) -> Vec<Value> {
        let base = format!("limit={limit}&unread_only={unread_only}");
        let mut out = Vec::new();
        let mut query = base.clone();
        loop {
            let page = self.notifications(token, &query).await;
            out.extend(page["items"].as_array().unwrap().iter().cloned());
            match page["next_cursor"].as_str() {
                Some(c) => query = format!("{base}&cursor={c}"),
                None => return out,
            }
        }
    }

    /// `GET /notifications/unread`: the bell's count.
    pub async fn unread_notifications(&self, token: &str) -> u64 {
        self.get_json("/api/v1/notifications/unread", token).await["unread_count"].as_u64().unwrap()
    }

    /// `POST /notifications/read` with any body.
    pub async fn mark_notifications_read_body(&self, token: &str, body: Value) -> Response {
        self.post("/api/v1/notifications/read", Some(token), body).await
    }

    /// Marks `ids` (or, with `None`, everything) read; asserts a 200 and returns the unread
    /// count left.
    pub async fn mark_notifications_read(&self, token: &str, ids: Option<&[String]>) -> u64 {
        let body = ids.map_or_else(|| json!({}), |ids| json!({ "ids": ids }));
        let r = self.mark_notifications_read_body(token, body).await;
        let status = r.status();
        let body = r.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "mark read: {body}");
        serde_json::from_str::<Value>(&body).unwrap()["unread_count"].as_u64().unwrap()
    }

    /// `DELETE /forum/topics/{id}/like`.
    pub async fn unlike_topic(&self, token: &str, id: &str) -> Response {
        self.delete(&format!("/api/v1/forum/topics/{id}/like"), token).await
    }

    /// `DELETE /forum/replies/{id}/like`.
    pub async fn unlike_reply(&self, token: &str, id: &str) -> Response {
        self.delete(&format!("/api/v1/forum/replies/{id}/like"), token).await
    }

    /// `DELETE /use-cases/{id}/like`.
    pub async fn unlike_use_case(&self, token: &str, id: &str) -> Response {
        self.delete(&format!("/api/v1/use-cases/{id}/like"), token).await
    }

    /// Answers `parent` (a top-level reply of `topic`); asserts a 201 and returns the answer.
    pub async fn new_answer(&self, token: &str, topic: &str, parent: &str, content: &str) -> Value {
        let r = self.post_reply(token, topic, content, Some(parent)).await;
        assert_eq!(r.status(), StatusCode::CREATED, "answer {content:?}");
        r.json().await.unwrap()
    }

    /// A person (see `person`) renamed `first last`, so notifications name them apart.
    pub async fn named_person(&self, email: &str, first: &str, last: &str) -> Person {
        let p = self.person(email).await;
        let r = self.patch_me(&p.token, json!({"first_name": first, "last_name": last})).await;
        assert_eq!(r.status(), StatusCode::OK, "rename {email}");
        p
    }
}

/// What a notification is, in short: (kind, target_type, target_id).
pub fn gist(n: &Value) -> (String, String, String) {
    let s = |k: &str| n[k].as_str().unwrap_or_else(|| panic!("{k} of {n}")).to_owned();
    (s("kind"), s("target_type"), s("target_id"))
}

/// The gists of notifications of the kinds `kinds` (others are left out), in order.
pub fn gists_of(items: &[Value], kinds: &[&str]) -> Vec<(String, String, String)> {
    items.iter().map(gist).filter(|(k, ..)| kinds.contains(&k.as_str())).collect()
}

/// The ids of a notification's named actors, in order.
pub fn actor_ids(n: &Value) -> Vec<String> {
    n["actors"].as_array().unwrap().iter().map(super::id_of).collect()
}

/// The names of a notification's named actors, in order.
pub fn actor_names(n: &Value) -> Vec<String> {
    n["actors"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap().to_owned()).collect()
}
