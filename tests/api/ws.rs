//! Real time over real WebSockets: broadcasts in order with consecutive `seq`, `new_post`,
//! resume from a last `seq`, refused subscriptions, abuse closing one socket only, slow
//! clients dropped, and 1001 on shutdown.

use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::support::{PASSWORD, TestApp, token, ws::Ws};

#[tokio::test]
async fn two_followers_receive_a_rest_reply_in_order_with_consecutive_seq() {
    let app = TestApp::spawn().await;
    let a = app.signed_in_token("a@ws.sa").await;
    let b = app.signed_in_token("b@ws2.sa").await;
    let c = app.signed_in_token("c@ws3.sa").await;
    let tid = app.any_topic(&a).await;
    let mut wa = Ws::follow(&app, &a, &tid, None).await;
    let mut wb = Ws::follow(&app, &b, &tid, None).await;
    app.new_reply(&c, &tid, "First answer over REST").await;
    app.new_reply(&c, &tid, "Second answer over REST").await;
    for ws in [&mut wa, &mut wb] {
        let (_, first) = ws.until("reply.created").await;
        let (_, second) = ws.until("reply.created").await;
        assert_eq!(first["channel"], format!("forum.topic.{tid}"));
        assert_eq!(first["data"]["body"], "First answer over REST");
        assert_eq!(second["data"]["body"], "Second answer over REST");
        assert_eq!(second["seq"].as_u64().unwrap(), first["seq"].as_u64().unwrap() + 1);
        assert!(first["at"].is_string());
    }
}

#[tokio::test]
async fn new_post_frames_create_replies_and_broadcast_them() {
    let app = TestApp::spawn().await;
    let a = app.signed_in_token("a@post.sa").await;
    let b = app.signed_in_token("b@post2.sa").await;
    let tid = app.any_topic(&a).await;
    let mut watcher = Ws::follow(&app, &b, &tid, None).await;
    let mut poster = Ws::open_topic(&app, &a, &tid).await;
    poster.send_post("Posted over the socket").await;
    // The answer has the events' envelope, without a seq: the broadcast below carries it.
    let (_, created) = poster.until("post_created").await;
    assert_eq!(created["channel"], format!("forum.topic.{tid}"));
    assert_eq!(created["data"]["body"], "Posted over the socket");
    assert!(created["at"].is_string() && created.get("seq").is_none(), "{created}");
    let (_, event) = watcher.until("reply.created").await;
    assert_eq!(event["data"]["id"], created["data"]["id"]);
    // Same validation as REST: too short is refused with the uniform error.
    poster.send_post("no").await;
    let (_, err) = poster.until("error").await;
    assert_eq!(err["code"], "validation_failed");
    assert!(err["fields"]["body"].is_string());
    assert_eq!(app.replies(&a, &tid, "").await["total"], 1);
}

#[tokio::test]
async fn a_reconnect_with_the_last_seq_gets_exactly_what_it_missed() {
    let app = TestApp::spawn().await;
    let a = app.signed_in_token("a@resume.sa").await;
    let tid = app.any_topic(&a).await;
    let mut ws = Ws::follow(&app, &a, &tid, None).await;
    app.new_reply(&a, &tid, "Seen before the disconnect").await;
    let (_, seen) = ws.until("reply.created").await;
    let last = seen["seq"].as_u64().unwrap();
    drop(ws);
    app.new_reply(&a, &tid, "Missed one").await;
    app.new_reply(&a, &tid, "Missed two").await;
    let mut back = Ws::connect(&app, &format!("/ws/forum/{tid}?token={a}&last_seq={last}")).await;
    let (_, ack) = back.until("subscribed").await;
    assert!(ack["channel"].as_str().unwrap().starts_with("user."));
    let (_, ack) = back.until("subscribed").await;
    assert_eq!(ack["channel"], format!("forum.topic.{tid}"));
    let one = back.next_json().await;
    let two = back.next_json().await;
    let texts: Vec<&str> = [&one, &two].iter().map(|e| e["data"]["body"].as_str().unwrap_or_default()).collect();
    let seqs: Vec<u64> = [&one, &two].iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, vec![last + 1, last + 2]);
    assert_eq!(texts, vec!["Missed one", "Missed two"]);
    let (skipped, _) = back.ping().await;
    assert!(skipped.is_empty(), "nothing else was replayed: {skipped:?}");
}

#[tokio::test]
async fn refused_subscriptions_and_bad_tokens() {
    let app = TestApp::spawn().await;
    let a = app.signed_in_user("a@refuse.sa", PASSWORD).await;
    let b = app.signed_in_user("b@refuse2.sa", PASSWORD).await;
    let mut ws = Ws::connect(&app, "/ws").await;
    ws.send_json(json!({"type": "auth", "token": token(&a)})).await;
    ws.until("subscribed").await;
    let other = format!("user.{}", b["user"]["id"].as_str().unwrap());
    for channel in
        [other.as_str(), "forum.topic.0195f1a2-7b3c-7d4e-8f90-123456789abc", "forum.category.nope", "admin.secrets"]
    {
        ws.send_json(json!({"type": "subscribe", "channel": channel})).await;
        let (_, err) = ws.until("error").await;
        assert!(matches!(err["code"].as_str(), Some("forbidden" | "not_found")), "{channel}: {err}");
    }
    ws.send_json(json!({"type": "subscribe", "channel": "forum.category.automation"})).await;
    let (_, ok) = ws.until("subscribed").await;
    assert_eq!(ok["channel"], "forum.category.automation");
    let mut bad = Ws::connect(&app, "/ws?token=not-a-token").await;
    assert_eq!(bad.closed().await, 1008);
}

