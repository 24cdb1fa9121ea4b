//! Signup and email verification: organizations per domain, pending join requests,
//! validation limits, one-time code rules.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{
    PASSWORD, TestApp,
    accounts::{invited_signup_body, signup_body},
    expect_error, expect_invalid, token,
};

#[tokio::test]
async fn first_signup_for_a_domain_creates_the_organization_and_its_admin() {
    let app = TestApp::spawn().await;
    let body = app.signup("Founder@Acme-Steel.sa", PASSWORD).await;
    assert_eq!(body["user"]["email"], "founder@acme-steel.sa", "emails are normalised");
    assert_eq!(body["user"]["email_verified"], false);
    assert_eq!(body["organization"]["domain"], "acme-steel.sa");
    assert_eq!(body["organization"]["country"], "Saudi Arabia", "country defaults");
    assert_eq!(body["verification_required"], true);
    // No session before verification.
    let r = app.login("founder@acme-steel.sa", PASSWORD).await;
    expect_error(r, StatusCode::FORBIDDEN, "email_not_verified").await;
    let auth = app.verify_with_emailed_code("founder@acme-steel.sa").await;
    assert_eq!(auth["status"], "authenticated");
    assert_eq!(auth["user"]["role"], "admin");
    let me: Value = app.me(&token(&auth)).await.json().await.unwrap();
    assert_eq!(me["organization"]["member_count"], 1);
    assert_eq!(me["user"]["organization_id"], me["organization"]["id"]);
}

#[tokio::test]
async fn a_second_signup_for_the_domain_is_pending_and_asks_the_admins() {
    let app = TestApp::spawn().await;
    app.signed_in_user("boss@plastics.sa", PASSWORD).await;
    let body = app.signup("newbie@plastics.sa", PASSWORD).await;
    assert_eq!(body["user"]["status"], "pending_approval");
    assert!(body["organization"].is_null(), "the pending answer names no organization: {body}");
    let text = body.to_string();
    assert!(!text.contains("boss@plastics.sa"), "never names other people");
    let v = app.verify_with_emailed_code("newbie@plastics.sa").await;
    assert_eq!(v["status"], "pending_approval");
    assert!(v.get("access_token").is_none());
    // The admin is told by email.
    let mail = app.email_to("boss@plastics.sa", "asks to join").await;
    assert!(mail.contains("plastics.sa Manufacturing"));
    expect_error(app.login("newbie@plastics.sa", PASSWORD).await, StatusCode::FORBIDDEN, "account_pending").await;
}

#[tokio::test]
async fn personal_domains_and_invalid_fields_are_refused_naming_each_field() {
    let app = TestApp::spawn().await;
    let mut body = signup_body("someone@gmail.com", "short");
    body["first_name"] = json!("R2D2");
    body["last_name"] = json!("x".repeat(51));
    body["city"] = json!("");
    let r = app.post_signup(body).await;
    let err = expect_invalid(r, &["email", "password", "first_name", "last_name", "city"]).await;
    assert!(err["fields"]["email"].as_str().unwrap().contains("company"));
    for (email, password, field) in [
        ("not-an-email", PASSWORD, "email"),
        ("a@b", PASSWORD, "email"),
        ("ok@factory.sa", "lettersonly", "password"),
        ("ok@factory.sa", "password123", "password"),
        ("khalid.omar@factory.sa", "khalid.omar77", "password"),
        ("ok@factory.sa", &"a1".repeat(65), "password"),
    ] {
        let r = app.post_signup(signup_body(email, password)).await;
        expect_invalid(r, &[field]).await;
    }
}

