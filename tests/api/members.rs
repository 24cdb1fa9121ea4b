//! Members: join requests approved or rejected, role changes with last-admin protection,
//! deactivation that ends sessions at once.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, expect_error};

#[tokio::test]
async fn join_requests_are_approved_or_rejected_and_the_requester_is_told() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in_user("admin@join.sa", PASSWORD).await;
    let admin = admin["access_token"].as_str().unwrap().to_owned();
    for who in ["yes", "no"] {
        let email = format!("{who}@join.sa");
        app.signup(&email, PASSWORD).await;
        let code = app.code_for(&email, "verification code is").await;
        app.post("/api/v1/auth/verify-email", None, json!({"email": email, "code": code})).await;
    }
    let list: Value = app.get("/api/v1/organizations/me/join-requests", Some(&admin)).await.json().await.unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let id_of = |email: &str| items.iter().find(|r| r["email"] == email).unwrap()["id"].as_str().unwrap().to_owned();
    let (yes, no) = (id_of("yes@join.sa"), id_of("no@join.sa"));
    let r = app.post(&format!("/api/v1/organizations/me/join-requests/{yes}/approve"), Some(&admin), json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    app.email_to("yes@join.sa", "approved your request").await;
    let r = app.post(&format!("/api/v1/organizations/me/join-requests/{no}/reject"), Some(&admin), json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    app.email_to("no@join.sa", "did not approve").await;
    let again =
        app.post(&format!("/api/v1/organizations/me/join-requests/{yes}/approve"), Some(&admin), json!({})).await;
    expect_error(again, StatusCode::CONFLICT, "already_decided").await;
    let login: Value = app.login("yes@join.sa", PASSWORD).await.json().await.unwrap();
    assert_eq!(login["user"]["role"], "member");
    expect_error(app.login("no@join.sa", PASSWORD).await, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let org: Value = app.get("/api/v1/organizations/me", Some(&admin)).await.json().await.unwrap();
    assert_eq!(org["member_count"], 2);
    let pending: Value = app.get("/api/v1/organizations/me/join-requests", Some(&admin)).await.json().await.unwrap();
    assert_eq!(pending["items"].as_array().unwrap().len(), 0);
    // The rejected address may sign up again (and waits for approval again).
    assert_eq!(app.signup("no@join.sa", PASSWORD).await["user"]["status"], "pending_approval");
}

#[tokio::test]
async fn roles_change_but_the_last_admin_stays() {
    let app = TestApp::spawn().await;
    let team = app.team("roles.sa").await;
    let demote_self = app
        .send(
            Method::PUT,
            &format!("/api/v1/organizations/me/members/{}/role", team.admin_id),
            Some(&team.admin),
            json!({"role": "member"}),
        )
        .await;
    expect_error(demote_self, StatusCode::CONFLICT, "last_admin").await;
    let by_member = app
        .send(
            Method::PUT,
            &format!("/api/v1/organizations/me/members/{}/role", team.member_id),
            Some(&team.member),
            json!({"role": "admin"}),
        )
        .await;
    expect_error(by_member, StatusCode::FORBIDDEN, "not_org_admin").await;
    let promote = app
        .send(
            Method::PUT,
            &format!("/api/v1/organizations/me/members/{}/role", team.member_id),
            Some(&team.admin),
            json!({"role": "admin"}),
        )
        .await;
    assert_eq!(promote.status(), StatusCode::OK);
    let demote = app
        .send(
            Method::PUT,
            &format!("/api/v1/organizations/me/members/{}/role", team.admin_id),
            Some(&team.member),
            json!({"role": "member"}),
        )
        .await;
    assert_eq!(demote.status(), StatusCode::OK, "with two admins one may step down");
    let members: Value = app.get("/api/v1/organizations/me/members", Some(&team.admin)).await.json().await.unwrap();
    let roles: Vec<(&str, &str)> = members["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["email"].as_str().unwrap(), m["role"].as_str().unwrap()))
        .collect();
    assert_eq!(roles, vec![("admin@roles.sa", "member"), ("member@roles.sa", "admin")]);
    let outsider = app.signed_in_user("boss@elsewhere.sa", PASSWORD).await;
    let r = app
        .send(
            Method::PUT,
            &format!("/api/v1/organizations/me/members/{}/role", team.member_id),
            Some(outsider["access_token"].as_str().unwrap()),
            json!({"role": "member"}),
        )
        .await;
    expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn deactivation_ends_sessions_at_once_and_blocks_login() {
    let app = TestApp::spawn().await;
    let team = app.team("deact.sa").await;
    assert_eq!(app.get("/api/v1/users/me", Some(&team.member)).await.status(), StatusCode::OK);
    let r = app
        .post(&format!("/api/v1/organizations/me/members/{}/deactivate", team.admin_id), Some(&team.admin), json!({}))
        .await;
    expect_error(r, StatusCode::CONFLICT, "last_admin").await;
    let r = app
        .post(&format!("/api/v1/organizations/me/members/{}/deactivate", team.member_id), Some(&team.admin), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let m: Value = r.json().await.unwrap();
    assert_eq!(m["status"], "deactivated");
    expect_error(app.get("/api/v1/users/me", Some(&team.member)).await, StatusCode::UNAUTHORIZED, "session_revoked")
        .await;
    expect_error(app.login("member@deact.sa", PASSWORD).await, StatusCode::FORBIDDEN, "account_deactivated").await;
    let org: Value = app.get("/api/v1/organizations/me", Some(&team.admin)).await.json().await.unwrap();
    assert_eq!(org["member_count"], 1);
    let r = app
        .post(&format!("/api/v1/organizations/me/members/{}/reactivate", team.member_id), Some(&team.admin), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(app.login("member@deact.sa", PASSWORD).await.status(), StatusCode::OK);
}
