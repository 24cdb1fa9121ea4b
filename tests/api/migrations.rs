//! Migration 008 on a store written by the release before it (`tests/fixtures`, made by
//! `make_store_v1.py` with that release): likes, views, bookmarks, drafts and counters all
//! survive the move into the engagement tables, so every read answers as it did before
//! (with any fields the API has gained since).

use std::io::Read;

use serde_json::Value;
use tempfile::TempDir;

use crate::support::{TestApp, token};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/store-v1");

/// The old release's store, unpacked into a fresh data dir, served by this build.
async fn old_store() -> (TestApp, Value) {
    let tmp = TempDir::new().unwrap();
    let mut gz = flate2::read::GzDecoder::new(std::fs::File::open(format!("{FIXTURE}.redb.gz")).unwrap());
    let mut bytes = Vec::new();
    gz.read_to_end(&mut bytes).unwrap();
    std::fs::write(tmp.path().join("p2p.redb"), bytes).unwrap();
    let app = TestApp::spawn_in(tmp).await;
    let expected: Value = serde_json::from_str(&std::fs::read_to_string(format!("{FIXTURE}.json")).unwrap()).unwrap();
    (app, expected)
}

#[tokio::test]
async fn a_store_of_the_previous_release_reads_back_the_same() {
    let (app, expected) = old_store().await;
    let login = app.login_json(expected["email"].as_str().unwrap(), expected["password"].as_str().unwrap()).await;
    let t = token(&login);
    let answers = expected["answers"].as_object().unwrap();
    for (path, before) in answers {
        let now: Value = app.get(path, Some(&t)).await.json().await.unwrap();
        assert!(holds(&now, before), "{path} answers differently after the migration:\n{now}\nwas\n{before}");
    }
    // The engagement the old release recorded is there, not just equal by accident.
    let topic = answers.iter().find(|(p, _)| p.starts_with("/api/v1/forum/topics/") && !p.ends_with("replies"));
    let topic = &topic.unwrap().1;
    assert_eq!((&topic["liked_by_me"], &topic["bookmarked_by_me"]), (&Value::Bool(true), &Value::Bool(true)));
    let bookmarks = &answers["/api/v1/users/me/bookmarks"];
    assert_eq!(bookmarks["topics"].as_array().map(Vec::len), Some(1));
    assert_eq!(bookmarks["use_cases"].as_array().map(Vec::len), Some(1));
    let drafts = &answers["/api/v1/use-cases/drafts"]["items"][0]["fields"];
    assert_eq!((&drafts["latitude"], &drafts["longitude"]), (&serde_json::json!(24.7), &Value::Null));
    assert_eq!(answers["/api/v1/forum/drafts"]["items"][0]["title"], "Half a topic");
}

/// Whether `now` says everything `before` said, the same way: fields added since (the API
/// grows) are allowed, anything changed or lost is not.
fn holds(now: &Value, before: &Value) -> bool {
    match (now, before) {
        (Value::Object(n), Value::Object(b)) => b.iter().all(|(k, v)| n.get(k).is_some_and(|nv| holds(nv, v))),
        (Value::Array(n), Value::Array(b)) => n.len() == b.len() && n.iter().zip(b).all(|(x, y)| holds(x, y)),
        _ => now == before,
    }
}
