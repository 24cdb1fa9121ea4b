//! Media failure paths and S3 presigned redirects: nothing may be left half-written. The
//! failures are real (an unwritable folder, a corrupt record), so the server logs them at
//! ERROR; the tests capture those lines and check them instead of printing them.

use p2p_sandbox::store::tables::USERS;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{
    PASSWORD, TestApp, expect_error,
    logs::capture_logs,
    media::{file_form, png},
    s3::S3Server,
    token,
};

#[tokio::test]
async fn a_failed_object_write_leaves_no_record() {
    // The media root's `media` folder is a file, so every object write fails (even as root).
    let blocked = tempfile::TempDir::new().unwrap();
    std::fs::write(blocked.path().join("media"), b"not a folder").unwrap();
    let root = blocked.path().to_str().unwrap().to_owned();
    let logs = capture_logs();
    let app = TestApp::spawn_with(&[("P2P_MEDIA_URI", &root)]).await;
    let t = app.signed_in_token("fail@media.sa").await;
    let r = app.upload_avatar(&t, file_form(png(8, 8), "a.png", "image/png")).await;
    expect_error(r, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    logs.assert_logged("ERROR", &["media backend failed"]);
    let me: Value = app.me(&t).await.json().await.unwrap();
    assert!(me["user"]["profile_picture_url"].is_null(), "no record points at a missing object");
}

#[tokio::test]
async fn a_failed_record_write_removes_the_object() {
    let mut app = TestApp::spawn().await;
    let auth = app.signed_in_user("rollback@media.sa", PASSWORD).await;
    let t = token(&auth);
    let id: p2p_sandbox::domain::ids::UserId = auth["user"]["id"].as_str().unwrap().parse().unwrap();
    app.stop().await;
    // A corrupt user record makes the transaction that attaches the avatar fail.
    let db = p2p_sandbox::store::Store::open(&app.dir.join("p2p.redb")).unwrap();
    db.write_blocking(|tx| p2p_sandbox::store::put_raw(tx, USERS, &id.key(), b"\x01{broken")).unwrap();
    drop(db);
    let logs = capture_logs();
    let app = app.restart_with(&[]).await;
    let r = app.upload_avatar(&t, file_form(png(8, 8), "a.png", "image/png")).await;
    expect_error(r, StatusCode::INTERNAL_SERVER_ERROR, "internal_error").await;
    // The log names the corrupt table, which the answer never does.
    logs.assert_logged("ERROR", &["internal error", USERS.name]);
    assert_eq!(app.local_objects(), 0, "the object was removed when its record could not be written");
}

#[tokio::test]
async fn s3_downloads_can_redirect_to_a_presigned_url() {
    let s3 = S3Server::start().await;
    let mut settings = s3.settings();
    settings.push(("P2P_MEDIA__PRESIGN_SECS".into(), "60".into()));
    let app = TestApp::spawn_with(&settings).await;
    let t = app.signed_in_token("presign@media.sa").await;
    let bytes = png(20, 20);
    let me: Value = app.upload_avatar(&t, file_form(bytes.clone(), "a.png", "image/png")).await.json().await.unwrap();
    let url = me["user"]["profile_picture_url"].as_str().unwrap().to_owned();
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = client.get(app.url(&url)).bearer_auth(&t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::TEMPORARY_REDIRECT);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&s3.endpoint), "{location}");
    assert!(location.contains("X-Amz-Expires=60"), "{location}");
    let fetched = client.get(&location).send().await.unwrap();
    assert_eq!(fetched.status(), StatusCode::OK, "the S3 server accepts the signature");
    assert_eq!(fetched.bytes().await.unwrap().to_vec(), bytes);
}

#[tokio::test]
async fn a_media_backend_that_is_down_answers_503_and_recovers_without_a_restart() {
    let s3 = S3Server::start().await;
    let logs = capture_logs();
    let app = TestApp::spawn_with(&s3.settings()).await;
    let t = app.signed_in_token("outage@media.sa").await;
    let before = png(12, 12);
    let me: Value = app.upload_avatar(&t, file_form(before.clone(), "a.png", "image/png")).await.json().await.unwrap();
    let url = me["user"]["profile_picture_url"].as_str().unwrap().to_owned();
    app.wait_for_jobs().await;
    let objects = std::fs::read_dir(s3.root.join("media")).unwrap().count();

    s3.stop().await;
    let r = app.upload_avatar(&t, file_form(png(14, 14), "b.png", "image/png")).await;
    expect_error(r, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    expect_error(app.get(&url, Some(&t)).await, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    let me: Value = app.me(&t).await.json().await.unwrap();
    assert_eq!(me["user"]["profile_picture_url"], url.as_str(), "the failed upload changed nothing");
    let ready = app.get("/health/ready", None).await;
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let ready: Value = ready.json().await.unwrap();
    assert_eq!(ready["media"]["ok"], false, "{ready}");
    assert_eq!(ready["store"]["ok"], true, "{ready}");
    logs.assert_logged("ERROR", &["media backend failed"]);
    assert_eq!(std::fs::read_dir(s3.root.join("media")).unwrap().count(), objects, "nothing was half-written");

    // Back, with no restart: reads, uploads and readiness recover.
    s3.start_again().await;
    let r = app.get(&url, Some(&t)).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().to_vec(), before);
    let after = png(16, 16);
    let r = app.upload_avatar(&t, file_form(after.clone(), "c.png", "image/png")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let me: Value = r.json().await.unwrap();
    let new_url = me["user"]["profile_picture_url"].as_str().unwrap();
    assert_eq!(app.get(new_url, Some(&t)).await.bytes().await.unwrap().to_vec(), after);
    assert_eq!(app.get("/health/ready", None).await.status(), StatusCode::OK);
}
