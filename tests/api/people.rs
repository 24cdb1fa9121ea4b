//! People: public profiles and the directory with filters and cursor paging.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{PASSWORD, TestApp, expect_error, expect_not_found};

#[tokio::test]
async fn the_directory_lists_active_verified_people_with_filters_and_pages() {
    let app = TestApp::spawn().await;
    let team = app.team("people.sa").await;
    let other = app.signed_in_token("eng@turbines.sa").await;
    let patch = json!({"first_name": "Omar", "location": "Jeddah", "expertise_tags": ["Predictive Maintenance"]});
    app.patch_me(&other, patch).await;
    app.signup("unverified@people.sa", PASSWORD).await;
    let all = app.get_json("/api/v1/users", &team.member).await;
    assert_eq!(all["total"], 3, "unverified and pending people are not listed");
    assert_eq!(all["items"].as_array().unwrap().len(), 3);
    assert!(all["items"][0].get("email").is_none(), "no emails in the directory");
    let mut roles: Vec<&str> = all["items"].as_array().unwrap().iter().map(|p| p["role"].as_str().unwrap()).collect();
    roles.sort();
    assert_eq!(roles, ["admin", "admin", "member"], "each person's role in their organization");
    let page1 = app.get_json("/api/v1/users?limit=2", &team.member).await;
    let cursor = page1["next_cursor"].as_str().unwrap();
    let page2 = app.get_json(&format!("/api/v1/users?limit=2&cursor={cursor}"), &team.member).await;
    assert_eq!(page2["items"].as_array().unwrap().len(), 1);
    assert_eq!(page2["items"][0]["first_name"], "Omar");
    // Words go through the search index, which has every acknowledged write within a second.
    app.wait_for_index().await;
    for query in ["q=omar", "city=jeddah", "expertise=predictive%20maintenance", "q=turbines"] {
        let v = app.get_json(&format!("/api/v1/users?{query}"), &team.member).await;
        assert_eq!(v["items"].as_array().unwrap().len(), 1, "{query}: {v}");
        assert_eq!(v["total"], 1, "{query}: the total counts the matches");
    }
    let by_org = app.get_json(&format!("/api/v1/users?organization_id={}", team.org_id), &team.member).await;
    assert_eq!(by_org["items"].as_array().unwrap().len(), 2);
    expect_error(app.get("/api/v1/users", None).await, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn public_profiles_show_people_but_not_hidden_accounts() {
    let app = TestApp::spawn().await;
    let team = app.team("profiles.sa").await;
    let profile = format!("/api/v1/users/{}", team.member_id);
    let p: Value = app.get_json(&profile, &team.admin).await;
    assert_eq!(p["name"], "Sara Al-Harbi");
    assert_eq!(p["organization"]["id"], team.org_id.as_str());
    assert_eq!(p["reputation"], 0);
    assert!(p.get("email").is_none());
    app.deactivate(&team.admin, &team.member_id).await;
    expect_not_found(app.get(&profile, Some(&team.admin)).await).await;
    let listed = app.get_json("/api/v1/users", &team.admin).await;
    assert_eq!(listed["total"], 1, "deactivated members leave the directory");
}

#[tokio::test]
async fn a_profile_shows_the_reputation_and_counts_the_forum_knows() {
    let app = TestApp::spawn().await;
    let author = app.signed_in_user("busy@profiles.sa", PASSWORD).await;
    let t = crate::support::token(&author);
    let me = author["user"]["id"].as_str().unwrap().to_owned();
    let topic = crate::support::id_of(&app.new_topic(&t, "A topic that earns points", "automation", &[]).await);
    app.new_reply(&t, &topic, "And a reply to it").await;
    app.new_use_case(&t, crate::support::use_cases::use_case_body("Vision inspection on line one")).await;

    let profile: Value = app.get_json(&format!("/api/v1/users/{me}"), &t).await;
    let contributors = app.contributors(&t).await;
    let listed = contributors["items"].as_array().unwrap().iter().find(|c| c["user_id"] == me.as_str()).unwrap();
    assert!(profile["reputation"].as_u64().unwrap() > 0, "{profile}");
    assert_eq!(profile["reputation"], listed["reputation"]);
    assert_eq!(
        profile["counts"],
        json!({"topic_count": 1, "reply_count": 1, "best_answer_count": 0, "use_case_count": 1})
    );
    let page: Value = app.get_json("/api/v1/users", &t).await;
    let in_directory = page["items"].as_array().unwrap().iter().find(|p| p["id"] == me.as_str()).unwrap();
    assert_eq!(in_directory["counts"], profile["counts"]);
}
