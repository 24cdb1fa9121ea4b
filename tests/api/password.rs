//! Password change, forgotten password and reset.

use reqwest::StatusCode;

use crate::support::{PASSWORD, TestApp, expect_error, expect_invalid};

#[tokio::test]
async fn changing_the_password_ends_other_sessions_only() {
    let app = TestApp::spawn().await;
    let here = app.signed_in_token("pw@boilers.sa").await;
    let elsewhere = app.login_token("pw@boilers.sa").await;
    let r = app.change_password(&here, "Wrong-pass-1", "New-boiler-99").await;
    expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "wrong_password").await;
    expect_invalid(app.change_password(&here, PASSWORD, "weak").await, &["new_password"]).await;
    let r = app.change_password(&here, PASSWORD, "New-boiler-99").await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.me(&here).await.status(), StatusCode::OK);
    assert_eq!(app.me(&elsewhere).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.login("pw@boilers.sa", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.login("pw@boilers.sa", "New-boiler-99").await.status(), StatusCode::OK);
    app.email_to("pw@boilers.sa", "was just changed").await;
}

#[tokio::test]
async fn forgot_and_reset_work_once_and_reveal_nothing() {
    let app = TestApp::spawn().await;
    let old = app.signed_in_token("forgot@boilers.sa").await;
    for email in ["forgot@boilers.sa", "nobody@boilers.sa", "not an email"] {
        assert_eq!(app.forgot_password(email).await.status(), StatusCode::ACCEPTED, "{email}");
    }
    let token = app.reset_token("forgot@boilers.sa").await;
    assert_eq!(app.count_emails("nobody@boilers.sa", "reset"), 0);
    expect_invalid(app.reset_password(&token, "short").await, &[]).await;
    assert_eq!(app.reset_password(&token, "Reset-boiler-31").await.status(), StatusCode::NO_CONTENT);
    let again = app.reset_password(&token, "Reset-boiler-32").await;
    expect_error(again, StatusCode::UNPROCESSABLE_ENTITY, "invalid_token").await;
    assert_eq!(app.me(&old).await.status(), StatusCode::UNAUTHORIZED, "reset ends every session");
    assert_eq!(app.login("forgot@boilers.sa", "Reset-boiler-31").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_expired_reset_token_is_refused() {
    let app = TestApp::spawn_with(&[("P2P_AUTH__RESET_TOKEN_TTL_SECS", "1")]).await;
    app.signed_in_user("slow@boilers.sa", PASSWORD).await;
    app.forgot_password("slow@boilers.sa").await;
    let token = app.reset_token("slow@boilers.sa").await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await; // past the 1 s token life
    let r = app.reset_password(&token, "Reset-boiler-31").await;
    expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_token").await;
}
