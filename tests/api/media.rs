//! The media suite, run twice: on the local backend and on S3 (a real S3-compatible server
//! in-process, see `s3.rs`). Uploads, downloads with ETag and Range, spoofed types,
//! oversize, failures that must leave nothing behind, concurrency, thumbnails.

use std::{path::PathBuf, time::Duration};

use reqwest::{
    Method, StatusCode,
    multipart::{Form, Part},
};
use serde_json::Value;

use crate::support::{
    TestApp, expect_error, expect_not_found,
    media::{file_form, png},
    s3::S3Server,
};

#[derive(Clone, Copy)]
pub enum Backend {
    Local,
    S3,
}

struct Env {
    app: TestApp,
    objects: PathBuf,
    _s3: Option<S3Server>,
}

async fn env(backend: Backend, extra: &[(&str, &str)]) -> Env {
    let mut settings: Vec<(String, String)> = extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    let s3 = match backend {
        Backend::Local => None,
        Backend::S3 => Some(S3Server::start().await),
    };
    if let Some(s3) = &s3 {
        settings.extend(s3.settings());
    }
    let app = TestApp::spawn_with(&settings).await;
    let objects = match &s3 {
        Some(s3) => s3.root.join("media"),
        None => app.dir.join("media").join("media"),
    };
    Env { app, objects, _s3: s3 }
}

impl Env {
    /// Stored objects (content and thumbnails), ignoring temporary files of the S3 server.
    fn object_count(&self) -> usize {
        std::fs::read_dir(&self.objects)
            .map(|d| d.flatten().filter(|e| !e.file_name().to_string_lossy().starts_with('.')).count())
            .unwrap_or(0)
    }
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn local() {
                super::$name(super::Backend::Local).await
            }
            #[tokio::test]
            async fn s3() {
                super::$name(super::Backend::S3).await
            }
        }
    )*};
}

on_both_backends!(
    upload_download_etag_range_and_thumbnail,
    replacing_and_removing_delete_the_objects,
    spoofed_and_unsupported_types_are_refused,
    oversized_uploads_are_cut_off_and_leave_nothing,
    concurrent_avatar_uploads_all_succeed,
    logos_are_for_admins,
);

