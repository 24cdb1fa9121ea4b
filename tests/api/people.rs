//! People: public profiles and the directory with filters and cursor paging.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, expect_error};

#[tokio::test]
async fn the_directory_lists_active_verified_people_with_filters_and_pages() {
    let app = TestApp::spawn().await;
    let team = app.team("people.sa").await;
    let other = app.signed_in_user("eng@turbines.sa", PASSWORD).await;
    let other_token = other["access_token"].as_str().unwrap().to_owned();
    app.send(
        Method::PATCH,
        "/api/v1/users/me",
        Some(&other_token),
        json!({"first_name": "Omar", "location": "Jeddah", "expertise_tags": ["Predictive Maintenance"]}),
    )
    .await;
    app.signup("unverified@people.sa", PASSWORD).await;
    let all: Value = app.get("/api/v1/users", Some(&team.member)).await.json().await.unwrap();
    assert_eq!(all["total"], 3, "unverified and pending people are not listed");
    assert_eq!(all["items"].as_array().unwrap().len(), 3);
    assert!(all["items"][0].get("email").is_none(), "no emails in the directory");
    let page1: Value = app.get("/api/v1/users?limit=2", Some(&team.member)).await.json().await.unwrap();
    let cursor = page1["next_cursor"].as_str().unwrap();
    let page2: Value =
        app.get(&format!("/api/v1/users?limit=2&cursor={cursor}"), Some(&team.member)).await.json().await.unwrap();
    assert_eq!(page2["items"].as_array().unwrap().len(), 1);
    assert_eq!(page2["items"][0]["first_name"], "Omar");
    for query in ["q=omar", "city=jeddah", "expertise=predictive%20maintenance", "q=turbines"] {
        let v: Value = app.get(&format!("/api/v1/users?{query}"), Some(&team.member)).await.json().await.unwrap();
        assert_eq!(v["items"].as_array().unwrap().len(), 1, "{query}: {v}");
        assert!(v["total"].is_null(), "no total with filters");
    }
    let by_org: Value = app
        .get(&format!("/api/v1/users?organization_id={}", team.org_id), Some(&team.member))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_org["items"].as_array().unwrap().len(), 2);
    expect_error(app.get("/api/v1/users", None).await, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn public_profiles_show_people_but_not_hidden_accounts() {
    let app = TestApp::spawn().await;
    let team = app.team("profiles.sa").await;
    let p: Value = app.get(&format!("/api/v1/users/{}", team.member_id), Some(&team.admin)).await.json().await.unwrap();
    assert_eq!(p["name"], "Sara Al-Harbi");
    assert_eq!(p["organization"]["id"], team.org_id.as_str());
    assert_eq!(p["reputation"], 0);
    assert!(p.get("email").is_none());
    app.post(&format!("/api/v1/organizations/me/members/{}/deactivate", team.member_id), Some(&team.admin), json!({}))
        .await;
    let r = app.get(&format!("/api/v1/users/{}", team.member_id), Some(&team.admin)).await;
    expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
    let listed: Value = app.get("/api/v1/users", Some(&team.admin)).await.json().await.unwrap();
    assert_eq!(listed["total"], 1, "deactivated members leave the directory");
}
