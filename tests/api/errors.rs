//! Uniform errors on every path: unknown routes, wrong methods, unreadable bodies, oversize.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{TestApp, expect_error, expect_invalid};

#[tokio::test]
async fn unknown_route_and_wrong_method_get_json_errors() {
    let app = TestApp::spawn().await;
    expect_error(app.get("/api/v1/nope", None).await, StatusCode::NOT_FOUND, "not_found").await;
    expect_error(app.get("/definitely/not/here", None).await, StatusCode::NOT_FOUND, "not_found").await;
    let r = app.send(Method::DELETE, "/health", None, json!({})).await;
    expect_error(r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
    let r = app.get("/api/v1/auth/login", None).await;
    expect_error(r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
}

#[tokio::test]
async fn unreadable_bodies_get_400_or_415_and_incomplete_ones_422_naming_each_field() {
    let app = TestApp::spawn().await;
    let login = app.url("/api/v1/auth/login");
    let c = reqwest::Client::new();
    let malformed =
        c.post(&login).header("content-type", "application/json").body("{\"email\": ").send().await.unwrap();
    expect_error(malformed, StatusCode::BAD_REQUEST, "bad_request").await;
    // A readable body with missing or mistyped fields is a 422 naming each of them.
    let wrong_type = c.post(&login).json(&json!({"email": ["a@b.com"], "password": "x"})).send().await.unwrap();
    let body = expect_invalid(wrong_type, &["email"]).await;
    assert_eq!(body["fields"]["email"], "must be a string");
    let missing = c.post(&login).json(&json!({"email": "a@b.com"})).send().await.unwrap();
    let body = expect_invalid(missing, &["password"]).await;
    assert_eq!(body["fields"]["password"], "is required");
    let both = c.post(&login).json(&json!({"password": 12})).send().await.unwrap();
    expect_invalid(both, &["email", "password"]).await;
    let form = c.post(&login).header("content-type", "text/plain").body("email=a").send().await.unwrap();
    expect_error(form, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type").await;
    let none = c.post(&login).send().await.unwrap();
    assert!(matches!(none.status(), StatusCode::BAD_REQUEST | StatusCode::UNSUPPORTED_MEDIA_TYPE));
}

#[tokio::test]
async fn oversized_bodies_get_413_declared_or_streamed() {
    let app = TestApp::spawn_with(&[("P2P_HTTP__JSON_BODY_LIMIT", "2048")]).await;
    let big = format!("{{\"email\":\"{}\",\"password\":\"x\"}}", "a".repeat(4096));
    let c = reqwest::Client::new();
    let declared = c
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    expect_error(declared, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    // Without Content-Length (chunked), the limit is enforced while reading.
    let stream = futures::stream::iter(
        big.into_bytes().chunks(512).map(|c| Ok::<_, std::io::Error>(c.to_vec())).collect::<Vec<_>>(),
    );
    let chunked = c
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    expect_error(chunked, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
}

#[tokio::test]
async fn missing_or_bad_tokens_get_401() {
    let app = TestApp::spawn().await;
    expect_error(app.get("/api/v1/users/me", None).await, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    let r = app.get("/api/v1/users/me", Some("not-a-jwt")).await;
    expect_error(r, StatusCode::UNAUTHORIZED, "invalid_token").await;
}
