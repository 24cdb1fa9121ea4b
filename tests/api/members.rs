//! Members: join requests approved or rejected, role changes with last-admin protection,
//! deactivation that ends sessions at once.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{PASSWORD, TestApp, expect_error, id_of};

#[tokio::test]
async fn join_requests_are_approved_or_rejected_and_the_requester_is_told() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in_token("admin@join.sa").await;
    for who in ["yes", "no"] {
        let email = format!("{who}@join.sa");
        app.signup(&email, PASSWORD).await;
        app.verify_with_emailed_code(&email).await;
    }
    let list = app.join_requests(&admin).await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let request = |email: &str| id_of(items.iter().find(|r| r["email"] == email).unwrap());
    let (yes, no) = (request("yes@join.sa"), request("no@join.sa"));
    let r = app.post(&format!("/api/v1/organizations/me/join-requests/{yes}/approve"), Some(&admin), json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    app.email_to("yes@join.sa", "approved your request").await;
    let r = app.post(&format!("/api/v1/organizations/me/join-requests/{no}/reject"), Some(&admin), json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    app.email_to("no@join.sa", "did not approve").await;
    let again =
        app.post(&format!("/api/v1/organizations/me/join-requests/{yes}/approve"), Some(&admin), json!({})).await;
    expect_error(again, StatusCode::CONFLICT, "already_decided").await;
    assert_eq!(app.login_json("yes@join.sa", PASSWORD).await["user"]["role"], "member");
    expect_error(app.login("no@join.sa", PASSWORD).await, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    assert_eq!(app.my_org(&admin).await["member_count"], 2);
    assert_eq!(app.join_requests(&admin).await["items"].as_array().unwrap().len(), 0);
    // The rejected address may sign up again (and waits for approval again).
    assert_eq!(app.signup("no@join.sa", PASSWORD).await["user"]["status"], "pending_approval");
}

#[tokio::test]
async fn roles_change_but_the_last_admin_stays() {
    let app = TestApp::spawn().await;
    let team = app.team("roles.sa").await;
    let demote_self = app.set_role(&team.admin, &team.admin_id, "member").await;
    expect_error(demote_self, StatusCode::CONFLICT, "last_admin").await;
    let by_member = app.set_role(&team.member, &team.member_id, "admin").await;
    expect_error(by_member, StatusCode::FORBIDDEN, "not_org_admin").await;
    let promote = app.set_role(&team.admin, &team.member_id, "admin").await;
    assert_eq!(promote.status(), StatusCode::OK);
    let demote = app.set_role(&team.member, &team.admin_id, "member").await;
    assert_eq!(demote.status(), StatusCode::OK, "with two admins one may step down");
    let members = app.members(&team.admin).await;
    // Each member comes with the person card the team screen shows.
    for m in members["items"].as_array().unwrap() {
        assert!(m["expertise_tags"].is_array() && m["location"].is_string(), "{m}");
    }
    let roles: Vec<(&str, &str)> = members["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["email"].as_str().unwrap(), m["role"].as_str().unwrap()))
        .collect();
    assert_eq!(roles, vec![("admin@roles.sa", "member"), ("member@roles.sa", "admin")]);
    let outsider = app.signed_in_token("boss@elsewhere.sa").await;
    expect_error(app.set_role(&outsider, &team.member_id, "member").await, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn deactivation_ends_sessions_at_once_and_blocks_login() {
    let app = TestApp::spawn().await;
    let team = app.team("deact.sa").await;
    assert_eq!(app.me(&team.member).await.status(), StatusCode::OK);
    expect_error(app.deactivate(&team.admin, &team.admin_id).await, StatusCode::CONFLICT, "last_admin").await;
    let r = app.deactivate(&team.admin, &team.member_id).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["status"], "deactivated");
    expect_error(app.me(&team.member).await, StatusCode::UNAUTHORIZED, "session_revoked").await;
    expect_error(app.login("member@deact.sa", PASSWORD).await, StatusCode::FORBIDDEN, "account_deactivated").await;
    assert_eq!(app.my_org(&team.admin).await["member_count"], 1);
    let r = app
        .post(&format!("/api/v1/organizations/me/members/{}/reactivate", team.member_id), Some(&team.admin), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(app.login("member@deact.sa", PASSWORD).await.status(), StatusCode::OK);
}
