//! Assertions on the uniform error body `{code, message, fields?}` every failure answers with.

use reqwest::{Response, StatusCode};
use serde_json::Value;

/// Asserts the uniform error body with `status` and `code`, and returns it.
pub async fn expect_error(r: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(r.status(), status, "status");
    assert!(r.headers().get("x-request-id").is_some(), "every response has a request id");
    let ct = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(ct.starts_with("application/json"), "error body is JSON, got {ct}");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    body
}

/// Asserts a 422 `validation_failed` naming (at least) every one of `fields`; returns the body.
pub async fn expect_invalid(r: Response, fields: &[&str]) -> Value {
    let body = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    for f in fields {
        assert!(body["fields"][f].is_string(), "{f} not named: {body}");
    }
    body
}

/// Asserts a 404 `not_found`.
pub async fn expect_not_found(r: Response) {
    expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
}
