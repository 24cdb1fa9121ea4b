//! Sessions own their sockets: whatever ends a session — logout, logout-all, revoking it,
//! a password change, deactivation, account deletion, refresh-token reuse, the idle and
//! absolute limits — closes its open sockets at once with 4401 and the session's code, and
//! nothing can be done through them afterwards.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::{
    helpers::{PASSWORD, TestApp},
    ws::{token, topic},
    ws_client::Ws,
};

/// The close code of a socket whose session ended.
const SESSION_ENDED: u16 = 4401;

/// A `/ws` socket past its user-channel acknowledgement.
async fn open(app: &TestApp, t: &str) -> Ws {
    let mut ws = Ws::connect(app, &format!("/ws?token={t}")).await;
    ws.until("subscribed").await;
    ws
}

/// A `/ws/forum/{topic}` socket past both acknowledgements (user channel, topic).
async fn open_topic(app: &TestApp, t: &str, topic: &str) -> Ws {
    let mut ws = Ws::connect(app, &format!("/ws/forum/{topic}?token={t}")).await;
    ws.until("subscribed").await;
    ws.until("subscribed").await;
    ws
}

/// Waits for the close and checks it is the session's end, within a second of `since`.
async fn assert_ended(ws: &mut Ws, since: Instant, reason: &str) {
    let (code, why) = ws.close_frame().await;
    assert_eq!((code, why.as_str()), (SESSION_ENDED, reason));
    let took = since.elapsed();
    assert!(took < Duration::from_secs(1), "closed {took:?} after the session ended");
}

