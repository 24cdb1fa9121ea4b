//! The check every `TestApp` makes when it is dropped: each (route template, method, status)
//! the server answered during the test is documented for that operation in the committed
//! OpenAPI document. The server's own request metrics say what it answered, labelled by the
//! template poem matched (`/api/v1/forum/topics/:param0`), so every suite checks the
//! document against real answers without any test asking for it.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::OnceLock,
};

use p2p_sandbox::api::metrics::{Answered, UNMATCHED};
use serde_json::Value;

/// Routes served outside the document: the WebSockets, `/metrics`, Swagger UI, the document
/// itself, and every path no route knows.
const OUTSIDE: &[&str] = &["/ws", "/ws/forum/:topic_id", "/metrics", "/docs/", "/api/v1/openapi.json", UNMATCHED];

/// Documented statuses by (route template, method).
type Documented = BTreeMap<(String, String), BTreeSet<u16>>;

/// The committed document's operations, read once per test binary.
fn documented() -> &'static Documented {
    static DOC: OnceLock<Documented> = OnceLock::new();
    DOC.get_or_init(|| {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json")).unwrap();
        let spec: Value = serde_json::from_str(&text).unwrap();
        let mut out = Documented::new();
        for (path, item) in spec["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let statuses = op["responses"].as_object().unwrap().keys().filter_map(|s| s.parse().ok()).collect();
                out.insert((template(path), method.to_uppercase()), statuses);
            }
        }
        out
    })
}

/// The route template poem-openapi registers for a document path: each `{name}` becomes
/// `:param0`, `:param1`, … in order.
pub fn template(path: &str) -> String {
    let mut n = 0;
    let segments = path.split('/').map(|s| {
        if s.starts_with('{') {
            n += 1;
            format!(":param{}", n - 1)
        } else {
            s.to_owned()
        }
    });
    segments.collect::<Vec<_>>().join("/")
}

/// Every answer in `answered` the document does not list, one line each, by route.
pub fn undocumented(answered: &[Answered]) -> Vec<String> {
    let doc = documented();
    let paths: BTreeSet<&str> = doc.keys().map(|(t, _)| t.as_str()).collect();
    let mut wrong: Vec<String> = answered
        .iter()
        .filter(|a| !OUTSIDE.contains(&a.route.as_str()))
        .filter_map(|a| {
            let times = a.count;
            match doc.get(&(a.route.clone(), a.method.clone())) {
                Some(listed) if listed.contains(&a.status) => None,
                Some(listed) => Some(format!(
                    "{} {}: answered {} ({times}×), documents only {listed:?}",
                    a.route, a.method, a.status
                )),
                // A method the path lacks: 405 is the path's answer, not an operation's.
                None if a.status == 405 && paths.contains(a.route.as_str()) => None,
                None => Some(format!("{} {}: answered {} ({times}×), no such operation", a.route, a.method, a.status)),
            }
        })
        .collect();
    wrong.sort();
    wrong
}
