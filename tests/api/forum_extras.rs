//! Forum drafts and attachments.

use reqwest::{
    Method, StatusCode,
    multipart::{Form, Part},
};
use serde_json::{Value, json};

use crate::{
    helpers::{PASSWORD, TestApp, expect_error},
    media::png,
};

fn token(v: &Value) -> String {
    v["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn drafts_save_partial_fields_and_publish_with_every_error_named() {
    let app = TestApp::spawn().await;
    let t = token(&app.signed_in_user("drafter@forum.sa", PASSWORD).await);
    let other = token(&app.signed_in_user("other@forum2.sa", PASSWORD).await);
    let r = app.post("/api/v1/forum/drafts", Some(&t), json!({"title": "Half"})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let d: Value = r.json().await.unwrap();
    let id = d["id"].as_str().unwrap().to_owned();
    let e = expect_error(
        app.post(&format!("/api/v1/forum/drafts/{id}/publish"), Some(&t), json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    for f in ["title", "body", "category"] {
        assert!(e["fields"].get(f).is_some(), "{f}: {e}");
    }
    expect_error(
        app.get(&format!("/api/v1/forum/drafts/{id}"), Some(&other)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let r = app
        .send(Method::PUT, &format!("/api/v1/forum/drafts/{id}"), Some(&t), json!({"title": "Half-finished maintenance plan", "body": "Weekly checks of the chiller and compressor.", "category": "maintenance"}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let list: Value = app.get("/api/v1/forum/drafts", Some(&t)).await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let r = app.post(&format!("/api/v1/forum/drafts/{id}/publish"), Some(&t), json!({})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let topic: Value = r.json().await.unwrap();
    assert_eq!(topic["title"], "Half-finished maintenance plan");
    let list: Value = app.get("/api/v1/forum/drafts", Some(&t)).await.json().await.unwrap();
    assert!(list["items"].as_array().unwrap().is_empty(), "a published draft is gone");
}

async fn attach(app: &TestApp, path: &str, t: &str, bytes: Vec<u8>, name: &str) -> reqwest::Response {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()));
    app.req(Method::POST, path).bearer_auth(t).multipart(form).send().await.unwrap()
}

#[tokio::test]
async fn attachments_are_limited_to_five_and_go_with_their_post() {
    let app = TestApp::spawn().await;
    let t = token(&app.signed_in_user("files@forum.sa", PASSWORD).await);
    let other = token(&app.signed_in_user("other@forum3.sa", PASSWORD).await);
    let body = json!({"title": "Photos of the corroded valve", "body": "See the attached pictures and the report.", "category": "maintenance"});
    let topic: Value = app.post("/api/v1/forum/topics", Some(&t), body).await.json().await.unwrap();
    let path = format!("/api/v1/forum/topics/{}/attachments", topic["id"].as_str().unwrap());
    let r = attach(&app, &path, &other, png(8, 8), "x.png").await;
    expect_error(r, StatusCode::FORBIDDEN, "not_author").await;
    let pdf = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec();
    let r = attach(&app, &path, &t, pdf, "report.pdf").await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let a: Value = r.json().await.unwrap();
    assert_eq!(a["content_type"], "application/pdf");
    // Four images at once: the fifth slot fills, a sixth is refused, whatever the order.
    let uploads = (0..5).map(|i| attach(&app, &path, &t, png(10 + i, 10), "p.png"));
    let statuses: Vec<StatusCode> = futures::future::join_all(uploads).await.iter().map(|r| r.status()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 4, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY).count(), 1, "{statuses:?}");
    let view: Value = app
        .get(&format!("/api/v1/forum/topics/{}", topic["id"].as_str().unwrap()), Some(&other))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["attachments"].as_array().unwrap().len(), 5);
    let url = a["url"].as_str().unwrap().to_owned();
    let r = app.get(&url, Some(&other)).await;
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let objects = || std::fs::read_dir(app.dir.join("media").join("media")).map(|d| d.count()).unwrap_or(0);
    assert!(objects() >= 5);
    // Removing one, then deleting the topic, removes every object.
    let r = app
        .send(Method::DELETE, &format!("/api/v1/forum/attachments/{}", a["id"].as_str().unwrap()), Some(&t), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get(&url, Some(&other)).await.status(), StatusCode::NOT_FOUND);
    let started = std::time::Instant::now();
    while !app.get("/metrics", None).await.text().await.unwrap().contains("p2p_job_queue_depth 0") {
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "thumbnails never finished");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let r = app
        .send(Method::DELETE, &format!("/api/v1/forum/topics/{}", topic["id"].as_str().unwrap()), Some(&t), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(objects(), 0, "no object outlives its topic");
}

#[tokio::test]
async fn a_draft_published_twice_at_once_becomes_one_post() {
    let app = TestApp::spawn().await;
    let t = token(&app.signed_in_user("twice@drafts.sa", PASSWORD).await);
    let forum = json!({"title": "Chiller maintenance plan", "body": "Weekly checks of the chiller and compressor.", "category": "maintenance"});
    let case = json!({"title": "Vision inspection on the bottling line", "summary": "Cameras and a small model now catch cap defects before palletizing, cutting returns.", "category": "Quality Control", "factory_name": "Jeddah Bottling", "city": "Jeddah", "latitude": 21.54, "longitude": 39.17});
    for (drafts, body, stats, counted) in [
        ("/api/v1/forum/drafts", forum, "/api/v1/forum/stats", "topics"),
        ("/api/v1/use-cases/drafts", case, "/api/v1/use-cases/stats", "total_use_cases"),
    ] {
        let r = app.post(drafts, Some(&t), body).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
        let publish = format!("{drafts}/{id}/publish");
        let (a, b) = tokio::join!(app.post(&publish, Some(&t), json!({})), app.post(&publish, Some(&t), json!({})));
        let mut statuses = [a.status(), b.status()];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::CREATED, StatusCode::NOT_FOUND], "{drafts}");
        let s: Value = app.get(stats, Some(&t)).await.json().await.unwrap();
        assert_eq!(s[counted], 1, "{drafts}: one post from one draft");
    }
}
