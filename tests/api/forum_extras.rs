//! Forum drafts and attachments.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{
    TestApp, expect_error, expect_invalid, expect_not_found, id_of, media::png, use_cases::use_case_body,
};

#[tokio::test]
async fn drafts_save_partial_fields_and_publish_with_every_error_named() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("drafter@forum.sa").await;
    let other = app.signed_in_token("other@forum2.sa").await;
    let r = app.create_forum_draft(&t, json!({"title": "Half"})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = id_of(&r.json().await.unwrap());
    let publish = format!("/api/v1/forum/drafts/{id}/publish");
    expect_invalid(app.post(&publish, Some(&t), json!({})).await, &["title", "body", "category"]).await;
    expect_not_found(app.get(&format!("/api/v1/forum/drafts/{id}"), Some(&other)).await).await;
    let full = json!({"title": "Half-finished maintenance plan", "body": "Weekly checks of the chiller and compressor.", "category": "maintenance"});
    let r = app.put(&format!("/api/v1/forum/drafts/{id}"), &t, full).await;
    assert_eq!(r.status(), StatusCode::OK);
    let list = app.get_json("/api/v1/forum/drafts", &t).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let r = app.post(&publish, Some(&t), json!({})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let topic: Value = r.json().await.unwrap();
    assert_eq!(topic["title"], "Half-finished maintenance plan");
    let list = app.get_json("/api/v1/forum/drafts", &t).await;
    assert!(list["items"].as_array().unwrap().is_empty(), "a published draft is gone");
}

#[tokio::test]
async fn attachments_are_limited_to_five_and_go_with_their_post() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("files@forum.sa").await;
    let other = app.signed_in_token("other@forum3.sa").await;
    let topic = id_of(&app.new_topic(&t, "Photos of the corroded valve", "maintenance", &[]).await);
    let r = app.attach_to_topic(&other, &topic, png(8, 8), "x.png").await;
    expect_error(r, StatusCode::FORBIDDEN, "not_author").await;
    let pdf = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec();
    let r = app.attach_to_topic(&t, &topic, pdf, "report.pdf").await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let a: Value = r.json().await.unwrap();
    assert_eq!(a["content_type"], "application/pdf");
    // Four images at once: the fifth slot fills, a sixth is refused, whatever the order.
    let uploads = (0..5).map(|i| app.attach_to_topic(&t, &topic, png(10 + i, 10), "p.png"));
    let statuses: Vec<StatusCode> = futures::future::join_all(uploads).await.iter().map(|r| r.status()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 4, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY).count(), 1, "{statuses:?}");
    let view: Value = app.get_topic(&other, &topic).await.json().await.unwrap();
    assert_eq!(view["attachments"].as_array().unwrap().len(), 5);
    let url = a["url"].as_str().unwrap().to_owned();
    let r = app.get(&url, Some(&other)).await;
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(app.local_objects() >= 5);
    // Removing one, then deleting the topic, removes every object.
    let r = app.delete(&format!("/api/v1/forum/attachments/{}", id_of(&a)), &t).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get(&url, Some(&other)).await.status(), StatusCode::NOT_FOUND);
    app.wait_for_jobs().await; // every thumbnail is made before the topic goes
    assert_eq!(app.delete_topic(&t, &topic).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.local_objects(), 0, "no object outlives its topic");
}

#[tokio::test]
async fn a_draft_published_twice_at_once_becomes_one_post() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("twice@drafts.sa").await;
    let forum = json!({"title": "Chiller maintenance plan", "body": "Weekly checks of the chiller and compressor.", "category": "maintenance"});
    let case = use_case_body("Vision inspection on the bottling line");
    for (drafts, body, stats, counted) in [
        ("/api/v1/forum/drafts", forum, "/api/v1/forum/stats", "topic_count"),
        ("/api/v1/use-cases/drafts", case, "/api/v1/use-cases/stats", "use_case_count"),
    ] {
        let r = app.post(drafts, Some(&t), body).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let id = id_of(&r.json().await.unwrap());
        let publish = format!("{drafts}/{id}/publish");
        let (a, b) = tokio::join!(app.post(&publish, Some(&t), json!({})), app.post(&publish, Some(&t), json!({})));
        let mut statuses = [a.status(), b.status()];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::CREATED, StatusCode::NOT_FOUND], "{drafts}");
        let s = app.get_json(stats, &t).await;
        assert_eq!(s[counted], 1, "{drafts}: one post from one draft");
    }
}
