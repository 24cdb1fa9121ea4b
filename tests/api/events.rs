//! WebSocket events carry the REST shapes: the `data` of an event is exactly what the REST
//! API returns for the same thing (author avatar and attachments included).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    helpers::{PASSWORD, TestApp},
    media::{form, png, upload},
    ws::{token, topic},
    ws_client::Ws,
};

/// A socket of `t` subscribed to `channel`.
async fn follow(app: &TestApp, t: &str, channel: &str) -> Ws {
    let mut ws = Ws::connect(app, &format!("/ws?token={t}")).await;
    ws.until("subscribed").await; // the user channel
    ws.send_json(json!({"type": "subscribe", "channel": channel})).await;
    ws.until("subscribed").await;
    ws
}

#[tokio::test]
async fn a_reply_created_event_is_the_rest_reply() {
    let app = TestApp::spawn().await;
    let author = token(&app.signed_in_user("author@events.sa", PASSWORD).await);
    let reader = token(&app.signed_in_user("reader@events2.sa", PASSWORD).await);
    let r = upload(&app, "/api/v1/users/me/avatar", &author, form(png(16, 16), "me.png", "image/png")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let tid = topic(&app, &author).await;
    let mut ws = follow(&app, &reader, &format!("forum.topic.{tid}")).await;

    let r =
        app.post(&format!("/api/v1/forum/topics/{tid}/replies"), Some(&author), json!({"content": "Grease it."})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let (_, event) = ws.until("reply.created").await;

    let page: Value =
        app.get(&format!("/api/v1/forum/topics/{tid}/replies"), Some(&reader)).await.json().await.unwrap();
    let rest = &page["items"][0];
    assert!(rest["author"]["avatar_url"].is_string(), "the author has an avatar: {rest}");
    assert_eq!(event["data"], *rest);
}

#[tokio::test]
async fn a_topic_updated_event_is_the_rest_topic() {
    let app = TestApp::spawn().await;
    let author = token(&app.signed_in_user("author@events3.sa", PASSWORD).await);
    let reader = token(&app.signed_in_user("reader@events4.sa", PASSWORD).await);
    let tid = topic(&app, &author).await;
    let files = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(png(8, 8)).file_name("plan.png").mime_str("image/png").unwrap());
    let r = app
        .req(Method::POST, &format!("/api/v1/forum/topics/{tid}/attachments"))
        .bearer_auth(&author)
        .multipart(files)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    // The reader's first read counts a view; the event below must show the count after it.
    assert_eq!(app.get(&format!("/api/v1/forum/topics/{tid}"), Some(&reader)).await.status(), StatusCode::OK);
    let mut ws = follow(&app, &reader, "forum.category.automation").await;

    let edit = json!({"body": "A longer body, edited so that followers hear of it."});
    let r = app.send(Method::PATCH, &format!("/api/v1/forum/topics/{tid}"), Some(&author), edit).await;
    assert_eq!(r.status(), StatusCode::OK);
    let (_, event) = ws.until("topic.updated").await;

    let rest: Value = app.get(&format!("/api/v1/forum/topics/{tid}"), Some(&reader)).await.json().await.unwrap();
    assert_eq!(rest["attachments"].as_array().map(Vec::len), Some(1));
    assert_eq!(event["data"], rest);
}
