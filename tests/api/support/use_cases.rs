//! Use cases: the simplified form, and one helper per endpoint (create, read, edit, delete,
//! listings, likes, bookmarks, flags, media, drafts).

use reqwest::{
    Method, Response, StatusCode,
    multipart::{Form, Part},
};
use serde_json::{Value, json};

use super::TestApp;

/// A valid simplified-form use case in `category`, `city`, with `tags`.
pub fn use_case_in(title: &str, category: &str, city: &str, tags: &[&str]) -> Value {
    json!({
        "title": title,
        "body": "Cameras and a small model now catch cap defects before palletizing, cutting returns.",
        "category": category,
        "factory_name": "Jeddah Bottling",
        "city": city,
        "latitude": 21.54,
        "longitude": 39.17,
        "tags": tags
    })
}

/// A valid simplified-form use case: Quality Control, in Jeddah, tagged `vision`.
pub fn use_case_body(title: &str) -> Value {
    use_case_in(title, "quality-control", "Jeddah", &["vision"])
}

impl TestApp {
    /// `POST /use-cases` with any body.
    pub async fn create_use_case(&self, token: &str, body: Value) -> Response {
        self.post("/api/v1/use-cases", Some(token), body).await
    }

    /// Creates a use case; asserts a 201 and returns it.
    pub async fn new_use_case(&self, token: &str, body: Value) -> Value {
        let r = self.create_use_case(token, body).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json().await.unwrap()
    }

    /// `GET /use-cases/{id}`.
    pub async fn get_use_case(&self, token: &str, id: &str) -> Response {
        self.get(&format!("/api/v1/use-cases/{id}"), Some(token)).await
    }

    /// `PATCH /use-cases/{id}`.
    pub async fn patch_use_case(&self, token: &str, id: &str, body: Value) -> Response {
        self.patch(&format!("/api/v1/use-cases/{id}"), token, body).await
    }

    /// `DELETE /use-cases/{id}`.
    pub async fn delete_use_case(&self, token: &str, id: &str) -> Response {
        self.delete(&format!("/api/v1/use-cases/{id}"), token).await
    }

    /// `GET /use-cases?{query}`; asserts a 200.
    pub async fn list_use_cases(&self, token: &str, query: &str) -> Value {
        self.get_json(&format!("/api/v1/use-cases?{query}"), token).await
    }

    /// `PUT /use-cases/{id}/like`.
    pub async fn like_use_case(&self, token: &str, id: &str) -> Response {
        self.put(&format!("/api/v1/use-cases/{id}/like"), token, json!({})).await
    }

    /// `PUT /use-cases/{id}/bookmark`.
    pub async fn bookmark_use_case(&self, token: &str, id: &str) -> Response {
        self.put(&format!("/api/v1/use-cases/{id}/bookmark"), token, json!({})).await
    }

    /// `PUT /use-cases/{id}/flags` (platform admins).
    pub async fn set_use_case_flags(&self, token: &str, id: &str, flags: Value) -> Response {
        self.put(&format!("/api/v1/use-cases/{id}/flags"), token, flags).await
    }

    /// `GET /use-cases/stats`.
    pub async fn use_case_stats(&self, token: &str) -> Value {
        self.get_json("/api/v1/use-cases/stats", token).await
    }

    /// `GET /use-cases/map`.
    pub async fn use_case_map(&self, token: &str) -> Value {
        self.get_json("/api/v1/use-cases/map", token).await
    }

    /// `POST /use-cases/{id}/media` with `files` as (bytes, file name), in order.
    pub async fn add_use_case_media(&self, token: &str, id: &str, files: Vec<(Vec<u8>, &str)>) -> Response {
        self.upload_files(token, &format!("/api/v1/use-cases/{id}/media"), files).await
    }

    /// `POST /use-cases/drafts/{id}/media` with `files` parts.
    pub async fn add_use_case_draft_media(&self, token: &str, id: &str, files: Vec<(Vec<u8>, &str)>) -> Response {
        self.upload_files(token, &format!("/api/v1/use-cases/drafts/{id}/media"), files).await
    }

    async fn upload_files(&self, token: &str, path: &str, files: Vec<(Vec<u8>, &str)>) -> Response {
        let mut form = Form::new();
        for (bytes, name) in files {
            form = form.part("files", Part::bytes(bytes).file_name(name.to_owned()));
        }
        self.req(Method::POST, path).bearer_auth(token).multipart(form).send().await.unwrap()
    }

    /// `POST /use-cases/drafts`.
    pub async fn create_use_case_draft(&self, token: &str, body: Value) -> Response {
        self.post("/api/v1/use-cases/drafts", Some(token), body).await
    }
}