async fn upload_download_etag_range_and_thumbnail(backend: Backend) {
    let env = env(backend, &[]).await;
    let app = &env.app;
    let t = app.signed_in_token("pic@media.sa").await;
    let bytes = png(640, 480);
    let r = app.upload_avatar(&t, file_form(bytes.clone(), "My Photo (1).png", "image/png")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let me: Value = r.json().await.unwrap();
    let url = me["user"]["profile_picture_url"].as_str().unwrap().to_owned();
    let r = app.get(&url, Some(&t)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let h = r.headers().clone();
    assert_eq!(h["content-type"], "image/png");
    assert_eq!(h["content-security-policy"], "sandbox");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h["cache-control"].to_str().unwrap().contains("max-age"));
    assert!(h["content-disposition"].to_str().unwrap().starts_with("inline; filename=\"My Photo _1_.png\""));
    let etag = h["etag"].to_str().unwrap().to_owned();
    assert_eq!(r.bytes().await.unwrap().to_vec(), bytes);
    let not_modified = app.req(Method::GET, &url).bearer_auth(&t).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(not_modified.status(), StatusCode::NOT_MODIFIED);
    let part = app.req(Method::GET, &url).bearer_auth(&t).header("range", "bytes=0-9").send().await.unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.headers()["content-range"], format!("bytes 0-9/{}", bytes.len()).as_str());
    assert_eq!(part.bytes().await.unwrap().to_vec(), bytes[..10].to_vec());
    let tail = app.req(Method::GET, &url).bearer_auth(&t).header("range", "bytes=-5").send().await.unwrap();
    assert_eq!(tail.bytes().await.unwrap().to_vec(), bytes[bytes.len() - 5..].to_vec());
    let beyond = app
        .req(Method::GET, &url)
        .bearer_auth(&t)
        .header("range", format!("bytes={}-", bytes.len() + 10))
        .send()
        .await
        .unwrap();
    assert_eq!(beyond.headers()["content-range"], format!("bytes */{}", bytes.len()).as_str());
    expect_error(beyond, StatusCode::RANGE_NOT_SATISFIABLE, "range_not_satisfiable").await;
    // Anonymous callers see nothing; other members see the avatar.
    assert_eq!(app.get(&url, None).await.status(), StatusCode::UNAUTHORIZED);
    let other = app.signed_in_token("viewer@other.sa").await;
    assert_eq!(app.get(&url, Some(&other)).await.status(), StatusCode::OK);
    // The thumbnail is made by a background job.
    let started = std::time::Instant::now();
    let thumb = loop {
        let r = app.get(&format!("{url}?thumbnail=true"), Some(&t)).await;
        if r.status() == StatusCode::OK {
            break r.bytes().await.unwrap().to_vec();
        }
        assert!(started.elapsed() < Duration::from_secs(10), "no thumbnail");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let img = image::load_from_memory(&thumb).unwrap();
    assert_eq!((img.width(), img.height()), (256, 192));
}

async fn replacing_and_removing_delete_the_objects(backend: Backend) {
    let env = env(backend, &[]).await;
    let app = &env.app;
    let t = app.signed_in_token("swap@media.sa").await;
    let avatar_url = |me: &Value| me["user"]["profile_picture_url"].as_str().unwrap().to_owned();
    let first = app.upload_avatar(&t, file_form(png(32, 32), "a.png", "image/png")).await;
    let first_url = avatar_url(&first.json().await.unwrap());
    let second = app.upload_avatar(&t, file_form(png(16, 16), "b.png", "image/png")).await;
    let second_url = avatar_url(&second.json().await.unwrap());
    assert_ne!(first_url, second_url);
    expect_not_found(app.get(&first_url, Some(&t)).await).await;
    let r = app.remove_avatar(&t).await;
    assert_eq!(r.status(), StatusCode::OK);
    let me: Value = r.json().await.unwrap();
    assert!(me["user"]["profile_picture_url"].is_null());
    assert_eq!(app.get(&second_url, Some(&t)).await.status(), StatusCode::NOT_FOUND);
    // Thumbnails may be made after removal starts; wait until the job queue is empty.
    app.wait_for_jobs().await;
    assert_eq!(env.object_count(), 0, "every object is gone");
}

async fn spoofed_and_unsupported_types_are_refused(backend: Backend) {
    let env = env(backend, &[]).await;
    let app = &env.app;
    let t = app.signed_in_token("spoof@media.sa").await;
    let cases: Vec<(Vec<u8>, &str, &str, StatusCode)> = vec![
        (png(8, 8), "a.png", "image/jpeg", StatusCode::UNSUPPORTED_MEDIA_TYPE),
        (png(8, 8), "a.jpg", "image/png", StatusCode::UNSUPPORTED_MEDIA_TYPE),
        (b"<html><script>alert(1)</script></html>".to_vec(), "x.png", "image/png", StatusCode::UNSUPPORTED_MEDIA_TYPE),
        (
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>".to_vec(),
            "x.svg",
            "image/svg+xml",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (b"%PDF-1.7 not an avatar".to_vec(), "x.pdf", "application/pdf", StatusCode::UNSUPPORTED_MEDIA_TYPE),
        (Vec::new(), "empty.png", "image/png", StatusCode::UNPROCESSABLE_ENTITY),
        (b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHD".to_vec(), "bad.png", "image/png", StatusCode::UNSUPPORTED_MEDIA_TYPE),
    ];
    for (bytes, name, mime, status) in cases {
        let r = app.upload_avatar(&t, file_form(bytes, name, mime)).await;
        assert_eq!(r.status(), status, "{name} as {mime}");
    }
    // Octet-stream with a matching name is fine: the bytes decide.
    let r = app.upload_avatar(&t, file_form(png(8, 8), "ok.png", "application/octet-stream")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let not_multipart = app
        .req(Method::PUT, "/api/v1/users/me/avatar")
        .bearer_auth(&t)
        .body(png(8, 8))
        .header("content-type", "image/png")
        .send()
        .await
        .unwrap();
    expect_error(not_multipart, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type").await;
    let no_file = app
        .req(Method::PUT, "/api/v1/users/me/avatar")
        .bearer_auth(&t)
        .multipart(Form::new().text("other", "x"))
        .send()
        .await
        .unwrap();
    expect_error(no_file, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    // A decompression bomb: a header claiming a huge image.
    let bomb = env_bomb();
    let r = app.upload_avatar(&t, file_form(bomb, "bomb.png", "image/png")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// A valid PNG header declaring 100,000 × 100,000 pixels.
fn env_bomb() -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend_from_slice(&13u32.to_be_bytes());
    out.extend_from_slice(b"IHDR");
    out.extend_from_slice(&ihdr);
    out.extend_from_slice(&[0, 0, 0, 0]);
    out
}

async fn oversized_uploads_are_cut_off_and_leave_nothing(backend: Backend) {
    let env = env(backend, &[("P2P_MEDIA__IMAGE_MAX_BYTES", "1048576")]).await;
    let app = &env.app;
    let t = app.signed_in_token("big@media.sa").await;
    let mut big = png(8, 8);
    big.resize(3 * 1024 * 1024, 0);
    // Declared length: refused before reading.
    let r = app.upload_avatar(&t, file_form(big.clone(), "big.png", "image/png")).await;
    expect_error(r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    // Streamed without a length: refused once the limit is passed; the rest is never read.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = big.chunks(64 * 1024).map(|c| Ok(c.to_vec())).collect();
    let part = Part::stream(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .file_name("big.png")
        .mime_str("image/png")
        .unwrap();
    let sent = app
        .req(Method::PUT, "/api/v1/users/me/avatar")
        .bearer_auth(&t)
        .multipart(Form::new().part("file", part))
        .send()
        .await;
    match sent {
        // The 413 reaches the client while it is still sending the rest.
        Ok(r) => {
            let e = expect_error(r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
            assert!(e["message"].as_str().unwrap().contains("1048576 bytes"), "names the limit: {e}");
        }
        // Or the server, done with the request, closes the connection on the unread rest and
        // the client's send fails first: the accepted connection cut under the request, never a
        // timeout, a refused connection or some other answer; and the server still serves.
        Err(e) => {
            assert!(e.is_request() && !e.is_connect() && !e.is_timeout() && connection_cut(&e), "{e:?}");
            assert_eq!(app.get("/health", None).await.status(), StatusCode::OK, "the server still answers");
        }
    }
    // Either way the follow-up request sees nothing stored.
    let me = app.me(&t).await;
    assert_eq!(me.status(), StatusCode::OK);
    assert!(me.json::<Value>().await.unwrap()["user"]["profile_picture_url"].is_null());
    assert_eq!(env.object_count(), 0, "no partial object is left");
}

/// Whether the connection was cut under a request: reset or closed by the server before its
/// answer was complete (as opposed to a failure to connect, a timeout or a bad answer).
fn connection_cut(e: &reqwest::Error) -> bool {
    use std::io::ErrorKind::{BrokenPipe, ConnectionAborted, ConnectionReset, UnexpectedEof};
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = source {
        let io_cut = s
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| matches!(io.kind(), ConnectionReset | BrokenPipe | ConnectionAborted | UnexpectedEof));
        // hyper's "connection closed before message completed" carries no I/O error.
        if io_cut || s.to_string().contains("connection closed") {
            return true;
        }
        source = s.source();
    }
    false
}

async fn concurrent_avatar_uploads_all_succeed(backend: Backend) {
    let env = env(backend, &[]).await;
    let app = &env.app;
    let tokens = app.signed_in_crowd("user", "crowd", 10).await;
    let uploads = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| app.upload_avatar(t, file_form(png(64 + i as u32, 64), "a.png", "image/png")));
    let results = futures::future::join_all(uploads).await;
    for r in results {
        assert_eq!(r.status(), StatusCode::OK);
    }
    for (i, t) in tokens.iter().enumerate() {
        let me: Value = app.me(t).await.json().await.unwrap();
        let url = me["user"]["profile_picture_url"].as_str().unwrap().to_owned();
        let bytes = app.get(&url, Some(t)).await.bytes().await.unwrap();
        let img = image::load_from_memory(&bytes).unwrap();
        assert_eq!(img.width(), 64 + i as u32, "each user got their own image");
    }
}

async fn logos_are_for_admins(backend: Backend) {
    let env = env(backend, &[]).await;
    let app = &env.app;
    let team = app.team("logo.sa").await;
    let r = app.upload_logo(&team.member, file_form(png(50, 50), "logo.png", "image/png")).await;
    expect_error(r, StatusCode::FORBIDDEN, "not_org_admin").await;
    assert_eq!(env.object_count(), 0, "a refused upload stores nothing");
    let r = app.upload_logo(&team.admin, file_form(png(50, 50), "logo.png", "image/png")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let org: Value = r.json().await.unwrap();
    let url = org["logo_url"].as_str().unwrap().to_owned();
    assert_eq!(app.get(&url, Some(&team.member)).await.status(), StatusCode::OK);
    assert_eq!(app.remove_logo(&team.admin).await.status(), StatusCode::OK);
    assert_eq!(app.get(&url, Some(&team.member)).await.status(), StatusCode::NOT_FOUND);
}