#[tokio::test]
async fn arabic_names_are_accepted() {
    let app = TestApp::spawn().await;
    let mut body = signup_body("fahad@jubail-chem.sa", PASSWORD);
    body["first_name"] = json!("فهد");
    body["last_name"] = json!("العتيبي");
    body["organization_name"] = json!("مصنع الجبيل للكيماويات");
    body["language"] = json!("ar");
    let r = app.post_signup(body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["user"]["name"], "فهد العتيبي");
    assert_eq!(v["organization"]["name"], "مصنع الجبيل للكيماويات");
    // The verification email follows the user's language (subject is encoded UTF-8).
    let mail = app.email_to("fahad@jubail-chem.sa", "Subject:").await;
    assert!(mail.contains("=?utf-8?") || mail.contains("رمز"), "{mail}");
}

#[tokio::test]
async fn a_verified_email_cannot_sign_up_again_but_an_unverified_one_can_retry() {
    let app = TestApp::spawn().await;
    app.signed_in_user("taken@metal.sa", PASSWORD).await;
    let r = app.post_signup(signup_body("taken@metal.sa", PASSWORD)).await;
    expect_error(r, StatusCode::CONFLICT, "email_taken").await;
    app.signup("retry@glass.sa", PASSWORD).await;
    app.signup("retry@glass.sa", "Other-pass-77").await;
    let code = app.nth_code_for("retry@glass.sa", "verification code is", 2).await;
    assert_eq!(app.verify_email("retry@glass.sa", &code).await.status(), StatusCode::OK);
    assert_eq!(app.login("retry@glass.sa", "Other-pass-77").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn wrong_codes_count_attempts_then_lock_the_code() {
    let app = TestApp::spawn().await;
    app.signup("codes@valve.sa", PASSWORD).await;
    let real = app.code_for("codes@valve.sa", "verification code is").await;
    let wrong = if real == "000000" { "111111" } else { "000000" };
    for left in (1..5).rev() {
        let r = app.verify_email("codes@valve.sa", wrong).await;
        let e = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_code").await;
        assert!(e["fields"]["code"].as_str().unwrap().contains(&format!("{left} attempts left")), "{e}");
    }
    let r = app.verify_email("codes@valve.sa", wrong).await;
    expect_error(r, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    // Even the right code is refused now; a new one is needed.
    assert_eq!(app.verify_email("codes@valve.sa", &real).await.status(), StatusCode::TOO_MANY_REQUESTS);
    expect_invalid(app.verify_email("codes@valve.sa", "12ab56").await, &[]).await;
}

#[tokio::test]
async fn expired_codes_are_refused_and_resend_has_a_cooldown() {
    let app =
        TestApp::spawn_with(&[("P2P_AUTH__CODE_TTL_SECS", "1"), ("P2P_AUTH__CODE_RESEND_COOLDOWN_SECS", "1")]).await;
    app.signup("late@pump.sa", PASSWORD).await;
    let code = app.code_for("late@pump.sa", "verification code is").await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await; // let the 1 s code expire
    let r = app.verify_email("late@pump.sa", &code).await;
    expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "code_expired").await;
    let resend = |email: &'static str| app.post("/api/v1/auth/verify-email/resend", None, json!({ "email": email }));
    assert_eq!(resend("late@pump.sa").await.status(), StatusCode::ACCEPTED);
    let r = resend("late@pump.sa").await;
    let e = expect_error(r, StatusCode::TOO_MANY_REQUESTS, "resend_cooldown").await;
    assert!(e.is_object());
    // Unknown addresses get the same 202, and no email.
    assert_eq!(resend("ghost@pump.sa").await.status(), StatusCode::ACCEPTED);
    let fresh = app.nth_code_for("late@pump.sa", "verification code is", 2).await;
    assert_eq!(app.verify_email("late@pump.sa", &fresh).await.status(), StatusCode::OK, "the resent code works");
    assert_eq!(app.count_emails("ghost@pump.sa", "code"), 0);
}

#[tokio::test]
async fn invitation_tokens_are_refused_until_invitations_exist() {
    let app = TestApp::spawn().await;
    let r = app.post_signup(invited_signup_body("guest@steel.sa", "made-up-token")).await;
    expect_invalid(r, &["invitation_token"]).await;
}
