//! Sessions: refresh rotation and reuse detection, immediate logout, listing and revoking,
//! idle timeout, cookie transport with the Origin check.

use std::time::Duration;

use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, expect_error};

fn tokens(v: &Value) -> (String, String) {
    (v["access_token"].as_str().unwrap().to_owned(), v["refresh_token"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_session() {
    let app = TestApp::spawn().await;
    let (access, refresh) = tokens(&app.signed_in_user("rot@mill.sa", PASSWORD).await);
    let r = app.post("/api/v1/auth/refresh", None, json!({ "refresh_token": refresh })).await;
    assert_eq!(r.status(), StatusCode::OK);
    let (access2, refresh2) = tokens(&r.json().await.unwrap());
    assert_ne!(refresh, refresh2);
    assert_eq!(app.get("/api/v1/users/me", Some(&access2)).await.status(), StatusCode::OK);
    // The old refresh token again: theft assumed, the whole session ends.
    let reuse = app.post("/api/v1/auth/refresh", None, json!({ "refresh_token": refresh })).await;
    expect_error(reuse, StatusCode::UNAUTHORIZED, "refresh_token_reused").await;
    expect_error(app.get("/api/v1/users/me", Some(&access2)).await, StatusCode::UNAUTHORIZED, "session_revoked").await;
    expect_error(app.get("/api/v1/users/me", Some(&access)).await, StatusCode::UNAUTHORIZED, "session_revoked").await;
    let r = app.post("/api/v1/auth/refresh", None, json!({ "refresh_token": refresh2 })).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let forged = app.post("/api/v1/auth/refresh", None, json!({ "refresh_token": "AAAA.bbbb" })).await;
    expect_error(forged, StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
}

#[tokio::test]
async fn logout_ends_the_session_at_once() {
    let app = TestApp::spawn().await;
    let (access, refresh) = tokens(&app.signed_in_user("bye@mill.sa", PASSWORD).await);
    let r = app.post("/api/v1/auth/logout", Some(&access), json!({})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    expect_error(app.get("/api/v1/users/me", Some(&access)).await, StatusCode::UNAUTHORIZED, "session_revoked").await;
    assert_eq!(
        app.post("/api/v1/auth/refresh", None, json!({ "refresh_token": refresh })).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn sessions_can_be_listed_revoked_and_all_ended() {
    let app = TestApp::spawn().await;
    let (a1, _) = tokens(&app.signed_in_user("multi@mill.sa", PASSWORD).await);
    let (a2, _) = tokens(&app.login("multi@mill.sa", PASSWORD).await.json().await.unwrap());
    let (a3, _) = tokens(&app.login("multi@mill.sa", PASSWORD).await.json().await.unwrap());
    let list: Value = app.get("/api/v1/auth/sessions", Some(&a1)).await.json().await.unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items.iter().filter(|s| s["current"] == true).count(), 1);
    let second = items.iter().find(|s| s["current"] == false).unwrap()["id"].as_str().unwrap().to_owned();
    let r = app.send(Method::DELETE, &format!("/api/v1/auth/sessions/{second}"), Some(&a1), json!({})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let alive = [&a2, &a3];
    let mut statuses = Vec::new();
    for t in alive {
        statuses.push(app.get("/api/v1/users/me", Some(t)).await.status());
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count(), 1, "exactly the revoked one fails");
    // Someone else's session id is not found.
    let (other, _) = tokens(&app.signed_in_user("other@pipe.sa", PASSWORD).await);
    let first = items.iter().find(|s| s["current"] == true).unwrap()["id"].as_str().unwrap().to_owned();
    let r = app.send(Method::DELETE, &format!("/api/v1/auth/sessions/{first}"), Some(&other), json!({})).await;
    expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(app.post("/api/v1/auth/logout-all", Some(&a1), json!({})).await.status(), StatusCode::NO_CONTENT);
    for t in [&a1, &a2, &a3] {
        assert_eq!(app.get("/api/v1/users/me", Some(t)).await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(app.get("/api/v1/users/me", Some(&other)).await.status(), StatusCode::OK, "other accounts unaffected");
}

#[tokio::test]
async fn an_idle_session_ends() {
    let app = TestApp::spawn_with(&[("P2P_AUTH__IDLE_TIMEOUT_SECS", "1")]).await;
    let (access, refresh) = tokens(&app.signed_in_user("idle@mill.sa", PASSWORD).await);
    assert_eq!(app.get("/api/v1/users/me", Some(&access)).await.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1200)).await; // longer than the 1 s idle timeout
    expect_error(app.get("/api/v1/users/me", Some(&access)).await, StatusCode::UNAUTHORIZED, "session_idle").await;
    assert_eq!(
        app.post("/api/v1/auth/refresh", None, json!({ "refresh_token": refresh })).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_absolute_lifetime_ends_a_busy_session() {
    let app = TestApp::spawn_with(&[("P2P_AUTH__ABSOLUTE_TIMEOUT_SECS", "1")]).await;
    let (access, _) = tokens(&app.signed_in_user("busy@mill.sa", PASSWORD).await);
    tokio::time::sleep(Duration::from_millis(1100)).await; // past the 1 s absolute lifetime
    expect_error(app.get("/api/v1/users/me", Some(&access)).await, StatusCode::UNAUTHORIZED, "session_expired").await;
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
    let patch = json!({"title": "Maintenance lead"});
    let no_origin = browser.patch(app.url("/api/v1/users/me")).json(&patch).send().await.unwrap();
    expect_error(no_origin, StatusCode::FORBIDDEN, "bad_origin").await;
    let evil = browser
        .patch(app.url("/api/v1/users/me"))
        .header("origin", "https://evil.example")
        .json(&patch)
        .send()
        .await
        .unwrap();
    assert_eq!(evil.status(), StatusCode::FORBIDDEN);
    let good = browser
        .patch(app.url("/api/v1/users/me"))
        .header("origin", "http://localhost:5173")
        .json(&patch)
        .send()
        .await
        .unwrap();
    assert_eq!(good.status(), StatusCode::OK);
    // Refresh by cookie, then logout clears the cookies.
    let r = browser.post(app.url("/api/v1/auth/refresh")).json(&json!({})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r =
        browser.post(app.url("/api/v1/auth/logout")).header("origin", "http://localhost:5173").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(browser.get(app.url("/api/v1/users/me")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
}
