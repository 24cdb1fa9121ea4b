//! Invitations end to end through the file mail transport: the role comes from the
//! inviter, the link works once, for the invited address, within its lifetime.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, accounts::invited_signup_body, expect_invalid, expect_not_found, id_of};

#[tokio::test]
async fn an_invited_admin_joins_with_the_inviters_role_and_the_link_works_once() {
    let app = TestApp::spawn().await;
    let boss = app.signed_in_token("boss@invite.sa").await;
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
    let preview: Value = app.invitation(&token).await.json().await.unwrap();
    assert_eq!(preview["email"], "deputy@invite.sa");
    assert_eq!(preview["role"], "admin");
    assert_eq!(preview["inviter_name"], "Sara Al-Harbi");
    assert_eq!(preview["organization"]["domain"], "invite.sa");
    let joined = app.accept_invitation("deputy@invite.sa", &token).await;
    assert_eq!(joined["user"]["role"], "admin");
    expect_not_found(app.invitation(&token).await).await;
    let r = app.post_signup(invited_signup_body("deputy@invite.sa", &token)).await;
    assert_eq!(r.status(), StatusCode::CONFLICT, "the account exists and the link is spent");
    let list = app.get_json("/api/v1/organizations/me/invitations", &boss).await;
    assert_eq!(list["items"][0]["status"], "used");
    // The list shows who sent each invitation as a person, not only an id.
    assert_eq!(list["items"][0]["inviter"]["name"], "Sara Al-Harbi");
    assert_eq!(list["items"][0]["inviter"]["id"], list["items"][0]["invited_by"]);
}

#[tokio::test]
async fn the_invited_address_must_match_and_the_domain_must_be_the_organizations() {
    let app = TestApp::spawn().await;
    let boss = app.signed_in_token("boss@match.sa").await;
    let e = expect_invalid(app.invite(&boss, "someone@other.sa").await, &["email"]).await;
    assert!(e["fields"]["email"].as_str().unwrap().contains("@match.sa"));
    app.invite(&boss, "right@match.sa").await;
    let token = app.invitation_token("right@match.sa", 1).await;
    expect_invalid(app.post_signup(invited_signup_body("wrong@match.sa", &token)).await, &["email"]).await;
    // Nobody may choose their own role: the body has no role field and extra fields are ignored.
    let mut body = invited_signup_body("right@match.sa", &token);
    body["role"] = json!("admin");
    let r = app.post_signup(body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["user"]["role"], "member");
}

#[tokio::test]
async fn cancelled_and_expired_invitations_stop_working() {
    let app = TestApp::spawn_with(&[("P2P_AUTH__INVITATION_TTL_SECS", "1")]).await;
    let boss = app.signed_in_token("boss@expire.sa").await;
    assert_eq!(app.invite(&boss, "late@expire.sa").await.status(), StatusCode::CREATED);
    let token = app.invitation_token("late@expire.sa", 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await; // past the 1 s lifetime
    expect_not_found(app.invitation(&token).await).await;
    expect_invalid(app.post_signup(invited_signup_body("late@expire.sa", &token)).await, &["invitation_token"]).await;

    let app = app.restart_with(&[("P2P_AUTH__INVITATION_TTL_SECS", "604800")]).await;
    let id = id_of(&app.invite(&boss, "cancel@expire.sa").await.json().await.unwrap());
    let token = app.invitation_token("cancel@expire.sa", 1).await;
    let r = app.delete(&format!("/api/v1/organizations/me/invitations/{id}"), &boss).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    expect_not_found(app.invitation(&token).await).await;
    // Re-inviting replaces a pending invitation: only the newest link works.
    app.invite(&boss, "twice@expire.sa").await;
    let first = app.invitation_token("twice@expire.sa", 1).await;
    app.invite(&boss, "twice@expire.sa").await;
    let second = app.invitation_token("twice@expire.sa", 2).await;
    assert_ne!(first, second);
    assert_eq!(app.invitation(&first).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.invitation(&second).await.status(), StatusCode::OK);
}
