//! Organizations: the caller's own, edits by admins, the directory, verification.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{PASSWORD, TestApp, expect_error, expect_invalid, expect_not_found, token};

#[tokio::test]
async fn admins_edit_their_organization_members_cannot() {
    let app = TestApp::spawn().await;
    let team = app.team("edit.sa").await;
    let mine = app.my_org(&team.member).await;
    assert_eq!(mine["member_count"], 2);
    assert_eq!(mine["domain"], "edit.sa");
    let patch = json!({"name": "Edit Industries", "website": "https://edit.sa", "description": "Valves and pumps"});
    expect_error(app.patch_my_org(&team.member, patch.clone()).await, StatusCode::FORBIDDEN, "not_org_admin").await;
    let r = app.patch_my_org(&team.admin, patch).await;
    assert_eq!(r.status(), StatusCode::OK);
    let org: Value = r.json().await.unwrap();
    assert_eq!(org["name"], "Edit Industries");
    assert_eq!(org["industry"], "Metal Processing", "untouched");
    let bad = json!({"name": "x", "website": "ftp://edit.sa"});
    expect_invalid(app.patch_my_org(&team.admin, bad).await, &["name", "website"]).await;
}

#[tokio::test]
async fn the_directory_pages_and_filters_and_platform_admins_verify() {
    let app = TestApp::spawn().await;
    let mut first = None;
    for i in 0..5 {
        let v = app.signed_in_user(&format!("boss@factory{i}.sa"), PASSWORD).await;
        first.get_or_insert(v);
    }
    let t = token(&first.unwrap());
    // An unverified signup's organization has no member yet and is not listed.
    app.signup("ghost@empty.sa", PASSWORD).await;
    let p1 = app.get_json("/api/v1/organizations?limit=3", &t).await;
    assert_eq!(p1["items"].as_array().unwrap().len(), 3);
    let cursor = p1["next_cursor"].as_str().unwrap();
    let p2 = app.get_json(&format!("/api/v1/organizations?limit=3&cursor={cursor}"), &t).await;
    let names: Vec<&str> = p1["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(p2["items"].as_array().unwrap())
        .map(|o| o["domain"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["factory0.sa", "factory1.sa", "factory2.sa", "factory3.sa", "factory4.sa"]);
    assert!(p2["next_cursor"].is_null());
    app.wait_for_index().await;
    let found = app.get_json("/api/v1/organizations?q=factory3", &t).await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    let id = found["items"][0]["id"].as_str().unwrap().to_owned();
    let verification = format!("/api/v1/organizations/{id}/verification");
    let r = app.put(&verification, &t, json!({"verified": true})).await;
    expect_error(r, StatusCode::FORBIDDEN, "not_platform_admin").await;
    let root = app.platform_admin("root@platform.sa").await;
    assert_eq!(app.put(&verification, &root, json!({"verified": true})).await.status(), StatusCode::OK);
    let verified = app.get_json("/api/v1/organizations?verified=true", &t).await;
    assert_eq!(verified["items"].as_array().unwrap().len(), 1);
    assert_eq!(verified["items"][0]["id"], id.as_str());
    let one: Value = app.get_json(&format!("/api/v1/organizations/{id}"), &t).await;
    assert_eq!(one["verified"], true);
    expect_not_found(app.get("/api/v1/organizations/not-an-id", Some(&t)).await).await;
    expect_invalid(app.get("/api/v1/organizations?cursor=garbage", Some(&t)).await, &[]).await;
}
