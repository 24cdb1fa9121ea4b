//! What a developer meets first: the server's address leads to the docs, Swagger UI's
//! try-it works from the server's own origin, other origins get `bad_origin`, and clients
//! without a cookie jar keep a trusted device through `device_token` / `X-Device-Token`.

use reqwest::{StatusCode, redirect::Policy};
use serde_json::{Value, json};

use crate::support::{PASSWORD, TestApp, expect_error};

#[tokio::test]
async fn the_root_redirects_to_the_docs() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::builder().redirect(Policy::none()).build().unwrap();
    let r = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/docs");
}

#[tokio::test]
async fn swagger_try_it_works_from_the_servers_own_origin_only() {
    let app = TestApp::spawn().await;
    app.signed_in_user("try@docs.sa", PASSWORD).await;
    let login = |origin: String| {
        app.req(reqwest::Method::POST, "/api/v1/auth/login")
            .header("origin", origin)
            .json(&json!({"email": "try@docs.sa", "password": PASSWORD}))
            .send()
    };
    // The docs page is served by the server itself: its origin is the server's address.
    let own = app.addr.clone();
    assert_eq!(login(own).await.unwrap().status(), StatusCode::OK);
    let r = login("http://elsewhere.example".into()).await.unwrap();
    expect_error(r, StatusCode::FORBIDDEN, "bad_origin").await;
}

#[tokio::test]
async fn a_client_without_cookies_keeps_its_trusted_device_by_header() {
    let app = TestApp::spawn_with(&[("P2P_AUTH__DEVICE_VERIFICATION", "true")]).await;
    app.signed_in_user("app@devices.sa", PASSWORD).await;
    // A client without a cookie jar: every login from it is a new device until it sends a token.
    let first = app.login_json("app@devices.sa", PASSWORD).await;
    assert_eq!(first["status"], "mfa_required");
    let code = app.code_for("app@devices.sa", "sign-in code is").await;
    let body = json!({"challenge_id": first["challenge_id"], "code": code});
    let verified: Value = app.post("/api/v1/auth/login/verify", None, body).await.json().await.unwrap();
    assert_eq!(verified["status"], "authenticated");
    let device = verified["device_token"].as_str().expect("a device token in the body").to_owned();

    let login = |token: &str| {
        app.req(reqwest::Method::POST, "/api/v1/auth/login")
            .header("x-device-token", token)
            .json(&json!({"email": "app@devices.sa", "password": PASSWORD}))
            .send()
    };
    let trusted: Value = login(&device).await.unwrap().json().await.unwrap();
    assert_eq!(trusted["status"], "authenticated", "{trusted}");
    assert!(trusted.get("device_token").is_none(), "a plain login trusts nothing new");
    let forged: Value = login("not-a-device-token").await.unwrap().json().await.unwrap();
    assert_eq!(forged["status"], "mfa_required");
}
