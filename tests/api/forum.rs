//! Forum: topics, replies, moderation, best answers, likes under concurrency, views once
//! per user, bookmarks, and counters that stay exact.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, expect_error};

fn token(v: &Value) -> String {
    v["access_token"].as_str().unwrap().to_owned()
}

async fn topic(app: &TestApp, t: &str, title: &str, category: &str, tags: &[&str]) -> Value {
    let body = json!({"title": title, "body": "A long enough body describing the problem on the line.", "category": category, "tags": tags});
    let r = app.post("/api/v1/forum/topics", Some(t), body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json().await.unwrap()
}

async fn reply(app: &TestApp, t: &str, topic: &str, content: &str, parent: Option<&str>) -> reqwest::Response {
    app.post(
        &format!("/api/v1/forum/topics/{topic}/replies"),
        Some(t),
        json!({"content": content, "parent_reply_id": parent}),
    )
    .await
}

#[tokio::test]
async fn topics_are_validated_listed_filtered_and_viewed_once() {
    let app = TestApp::spawn().await;
    let a = token(&app.signed_in_user("a@forum.sa", PASSWORD).await);
    let b = token(&app.signed_in_user("b@other.sa", PASSWORD).await);
    let bad = json!({"title": "short", "body": "tiny", "category": "nope", "tags": ["a", "b", "c", "d", "e", "f"]});
    let e = expect_error(
        app.post("/api/v1/forum/topics", Some(&a), bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    for f in ["title", "body", "category", "tags"] {
        assert!(e["fields"].get(f).is_some(), "{f}: {e}");
    }
    let t1 = topic(&app, &a, "Vibration on conveyor motors", "maintenance", &["vibration"]).await;
    let t2 = topic(&app, &b, "PLC upgrade path from S7-300", "automation", &["plc"]).await;
    let t3 = topic(&app, &a, "Energy audit checklist for SMEs", "energy-efficiency", &[]).await;
    let cats: Value = app.get("/api/v1/forum/categories", Some(&a)).await.json().await.unwrap();
    let count =
        |id: &str| cats["items"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap()["topic_count"].clone();
    assert_eq!(count("maintenance"), 1);
    assert_eq!(cats["items"][0]["name_ar"], "الأتمتة");
    let ids = |v: &Value| {
        v["items"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
    };
    let newest: Value = app.get("/api/v1/forum/topics", Some(&a)).await.json().await.unwrap();
    assert_eq!(ids(&newest), vec![t3["id"].as_str().unwrap(), t2["id"].as_str().unwrap(), t1["id"].as_str().unwrap()]);
    let page: Value = app.get("/api/v1/forum/topics?limit=2", Some(&a)).await.json().await.unwrap();
    let next: Value = app
        .get(&format!("/api/v1/forum/topics?limit=2&cursor={}", page["next_cursor"].as_str().unwrap()), Some(&a))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ids(&next), vec![t1["id"].as_str().unwrap()]);
    assert!(next["next_cursor"].is_null());
    for (q, expected) in [
        ("category=automation", &t2),
        ("tag=Vibration", &t1),
        (&format!("author_id={}", t2["author"]["id"].as_str().unwrap()) as &str, &t2),
    ] {
        let v: Value = app.get(&format!("/api/v1/forum/topics?{q}"), Some(&a)).await.json().await.unwrap();
        assert_eq!(ids(&v), vec![expected["id"].as_str().unwrap()], "{q}");
    }
    reply(&app, &b, t1["id"].as_str().unwrap(), "Check the bearings first.", None).await;
    let active: Value = app.get("/api/v1/forum/topics?sort=active", Some(&a)).await.json().await.unwrap();
    assert_eq!(ids(&active)[0], t1["id"].as_str().unwrap(), "the replied topic is most active");
    let unanswered: Value = app.get("/api/v1/forum/topics?unanswered=true", Some(&a)).await.json().await.unwrap();
    assert_eq!(ids(&unanswered).len(), 2);
    app.send(Method::PUT, &format!("/api/v1/forum/topics/{}/like", t3["id"].as_str().unwrap()), Some(&b), json!({}))
        .await;
    let top: Value = app.get("/api/v1/forum/topics?sort=top", Some(&a)).await.json().await.unwrap();
    assert_eq!(ids(&top)[0], t3["id"].as_str().unwrap());
    // Views count once per user.
    let path = format!("/api/v1/forum/topics/{}", t2["id"].as_str().unwrap());
    for _ in 0..3 {
        app.get(&path, Some(&a)).await;
    }
    let v: Value = app.get(&path, Some(&b)).await.json().await.unwrap();
    assert_eq!(v["view_count"], 2);
    expect_error(app.get("/api/v1/forum/topics/nope", Some(&a)).await, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn replies_nest_one_level_edit_by_author_and_respect_locks() {
    let app = TestApp::spawn().await;
    let a = token(&app.signed_in_user("a@replies.sa", PASSWORD).await);
    let b = token(&app.signed_in_user("b@other.sa", PASSWORD).await);
    let moderator = app.platform_admin("mod@platform.sa").await;
    let t = topic(&app, &a, "Compressed air leaks everywhere", "energy-efficiency", &[]).await;
    let tid = t["id"].as_str().unwrap();
    let first: Value = reply(&app, &b, tid, "Use an ultrasonic detector.", None).await.json().await.unwrap();
    let child = reply(&app, &a, tid, "Which model do you use?", first["id"].as_str()).await;
    assert_eq!(child.status(), StatusCode::CREATED);
    let child: Value = child.json().await.unwrap();
    let grandchild = reply(&app, &b, tid, "Too deep for the screens", child["id"].as_str()).await;
    expect_error(grandchild, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    expect_error(reply(&app, &b, tid, "no", None).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let list: Value =
        app.get(&format!("/api/v1/forum/topics/{tid}/replies?limit=1"), Some(&a)).await.json().await.unwrap();
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"][0]["id"], first["id"]);
    let rest: Value = app
        .get(&format!("/api/v1/forum/topics/{tid}/replies?cursor={}", list["next_cursor"].as_str().unwrap()), Some(&a))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rest["items"][0]["parent_reply_id"], first["id"]);
    let rid = first["id"].as_str().unwrap();
    let r = app
        .send(Method::PATCH, &format!("/api/v1/forum/replies/{rid}"), Some(&a), json!({"content": "Hijacked text"}))
        .await;
    expect_error(r, StatusCode::FORBIDDEN, "not_author").await;
    let r = app
        .send(
            Method::PATCH,
            &format!("/api/v1/forum/replies/{rid}"),
            Some(&b),
            json!({"content": "Use an ultrasonic leak detector."}),
        )
        .await;
    let edited: Value = r.json().await.unwrap();
    assert!(edited["edited_at"].is_string());
    // Locking is for moderators; a locked topic takes no replies.
    let lock = json!({"locked": true, "pinned": true});
    let r = app.send(Method::PUT, &format!("/api/v1/forum/topics/{tid}/moderation"), Some(&a), lock.clone()).await;
    expect_error(r, StatusCode::FORBIDDEN, "not_moderator").await;
    let r = app.send(Method::PUT, &format!("/api/v1/forum/topics/{tid}/moderation"), Some(&moderator), lock).await;
    assert_eq!(r.status(), StatusCode::OK);
    expect_error(reply(&app, &b, tid, "Still possible?", None).await, StatusCode::CONFLICT, "topic_locked").await;
    let other = topic(&app, &b, "A newer topic than the pinned one", "general-discussion", &[]).await;
    let newest: Value = app.get("/api/v1/forum/topics", Some(&a)).await.json().await.unwrap();
    assert_eq!(newest["items"][0]["id"], tid, "pinned first");
    assert_eq!(newest["items"][1]["id"], other["id"]);
    // Deleting the first reply takes its answer with it.
    let r = app.send(Method::DELETE, &format!("/api/v1/forum/replies/{rid}"), Some(&moderator), json!({})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let t: Value = app.get(&format!("/api/v1/forum/topics/{tid}"), Some(&a)).await.json().await.unwrap();
    assert_eq!(t["reply_count"], 0);
}

#[tokio::test]
async fn best_answers_follow_rights_and_move_reputation() {
    let app = TestApp::spawn().await;
    let asker = token(&app.signed_in_user("asker@best.sa", PASSWORD).await);
    let helper = app.signed_in_user("helper@other.sa", PASSWORD).await;
    let helper_id = helper["user"]["id"].as_str().unwrap().to_owned();
    let helper = token(&helper);
    let t = topic(&app, &asker, "Which lubricant for food-grade lines?", "maintenance", &[]).await;
    let tid = t["id"].as_str().unwrap();
    let answer: Value = reply(&app, &helper, tid, "Use NSF H1 registered grease.", None).await.json().await.unwrap();
    let body = json!({"reply_id": answer["id"]});
    let r =
        app.send(Method::PUT, &format!("/api/v1/forum/topics/{tid}/best-answer"), Some(&helper), body.clone()).await;
    expect_error(r, StatusCode::FORBIDDEN, "not_author").await;
    let r = app.send(Method::PUT, &format!("/api/v1/forum/topics/{tid}/best-answer"), Some(&asker), body).await;
    let marked: Value = r.json().await.unwrap();
    assert_eq!(marked["best_reply_id"], answer["id"]);
    let board: Value = app.get("/api/v1/forum/contributors", Some(&asker)).await.json().await.unwrap();
    let helper_row =
        board["items"].as_array().unwrap().iter().find(|c| c["user_id"] == helper_id.as_str()).unwrap().clone();
    assert_eq!(helper_row["reputation"], 2 + 15);
    assert_eq!(board["items"][0]["user_id"], helper_id.as_str(), "best answer puts the helper on top");
    let r = app.send(Method::DELETE, &format!("/api/v1/forum/topics/{tid}/best-answer"), Some(&asker), json!({})).await;
    assert!(r.json::<Value>().await.unwrap()["best_reply_id"].is_null());
    let board: Value = app.get("/api/v1/forum/contributors", Some(&asker)).await.json().await.unwrap();
    let helper_row =
        board["items"].as_array().unwrap().iter().find(|c| c["user_id"] == helper_id.as_str()).unwrap().clone();
    assert_eq!(helper_row["reputation"], 2);
}

#[tokio::test]
async fn fifty_concurrent_likes_count_exactly_and_bookmarks_list() {
    let app = TestApp::spawn().await;
    let author = token(&app.signed_in_user("author@likes.sa", PASSWORD).await);
    let t = topic(&app, &author, "Kaizen boards that actually work", "continuous-improvement", &[]).await;
    let tid = t["id"].as_str().unwrap().to_owned();
    let mut fans = Vec::new();
    for i in 0..25 {
        fans.push(token(&app.signed_in_user(&format!("fan{i}@fans{i}.sa"), PASSWORD).await));
    }
    // 50 requests: every fan likes twice at once; a like is idempotent.
    let path = format!("/api/v1/forum/topics/{tid}/like");
    let likes = fans.iter().chain(fans.iter()).map(|f| app.send(Method::PUT, &path, Some(f), json!({})));
    for r in futures::future::join_all(likes).await {
        assert_eq!(r.status(), StatusCode::OK);
    }
    let v: Value = app.get(&format!("/api/v1/forum/topics/{tid}"), Some(&author)).await.json().await.unwrap();
    assert_eq!(v["like_count"], 25);
    let r: Value = app.send(Method::DELETE, &path, Some(&fans[0]), json!({})).await.json().await.unwrap();
    assert_eq!(r, json!({"liked": false, "likes": 24}));
    let r: Value = app.send(Method::DELETE, &path, Some(&fans[0]), json!({})).await.json().await.unwrap();
    assert_eq!(r["likes"], 24, "unliking twice changes nothing");
    app.send(Method::PUT, &format!("/api/v1/forum/topics/{tid}/bookmark"), Some(&fans[1]), json!({})).await;
    let b: Value = app.get("/api/v1/users/me/bookmarks", Some(&fans[1])).await.json().await.unwrap();
    assert_eq!(b["topics"][0]["id"], tid.as_str());
    assert_eq!(b["topics"][0]["bookmarked_by_me"], true);
    let stats: Value = app.get("/api/v1/forum/stats", Some(&author)).await.json().await.unwrap();
    assert_eq!(stats["topics"], 1);
    assert_eq!(stats["active_members"], 1);
    assert_eq!(stats["answered_share"], 0.0);
}

#[tokio::test]
async fn deleting_a_topic_removes_replies_and_restores_counters() {
    let app = TestApp::spawn().await;
    let a = token(&app.signed_in_user("a@delete.sa", PASSWORD).await);
    let b = token(&app.signed_in_user("b@other.sa", PASSWORD).await);
    let t = topic(&app, &a, "Temporary topic to be deleted", "general-discussion", &["temp"]).await;
    let tid = t["id"].as_str().unwrap();
    reply(&app, &b, tid, "A reply that goes too.", None).await;
    let r = app.send(Method::DELETE, &format!("/api/v1/forum/topics/{tid}"), Some(&b), json!({})).await;
    expect_error(r, StatusCode::FORBIDDEN, "not_author").await;
    let r = app.send(Method::DELETE, &format!("/api/v1/forum/topics/{tid}"), Some(&a), json!({})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let stats: Value = app.get("/api/v1/forum/stats", Some(&a)).await.json().await.unwrap();
    assert_eq!((stats["topics"].clone(), stats["replies"].clone()), (json!(0), json!(0)));
    let list: Value = app.get("/api/v1/forum/topics?tag=temp", Some(&a)).await.json().await.unwrap();
    assert!(list["items"].as_array().unwrap().is_empty());
    let board: Value = app.get("/api/v1/forum/contributors", Some(&a)).await.json().await.unwrap();
    assert!(board["items"].as_array().unwrap().is_empty(), "reputation earned by deleted posts is withdrawn: {board}");
}
