//! Input an attacker shapes: cursors that are not ours get 422 on every list, and names and
//! titles refuse text-direction controls and drop invisible characters.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{PASSWORD, TestApp, accounts::signup_body, expect_invalid, forum::topic_body};

#[tokio::test]
async fn bogus_cursors_get_422_on_every_list() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("cursor@hygiene.sa").await;
    let topic = app.any_topic(&t).await;
    // "AAAA" decodes to three zero bytes; the others are well-formed base64 of keys that no
    // listing has (sixteen zero bytes: not a time-ordered id).
    let zeros = "AAAAAAAAAAAAAAAAAAAAAA";
    let lists = [
        "/api/v1/forum/topics",
        "/api/v1/forum/topics?sort=active",
        "/api/v1/forum/topics?category=automation",
        "/api/v1/use-cases",
        "/api/v1/use-cases?category=factory-automation",
        "/api/v1/users/me/bookmarks",
        "/api/v1/users/me/bookmarks?type=use_case",
        "/api/v1/users",
        "/api/v1/organizations",
        &format!("/api/v1/forum/topics/{topic}/replies"),
    ];
    for list in lists {
        for bogus in ["AAAA", zeros, "____", "not-a-cursor"] {
            let sep = if list.contains('?') { '&' } else { '?' };
            let r = app.get(&format!("{list}{sep}cursor={bogus}"), Some(&t)).await;
            expect_invalid(r, &["cursor"]).await;
        }
    }
}

#[tokio::test]
async fn a_cursor_from_one_listing_is_refused_by_another() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("cross@hygiene.sa").await;
    for i in 0..3 {
        app.new_topic(&t, &format!("Cross listing topic {i}"), "automation", &[]).await;
    }
    let page = app.list_topics(&t, "category=automation&limit=1").await;
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let same = app.get(&format!("/api/v1/forum/topics?category=automation&limit=1&cursor={cursor}"), Some(&t)).await;
    assert_eq!(same.status(), StatusCode::OK, "the cursor works where it came from");
    let other = app.get(&format!("/api/v1/forum/topics?category=maintenance&cursor={cursor}"), Some(&t)).await;
    expect_invalid(other, &[]).await;
}

#[tokio::test]
async fn titles_and_names_refuse_direction_controls_and_drop_invisible_characters() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("bidi@hygiene.sa").await;
    for spoof in ["Invoice \u{202E}fdp.exe pump", "Pump \u{2066}isolated\u{2069} title"] {
        let e = expect_invalid(app.create_topic(&t, topic_body(spoof, "automation", &[])).await, &["title"]).await;
        assert!(e["fields"]["title"].as_str().unwrap().contains("direction"), "{e}");
    }
    let r = app.create_topic(&t, topic_body("Zero\u{200B}width pump\u{FEFF} title", "automation", &[])).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(r.json::<Value>().await.unwrap()["title"], "Zerowidth pump title");

    // Organization names: at signup and when edited.
    let mut signup = signup_body("owner@spoof-org.sa", PASSWORD);
    signup["organization_name"] = json!("Acme \u{202E}srotom");
    expect_invalid(app.post_signup(signup).await, &["organization_name"]).await;
    expect_invalid(app.patch_my_org(&t, json!({"name": "Hygiene \u{2067}Works"})).await, &["name"]).await;
    let r = app.patch_my_org(&t, json!({"name": "مصنع\u{200F} النظافة"})).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["name"], "مصنع النظافة");
}
