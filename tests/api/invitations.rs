//! Invitations end to end through the file mail transport: the role comes from the
//! inviter, the link works once, for the invited address, within its lifetime.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, expect_error, signup_body};

#[tokio::test]
async fn an_invited_admin_joins_with_the_inviters_role_and_the_link_works_once() {
    let app = TestApp::spawn().await;
    let boss = app.signed_in_user("boss@invite.sa", PASSWORD).await;
    let boss = boss["access_token"].as_str().unwrap().to_owned();
    let r = app
        .post(
            "/api/v1/organizations/me/invitations",
            Some(&boss),
            json!({"email": "Deputy@Invite.sa", "role": "admin"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let inv: Value = r.json().await.unwrap();
    assert_eq!(inv["status"], "pending");
    assert!(inv.get("token").is_none(), "the token travels only by email");
    let token = app.invitation_token("deputy@invite.sa", 1).await;
    let preview: Value = app.get(&format!("/api/v1/invitations/{token}"), None).await.json().await.unwrap();
    assert_eq!(preview["email"], "deputy@invite.sa");
    assert_eq!(preview["role"], "admin");
    assert_eq!(preview["inviter_name"], "Sara Al-Harbi");
    assert_eq!(preview["organization"]["domain"], "invite.sa");
    let joined = app.accept_invitation("deputy@invite.sa", &token).await;
    assert_eq!(joined["user"]["role"], "admin");
    expect_error(app.get(&format!("/api/v1/invitations/{token}"), None).await, StatusCode::NOT_FOUND, "not_found")
        .await;
    let mut again = signup_body("deputy@invite.sa", PASSWORD);
    again["invitation_token"] = json!(token);
    let r = app.post("/api/v1/auth/signup", None, again).await;
    assert_eq!(r.status(), StatusCode::CONFLICT, "the account exists and the link is spent");
    let list: Value = app.get("/api/v1/organizations/me/invitations", Some(&boss)).await.json().await.unwrap();
    assert_eq!(list["items"][0]["status"], "used");
}

#[tokio::test]
async fn the_invited_address_must_match_and_the_domain_must_be_the_organizations() {
    let app = TestApp::spawn().await;
    let boss = app.signed_in_user("boss@match.sa", PASSWORD).await;
    let boss = boss["access_token"].as_str().unwrap().to_owned();
    let r = app.post("/api/v1/organizations/me/invitations", Some(&boss), json!({"email": "someone@other.sa"})).await;
    let e = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(e["fields"]["email"].as_str().unwrap().contains("@match.sa"));
    app.post("/api/v1/organizations/me/invitations", Some(&boss), json!({"email": "right@match.sa"})).await;
    let token = app.invitation_token("right@match.sa", 1).await;
    let mut body = signup_body("wrong@match.sa", PASSWORD);
    body["invitation_token"] = json!(token);
    let r = app.post("/api/v1/auth/signup", None, body).await;
    let e = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(e["fields"]["email"].is_string());
    // Nobody may choose their own role: the body has no role field and extra fields are ignored.
    let mut body = signup_body("right@match.sa", PASSWORD);
    body["invitation_token"] = json!(token);
    body["role"] = json!("admin");
    let r = app.post("/api/v1/auth/signup", None, body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["user"]["role"], "member");
}

#[tokio::test]
async fn cancelled_and_expired_invitations_stop_working() {
    let app = TestApp::spawn_with(&[("P2P_AUTH__INVITATION_TTL_SECS", "1")]).await;
    let boss = app.signed_in_user("boss@expire.sa", PASSWORD).await;
    let boss = boss["access_token"].as_str().unwrap().to_owned();
    let r = app.post("/api/v1/organizations/me/invitations", Some(&boss), json!({"email": "late@expire.sa"})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let token = app.invitation_token("late@expire.sa", 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await; // past the 1 s lifetime
    expect_error(app.get(&format!("/api/v1/invitations/{token}"), None).await, StatusCode::NOT_FOUND, "not_found")
        .await;
    let mut body = signup_body("late@expire.sa", PASSWORD);
    body["invitation_token"] = json!(token);
    let e = expect_error(
        app.post("/api/v1/auth/signup", None, body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["fields"]["invitation_token"].is_string());

    let app = app.restart_with(&[("P2P_AUTH__INVITATION_TTL_SECS", "604800")]).await;
    let r = app.post("/api/v1/organizations/me/invitations", Some(&boss), json!({"email": "cancel@expire.sa"})).await;
    let id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let token = app.invitation_token("cancel@expire.sa", 1).await;
    let r =
        app.send(Method::DELETE, &format!("/api/v1/organizations/me/invitations/{id}"), Some(&boss), json!({})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    expect_error(app.get(&format!("/api/v1/invitations/{token}"), None).await, StatusCode::NOT_FOUND, "not_found")
        .await;
    // Re-inviting replaces a pending invitation: only the newest link works.
    app.post("/api/v1/organizations/me/invitations", Some(&boss), json!({"email": "twice@expire.sa"})).await;
    let first = app.invitation_token("twice@expire.sa", 1).await;
    app.post("/api/v1/organizations/me/invitations", Some(&boss), json!({"email": "twice@expire.sa"})).await;
    let second = app.invitation_token("twice@expire.sa", 2).await;
    assert_ne!(first, second);
    assert_eq!(app.get(&format!("/api/v1/invitations/{first}"), None).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/api/v1/invitations/{second}"), None).await.status(), StatusCode::OK);
}
