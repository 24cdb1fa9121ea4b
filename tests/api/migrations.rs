//! Migration 008 on a store written by the release before it (`tests/fixtures`, made by
//! `make_store_v1.py` with that release): likes, views, bookmarks, drafts and counters all
//! survive the move into the engagement tables, so every read answers as it did before
//! (with any fields the API has gained since).

use std::io::Read;

use serde_json::{Value, json};
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
        let before = upgraded(path, before.clone());
        assert!(holds(&now, &before), "{path} answers differently after the migration:\n{now}\nwas\n{before}");
    }
    // The engagement the old release recorded is there, not just equal by accident.
    let topic = answers.iter().find(|(p, _)| p.starts_with("/api/v1/forum/topics/") && !p.ends_with("replies"));
    let topic = &topic.unwrap().1;
    assert_eq!((&topic["liked_by_me"], &topic["bookmarked_by_me"]), (&Value::Bool(true), &Value::Bool(true)));
    let bookmarks = &answers["/api/v1/users/me/bookmarks"];
    assert_eq!(bookmarks["topics"].as_array().map(Vec::len), Some(1));
    assert_eq!(bookmarks["use_cases"].as_array().map(Vec::len), Some(1));
    let marked: Value = app.get("/api/v1/users/me/bookmarks", Some(&t)).await.json().await.unwrap();
    assert_eq!(marked["total"], 2, "the migration counted the bookmarks: {marked}");
    let draft_id = answers["/api/v1/use-cases/drafts"]["items"][0]["id"].as_str().unwrap();
    let draft: Value = app.get(&format!("/api/v1/use-cases/drafts/{draft_id}"), Some(&t)).await.json().await.unwrap();
    assert_eq!((&draft["fields"]["latitude"], &draft["fields"]["longitude"]), (&serde_json::json!(24.7), &Value::Null));
    assert_eq!(draft["current_step"], 0, "{draft}");
    assert_eq!(answers["/api/v1/forum/drafts"]["items"][0]["title"], "Half a topic");
}

/// An answer of the old release in the vocabulary of this one: the renames since (one name
/// for post text, `*_count` for counts, category ids, structured ROI, one paged bookmark
/// listing, draft cards without their fields), so `holds` compares like with like.
fn upgraded(path: &str, mut before: Value) -> Value {
    if path == "/api/v1/users/me/bookmarks" {
        let items =
            before["use_cases"].as_array().into_iter().flatten().map(|u| json!({"type": "use_case", "use_case": u}));
        let topics = before["topics"].as_array().into_iter().flatten().map(|t| json!({"type": "topic", "topic": t}));
        before = json!({"items": items.chain(topics).collect::<Vec<_>>()});
    }
    if path == "/api/v1/use-cases/drafts" {
        for d in before["items"].as_array_mut().into_iter().flatten() {
            d.as_object_mut().map(|d| d.remove("fields"));
        }
    }
    let counts: &[(&str, &str)] = match path {
        "/api/v1/forum/stats" | "/api/v1/forum/contributors" => &[
            ("topics", "topic_count"),
            ("replies", "reply_count"),
            ("active_members", "active_member_count"),
            ("best_answers", "best_answer_count"),
        ],
        "/api/v1/use-cases/stats" => &[
            ("total_use_cases", "use_case_count"),
            ("contributing_organizations", "contributing_organization_count"),
            ("featured", "featured_count"),
        ],
        "/api/v1/use-cases/categories" => &[("count", "use_case_count")],
        _ => &[],
    };
    renamed(&mut before, counts);
    before
}

/// Applies the renames to every object in `v`.
fn renamed(v: &mut Value, counts: &[(&str, &str)]) {
    match v {
        Value::Array(items) => items.iter_mut().for_each(|i| renamed(i, counts)),
        Value::Object(o) => {
            let mut moves: Vec<(&str, &str)> = counts.to_vec();
            moves.extend([("summary", "body"), ("content", "body")]);
            for (old, new) in moves {
                if let Some(x) = o.remove(old) {
                    o.insert(new.into(), x);
                }
            }
            if o.contains_key("factory_name") || o.contains_key("current_step") || o.contains_key("updated_at") {
                // A use case (or its draft card): categories by id, ROI in parts, no empty industry.
                match o.get("category").and_then(Value::as_str) {
                    Some("") => drop(o.remove("category")),
                    Some(name) => {
                        let id = p2p_sandbox::domain::use_case::category(name).map(|c| c.id).unwrap_or(name);
                        o.insert("category".into(), json!(id));
                    }
                    None => {}
                }
                if let Some(Value::String(roi)) = o.remove("roi") {
                    o.insert("roi".into(), json!({"headline": roi}));
                }
                if o.get("industry") == Some(&json!("")) {
                    o.remove("industry");
                }
            }
            o.values_mut().for_each(|x| renamed(x, counts));
        }
        _ => {}
    }
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
