//! Input an attacker shapes: cursors that are not ours get 422 on every list, and names and
//! titles refuse text-direction controls and drop invisible characters.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, expect_error, signup_body};

#[tokio::test]
async fn bogus_cursors_get_422_on_every_list() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_user("cursor@hygiene.sa", PASSWORD).await["access_token"].as_str().unwrap().to_owned();
    let body = json!({"title": "Cursor hygiene topic", "body": "A body long enough for the forum rules.", "category": "automation"});
    let r = app.post("/api/v1/forum/topics", Some(&t), body).await;
    let topic = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    // "AAAA" decodes to three zero bytes; the others are well-formed base64 of keys that no
    // listing has (sixteen zero bytes: not a time-ordered id).
    let zeros = "AAAAAAAAAAAAAAAAAAAAAA";
    let lists = [
        "/api/v1/forum/topics",
        "/api/v1/forum/topics?sort=active",
        "/api/v1/forum/topics?category=automation",
        "/api/v1/use-cases",
        "/api/v1/use-cases?category=Automation",
        "/api/v1/users",
        "/api/v1/organizations",
        &format!("/api/v1/forum/topics/{topic}/replies"),
    ];
    for list in lists {
        for bogus in ["AAAA", zeros, "____", "not-a-cursor"] {
            let sep = if list.contains('?') { '&' } else { '?' };
            let r = app.get(&format!("{list}{sep}cursor={bogus}"), Some(&t)).await;
            let body = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
            assert!(body["fields"]["cursor"].is_string(), "{list} names the cursor: {body}");
        }
    }
}

#[tokio::test]
async fn a_cursor_from_one_listing_is_refused_by_another() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_user("cross@hygiene.sa", PASSWORD).await["access_token"].as_str().unwrap().to_owned();
    for i in 0..3 {
        let body = json!({"title": format!("Cross listing topic {i}"), "body": "A body long enough for the forum rules.", "category": "automation"});
        assert_eq!(app.post("/api/v1/forum/topics", Some(&t), body).await.status(), StatusCode::CREATED);
    }
    let page: Value = app.get("/api/v1/forum/topics?category=automation&limit=1", Some(&t)).await.json().await.unwrap();
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let same = app.get(&format!("/api/v1/forum/topics?category=automation&limit=1&cursor={cursor}"), Some(&t)).await;
    assert_eq!(same.status(), StatusCode::OK, "the cursor works where it came from");
    let other = app.get(&format!("/api/v1/forum/topics?category=maintenance&cursor={cursor}"), Some(&t)).await;
    expect_error(other, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

#[tokio::test]
async fn titles_and_names_refuse_direction_controls_and_drop_invisible_characters() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_user("bidi@hygiene.sa", PASSWORD).await["access_token"].as_str().unwrap().to_owned();
    for spoof in ["Invoice \u{202E}fdp.exe pump", "Pump \u{2066}isolated\u{2069} title"] {
        let body = json!({"title": spoof, "body": "A body long enough for the forum rules.", "category": "automation"});
        let r = app.post("/api/v1/forum/topics", Some(&t), body).await;
        let e = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert!(e["fields"]["title"].as_str().unwrap().contains("direction"), "{e}");
    }
    let body = json!({"title": "Zero\u{200B}width pump\u{FEFF} title", "body": "A body long enough for the forum rules.", "category": "automation"});
    let r = app.post("/api/v1/forum/topics", Some(&t), body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(r.json::<Value>().await.unwrap()["title"], "Zerowidth pump title");

    // Organization names: at signup and when edited.
    let mut signup = signup_body("owner@spoof-org.sa", PASSWORD);
    signup["organization_name"] = json!("Acme \u{202E}srotom");
    let r = app.post("/api/v1/auth/signup", None, signup).await;
    let e = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(e["fields"]["organization_name"].is_string(), "{e}");
    let r =
        app.send(Method::PATCH, "/api/v1/organizations/me", Some(&t), json!({"name": "Hygiene \u{2067}Works"})).await;
    let e = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(e["fields"]["name"].is_string(), "{e}");
    let r =
        app.send(Method::PATCH, "/api/v1/organizations/me", Some(&t), json!({"name": "مصنع\u{200F} النظافة"})).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["name"], "مصنع النظافة");
}
