//! Search: `/search` and `/search/suggest` (parameters URL-encoded here, so Arabic and
//! spaces go as typed), and waiting for the index — polled against a deadline, never slept
//! on — to show a write.

use std::time::{Duration, Instant};

use reqwest::{Client, Response, StatusCode, Url};
use serde_json::Value;

use super::TestApp;

/// How long a test waits for the index before it fails: far above the one second the
/// server promises, so a loaded machine does not fail a test that only needs the write to
/// show up; the tests of the promise measure the time themselves.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// The ids of a search's results or a suggest's suggestions, best first.
pub fn hit_ids(v: &Value) -> Vec<String> {
    let list = v.get("results").or_else(|| v.get("suggestions")).and_then(Value::as_array);
    list.unwrap().iter().map(|h| h["id"].as_str().unwrap().to_owned()).collect()
}

/// Whether a search's results (or suggestions) include `id`.
pub fn finds(v: &Value, id: &str) -> bool {
    hit_ids(v).iter().any(|h| h == id)
}

/// The result with `id`.
pub fn hit<'a>(v: &'a Value, id: &str) -> &'a Value {
    let list = v.get("results").or_else(|| v.get("suggestions")).and_then(Value::as_array).unwrap();
    list.iter().find(|h| h["id"] == id).unwrap_or_else(|| panic!("{id} not among {v}"))
}

impl TestApp {
    async fn get_with(&self, path: &str, token: Option<&str>, params: &[(&str, &str)]) -> Response {
        let url = Url::parse_with_params(&self.url(path), params).unwrap();
        let mut r = Client::new().get(url);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send().await.unwrap()
    }

    /// `GET /search` with `params`, as `token` when given.
    pub async fn search_raw(&self, token: Option<&str>, params: &[(&str, &str)]) -> Response {
        self.get_with("/api/v1/search", token, params).await
    }

    /// `GET /search` with `params`; asserts a 200 and returns the body.
    pub async fn search(&self, token: &str, params: &[(&str, &str)]) -> Value {
        let r = self.search_raw(Some(token), params).await;
        let status = r.status();
        let body = r.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "search {params:?}: {body}");
        serde_json::from_str(&body).unwrap()
    }

    /// `GET /search?q=` (everything, first page).
    pub async fn search_q(&self, token: &str, q: &str) -> Value {
        self.search(token, &[("q", q)]).await
    }

    /// `GET /search/suggest?q=`, as `token` when given.
    pub async fn suggest_raw(&self, token: Option<&str>, q: &str) -> Response {
        self.get_with("/api/v1/search/suggest", token, &[("q", q)]).await
    }

    /// `GET /search/suggest?q=`; asserts a 200 and returns the body.
    pub async fn suggest(&self, token: &str, q: &str) -> Value {
        let r = self.suggest_raw(Some(token), q).await;
        assert_eq!(r.status(), StatusCode::OK, "suggest {q:?}");
        r.json().await.unwrap()
    }

    /// Searches until `holds` is true of the answer, and returns how long that took; fails,
    /// showing the last answer, when it is still false after `within`.
    pub async fn found_within(
        &self,
        token: &str,
        params: &[(&str, &str)],
        holds: impl Fn(&Value) -> bool,
        within: Duration,
    ) -> Duration {
        let started = Instant::now();
        loop {
            let v = self.search(token, params).await;
            if holds(&v) {
                return started.elapsed();
            }
            assert!(started.elapsed() < within, "search {params:?} still not as expected after {within:?}: {v}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Creates a topic with this text; asserts a 201 and returns it.
    pub async fn topic_with(&self, token: &str, title: &str, body: &str, category: &str) -> Value {
        let body = serde_json::json!({"title": title, "body": body, "category": category, "tags": []});
        let r = self.create_topic(token, body).await;
        assert_eq!(r.status(), StatusCode::CREATED, "topic {title:?}");
        r.json().await.unwrap()
    }

    /// Waits until `q` finds `id` (within [`PATIENCE`]).
    pub async fn wait_found(&self, token: &str, q: &str, id: &str) -> Duration {
        self.found_within(token, &[("q", q)], |v| finds(v, id), PATIENCE).await
    }
}
