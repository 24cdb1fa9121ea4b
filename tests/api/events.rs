//! WebSocket events carry the REST shapes: the `data` of an event is exactly what the REST
//! API returns for the same thing (author avatar and attachments included).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{TestApp, media::png_form, ws::Ws};

/// A socket of `t` subscribed to `channel`, past its acknowledgement.
async fn subscribed(app: &TestApp, t: &str, channel: &str) -> Ws {
    let mut ws = Ws::open(app, t).await;
    ws.send_json(json!({"type": "subscribe", "channel": channel})).await;
    let (_, ack) = ws.until("subscribed").await;
    assert_eq!(ack["channel"], channel);
    ws
}

#[tokio::test]
async fn a_reply_created_event_is_the_rest_reply() {
    let app = TestApp::spawn().await;
    let author = app.signed_in_token("author@events.sa").await;
    let reader = app.signed_in_token("reader@events2.sa").await;
    assert_eq!(app.upload_avatar(&author, png_form()).await.status(), StatusCode::OK);
    let tid = app.any_topic(&author).await;
    let mut ws = subscribed(&app, &reader, &format!("forum.topic.{tid}")).await;

    app.new_reply(&author, &tid, "Grease it.").await;
    let (_, event) = ws.until("reply.created").await;

    let page = app.replies(&reader, &tid, "").await;
    let rest = &page["items"][0];
    assert!(rest["author"]["avatar_url"].is_string(), "the author has an avatar: {rest}");
    assert_eq!(event["data"], *rest);
}

#[tokio::test]
async fn a_topic_updated_event_is_the_rest_topic() {
    let app = TestApp::spawn().await;
    let author = app.signed_in_token("author@events3.sa").await;
    let reader = app.signed_in_token("reader@events4.sa").await;
    let tid = app.any_topic(&author).await;
    let r = app.attach_to_topic(&author, &tid, crate::support::media::png(8, 8), "plan.png").await;
    assert_eq!(r.status(), StatusCode::CREATED);
    // Its thumbnail is made in the background: done before the edit, so the event and the
    // read below see the same attachment.
    app.wait_for_jobs().await;
    // The reader's first read counts a view; the event below must show the count after it.
    assert_eq!(app.get_topic(&reader, &tid).await.status(), StatusCode::OK);
    let mut ws = subscribed(&app, &reader, "forum.category.automation").await;

    let edit = json!({"body": "A longer body, edited so that followers hear of it."});
    let r = app.send(Method::PATCH, &format!("/api/v1/forum/topics/{tid}"), Some(&author), edit).await;
    assert_eq!(r.status(), StatusCode::OK);
    let (_, event) = ws.until("topic.updated").await;

    let rest: Value = app.get_topic(&reader, &tid).await.json().await.unwrap();
    assert_eq!(rest["attachments"].as_array().map(Vec::len), Some(1));
    assert_eq!(event["data"], rest);
}