async fn reply_count(app: &TestApp, t: &str, topic: &str) -> usize {
    let page: Value = app.get(&format!("/api/v1/forum/topics/{topic}/replies"), Some(t)).await.json().await.unwrap();
    page["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn logout_closes_the_sessions_sockets_and_they_post_nothing() {
    let app = TestApp::spawn().await;
    let t = token(&app.signed_in_user("out@sock.sa", PASSWORD).await);
    let other = token(&app.signed_in_user("stay@sock2.sa", PASSWORD).await);
    let tid = topic(&app, &other).await;
    let mut main = open(&app, &t).await;
    let mut posting = open_topic(&app, &t, &tid).await;
    let mut bystander = open_topic(&app, &other, &tid).await;

    let at = Instant::now();
    assert_eq!(app.post("/api/v1/auth/logout", Some(&t), json!({})).await.status(), StatusCode::NO_CONTENT);
    // The post races the close: whichever the server sees first, no reply may be stored.
    posting.send_raw(Message::text(json!({"type": "new_post", "content": "Posted after logout"}).to_string())).await;
    assert_ended(&mut main, at, "session_revoked").await;
    assert_ended(&mut posting, at, "session_revoked").await;

    // The other user's socket is untouched, and a reply through it still works.
    bystander.send_json(json!({"type": "new_post", "content": "Still here and posting"})).await;
    bystander.until("post_created").await;
    assert_eq!(reply_count(&app, &other, &tid).await, 1, "only the bystander's reply is stored");
    // A new socket with the old token is refused the same way.
    let mut again = Ws::connect(&app, &format!("/ws?token={t}")).await;
    assert_eq!(again.closed().await, 1008, "the token of an ended session opens nothing");
}

#[tokio::test]
async fn each_way_a_session_ends_closes_its_sockets() {
    let app = TestApp::spawn().await;
    // logout-all: every session of the user.
    let a1 = token(&app.signed_in_user("all@sock.sa", PASSWORD).await);
    let a2 = token(&app.login("all@sock.sa", PASSWORD).await.json::<Value>().await.unwrap());
    let (mut w1, mut w2) = (open(&app, &a1).await, open(&app, &a2).await);
    let at = Instant::now();
    assert_eq!(app.post("/api/v1/auth/logout-all", Some(&a1), json!({})).await.status(), StatusCode::NO_CONTENT);
    assert_ended(&mut w1, at, "session_revoked").await;
    assert_ended(&mut w2, at, "session_revoked").await;

    // Revoking one session from another: only that one's socket closes.
    let b1 = token(&app.login("all@sock.sa", PASSWORD).await.json::<Value>().await.unwrap());
    let b2 = token(&app.login("all@sock.sa", PASSWORD).await.json::<Value>().await.unwrap());
    let (mut keep, mut gone) = (open(&app, &b1).await, open(&app, &b2).await);
    let list: Value = app.get("/api/v1/auth/sessions", Some(&b1)).await.json().await.unwrap();
    let other = list["items"].as_array().unwrap().iter().find(|s| s["current"] == false).unwrap()["id"].clone();
    let at = Instant::now();
    let r = app
        .send(Method::DELETE, &format!("/api/v1/auth/sessions/{}", other.as_str().unwrap()), Some(&b1), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_ended(&mut gone, at, "session_revoked").await;

    // A password change ends the other sessions, not the one that changed it.
    let b3 = token(&app.login("all@sock.sa", PASSWORD).await.json::<Value>().await.unwrap());
    let mut third = open(&app, &b3).await;
    let at = Instant::now();
    let body = json!({"current_password": PASSWORD, "new_password": "Another-boiler-77"});
    assert_eq!(app.post("/api/v1/users/me/password", Some(&b1), body).await.status(), StatusCode::NO_CONTENT);
    assert_ended(&mut third, at, "session_revoked").await;
    keep.send_json(json!({"type": "ping"})).await;
    assert_eq!(keep.until("pong").await.1["type"], "pong", "the session that changed the password keeps its socket");

    // Account deletion.
    let at = Instant::now();
    let r = app.send(Method::DELETE, "/api/v1/users/me", Some(&b1), json!({"password": "Another-boiler-77"})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_ended(&mut keep, at, "session_revoked").await;
}

#[tokio::test]
async fn a_deactivated_member_cannot_post_through_an_open_socket() {
    let app = TestApp::spawn().await;
    let team = app.team("deact-sock.sa").await;
    let tid = topic(&app, &team.admin).await;
    let mut ws = open_topic(&app, &team.member, &tid).await;
    ws.send_json(json!({"type": "new_post", "content": "Before deactivation"})).await;
    ws.until("post_created").await;

    let at = Instant::now();
    let path = format!("/api/v1/organizations/me/members/{}/deactivate", team.member_id);
    assert_eq!(app.post(&path, Some(&team.admin), json!({})).await.status(), StatusCode::OK);
    ws.send_raw(Message::text(json!({"type": "new_post", "content": "After deactivation"}).to_string())).await;
    assert_ended(&mut ws, at, "session_revoked").await;
    assert_eq!(reply_count(&app, &team.admin, &tid).await, 1, "only the reply from before is stored");
}

#[tokio::test]
async fn refresh_token_reuse_closes_the_sockets_of_the_stolen_session() {
    let app = TestApp::spawn().await;
    let auth = app.signed_in_user("theft@sock.sa", PASSWORD).await;
    let refresh = auth["refresh_token"].as_str().unwrap().to_owned();
    let mut ws = open(&app, &token(&auth)).await;
    let r = app.post("/api/v1/auth/refresh", None, json!({ "refresh_token": refresh })).await;
    assert_eq!(r.status(), StatusCode::OK);
    ws.send_json(json!({"type": "ping"})).await;
    assert_eq!(ws.until("pong").await.1["type"], "pong", "a rotation ends nothing");
    let at = Instant::now();
    let reuse = app.post("/api/v1/auth/refresh", None, json!({ "refresh_token": refresh })).await;
    assert_eq!(reuse.status(), StatusCode::UNAUTHORIZED);
    assert_ended(&mut ws, at, "session_revoked").await;
}

#[tokio::test]
async fn the_idle_limit_closes_a_socket_nobody_uses() {
    let app = TestApp::spawn_with(&[("P2P_AUTH__IDLE_TIMEOUT_SECS", "2")]).await;
    let t = token(&app.signed_in_user("idle@sock.sa", PASSWORD).await);
    let mut ws = open(&app, &t).await;
    let opened = Instant::now();
    // Pings keep the connection, not the session: they are not the user's activity.
    ws.send_json(json!({"type": "ping"})).await;
    ws.until("pong").await;
    let (code, why) = ws.close_frame().await;
    assert_eq!((code, why.as_str()), (SESSION_ENDED, "session_idle"));
    let took = opened.elapsed();
    assert!(took >= Duration::from_millis(1500) && took < Duration::from_secs(4), "closed after {took:?}");
    assert_eq!(app.get("/api/v1/users/me", Some(&t)).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_absolute_limit_closes_a_busy_socket() {
    let app = TestApp::spawn_with(&[("P2P_AUTH__ABSOLUTE_TIMEOUT_SECS", "2")]).await;
    let t = token(&app.signed_in_user("busy@sock.sa", PASSWORD).await);
    let mut ws = open(&app, &t).await;
    // Activity on the socket (subscribing) does not stretch the absolute lifetime.
    ws.send_json(json!({"type": "subscribe", "channel": "forum.category.automation"})).await;
    ws.until("subscribed").await;
    let (code, why) = ws.close_frame().await;
    assert_eq!((code, why.as_str()), (SESSION_ENDED, "session_expired"));
}
