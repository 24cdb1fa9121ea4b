//! The committed OpenAPI document matches the binary (and what the server serves), every
//! operation, field and response is documented, with unique operation ids, and each
//! operation lists the error statuses it can answer, as its shape shows them.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{TestApp, conformance::template, expect_error, token};

#[test]
fn committed_spec_matches_the_binary() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json")).unwrap();
    let generated = p2p_sandbox::api::spec_json();
    assert!(
        committed.trim_end() == generated.trim_end(),
        "openapi/openapi.json is stale: run `cargo run -- openapi > openapi/openapi.json`"
    );
}

#[test]
fn every_operation_and_field_is_documented_and_ids_are_unique() {
    let spec: Value = serde_json::from_str(&p2p_sandbox::api::spec_json()).unwrap();
    let mut ids = HashSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(ids.insert(id.to_owned()), "duplicate operationId {id}");
            assert!(op["summary"].as_str().is_some_and(|s| !s.is_empty()), "{method} {path} has no summary");
            for (status, resp) in op["responses"].as_object().unwrap() {
                assert!(
                    resp["description"].as_str().is_some_and(|s| !s.is_empty()),
                    "{method} {path} {status} undocumented"
                );
            }
            let documents = |status: &str| op["responses"].get(status).is_some();
            if path.starts_with("/api/") {
                for status in ["403", "500", "503"] {
                    assert!(documents(status), "{method} {path} does not document {status}");
                }
            }
            // 405 answers a method a path lacks: no operation's.
            assert!(!documents("405"), "{method} {path} documents 405");
            // Only a body can be too large or of the wrong type.
            let body = op.get("requestBody").is_some();
            for status in ["413", "415"] {
                assert_eq!(documents(status), body, "{method} {path}: {status} iff it takes a body");
            }
            if documents("429") {
                assert!(
                    op["responses"]["429"]["headers"].get("RETRY-AFTER").is_some(),
                    "{method} {path}: 429 without Retry-After"
                );
            }
        }
    }
    for (name, schema) in spec["components"]["schemas"].as_object().unwrap() {
        assert!(schema["description"].as_str().is_some_and(|s| !s.is_empty()), "schema {name} undocumented");
        if let Some(props) = schema["properties"].as_object() {
            for (field, p) in props {
                let documented = p["description"].as_str().is_some_and(|s| !s.is_empty())
                    || p["allOf"].is_array()
                    || p["$ref"].is_string();
                assert!(documented, "{name}.{field} undocumented");
            }
        }
    }
    let schemes = &spec["components"]["securitySchemes"];
    assert_eq!(schemes["BearerAuth"]["scheme"], "bearer");
    assert_eq!(schemes["CookieAuth"]["in"], "cookie");
}

#[tokio::test]
async fn the_served_document_and_swagger_ui_carry_the_committed_one() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json")).unwrap();
    let app = TestApp::spawn().await;
    let served = app.get("/api/v1/openapi.json", None).await.text().await.unwrap();
    assert_eq!(served.trim_end(), committed.trim_end());
    let docs = app.get("/docs", None).await.text().await.unwrap();
    assert!(docs.contains(committed.trim_end()), "Swagger UI embeds another document");
}

#[tokio::test]
async fn what_the_shape_rules_rest_on() {
    let app = TestApp::spawn().await;
    let t = token(&app.signed_in_user("shape@rules.sa", crate::support::PASSWORD).await);
    // CORS refuses a foreign origin on a GET too: 403 is every operation's.
    let r = app.req(reqwest::Method::GET, "/api/v1/forum/categories").header("origin", "https://evil.example");
    expect_error(r.bearer_auth(&t).send().await.unwrap(), StatusCode::FORBIDDEN, "bad_origin").await;
    // A number that does not parse: 400; a malformed id in the query: 404; a cursor the
    // listing did not issue: 422.
    let r = app.get("/api/v1/forum/topics?limit=lots", Some(&t)).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = app.get("/api/v1/users?organization_id=nope", Some(&t)).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = app.get("/api/v1/organizations?cursor=nope", Some(&t)).await;
    expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    // An out-of-range limit is clamped, not refused.
    assert_eq!(app.get("/api/v1/forum/topics?limit=100000", Some(&t)).await.status(), StatusCode::OK);
}

#[test]
fn templates_number_the_parameters_in_order() {
    assert_eq!(template("/api/v1/use-cases/{id}/media/{media_id}"), "/api/v1/use-cases/:param0/media/:param1");
    assert_eq!(template("/api/v1/users/me"), "/api/v1/users/me");
}
