//! `/metrics`: labelled by route template only (random paths cannot grow it), the SPEC §12
//! set present, and an optional bearer token.

use reqwest::StatusCode;

use crate::support::{PASSWORD, TestApp, expect_error};

/// The latency series (one per method × route × status).
fn series(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.starts_with("p2p_http_request_duration_seconds_count")).collect()
}

#[tokio::test]
async fn random_paths_do_not_add_series() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("labels@metrics.sa").await;
    let client = reqwest::Client::new();
    // One request of each kind first, so every series these requests can make exists.
    let kinds = |i: usize| {
        [
            format!("/api/v1/forum/topics/zz{i}q"),
            format!("/api/v1/no/such/route/{i}"),
            format!("/x{i}"),
            format!("/api/v1/use-cases/{i}-{i}"),
        ]
    };
    for path in kinds(0) {
        client.get(app.url(&path)).send().await.unwrap();
        client.get(app.url(&path)).bearer_auth(&t).send().await.unwrap();
    }
    client.request(reqwest::Method::from_bytes(b"BREW").unwrap(), app.url("/health")).send().await.unwrap();
    let before = app.metrics().await;

    for i in 1..=300 {
        for path in kinds(i) {
            client.get(app.url(&path)).send().await.unwrap();
            client.get(app.url(&path)).bearer_auth(&t).send().await.unwrap();
        }
        client
            .request(reqwest::Method::from_bytes(format!("M{i}").as_bytes()).unwrap(), app.url("/health"))
            .send()
            .await
            .unwrap();
    }
    let after = app.metrics().await;
    let (b, a) = (series(&before), series(&after));
    // `/metrics` itself adds its own series between the two scrapes; nothing else may.
    let new: Vec<&&str> = a.iter().filter(|l| !b.iter().any(|x| x.split(' ').next() == l.split(' ').next())).collect();
    assert!(new.iter().all(|l| l.contains("route=\"/metrics\"")), "new series: {new:#?}");
    assert!(!after.contains("zz1q") && !after.contains("/x1\""), "raw paths never become labels");
    assert!(
        after.contains("route=\"/api/v1/forum/topics/:param0\",status=\"401\""),
        "the template is the label: {after}"
    );
    assert!(after.contains("route=\"unmatched\",status=\"404\""));
    assert!(after.contains("method=\"OTHER\""), "unknown methods share one label");
}

#[tokio::test]
async fn the_spec_set_of_metrics_is_exposed() {
    let app = TestApp::spawn().await;
    app.signed_in_user("set@metrics.sa", PASSWORD).await;
    let text = app.metrics().await;
    for name in [
        "p2p_http_request_duration_seconds_bucket{method=\"POST\",route=\"/api/v1/auth/signup\",status=\"201\"",
        "p2p_ws_open_sockets",
        "p2p_hub_events_published_total",
        "p2p_hub_events_delivered_total",
        "p2p_hub_events_dropped_total",
        "p2p_job_queue_depth",
        "p2p_job_queue_oldest_due_seconds",
        "p2p_job_dead_letters",
        "p2p_store_size_bytes",
        "p2p_sessions_cached 1",
        "p2p_process_resident_memory_bytes",
        "p2p_process_cpu_seconds_total",
        "p2p_process_open_fds",
    ] {
        assert!(text.contains(name), "missing {name}");
    }
}

#[tokio::test]
async fn a_configured_token_protects_metrics() {
    let app = TestApp::spawn_with(&[("P2P_HTTP__METRICS_TOKEN", "scrape-secret-42")]).await;
    expect_error(app.get("/metrics", None).await, StatusCode::UNAUTHORIZED, "metrics_token_required").await;
    expect_error(app.get("/metrics", Some("wrong")).await, StatusCode::UNAUTHORIZED, "metrics_token_required").await;
    let ok = app.get("/metrics", Some("scrape-secret-42")).await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert!(ok.text().await.unwrap().contains("p2p_uptime_seconds"));
    // Everything else is unaffected.
    let r = app.login("a@b.sa", "x").await;
    assert_ne!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
}
