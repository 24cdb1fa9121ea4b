//! Login: no user enumeration, lockout with Retry-After, per-IP limit, new-device codes and
//! trusted-device cookies.

use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};

use crate::support::{PASSWORD, TestApp, expect_error};

/// A login with a wrong password.
async fn wrong_login(app: &TestApp, email: &str) -> Response {
    app.login(email, "Wrong-pass-1").await
}

#[tokio::test]
async fn unknown_email_and_wrong_password_look_the_same() {
    let app = TestApp::spawn().await;
    app.signed_in_user("real@forge.sa", PASSWORD).await;
    let a = wrong_login(&app, "real@forge.sa").await;
    let b = wrong_login(&app, "nobody@forge.sa").await;
    assert_eq!(a.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(a.status(), b.status());
    let (a, b): (Value, Value) = (a.json().await.unwrap(), b.json().await.unwrap());
    assert_eq!(a, b);
    assert_eq!(a["code"], "invalid_credentials");
}

#[tokio::test]
async fn five_failures_lock_the_account_even_for_the_right_password() {
    let app = TestApp::spawn().await;
    app.signed_in_user("locked@forge.sa", PASSWORD).await;
    for _ in 0..4 {
        expect_error(wrong_login(&app, "locked@forge.sa").await, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    }
    let fifth = wrong_login(&app, "locked@forge.sa").await;
    let retry: u64 = fifth.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((890..=900).contains(&retry), "15 minutes, got {retry}");
    expect_error(fifth, StatusCode::TOO_MANY_REQUESTS, "login_locked").await;
    let right = app.login("locked@forge.sa", PASSWORD).await;
    assert!(right.headers().contains_key("retry-after"));
    expect_error(right, StatusCode::TOO_MANY_REQUESTS, "login_locked").await;
    // Unknown emails lock the same way, so the lock reveals nothing.
    for _ in 0..5 {
        wrong_login(&app, "ghost@forge.sa").await;
    }
    expect_error(wrong_login(&app, "ghost@forge.sa").await, StatusCode::TOO_MANY_REQUESTS, "login_locked").await;
}

#[tokio::test]
async fn a_correct_password_resets_the_failure_count() {
    let app = TestApp::spawn().await;
    app.signed_in_user("resets@forge.sa", PASSWORD).await;
    for _ in 0..4 {
        wrong_login(&app, "resets@forge.sa").await;
    }
    assert_eq!(app.login("resets@forge.sa", PASSWORD).await.status(), StatusCode::OK);
    for _ in 0..4 {
        expect_error(wrong_login(&app, "resets@forge.sa").await, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    }
}

#[tokio::test]
async fn the_per_ip_limit_answers_429_with_retry_after() {
    let app = TestApp::spawn_with(&[("P2P_HTTP__AUTH_IP_RATE_PER_MINUTE", "3")]).await;
    for _ in 0..3 {
        assert_eq!(wrong_login(&app, "x@forge.sa").await.status(), StatusCode::UNAUTHORIZED);
    }
    let r = wrong_login(&app, "y@forge.sa").await;
    assert!(r.headers().contains_key("retry-after"));
    expect_error(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

#[tokio::test]
async fn a_new_device_needs_an_emailed_code_then_is_trusted() {
    let app = TestApp::spawn_with(&[("P2P_AUTH__DEVICE_VERIFICATION", "true")]).await;
    // Verifying the signup email trusts the browser that did it; use a fresh one below.
    app.signed_in_user("mfa@forge.sa", PASSWORD).await;
    let browser = Client::builder().cookie_store(true).build().unwrap();
    let login = || {
        browser.post(app.url("/api/v1/auth/login")).json(&json!({"email": "mfa@forge.sa", "password": PASSWORD})).send()
    };
    let first: Value = login().await.unwrap().json().await.unwrap();
    assert_eq!(first["status"], "mfa_required");
    assert!(first.get("access_token").is_none());
    let challenge = first["challenge_id"].as_str().unwrap().to_owned();
    let code = app.code_for("mfa@forge.sa", "sign-in code is").await;
    let verify = |code: &str| {
        let body = json!({"challenge_id": challenge, "code": code});
        browser.post(app.url("/api/v1/auth/login/verify")).json(&body).send()
    };
    let wrong = verify("999999").await.unwrap();
    if code != "999999" {
        expect_error(wrong, StatusCode::UNPROCESSABLE_ENTITY, "invalid_code").await;
    }
    let ok = verify(&code).await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let device_cookie = ok.headers().get_all("set-cookie").iter().any(|c| {
        let c = c.to_str().unwrap();
        c.starts_with("p2p_device=") && c.contains("HttpOnly") && c.contains("SameSite=Lax")
    });
    assert!(device_cookie, "trusted-device cookie set");
    let body: Value = ok.json().await.unwrap();
    assert_eq!(body["status"], "authenticated");
    // The code is single use.
    assert_eq!(verify(&code).await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The same browser is now trusted; another one is not.
    let second: Value = login().await.unwrap().json().await.unwrap();
    assert_eq!(second["status"], "authenticated");
    assert_eq!(app.login_json("mfa@forge.sa", PASSWORD).await["status"], "mfa_required");
}
