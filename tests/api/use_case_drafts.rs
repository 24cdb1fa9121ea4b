//! The submission wizard's drafts: a draft reopens at the step the person left, with the
//! client's own state and the media uploaded so far; publishing hands the media to the use
//! case; deleting the draft removes them. And the structured parts of a case (challenges,
//! ROI) and the map popup's fields, as a client reads them back.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, expect_invalid, expect_not_found, id_of, media::png, use_cases::use_case_body};

#[tokio::test]
async fn a_draft_resumes_at_its_step_with_its_media_and_publishing_adopts_them() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("wizard@drafting.sa").await;
    let other = app.signed_in_token("nosy@elsewhere.sa").await;
    let state = json!({"open_panel": "results", "unsaved_photo_captions": ["Line 3"]}).to_string();
    let r = app
        .create_use_case_draft(&t, json!({"title": "Robotic palletizing", "current_step": 2, "client_state": state}))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = id_of(&r.json().await.unwrap());
    let draft = format!("/api/v1/use-cases/drafts/{id}");

    // Media uploaded before publishing, checked like a use case's.
    let r = app
        .add_use_case_draft_media(&t, &id, vec![(png(6, 6), "a.png"), (b"%PDF-1.7\n%%EOF\n".to_vec(), "b.pdf")])
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let with_media: Value = r.json().await.unwrap();
    assert_eq!(with_media["media"].as_array().unwrap().len(), 2);
    let refused = app.add_use_case_draft_media(&t, &id, vec![(b"MZ not a picture".to_vec(), "x.exe")]).await;
    assert!(refused.status().is_client_error(), "an unknown type is refused");
    expect_not_found(app.add_use_case_draft_media(&other, &id, vec![(png(4, 4), "c.png")]).await).await;

    // Resuming reads every field back, typed, at the step the person left.
    let resumed = app.get_json(&draft, &t).await;
    assert_eq!((&resumed["current_step"], &resumed["client_state"]), (&json!(2), &json!(state)));
    assert_eq!(resumed["fields"]["title"], "Robotic palletizing");
    assert!(resumed["fields"]["body"].is_null(), "fields not written yet are absent: {resumed}");
    let list = app.get_json("/api/v1/use-cases/drafts", &t).await;
    assert_eq!((&list["items"][0]["current_step"], &list["items"][0]["media_count"]), (&json!(2), &json!(2)));
    assert_eq!(list["total"], 1);

    // The wizard's bounds.
    expect_invalid(app.put(&draft, &t, json!({"current_step": 21})).await, &["current_step"]).await;
    expect_invalid(app.put(&draft, &t, json!({"client_state": "x".repeat(4097)})).await, &["client_state"]).await;

    // Finish the form and publish: the use case carries the draft's media, the image as cover.
    let mut rest = use_case_body("Robotic palletizing at the dairy");
    rest["current_step"] = json!(3);
    assert_eq!(app.put(&draft, &t, rest).await.status(), StatusCode::OK);
    let r = app.post(&format!("{draft}/publish"), Some(&t), json!({})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let published: Value = r.json().await.unwrap();
    let ids = |v: &Value| v["media"].as_array().unwrap().iter().map(|m| m["id"].clone()).collect::<Vec<_>>();
    assert_eq!(ids(&published), ids(&with_media));
    assert!(published["cover_url"].as_str().unwrap().ends_with(with_media["media"][0]["id"].as_str().unwrap()));
    let image = app.get(published["media"][0]["url"].as_str().unwrap(), Some(&t)).await;
    assert_eq!(image.status(), StatusCode::OK, "the media are served as the use case's");
    expect_not_found(app.get(&draft, Some(&t)).await).await;
}

#[tokio::test]
async fn deleting_a_draft_removes_its_media() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("tidy@drafting.sa").await;
    let id = id_of(&app.create_use_case_draft(&t, json!({"title": "To be thrown away"})).await.json().await.unwrap());
    let r = app.add_use_case_draft_media(&t, &id, vec![(png(6, 6), "a.png"), (png(7, 7), "b.png")]).await;
    let media: Value = r.json().await.unwrap();
    let first = media["media"][0]["id"].as_str().unwrap().to_owned();
    let r = app.delete(&format!("/api/v1/use-cases/drafts/{id}/media/{first}"), &t).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let left = app.get_json(&format!("/api/v1/use-cases/drafts/{id}"), &t).await;
    assert_eq!(left["media"].as_array().unwrap().len(), 1);
    app.wait_for_jobs().await;
    assert!(app.local_objects() >= 1);
    assert_eq!(app.delete(&format!("/api/v1/use-cases/drafts/{id}"), &t).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.local_objects(), 0, "the draft's media went with it");
}

#[tokio::test]
async fn challenges_roi_and_the_map_popup_read_back_structured() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("results@structured.sa").await;
    let mut case = use_case_body("Heat recovery from the kiln exhaust");
    case["industry"] = json!("Chemical Processing");
    case["metrics"] =
        json!([{"metric": "gas use per tonne", "baseline": "100", "current": "82", "improvement": "-18%"}]);
    case["challenges"] = json!([{
        "challenge": "Soot fouled the exchanger",
        "description": "Within a month the exchanger lost a third of its transfer.",
        "solution": "A weekly air lance cleaning cycle",
        "outcome": "Transfer stays within 5% of new"
    }]);
    case["roi"] = json!({"headline": "Paid back in 14 months", "annual_savings": "SAR 1.2M", "total_investment": "SAR 1.4M", "payback_period": "14 months"});
    let made = app.new_use_case(&t, case.clone()).await;
    assert_eq!(made["challenges"], case["challenges"]);
    assert_eq!(made["roi"], case["roi"]);
    assert_eq!(made["industry"], "Chemical Processing");
    let mut odd = use_case_body("An industry outside the list");
    odd["industry"] = json!("Gardening");
    expect_invalid(app.create_use_case(&t, odd).await, &["industry"]).await;

    let map = app.use_case_map(&t).await;
    let point = &map["items"][0];
    assert_eq!(point["organization_name"], made["organization_name"]);
    assert_eq!((&point["city"], &point["headline_benefit"]), (&json!("Jeddah"), &json!("-18% gas use per tonne")));
    assert_eq!(point["category"], "quality-control");
}
