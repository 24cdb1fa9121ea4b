//! `GET`/`PATCH /users/me`, email change and account deletion.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{PASSWORD, TestApp, expect_error, expect_invalid};

#[tokio::test]
async fn profile_updates_apply_and_validate_each_field() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("prof@cables.sa").await;
    let patch = json!({
        "first_name": "نورة", "title": "Quality manager", "location": "Dammam",
        "bio": "**Lean** and six sigma", "expertise_tags": ["Lean", "lean", "صيانة تنبؤية"], "language": "ar"
    });
    let r = app.patch_me(&t, patch).await;
    assert_eq!(r.status(), StatusCode::OK);
    let me: Value = r.json().await.unwrap();
    assert_eq!(me["user"]["first_name"], "نورة");
    assert_eq!(me["user"]["last_name"], "Al-Harbi", "untouched fields stay");
    assert_eq!(me["user"]["expertise_tags"], json!(["Lean", "صيانة تنبؤية"]));
    assert_eq!(me["user"]["language"], "ar");
    let again: Value = app.me(&t).await.json().await.unwrap();
    assert_eq!(again["user"], me["user"]);
    let bad = json!({"first_name": "", "last_name": "x".repeat(51), "expertise_tags": vec!["ok"; 11], "title": "t".repeat(101)});
    expect_invalid(app.patch_me(&t, bad).await, &["first_name", "last_name", "expertise_tags", "title"]).await;
    let e = crate::support::expect_invalid(app.patch_me(&t, json!({"language": "fr"})).await, &["language"]).await;
    assert_eq!(e["fields"]["language"], "must be one of: en, ar");
}

#[tokio::test]
async fn twenty_concurrent_patches_all_succeed_consistently() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("race@cables.sa").await;
    let requests = (0..20).map(|i| {
        let body = if i % 2 == 0 {
            json!({ "title": format!("Title {i}") })
        } else {
            json!({ "location": format!("Site {i}") })
        };
        app.patch_me(&t, body)
    });
    let results = futures::future::join_all(requests).await;
    let mut titles = Vec::new();
    let mut locations = Vec::new();
    for r in results {
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = r.json().await.unwrap();
        titles.push(v["user"]["title"].as_str().unwrap().to_owned());
        locations.push(v["user"]["location"].as_str().unwrap().to_owned());
    }
    let fin: Value = app.me(&t).await.json().await.unwrap();
    let title = fin["user"]["title"].as_str().unwrap();
    let location = fin["user"]["location"].as_str().unwrap();
    // Every patch was applied to the latest record: no field reverted by a lost update.
    assert!(title.starts_with("Title ") && location.starts_with("Site "), "{fin}");
    assert!(titles.contains(&title.to_owned()) && locations.contains(&location.to_owned()));
}

#[tokio::test]
async fn email_change_stays_in_the_domain_and_needs_the_new_address_code() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("old@valves.sa").await;
    let change = |new_email: &str, password: &str| {
        app.post("/api/v1/users/me/email", Some(&t), json!({"new_email": new_email, "password": password}))
    };
    let e = expect_invalid(change("me@other.sa", PASSWORD).await, &["new_email"]).await;
    assert!(e["fields"]["new_email"].as_str().unwrap().contains("@valves.sa"));
    expect_error(change("new@valves.sa", "Wrong-pass-1").await, StatusCode::UNPROCESSABLE_ENTITY, "wrong_password")
        .await;
    assert_eq!(change("New@valves.sa", PASSWORD).await.status(), StatusCode::ACCEPTED);
    let code = app.code_for("new@valves.sa", "Enter the code").await;
    let r = app.post("/api/v1/users/me/email/verify", Some(&t), json!({ "code": code })).await;
    assert_eq!(r.status(), StatusCode::OK);
    let me: Value = r.json().await.unwrap();
    assert_eq!(me["user"]["email"], "new@valves.sa");
    assert_eq!(app.login("new@valves.sa", PASSWORD).await.status(), StatusCode::OK);
    assert_eq!(app.login("old@valves.sa", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn deleting_the_account_erases_it_and_ends_sessions() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("gone@tiles.sa").await;
    expect_error(app.delete_me(&t, "Wrong-pass-1").await, StatusCode::UNPROCESSABLE_ENTITY, "wrong_password").await;
    assert_eq!(app.delete_me(&t, PASSWORD).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.me(&t).await.status(), StatusCode::UNAUTHORIZED);
    expect_error(app.login("gone@tiles.sa", PASSWORD).await, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    // The address is free again, and the domain's organization has no admin left to approve:
    // the next signup leads it again.
    let again = app.signup("gone@tiles.sa", PASSWORD).await;
    assert_eq!(again["user"]["status"], "active");
}

#[tokio::test]
async fn the_last_admin_cannot_delete_their_account_while_others_remain() {
    let app = TestApp::spawn().await;
    let team = app.team("handover.sa").await;
    expect_error(app.delete_me(&team.admin, PASSWORD).await, StatusCode::CONFLICT, "last_admin").await;
    assert_eq!(app.set_role(&team.admin, &team.member_id, "admin").await.status(), StatusCode::OK);
    assert_eq!(app.delete_me(&team.admin, PASSWORD).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.my_org(&team.member).await["member_count"], 1);
    let members = app.members(&team.member).await;
    assert_eq!(members["items"].as_array().unwrap().len(), 1, "the deleted account leaves the member list");
}
