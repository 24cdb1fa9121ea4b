//! The committed OpenAPI document matches the binary, and every operation, field and
//! response is documented, with unique operation ids.

use std::collections::HashSet;

use serde_json::Value;

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
            if path.starts_with("/api/") {
                for status in ["400", "401", "405", "413", "415", "422", "429", "500"] {
                    assert!(op["responses"].get(status).is_some(), "{method} {path} does not document {status}");
                }
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
