//! Restarts: users, sessions and queued jobs survive; a corrupt record is a clean 500; failing
//! jobs end in dead letters. The last two are real failures the server logs at ERROR; those
//! tests capture the lines and check them instead of printing them.

use p2p_sandbox::{domain::ids::UserId, store};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{PASSWORD, TestApp, accounts::refresh_token, expect_error, logs::capture_logs, token};

/// Mail goes to an SMTP port where nothing listens: every email job fails and retries.
const DEAD_SMTP: [(&str, &str); 4] = [
    ("P2P_MAIL__TRANSPORT", "smtp"),
    ("P2P_MAIL__SMTP_HOST", "127.0.0.1"),
    ("P2P_MAIL__SMTP_PORT", "1"),
    ("P2P_MAIL__SMTP_TLS", "none"),
];

#[tokio::test]
async fn users_sessions_and_queued_jobs_survive_a_restart() {
    // Mail goes to an SMTP port where nothing listens, so the job stays queued and retries.
    let app = TestApp::spawn().await;
    let auth = app.signed_in_user("durable@press.sa", PASSWORD).await;
    let (token, refresh) = (token(&auth), refresh_token(&auth));
    // The failing deliveries log WARN lines; keep them out of the output.
    let _logs = capture_logs();
    let app = app.restart_with(&[DEAD_SMTP.as_slice(), &[("P2P_JOBS__BACKOFF_BASE_SECS", "1")]].concat()).await;
    assert_eq!(app.me(&token).await.status(), StatusCode::OK, "session survived");
    assert_eq!(app.forgot_password("durable@press.sa").await.status(), StatusCode::ACCEPTED);
    let metrics = app.metrics().await;
    assert!(metrics.contains("p2p_job_queue_depth 1"), "the reset email is queued: {metrics}");
    assert_eq!(app.count_emails("durable@press.sa", "reset-password"), 0);
    // Back to the file transport: the queued job is delivered after the restart.
    let app = app.restart_with(&[("P2P_MAIL__TRANSPORT", "file")]).await;
    app.email_to("durable@press.sa", "reset-password?token=").await;
    let me: Value = app.me(&token).await.json().await.unwrap();
    assert_eq!(me["user"]["email"], "durable@press.sa");
    assert_eq!(app.refresh(&refresh).await.status(), StatusCode::OK, "refresh tokens survive too");
    assert_eq!(app.login("durable@press.sa", PASSWORD).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_corrupt_record_is_a_500_with_the_uniform_body_not_a_crash() {
    let mut app = TestApp::spawn().await;
    let auth = app.signed_in_user("corrupt@press.sa", PASSWORD).await;
    let token = token(&auth);
    let id: UserId = auth["user"]["id"].as_str().unwrap().parse().unwrap();
    app.stop().await;
    let db = store::Store::open(&app.dir.join("p2p.redb")).unwrap();
    db.write_blocking(|tx| store::put_raw(tx, store::tables::USERS, &id.key(), b"\x01{not json")).unwrap();
    drop(db);
    let logs = capture_logs();
    let app = app.restart_with(&[]).await;
    let body = expect_error(app.me(&token).await, StatusCode::INTERNAL_SERVER_ERROR, "internal_error").await;
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("request id"), "{message}");
    assert!(!message.contains("userid_user"), "no internals leak: {message}");
    // The operator's log names the corrupt table the answer keeps to itself.
    logs.assert_logged("ERROR", &["internal error", store::tables::USERS.name]);
    assert_eq!(app.get("/health", None).await.status(), StatusCode::OK, "still serving");
}

#[tokio::test]
async fn failing_jobs_retry_with_backoff_then_go_to_dead_letters() {
    let logs = capture_logs();
    let attempts = [("P2P_JOBS__MAX_ATTEMPTS", "2"), ("P2P_JOBS__BACKOFF_BASE_SECS", "1")];
    let app = TestApp::spawn_with(&[DEAD_SMTP.as_slice(), &attempts].concat()).await;
    // The signup is acknowledged even though its email cannot be delivered yet.
    app.signup("dead@letters.sa", PASSWORD).await;
    let started = std::time::Instant::now();
    let metrics = loop {
        let m = app.metrics().await;
        if m.contains("p2p_job_dead_letters 1") {
            break m;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "never buried: {m}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(metrics.contains("p2p_job_queue_depth 0"), "{metrics}");
    assert!(started.elapsed() >= std::time::Duration::from_millis(900), "the retry waited for its backoff");
    logs.assert_logged("WARN", &["job failed; will retry", "attempts=1"]);
    logs.assert_logged("ERROR", &["moved to dead letters", "attempts=2"]);
}
