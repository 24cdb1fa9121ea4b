//! Health, readiness, metrics, request ids and security headers.

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{PASSWORD, TestApp};

#[tokio::test]
async fn health_answers_with_version_and_uptime() {
    let app = TestApp::spawn().await;
    for path in ["/health", "/health/"] {
        let r = app.get(path, None).await;
        assert_eq!(r.status(), StatusCode::OK);
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["x-frame-options"], "DENY");
        assert!(h.contains_key("referrer-policy"));
        assert!(h.contains_key("x-request-id"));
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["status"], "healthy");
        assert_eq!(body["async"], true);
        assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
        assert!(body["uptime_seconds"].is_u64());
    }
}

#[tokio::test]
async fn a_client_request_id_is_echoed() {
    let app = TestApp::spawn().await;
    let r = app.req(reqwest::Method::GET, "/health").header("x-request-id", "abc-123").send().await.unwrap();
    assert_eq!(r.headers()["x-request-id"], "abc-123");
    let r = app.req(reqwest::Method::GET, "/health").header("x-request-id", "bad id with spaces").send().await.unwrap();
    assert_ne!(r.headers()["x-request-id"], "bad id with spaces");
}

#[tokio::test]
async fn readiness_checks_store_disk_and_jobs() {
    let app = TestApp::spawn().await;
    // A new data dir's search index is built (from an empty store) while the server serves.
    app.wait_for_index().await;
    let r = app.get("/health/ready", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    for check in ["store", "disk", "jobs", "search"] {
        assert_eq!(body[check]["ok"], true, "{check}: {body}");
    }
}

#[tokio::test]
async fn metrics_report_requests_and_queue() {
    let app = TestApp::spawn().await;
    app.signed_in_user("m@metrics.sa", PASSWORD).await;
    let text = app.metrics().await;
    assert!(
        text.contains(
            "p2p_http_request_duration_seconds_bucket{method=\"POST\",route=\"/api/v1/auth/signup\",status=\"201\""
        ),
        "{text}"
    );
    for name in ["p2p_job_queue_depth", "p2p_store_size_bytes", "p2p_sessions_cached 1", "p2p_uptime_seconds"] {
        assert!(text.contains(name), "missing {name}");
    }
}

#[tokio::test]
async fn swagger_ui_and_spec_are_served() {
    let app = TestApp::spawn().await;
    let docs = app.get("/docs", None).await;
    assert_eq!(docs.status(), StatusCode::OK);
    assert!(docs.text().await.unwrap().contains("swagger"));
    let spec: Value = app.get("/api/v1/openapi.json", None).await.json().await.unwrap();
    assert_eq!(spec["info"]["title"], "P2P Sandbox API");
}

#[tokio::test]
async fn cors_preflight_allows_the_configured_origin_only() {
    let app = TestApp::spawn().await;
    let pre = |origin: &'static str| {
        app.req(reqwest::Method::OPTIONS, "/api/v1/users/me")
            .header("origin", origin)
            .header("access-control-request-method", "PATCH")
            .send()
    };
    let ok = pre("http://localhost:5173").await.unwrap();
    assert_eq!(ok.headers()["access-control-allow-origin"], "http://localhost:5173");
    assert_eq!(ok.headers()["access-control-allow-credentials"], "true");
    let bad = pre("https://evil.example").await.unwrap();
    assert!(bad.headers().get("access-control-allow-origin").is_none());
}
