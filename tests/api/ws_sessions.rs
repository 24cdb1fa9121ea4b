//! Sessions own their sockets: whatever ends a session — logout, logout-all, revoking it,
//! a password change, deactivation, account deletion, refresh-token reuse, the idle and
//! absolute limits — closes its open sockets at once with 4401 and the session's code, and
//! nothing can be done through them afterwards.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{PASSWORD, TestApp, accounts::refresh_token, id_of, logs::capture_logs, token, ws::Ws};

/// The close code of a socket whose session ended.
const SESSION_ENDED: u16 = 4401;

/// Waits for the close and checks it is the session's end, within a second of `since`.
async fn assert_ended(ws: &mut Ws, since: Instant, reason: &str) {
    let (code, why) = ws.close_frame().await;
    assert_eq!((code, why.as_str()), (SESSION_ENDED, reason));
    let took = since.elapsed();
    assert!(took < Duration::from_secs(1), "closed {took:?} after the session ended");
}

/// How many replies `topic` has stored.
async fn reply_count(app: &TestApp, t: &str, topic: &str) -> usize {
    app.replies(t, topic, "").await["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn logout_closes_the_sessions_sockets_and_they_post_nothing() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("out@sock.sa").await;
    let other = app.signed_in_token("stay@sock2.sa").await;
    let tid = app.any_topic(&other).await;
    let mut main = Ws::open(&app, &t).await;
    let mut posting = Ws::open_topic(&app, &t, &tid).await;
    let mut bystander = Ws::open_topic(&app, &other, &tid).await;

    let at = Instant::now();
    assert_eq!(app.logout(&t).await.status(), StatusCode::NO_CONTENT);
    // The post races the close: whichever the server sees first, no reply may be stored.
    posting.send_post_racing("Posted after logout").await;
    assert_ended(&mut main, at, "session_revoked").await;
    assert_ended(&mut posting, at, "session_revoked").await;

    // The other user's socket is untouched, and a reply through it still works.
    bystander.send_post("Still here and posting").await;
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
    let a1 = app.signed_in_token("all@sock.sa").await;
    let a2 = app.login_token("all@sock.sa").await;
    let (mut w1, mut w2) = (Ws::open(&app, &a1).await, Ws::open(&app, &a2).await);
    let at = Instant::now();
    assert_eq!(app.logout_all(&a1).await.status(), StatusCode::NO_CONTENT);
    assert_ended(&mut w1, at, "session_revoked").await;
    assert_ended(&mut w2, at, "session_revoked").await;

    // Revoking one session from another: only that one's socket closes.
    let (b1, b2) = (app.login_token("all@sock.sa").await, app.login_token("all@sock.sa").await);
    let (mut keep, mut gone) = (Ws::open(&app, &b1).await, Ws::open(&app, &b2).await);
    let list = app.sessions(&b1).await;
    let other = id_of(list["items"].as_array().unwrap().iter().find(|s| s["current"] == false).unwrap());
    let at = Instant::now();
    assert_eq!(app.revoke_session(&b1, &other).await.status(), StatusCode::NO_CONTENT);
    assert_ended(&mut gone, at, "session_revoked").await;

    // A password change ends the other sessions, not the one that changed it.
    let b3 = app.login_token("all@sock.sa").await;
    let mut third = Ws::open(&app, &b3).await;
    let at = Instant::now();
    let r = app.change_password(&b1, PASSWORD, "Another-boiler-77").await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_ended(&mut third, at, "session_revoked").await;
    assert_eq!(keep.ping().await.1["type"], "pong", "the session that changed the password keeps its socket");

    // Account deletion.
    let at = Instant::now();
    assert_eq!(app.delete_me(&b1, "Another-boiler-77").await.status(), StatusCode::NO_CONTENT);
    assert_ended(&mut keep, at, "session_revoked").await;
}

#[tokio::test]
async fn a_deactivated_member_cannot_post_through_an_open_socket() {
    let app = TestApp::spawn().await;
    let team = app.team("deact-sock.sa").await;
    let tid = app.any_topic(&team.admin).await;
    let mut ws = Ws::open_topic(&app, &team.member, &tid).await;
    ws.send_post("Before deactivation").await;
    ws.until("post_created").await;

    let at = Instant::now();
    assert_eq!(app.deactivate(&team.admin, &team.member_id).await.status(), StatusCode::OK);
    ws.send_post_racing("After deactivation").await;
    assert_ended(&mut ws, at, "session_revoked").await;
    assert_eq!(reply_count(&app, &team.admin, &tid).await, 1, "only the reply from before is stored");
}

#[tokio::test]
async fn refresh_token_reuse_closes_the_sockets_of_the_stolen_session() {
    let app = TestApp::spawn().await;
    let auth = app.signed_in_user("theft@sock.sa", PASSWORD).await;
    let refresh = refresh_token(&auth);
    let mut ws = Ws::open(&app, &token(&auth)).await;
    assert_eq!(app.refresh(&refresh).await.status(), StatusCode::OK);
    assert_eq!(ws.ping().await.1["type"], "pong", "a rotation ends nothing");
    let at = Instant::now();
    let logs = capture_logs();
    assert_eq!(app.refresh(&refresh).await.status(), StatusCode::UNAUTHORIZED);
    logs.assert_logged("WARN", &["refresh token reuse detected"]);
    assert_ended(&mut ws, at, "session_revoked").await;
}

#[tokio::test]
async fn the_idle_limit_closes_a_socket_nobody_uses() {
    let app = TestApp::spawn_with(&[("P2P_AUTH__IDLE_TIMEOUT_SECS", "2")]).await;
    let t = app.signed_in_token("idle@sock.sa").await;
    let mut ws = Ws::open(&app, &t).await;
    let opened = Instant::now();
    // Pings keep the connection, not the session: they are not the user's activity.
    ws.ping().await;
    let (code, why) = ws.close_frame().await;
    assert_eq!((code, why.as_str()), (SESSION_ENDED, "session_idle"));
    let took = opened.elapsed();
    assert!(took >= Duration::from_millis(1500) && took < Duration::from_secs(4), "closed after {took:?}");
    assert_eq!(app.me(&t).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_absolute_limit_closes_a_busy_socket() {
    let app = TestApp::spawn_with(&[("P2P_AUTH__ABSOLUTE_TIMEOUT_SECS", "2")]).await;
    let t = app.signed_in_token("busy@sock.sa").await;
    let mut ws = Ws::open(&app, &t).await;
    // Activity on the socket (subscribing) does not stretch the absolute lifetime.
    ws.send_json(json!({"type": "subscribe", "channel": "forum.category.automation"})).await;
    ws.until("subscribed").await;
    let (code, why) = ws.close_frame().await;
    assert_eq!((code, why.as_str()), (SESSION_ENDED, "session_expired"));
}
