//! Password change, forgotten password and reset.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, expect_error};

#[tokio::test]
async fn changing_the_password_ends_other_sessions_only() {
    let app = TestApp::spawn().await;
    let here: Value = app.signed_in_user("pw@boilers.sa", PASSWORD).await;
    let elsewhere: Value = app.login("pw@boilers.sa", PASSWORD).await.json().await.unwrap();
    let (here, elsewhere) = (here["access_token"].as_str().unwrap(), elsewhere["access_token"].as_str().unwrap());
    let r = app
        .post(
            "/api/v1/users/me/password",
            Some(here),
            json!({"current_password": "Wrong-pass-1", "new_password": "New-boiler-99"}),
        )
        .await;
    expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "wrong_password").await;
    let r = app
        .post("/api/v1/users/me/password", Some(here), json!({"current_password": PASSWORD, "new_password": "weak"}))
        .await;
    let e = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(e["fields"]["new_password"].is_string());
    let r = app
        .post(
            "/api/v1/users/me/password",
            Some(here),
            json!({"current_password": PASSWORD, "new_password": "New-boiler-99"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/users/me", Some(here)).await.status(), StatusCode::OK);
    assert_eq!(app.get("/api/v1/users/me", Some(elsewhere)).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.login("pw@boilers.sa", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.login("pw@boilers.sa", "New-boiler-99").await.status(), StatusCode::OK);
    app.email_to("pw@boilers.sa", "was just changed").await;
}

#[tokio::test]
async fn forgot_and_reset_work_once_and_reveal_nothing() {
    let app = TestApp::spawn().await;
    let session: Value = app.signed_in_user("forgot@boilers.sa", PASSWORD).await;
    for email in ["forgot@boilers.sa", "nobody@boilers.sa", "not an email"] {
        let r = app.post("/api/v1/auth/password/forgot", None, json!({ "email": email })).await;
        assert_eq!(r.status(), StatusCode::ACCEPTED, "{email}");
    }
    let mail = app.email_to("forgot@boilers.sa", "reset-password?token=").await;
    let token: String = mail
        .split("token=")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    assert_eq!(app.count_emails("nobody@boilers.sa", "reset"), 0);
    let r = app.post("/api/v1/auth/password/reset", None, json!({"token": token, "new_password": "short"})).await;
    expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let r =
        app.post("/api/v1/auth/password/reset", None, json!({"token": token, "new_password": "Reset-boiler-31"})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let again =
        app.post("/api/v1/auth/password/reset", None, json!({"token": token, "new_password": "Reset-boiler-32"})).await;
    expect_error(again, StatusCode::UNPROCESSABLE_ENTITY, "invalid_token").await;
    let old = session["access_token"].as_str().unwrap();
    assert_eq!(
        app.get("/api/v1/users/me", Some(old)).await.status(),
        StatusCode::UNAUTHORIZED,
        "reset ends every session"
    );
    assert_eq!(app.login("forgot@boilers.sa", "Reset-boiler-31").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_expired_reset_token_is_refused() {
    let app = TestApp::spawn_with(&[("P2P_AUTH__RESET_TOKEN_TTL_SECS", "1")]).await;
    app.signed_in_user("slow@boilers.sa", PASSWORD).await;
    app.post("/api/v1/auth/password/forgot", None, json!({"email": "slow@boilers.sa"})).await;
    let mail = app.email_to("slow@boilers.sa", "reset-password?token=").await;
    let token: String = mail
        .split("token=")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await; // past the 1 s token life
    let r =
        app.post("/api/v1/auth/password/reset", None, json!({"token": token, "new_password": "Reset-boiler-31"})).await;
    expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_token").await;
}
