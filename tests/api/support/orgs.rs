//! Organizations: the `Team` fixture (an admin and an invited member), invitations, members
//! and join requests.

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use super::{
    PASSWORD, TestApp,
    accounts::{invited_signup_body, token},
};

/// An organization with an admin and an invited member, both signed in.
pub struct Team {
    /// The admin's access token.
    pub admin: String,
    /// The member's access token.
    pub member: String,
    /// The admin's user id.
    pub admin_id: String,
    /// The member's user id.
    pub member_id: String,
    /// The organization's id.
    pub org_id: String,
}

impl TestApp {
    /// `POST /organizations/me/invitations` for `email` (the default role).
    pub async fn invite(&self, admin: &str, email: &str) -> Response {
        self.post("/api/v1/organizations/me/invitations", Some(admin), json!({ "email": email })).await
    }

    /// The token in the `n`th invitation email to `to`.
    pub async fn invitation_token(&self, to: &str, n: usize) -> String {
        let marker = "join?token=";
        super::mail::link_token(&self.nth_email_to(to, marker, n).await, marker)
    }

    /// `GET /invitations/{token}`: the public preview of an invitation.
    pub async fn invitation(&self, token: &str) -> Response {
        self.get(&format!("/api/v1/invitations/{token}"), None).await
    }

    /// Signs up `email` with an invitation token and verifies it; returns the verification answer.
    pub async fn accept_invitation(&self, email: &str, token: &str) -> Value {
        let r = self.post_signup(invited_signup_body(email, token)).await;
        assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
        self.verify_with_emailed_code(email).await
    }

    /// Invites `email` as `admin`, and signs them up through the emailed link; returns the
    /// verification answer.
    pub async fn invited_member(&self, admin: &str, email: &str) -> Value {
        assert_eq!(self.invite(admin, email).await.status(), StatusCode::CREATED);
        let invitation = self.invitation_token(email, 1).await;
        self.accept_invitation(email, &invitation).await
    }

    /// Admin `admin@<domain>` and member `member@<domain>` (joined by invitation).
    pub async fn team(&self, domain: &str) -> Team {
        let admin = self.signed_in_user(&format!("admin@{domain}"), PASSWORD).await;
        let admin_token = token(&admin);
        let member = self.invited_member(&admin_token, &format!("member@{domain}")).await;
        Team {
            admin: admin_token,
            member: token(&member),
            admin_id: admin["user"]["id"].as_str().unwrap().to_owned(),
            member_id: member["user"]["id"].as_str().unwrap().to_owned(),
            org_id: admin["user"]["organization_id"].as_str().unwrap().to_owned(),
        }
    }

    /// `GET /organizations/me`.
    pub async fn my_org(&self, token: &str) -> Value {
        self.get_json("/api/v1/organizations/me", token).await
    }

    /// `PATCH /organizations/me`.
    pub async fn patch_my_org(&self, token: &str, body: Value) -> Response {
        self.patch("/api/v1/organizations/me", token, body).await
    }

    /// `GET /organizations/me/members`.
    pub async fn members(&self, token: &str) -> Value {
        self.get_json("/api/v1/organizations/me/members", token).await
    }

    /// `PUT /organizations/me/members/{id}/role`.
    pub async fn set_role(&self, token: &str, user_id: &str, role: &str) -> Response {
        let path = format!("/api/v1/organizations/me/members/{user_id}/role");
        self.put(&path, token, json!({ "role": role })).await
    }

    /// `POST /organizations/me/members/{id}/deactivate`.
    pub async fn deactivate(&self, token: &str, user_id: &str) -> Response {
        self.post(&format!("/api/v1/organizations/me/members/{user_id}/deactivate"), Some(token), json!({})).await
    }

    /// `GET /organizations/me/join-requests`.
    pub async fn join_requests(&self, token: &str) -> Value {
        self.get_json("/api/v1/organizations/me/join-requests", token).await
    }
}
