//! Accounts: signup and email verification, signing in, sessions, and the caller's own
//! profile, password and account.

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use super::TestApp;

/// The password of every fixture account.
pub const PASSWORD: &str = "Steel-mill-42";

/// A valid signup body for `email` (organization named after its domain).
pub fn signup_body(email: &str, password: &str) -> Value {
    let domain = email.split('@').nth(1).unwrap_or("example.com");
    json!({
        "email": email,
        "password": password,
        "first_name": "Sara",
        "last_name": "Al-Harbi",
        "organization_name": format!("{domain} Manufacturing"),
        "industry_sector": "Metal Processing",
        "company_size": "medium",
        "city": "Riyadh",
        "title": "Plant Engineer"
    })
}

/// A signup body for `email` (with [`PASSWORD`]) carrying an invitation token.
pub fn invited_signup_body(email: &str, invitation_token: &str) -> Value {
    let mut body = signup_body(email, PASSWORD);
    body["invitation_token"] = json!(invitation_token);
    body
}

/// The access token of a sign-in, verification or refresh answer.
pub fn token(auth: &Value) -> String {
    auth["access_token"].as_str().unwrap().to_owned()
}

/// The refresh token of a sign-in, verification or refresh answer.
pub fn refresh_token(auth: &Value) -> String {
    auth["refresh_token"].as_str().unwrap().to_owned()
}

impl TestApp {
    /// `POST /auth/signup` with any body.
    pub async fn post_signup(&self, body: Value) -> Response {
        self.post("/api/v1/auth/signup", None, body).await
    }

    /// Signs up `email` (organization named after its domain); returns the response body.
    pub async fn signup(&self, email: &str, password: &str) -> Value {
        let r = self.post_signup(signup_body(email, password)).await;
        assert_eq!(r.status(), StatusCode::CREATED, "signup {email}");
        r.json().await.unwrap()
    }

    /// `POST /auth/verify-email`.
    pub async fn verify_email(&self, email: &str, code: &str) -> Response {
        self.post("/api/v1/auth/verify-email", None, json!({"email": email, "code": code})).await
    }

    /// Verifies `email` with the code in its newest verification email; returns the answer
    /// (signed in, or waiting for an admin's approval).
    pub async fn verify_with_emailed_code(&self, email: &str) -> Value {
        let code = self.code_for(email, "verification code is").await;
        let r = self.verify_email(email, &code).await;
        assert_eq!(r.status(), StatusCode::OK, "verify {email}");
        r.json().await.unwrap()
    }

    /// Signs up and verifies `email`; returns the verification answer (tokens included).
    pub async fn signed_in_user(&self, email: &str, password: &str) -> Value {
        self.signup(email, password).await;
        let body = self.verify_with_emailed_code(email).await;
        assert_eq!(body["status"], "authenticated", "{body}");
        body
    }

    /// Signs up and verifies `email` with [`PASSWORD`]; returns the access token.
    pub async fn signed_in_token(&self, email: &str) -> String {
        token(&self.signed_in_user(email, PASSWORD).await)
    }

    /// `n` people, each signed in as the admin of an organization of their own
    /// (`<name><i>@<domain><i>.sa`); returns their access tokens in order.
    pub async fn signed_in_crowd(&self, name: &str, domain: &str, n: usize) -> Vec<String> {
        let mut tokens = Vec::with_capacity(n);
        for i in 0..n {
            tokens.push(self.signed_in_token(&format!("{name}{i}@{domain}{i}.sa")).await);
        }
        tokens
    }

    /// Logs in (device verification off); returns the answer.
    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post("/api/v1/auth/login", None, json!({"email": email, "password": password})).await
    }

    /// Logs in; asserts a 200 and returns the body (a new session, or a new-device challenge).
    pub async fn login_json(&self, email: &str, password: &str) -> Value {
        let r = self.login(email, password).await;
        assert_eq!(r.status(), StatusCode::OK, "login {email}");
        r.json().await.unwrap()
    }

    /// Logs `email` in with [`PASSWORD`] (a new session); returns the access token.
    pub async fn login_token(&self, email: &str) -> String {
        token(&self.login_json(email, PASSWORD).await)
    }

    /// Creates a platform admin (no organization) and signs them in; returns the access token.
    pub async fn platform_admin(&self, email: &str) -> String {
        p2p_sandbox::service::accounts::create_admin(self.state(), email, PASSWORD.to_owned()).await.unwrap();
        self.login_token(email).await
    }

    /// `POST /auth/refresh` with a refresh token in the body.
    pub async fn refresh(&self, refresh_token: &str) -> Response {
        self.post("/api/v1/auth/refresh", None, json!({ "refresh_token": refresh_token })).await
    }

    /// `POST /auth/logout`.
    pub async fn logout(&self, token: &str) -> Response {
        self.post("/api/v1/auth/logout", Some(token), json!({})).await
    }

    /// `POST /auth/logout-all`.
    pub async fn logout_all(&self, token: &str) -> Response {
        self.post("/api/v1/auth/logout-all", Some(token), json!({})).await
    }

    /// `GET /auth/sessions`.
    pub async fn sessions(&self, token: &str) -> Value {
        self.get_json("/api/v1/auth/sessions", token).await
    }

    /// `DELETE /auth/sessions/{id}`.
    pub async fn revoke_session(&self, token: &str, id: &str) -> Response {
        self.delete(&format!("/api/v1/auth/sessions/{id}"), token).await
    }

    /// `GET /users/me`.
    pub async fn me(&self, token: &str) -> Response {
        self.get("/api/v1/users/me", Some(token)).await
    }

    /// `PATCH /users/me`.
    pub async fn patch_me(&self, token: &str, body: Value) -> Response {
        self.patch("/api/v1/users/me", token, body).await
    }

    /// `DELETE /users/me`, confirmed with `password`.
    pub async fn delete_me(&self, token: &str, password: &str) -> Response {
        self.send(reqwest::Method::DELETE, "/api/v1/users/me", Some(token), json!({ "password": password })).await
    }

    /// `POST /users/me/password`.
    pub async fn change_password(&self, token: &str, current: &str, new: &str) -> Response {
        let body = json!({"current_password": current, "new_password": new});
        self.post("/api/v1/users/me/password", Some(token), body).await
    }

    /// `POST /auth/password/forgot`.
    pub async fn forgot_password(&self, email: &str) -> Response {
        self.post("/api/v1/auth/password/forgot", None, json!({ "email": email })).await
    }

    /// `POST /auth/password/reset`.
    pub async fn reset_password(&self, token: &str, new_password: &str) -> Response {
        self.post("/api/v1/auth/password/reset", None, json!({"token": token, "new_password": new_password})).await
    }

    /// The token of the reset link in the newest password-reset email to `to`.
    pub async fn reset_token(&self, to: &str) -> String {
        let marker = "reset-password?token=";
        super::mail::link_token(&self.email_to(to, marker).await, marker)
    }
}
