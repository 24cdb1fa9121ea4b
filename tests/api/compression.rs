//! Response compression: brotli or gzip as `Accept-Encoding` asks, for JSON and the docs
//! page; the same bytes once decoded; identity without the header, for small bodies, and
//! for media (already compressed, and served in byte ranges).

use std::io::Read;

use reqwest::{StatusCode, header};
use serde_json::Value;

use crate::support::{
    PASSWORD, TestApp,
    media::{file_form, png},
    token,
};

/// `GET path` with `accept` as `Accept-Encoding` (none when `None`): the status, the
/// `Content-Encoding` and the raw body (reqwest here decodes nothing).
async fn fetch(app: &TestApp, path: &str, t: &str, accept: Option<&str>) -> (StatusCode, Option<String>, Vec<u8>) {
    let mut r = app.req(reqwest::Method::GET, path).bearer_auth(t);
    if let Some(a) = accept {
        r = r.header(header::ACCEPT_ENCODING, a);
    }
    let r = r.send().await.unwrap();
    let encoding = r.headers().get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap().to_owned());
    if r.headers()[header::CONTENT_TYPE].to_str().unwrap().contains("json") {
        // Caches must keep one copy per encoding, whichever this one is.
        assert_eq!(r.headers()[header::VARY], "accept-encoding", "{path}");
    }
    (r.status(), encoding, r.bytes().await.unwrap().to_vec())
}

fn decode(encoding: &str, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        "gzip" => flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).unwrap(),
        "br" => brotli_decompressor::Decompressor::new(bytes, 4096).read_to_end(&mut out).unwrap(),
        other => panic!("unexpected encoding {other}"),
    };
    out
}

#[tokio::test]
async fn json_and_the_docs_page_are_compressed_as_the_client_asks() {
    let app = TestApp::spawn().await;
    let t = token(&app.signed_in_user("zip@compress.sa", PASSWORD).await);
    for (path, json) in [("/docs", false), ("/api/v1/forum/categories", true)] {
        let (status, encoding, plain) = fetch(&app, path, &t, None).await;
        assert_eq!((status, encoding), (StatusCode::OK, None), "{path}: identity without Accept-Encoding");
        assert!(plain.len() >= p2p_sandbox::api::compression::MIN_BYTES, "{path} is too small to tell");
        for (accept, expected) in [("br", "br"), ("gzip", "gzip"), ("gzip, deflate, br", "br")] {
            // Twice: the docs page is compressed once and kept.
            for _ in 0..2 {
                let (status, encoding, bytes) = fetch(&app, path, &t, Some(accept)).await;
                assert_eq!((status, encoding.as_deref()), (StatusCode::OK, Some(expected)), "{path} {accept}");
                assert!(bytes.len() < plain.len() / 2, "{path} {accept}: {} of {} bytes", bytes.len(), plain.len());
                let decoded = decode(expected, &bytes);
                if json {
                    let (a, b): (Value, Value) =
                        (serde_json::from_slice(&decoded).unwrap(), serde_json::from_slice(&plain).unwrap());
                    assert_eq!(a, b, "{path} {accept}: decodes to the same JSON");
                } else {
                    assert!(decoded == plain, "{path} {accept}: decodes to the same page");
                }
            }
        }
        let (_, encoding, _) = fetch(&app, path, &t, Some("identity, br;q=0")).await;
        assert_eq!(encoding, None, "{path}: a refused coding is not used");
    }
}

#[tokio::test]
async fn small_bodies_and_media_go_out_as_they_are() {
    let app = TestApp::spawn().await;
    let t = token(&app.signed_in_user("plain@compress.sa", PASSWORD).await);
    let (status, encoding, body) = fetch(&app, "/api/v1/users/me/bookmarks", &t, Some("br, gzip")).await;
    assert_eq!((status, encoding), (StatusCode::OK, None));
    assert!(body.len() < p2p_sandbox::api::compression::MIN_BYTES);

    let image = png(512, 512);
    assert!(image.len() >= p2p_sandbox::api::compression::MIN_BYTES);
    let r = app.upload_avatar(&t, file_form(image.clone(), "me.png", "image/png")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let me: Value = r.json().await.unwrap();
    let url = me["user"]["profile_picture_url"].as_str().unwrap().to_owned();
    let (status, encoding, bytes) = fetch(&app, &url, &t, Some("br, gzip")).await;
    assert_eq!((status, encoding), (StatusCode::OK, None), "media are sent as stored");
    assert_eq!(bytes, image);
}