#[tokio::test]
async fn abusive_frames_close_that_socket_only() {
    let app = TestApp::spawn_with(&[("P2P_WS__MAX_FRAME_BYTES", "4096")]).await;
    let a = app.signed_in_token("a@abuse.sa").await;
    let tid = app.any_topic(&a).await;
    let mut calm = Ws::follow(&app, &a, &tid, None).await;
    let mut malformed = Ws::open(&app, &a).await;
    malformed.send_raw(Message::text("{not json")).await;
    assert_eq!(malformed.closed().await, 1007);
    let mut oversized = Ws::open(&app, &a).await;
    oversized.send_raw(Message::text(format!("{{\"type\":\"ping\",\"pad\":\"{}\"}}", "x".repeat(10_000)))).await;
    assert!(matches!(oversized.closed().await, 1009 | 1006));
    let mut flood = Ws::open(&app, &a).await;
    for _ in 0..200 {
        flood.send_raw(Message::text("{\"type\":\"ping\"}")).await;
    }
    // 1008, or a reset when the server closes with the flood's unread frames still queued.
    assert!(matches!(flood.closed().await, 1008 | 1006));
    // The calm socket still works.
    app.new_reply(&a, &tid, "Still delivered to the calm one").await;
    let (_, e) = calm.until("reply.created").await;
    assert_eq!(e["data"]["body"], "Still delivered to the calm one");
}

#[tokio::test]
async fn a_slow_client_is_dropped_while_others_keep_up() {
    let app = TestApp::spawn_with(&[("P2P_WS__QUEUE", "4"), ("P2P_WS__WRITE_TIMEOUT_MS", "300")]).await;
    let a = app.signed_in_token("a@slow.sa").await;
    let tid = app.any_topic(&a).await;
    let mut fast = Ws::follow(&app, &a, &tid, None).await;
    // The slow client has a 4 KiB receive window and never reads after subscribing.
    let mut slow = Ws::connect_small_window(&app, &format!("/ws/forum/{tid}?token={a}")).await;
    slow.until("subscribed").await;
    slow.until("subscribed").await;
    // Arabic text is two bytes a character: ~10 KB an event, enough to fill the kernel's
    // socket buffers (up to 4 MiB here) so the server's writes stall.
    let long = "ص".repeat(4900);
    for i in 0..600 {
        app.new_reply(&a, &tid, &format!("{i} {long}")).await;
        let (_, e) = fast.until("reply.created").await;
        assert!(e["data"]["body"].as_str().unwrap().starts_with(&format!("{i} ")), "in order");
    }
    // Whatever it had buffered, the slow client's connection ends without a full stream.
    let mut got = 0;
    loop {
        match tokio::time::timeout(std::time::Duration::from_secs(10), slow.next_frame()).await.unwrap() {
            Some(v) if v["type"] == "reply.created" => got += 1,
            Some(_) => {}
            None => break,
        }
    }
    assert!(got < 600, "the slow client was cut off (got {got})");
}

#[tokio::test]
async fn sockets_close_with_1001_on_shutdown() {
    let mut app = TestApp::spawn().await;
    let a = app.signed_in_token("a@shutdown.sa").await;
    let mut ws = Ws::open(&app, &a).await;
    let stopping = tokio::spawn(async move {
        app.stop().await;
    });
    assert_eq!(ws.closed().await, 1001);
    stopping.await.unwrap();
}

#[tokio::test]
async fn sockets_per_user_are_limited_and_silent_sockets_close() {
    let app = TestApp::spawn_with(&[("P2P_WS__MAX_SOCKETS_PER_USER", "2"), ("P2P_WS__PING_SECS", "1")]).await;
    let a = app.signed_in_token("a@limits.sa").await;
    let mut first = Ws::open(&app, &a).await;
    let _second = Ws::open(&app, &a).await;
    let mut third = Ws::connect(&app, &format!("/ws?token={a}")).await;
    assert_eq!(third.closed().await, 1008, "a third socket is refused");
    // A client that never reads cannot answer pings; after three intervals it is closed.
    tokio::time::sleep(std::time::Duration::from_millis(5000)).await; // past the check at the 4th ping (1 s each)
    // Close frame (1001) or, when the client's queued pong hits the closed connection, a drop.
    assert!(matches!(first.closed().await, 1001 | 1006));
    let metrics = app.metrics().await;
    assert!(metrics.contains("p2p_ws_open_sockets 0"), "both silent sockets are gone: {metrics}");
}
