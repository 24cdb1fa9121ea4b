//! Organizations: the caller's own, edits by admins, the directory, verification.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, expect_error};

#[tokio::test]
async fn admins_edit_their_organization_members_cannot() {
    let app = TestApp::spawn().await;
    let team = app.team("edit.sa").await;
    let mine: Value = app.get("/api/v1/organizations/me", Some(&team.member)).await.json().await.unwrap();
    assert_eq!(mine["member_count"], 2);
    assert_eq!(mine["domain"], "edit.sa");
    let patch = json!({"name": "Edit Industries", "website": "https://edit.sa", "description": "Valves and pumps"});
    let r = app.send(Method::PATCH, "/api/v1/organizations/me", Some(&team.member), patch.clone()).await;
    expect_error(r, StatusCode::FORBIDDEN, "not_org_admin").await;
    let r = app.send(Method::PATCH, "/api/v1/organizations/me", Some(&team.admin), patch).await;
    assert_eq!(r.status(), StatusCode::OK);
    let org: Value = r.json().await.unwrap();
    assert_eq!(org["name"], "Edit Industries");
    assert_eq!(org["industry"], "Metal Processing", "untouched");
    let bad = json!({"name": "x", "website": "ftp://edit.sa"});
    let r = app.send(Method::PATCH, "/api/v1/organizations/me", Some(&team.admin), bad).await;
    let e = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(e["fields"]["name"].is_string() && e["fields"]["website"].is_string());
}

#[tokio::test]
async fn the_directory_pages_and_filters_and_platform_admins_verify() {
    let app = TestApp::spawn().await;
    let mut first = None;
    for i in 0..5 {
        let v = app.signed_in_user(&format!("boss@factory{i}.sa"), PASSWORD).await;
        first.get_or_insert(v);
    }
    let t = first.unwrap()["access_token"].as_str().unwrap().to_owned();
    // An unverified signup's organization has no member yet and is not listed.
    app.signup("ghost@empty.sa", PASSWORD).await;
    let p1: Value = app.get("/api/v1/organizations?limit=3", Some(&t)).await.json().await.unwrap();
    assert_eq!(p1["items"].as_array().unwrap().len(), 3);
    let cursor = p1["next_cursor"].as_str().unwrap();
    let p2: Value =
        app.get(&format!("/api/v1/organizations?limit=3&cursor={cursor}"), Some(&t)).await.json().await.unwrap();
    let names: Vec<&str> = p1["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(p2["items"].as_array().unwrap())
        .map(|o| o["domain"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["factory0.sa", "factory1.sa", "factory2.sa", "factory3.sa", "factory4.sa"]);
    assert!(p2["next_cursor"].is_null());
    let found: Value = app.get("/api/v1/organizations?q=factory3", Some(&t)).await.json().await.unwrap();
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    let id = found["items"][0]["id"].as_str().unwrap().to_owned();
    let r = app
        .send(Method::PUT, &format!("/api/v1/organizations/{id}/verification"), Some(&t), json!({"verified": true}))
        .await;
    expect_error(r, StatusCode::FORBIDDEN, "not_platform_admin").await;
    let root = app.platform_admin("root@platform.sa").await;
    let r = app
        .send(Method::PUT, &format!("/api/v1/organizations/{id}/verification"), Some(&root), json!({"verified": true}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let verified: Value = app.get("/api/v1/organizations?verified=true", Some(&t)).await.json().await.unwrap();
    assert_eq!(verified["items"].as_array().unwrap().len(), 1);
    assert_eq!(verified["items"][0]["id"], id.as_str());
    let one: Value = app.get(&format!("/api/v1/organizations/{id}"), Some(&t)).await.json().await.unwrap();
    assert_eq!(one["verified"], true);
    expect_error(app.get("/api/v1/organizations/not-an-id", Some(&t)).await, StatusCode::NOT_FOUND, "not_found").await;
    expect_error(
        app.get("/api/v1/organizations?cursor=garbage", Some(&t)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
}
