//! A small file with a huge pixel count (a decompression bomb within the limits) must not cost
//! the server its pixel count in memory when the thumbnail is made: the real binary's peak
//! resident memory is read from `/proc` before and after.

use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use serde_json::Value;

use crate::support::{
    TestApp,
    child::ChildServer,
    media::{file_form, png},
};

/// A 24-megapixel PNG of two flat halves: a few hundred KiB on disk, 72 MB as RGB pixels.
fn huge_flat_png() -> Vec<u8> {
    let img =
        image::RgbImage::from_fn(6000, 4000, |x, _| image::Rgb(if x < 3000 { [200, 30, 30] } else { [30, 30, 200] }));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn upload_and_wait_for_thumbnail(
    client: &Client,
    base: &str,
    token: &str,
    bytes: Vec<u8>,
) -> image::DynamicImage {
    let form = file_form(bytes, "plant.png", "image/png");
    let r = client.put(format!("{base}/api/v1/users/me/avatar")).bearer_auth(token).multipart(form);
    let r = r.send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let me: Value = r.json().await.unwrap();
    let url = format!("{base}{}?thumbnail=true", me["user"]["profile_picture_url"].as_str().unwrap());
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let r = client.get(&url).bearer_auth(token).send().await.unwrap();
        if r.status() == StatusCode::OK {
            return image::load_from_memory(&r.bytes().await.unwrap()).unwrap();
        }
        assert!(Instant::now() < deadline, "no thumbnail");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_24_megapixel_png_thumbnail_costs_a_few_mib_not_its_pixels() {
    let mut app = TestApp::spawn().await;
    let token = app.signed_in_token("bomb@press.sa").await;
    app.stop().await;
    let server = ChildServer::start_like(&app).await;
    let client = Client::new();
    // Warm the upload and thumbnail paths with a small image, then take the baseline.
    upload_and_wait_for_thumbnail(&client, &server.base, &token, png(64, 48)).await;
    let huge = huge_flat_png();
    let before = server.status_kib("VmHWM");

    let thumb = upload_and_wait_for_thumbnail(&client, &server.base, &token, huge.clone()).await;
    let grown_mib = (server.status_kib("VmHWM") - before) as f64 / 1024.0;
    eprintln!("peak memory grew {grown_mib:.1} MiB for a {} KiB, 24-megapixel PNG", huge.len() / 1024);
    assert_eq!((thumb.width(), thumb.height()), (256, 171));
    // A full decode holds 72 MB of pixels (plus its thumbnail copy); bounded decoding holds
    // the thumbnail's accumulators and a few rows.
    assert!(grown_mib < 24.0, "peak memory grew {grown_mib:.1} MiB for a {} KiB, 24-megapixel PNG", huge.len() / 1024);
}
