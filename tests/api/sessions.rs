//! Sessions: refresh rotation and reuse detection, immediate logout, listing and revoking,
//! idle timeout, cookie transport with the Origin check.

use std::time::Duration;

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::support::{
    PASSWORD, TestApp, accounts::refresh_token, expect_error, expect_not_found, id_of, logs::capture_logs, token,
};

/// The access and refresh tokens of a sign-in or refresh answer.
fn tokens(v: &Value) -> (String, String) {
    (token(v), refresh_token(v))
}

/// Asserts `token`'s session was ended with `code`.
async fn assert_ended(app: &TestApp, token: &str, code: &str) {
    expect_error(app.me(token).await, StatusCode::UNAUTHORIZED, code).await;
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_session() {
    let logs = capture_logs();
    let app = TestApp::spawn().await;
    let (access, refresh) = tokens(&app.signed_in_user("rot@mill.sa", PASSWORD).await);
    let r = app.refresh(&refresh).await;
    assert_eq!(r.status(), StatusCode::OK);
    let (access2, refresh2) = tokens(&r.json().await.unwrap());
    assert_ne!(refresh, refresh2);
    assert_eq!(app.me(&access2).await.status(), StatusCode::OK);
    // The old refresh token again: theft assumed, the whole session ends.
    expect_error(app.refresh(&refresh).await, StatusCode::UNAUTHORIZED, "refresh_token_reused").await;
    logs.assert_logged("WARN", &["refresh token reuse detected"]); // for the operator, too
    assert_ended(&app, &access2, "session_revoked").await;
    assert_ended(&app, &access, "session_revoked").await;
    assert_eq!(app.refresh(&refresh2).await.status(), StatusCode::UNAUTHORIZED);
    expect_error(app.refresh("AAAA.bbbb").await, StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
}

#[tokio::test]
async fn logout_ends_the_session_at_once() {
    let app = TestApp::spawn().await;
    let (access, refresh) = tokens(&app.signed_in_user("bye@mill.sa", PASSWORD).await);
    assert_eq!(app.logout(&access).await.status(), StatusCode::NO_CONTENT);
    assert_ended(&app, &access, "session_revoked").await;
    assert_eq!(app.refresh(&refresh).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn sessions_can_be_listed_revoked_and_all_ended() {
    let app = TestApp::spawn().await;
    let a1 = app.signed_in_token("multi@mill.sa").await;
    let a2 = app.login_token("multi@mill.sa").await;
    let a3 = app.login_token("multi@mill.sa").await;
    let list = app.sessions(&a1).await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items.iter().filter(|s| s["current"] == true).count(), 1);
    let second = id_of(items.iter().find(|s| s["current"] == false).unwrap());
    assert_eq!(app.revoke_session(&a1, &second).await.status(), StatusCode::NO_CONTENT);
    let alive = [&a2, &a3];
    let mut statuses = Vec::new();
    for t in alive {
        statuses.push(app.me(t).await.status());
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count(), 1, "exactly the revoked one fails");
    // Someone else's session id is not found.
    let other = app.signed_in_token("other@pipe.sa").await;
    let first = id_of(items.iter().find(|s| s["current"] == true).unwrap());
    expect_not_found(app.revoke_session(&other, &first).await).await;
    assert_eq!(app.logout_all(&a1).await.status(), StatusCode::NO_CONTENT);
    for t in [&a1, &a2, &a3] {
        assert_eq!(app.me(t).await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(app.me(&other).await.status(), StatusCode::OK, "other accounts unaffected");
}

#[tokio::test]
async fn an_idle_session_ends() {
    let app = TestApp::spawn_with(&[("P2P_AUTH__IDLE_TIMEOUT_SECS", "1")]).await;
    let (access, refresh) = tokens(&app.signed_in_user("idle@mill.sa", PASSWORD).await);
    assert_eq!(app.me(&access).await.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1200)).await; // longer than the 1 s idle timeout
    assert_ended(&app, &access, "session_idle").await;
    assert_eq!(app.refresh(&refresh).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_absolute_lifetime_ends_a_busy_session() {
    let app = TestApp::spawn_with(&[("P2P_AUTH__ABSOLUTE_TIMEOUT_SECS", "1")]).await;
    let access = app.signed_in_token("busy@mill.sa").await;
    tokio::time::sleep(Duration::from_millis(1100)).await; // past the 1 s absolute lifetime
    assert_ended(&app, &access, "session_expired").await;
}

#[tokio::test]
async fn cookies_authenticate_browsers_and_writes_need_an_allowed_origin() {
    let app = TestApp::spawn().await;
    app.signed_in_user("cookie@mill.sa", PASSWORD).await;
    let browser = Client::builder().cookie_store(true).build().unwrap();
    let r = browser
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": "cookie@mill.sa", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookies: Vec<String> =
        r.headers().get_all("set-cookie").iter().map(|c| c.to_str().unwrap().to_owned()).collect();
    assert!(
        cookies.iter().any(|c| c.starts_with("p2p_access=") && c.contains("HttpOnly") && c.contains("SameSite=Lax"))
    );
    assert!(cookies.iter().any(|c| c.starts_with("p2p_refresh=") && c.contains("Path=/api/v1/auth")));
    assert_eq!(browser.get(app.url("/api/v1/users/me")).send().await.unwrap().status(), StatusCode::OK);
    let patch_from = |origin: Option<&str>| {
        let mut r = browser.patch(app.url("/api/v1/users/me")).json(&json!({"title": "Maintenance lead"}));
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        r.send()
    };
    expect_error(patch_from(None).await.unwrap(), StatusCode::FORBIDDEN, "bad_origin").await;
    assert_eq!(patch_from(Some("https://evil.example")).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(patch_from(Some("http://localhost:5173")).await.unwrap().status(), StatusCode::OK);
    // Refresh by cookie, then logout clears the cookies.
    let r = browser.post(app.url("/api/v1/auth/refresh")).json(&json!({})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r =
        browser.post(app.url("/api/v1/auth/logout")).header("origin", "http://localhost:5173").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(browser.get(app.url("/api/v1/users/me")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
}
