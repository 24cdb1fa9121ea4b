//! Forum: topics, replies, likes, drafts and attachments, one helper per endpoint.

use reqwest::{
    Method, Response, StatusCode,
    multipart::{Form, Part},
};
use serde_json::{Value, json};

use super::TestApp;

/// A valid topic body.
pub fn topic_body(title: &str, category: &str, tags: &[&str]) -> Value {
    json!({"title": title, "body": "A body long enough for the forum rules.", "category": category, "tags": tags})
}

impl TestApp {
    /// `POST /forum/topics` with any body.
    pub async fn create_topic(&self, token: &str, body: Value) -> Response {
        self.post("/api/v1/forum/topics", Some(token), body).await
    }

    /// Creates a topic; asserts a 201 and returns it.
    pub async fn new_topic(&self, token: &str, title: &str, category: &str, tags: &[&str]) -> Value {
        let r = self.create_topic(token, topic_body(title, category, tags)).await;
        assert_eq!(r.status(), StatusCode::CREATED, "topic {title:?}");
        r.json().await.unwrap()
    }

    /// Creates a topic for a test about something else (realtime, sessions); returns its id.
    pub async fn any_topic(&self, token: &str) -> String {
        super::id_of(&self.new_topic(token, "Realtime test topic", "automation", &[]).await)
    }

    /// `GET /forum/topics/{id}`.
    pub async fn get_topic(&self, token: &str, id: &str) -> Response {
        self.get(&format!("/api/v1/forum/topics/{id}"), Some(token)).await
    }

    /// `GET /forum/topics?{query}`; asserts a 200.
    pub async fn list_topics(&self, token: &str, query: &str) -> Value {
        self.get_json(&format!("/api/v1/forum/topics?{query}"), token).await
    }

    /// `DELETE /forum/topics/{id}`.
    pub async fn delete_topic(&self, token: &str, id: &str) -> Response {
        self.delete(&format!("/api/v1/forum/topics/{id}"), token).await
    }

    /// `PUT /forum/topics/{id}/like`.
    pub async fn like_topic(&self, token: &str, id: &str) -> Response {
        self.put(&format!("/api/v1/forum/topics/{id}/like"), token, json!({})).await
    }

    /// `PATCH /forum/topics/{id}`.
    pub async fn update_topic(&self, token: &str, id: &str, body: Value) -> Response {
        self.patch(&format!("/api/v1/forum/topics/{id}"), token, body).await
    }

    /// `PUT /forum/topics/{id}/best-answer`.
    pub async fn mark_best_answer(&self, token: &str, topic: &str, reply: &str) -> Response {
        self.put(&format!("/api/v1/forum/topics/{topic}/best-answer"), token, json!({"reply_id": reply})).await
    }

    /// `PATCH /forum/replies/{id}` with new content.
    pub async fn update_reply(&self, token: &str, id: &str, content: &str) -> Response {
        self.patch(&format!("/api/v1/forum/replies/{id}"), token, json!({"body": content})).await
    }

    /// `DELETE /forum/replies/{id}`.
    pub async fn delete_reply(&self, token: &str, id: &str) -> Response {
        self.delete(&format!("/api/v1/forum/replies/{id}"), token).await
    }

    /// `PUT /forum/replies/{id}/like`.
    pub async fn like_reply(&self, token: &str, id: &str) -> Response {
        self.put(&format!("/api/v1/forum/replies/{id}/like"), token, json!({})).await
    }

    /// `POST /forum/topics/{topic}/replies`, under `parent` when given.
    pub async fn post_reply(&self, token: &str, topic: &str, content: &str, parent: Option<&str>) -> Response {
        let body = json!({"body": content, "parent_reply_id": parent});
        self.post(&format!("/api/v1/forum/topics/{topic}/replies"), Some(token), body).await
    }

    /// Replies to `topic`; asserts a 201 and returns the reply.
    pub async fn new_reply(&self, token: &str, topic: &str, content: &str) -> Value {
        let r = self.post_reply(token, topic, content, None).await;
        assert_eq!(r.status(), StatusCode::CREATED, "reply {content:?}");
        r.json().await.unwrap()
    }

    /// `GET /forum/topics/{topic}/replies?{query}`; asserts a 200.
    pub async fn replies(&self, token: &str, topic: &str, query: &str) -> Value {
        self.get_json(&format!("/api/v1/forum/topics/{topic}/replies?{query}"), token).await
    }

    /// `GET /forum/stats`.
    pub async fn forum_stats(&self, token: &str) -> Value {
        self.get_json("/api/v1/forum/stats", token).await
    }

    /// `GET /forum/contributors`.
    pub async fn contributors(&self, token: &str) -> Value {
        self.get_json("/api/v1/forum/contributors", token).await
    }

    /// `POST /forum/drafts`.
    pub async fn create_forum_draft(&self, token: &str, body: Value) -> Response {
        self.post("/api/v1/forum/drafts", Some(token), body).await
    }

    /// `POST /forum/topics/{topic}/attachments` with one file.
    pub async fn attach_to_topic(&self, token: &str, topic: &str, bytes: Vec<u8>, name: &str) -> Response {
        let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()));
        let path = format!("/api/v1/forum/topics/{topic}/attachments");
        self.req(Method::POST, &path).bearer_auth(token).multipart(form).send().await.unwrap()
    }
}
