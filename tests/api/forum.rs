//! Forum: topics, replies, moderation, best answers, likes under concurrency, views once
//! per user, bookmarks, and counters that stay exact.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{PASSWORD, TestApp, expect_error, expect_invalid, expect_not_found, id_of, ids, token};

#[tokio::test]
async fn topics_are_validated_listed_filtered_and_viewed_once() {
    let app = TestApp::spawn().await;
    let a = app.signed_in_token("a@forum.sa").await;
    let b = app.signed_in_token("b@other.sa").await;
    let bad = json!({"title": "short", "body": "tiny", "category": "nope", "tags": ["a", "b", "c", "d", "e", "f"]});
    expect_invalid(app.create_topic(&a, bad).await, &["title", "body", "category", "tags"]).await;
    let t1 = app.new_topic(&a, "Vibration on conveyor motors", "maintenance", &["vibration"]).await;
    let t2 = app.new_topic(&b, "PLC upgrade path from S7-300", "automation", &["plc"]).await;
    let t3 = app.new_topic(&a, "Energy audit checklist for SMEs", "energy-efficiency", &[]).await;
    let cats = app.get_json("/api/v1/forum/categories", &a).await;
    let count =
        |id: &str| cats["items"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap()["topic_count"].clone();
    assert_eq!(count("maintenance"), 1);
    assert_eq!(cats["items"][0]["name_ar"], "الأتمتة");
    let newest = app.list_topics(&a, "").await;
    assert_eq!(ids(&newest), vec![id_of(&t3), id_of(&t2), id_of(&t1)]);
    let page = app.list_topics(&a, "limit=2").await;
    let next = app.list_topics(&a, &format!("limit=2&cursor={}", page["next_cursor"].as_str().unwrap())).await;
    assert_eq!(ids(&next), vec![id_of(&t1)]);
    assert!(next["next_cursor"].is_null());
    for (q, expected) in [
        ("category=automation", &t2),
        ("tag=Vibration", &t1),
        (&format!("author_id={}", t2["author"]["id"].as_str().unwrap()) as &str, &t2),
    ] {
        assert_eq!(ids(&app.list_topics(&a, q).await), vec![id_of(expected)], "{q}");
    }
    app.post_reply(&b, &id_of(&t1), "Check the bearings first.", None).await;
    let active = app.list_topics(&a, "sort=active").await;
    assert_eq!(ids(&active)[0], id_of(&t1), "the replied topic is most active");
    let unanswered = app.list_topics(&a, "unanswered=true").await;
    assert_eq!(ids(&unanswered).len(), 2);
    app.like_topic(&b, &id_of(&t3)).await;
    let top = app.list_topics(&a, "sort=top").await;
    assert_eq!(ids(&top)[0], id_of(&t3));
    // Views count once per user.
    for _ in 0..3 {
        app.get_topic(&a, &id_of(&t2)).await;
    }
    let v: Value = app.get_topic(&b, &id_of(&t2)).await.json().await.unwrap();
    assert_eq!(v["view_count"], 2);
    expect_not_found(app.get_topic(&a, "nope").await).await;
}

#[tokio::test]
async fn replies_nest_one_level_edit_by_author_and_respect_locks() {
    let app = TestApp::spawn().await;
    let a = app.signed_in_token("a@replies.sa").await;
    let b = app.signed_in_token("b@other.sa").await;
    let moderator = app.platform_admin("mod@platform.sa").await;
    let t = app.new_topic(&a, "Compressed air leaks everywhere", "energy-efficiency", &[]).await;
    let tid = t["id"].as_str().unwrap();
    let first = app.new_reply(&b, tid, "Use an ultrasonic detector.").await;
    let child = app.post_reply(&a, tid, "Which model do you use?", first["id"].as_str()).await;
    assert_eq!(child.status(), StatusCode::CREATED);
    let child: Value = child.json().await.unwrap();
    let grandchild = app.post_reply(&b, tid, "Too deep for the screens", child["id"].as_str()).await;
    expect_invalid(grandchild, &[]).await;
    expect_invalid(app.post_reply(&b, tid, "no", None).await, &[]).await;
    let list = app.replies(&a, tid, "limit=1").await;
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"][0]["id"], first["id"]);
    let rest = app.replies(&a, tid, &format!("cursor={}", list["next_cursor"].as_str().unwrap())).await;
    assert_eq!(rest["items"][0]["parent_reply_id"], first["id"]);
    let reply_path = format!("/api/v1/forum/replies/{}", id_of(&first));
    let r = app.patch(&reply_path, &a, json!({"body": "Hijacked text"})).await;
    expect_error(r, StatusCode::FORBIDDEN, "not_author").await;
    let r = app.patch(&reply_path, &b, json!({"body": "Use an ultrasonic leak detector."})).await;
    let edited: Value = r.json().await.unwrap();
    assert!(edited["edited_at"].is_string());
    // Locking is for moderators; a locked topic takes no replies.
    let lock = json!({"locked": true, "pinned": true});
    let moderation = format!("/api/v1/forum/topics/{tid}/moderation");
    expect_error(app.put(&moderation, &a, lock.clone()).await, StatusCode::FORBIDDEN, "not_moderator").await;
    assert_eq!(app.put(&moderation, &moderator, lock).await.status(), StatusCode::OK);
    let locked = app.post_reply(&b, tid, "Still possible?", None).await;
    expect_error(locked, StatusCode::CONFLICT, "topic_locked").await;
    let other = app.new_topic(&b, "A newer topic than the pinned one", "general-discussion", &[]).await;
    let newest = app.list_topics(&a, "").await;
    assert_eq!(newest["items"][0]["id"], tid, "pinned first");
    assert_eq!(newest["items"][1]["id"], other["id"]);
    // Deleting the first reply takes its answer with it.
    assert_eq!(app.delete(&reply_path, &moderator).await.status(), StatusCode::NO_CONTENT);
    let t: Value = app.get_topic(&a, tid).await.json().await.unwrap();
    assert_eq!(t["reply_count"], 0);
}

#[tokio::test]
async fn best_answers_follow_rights_and_move_reputation() {
    let app = TestApp::spawn().await;
    let asker = app.signed_in_token("asker@best.sa").await;
    let helper = app.signed_in_user("helper@other.sa", PASSWORD).await;
    let helper_id = helper["user"]["id"].as_str().unwrap().to_owned();
    let helper = token(&helper);
    let t = app.new_topic(&asker, "Which lubricant for food-grade lines?", "maintenance", &[]).await;
    let tid = t["id"].as_str().unwrap();
    let answer = app.new_reply(&helper, tid, "Use NSF H1 registered grease.").await;
    let body = json!({"reply_id": answer["id"]});
    let best = format!("/api/v1/forum/topics/{tid}/best-answer");
    expect_error(app.put(&best, &helper, body.clone()).await, StatusCode::FORBIDDEN, "not_author").await;
    let marked: Value = app.put(&best, &asker, body).await.json().await.unwrap();
    assert_eq!(marked["best_reply_id"], answer["id"]);
    let reputation = |board: &Value| {
        board["items"].as_array().unwrap().iter().find(|c| c["user_id"] == helper_id.as_str()).unwrap()["reputation"]
            .clone()
    };
    let board = app.contributors(&asker).await;
    assert_eq!(reputation(&board), 2 + 15);
    assert_eq!(board["items"][0]["user_id"], helper_id.as_str(), "best answer puts the helper on top");
    let r = app.delete(&best, &asker).await;
    assert!(r.json::<Value>().await.unwrap()["best_reply_id"].is_null());
    assert_eq!(reputation(&app.contributors(&asker).await), 2);
}

#[tokio::test]
async fn fifty_concurrent_likes_count_exactly_and_bookmarks_list() {
    let app = TestApp::spawn().await;
    let author = app.signed_in_token("author@likes.sa").await;
    let tid = id_of(&app.new_topic(&author, "Kaizen boards that actually work", "continuous-improvement", &[]).await);
    let fans = app.signed_in_crowd("fan", "fans", 25).await;
    // 50 requests: every fan likes twice at once; a like is idempotent.
    let likes = fans.iter().chain(fans.iter()).map(|f| app.like_topic(f, &tid));
    for r in futures::future::join_all(likes).await {
        assert_eq!(r.status(), StatusCode::OK);
    }
    let v: Value = app.get_topic(&author, &tid).await.json().await.unwrap();
    assert_eq!(v["like_count"], 25);
    let path = format!("/api/v1/forum/topics/{tid}/like");
    let r: Value = app.delete(&path, &fans[0]).await.json().await.unwrap();
    assert_eq!(r, json!({"liked": false, "like_count": 24}));
    let r: Value = app.delete(&path, &fans[0]).await.json().await.unwrap();
    assert_eq!(r["like_count"], 24, "unliking twice changes nothing");
    app.put(&format!("/api/v1/forum/topics/{tid}/bookmark"), &fans[1], json!({})).await;
    let b = app.get_json("/api/v1/users/me/bookmarks", &fans[1]).await;
    assert_eq!((&b["items"][0]["type"], &b["items"][0]["topic"]["id"]), (&json!("topic"), &json!(tid)));
    assert_eq!(b["items"][0]["topic"]["bookmarked_by_me"], true);
    assert_eq!(b["total"], 1);
    let stats = app.forum_stats(&author).await;
    assert_eq!(stats["topic_count"], 1);
    assert_eq!(stats["active_member_count"], 1);
    assert_eq!(stats["answered_share"], 0.0);
}

#[tokio::test]
async fn deleting_a_topic_removes_replies_and_restores_counters() {
    let app = TestApp::spawn().await;
    let a = app.signed_in_token("a@delete.sa").await;
    let b = app.signed_in_token("b@other.sa").await;
    let tid = id_of(&app.new_topic(&a, "Temporary topic to be deleted", "general-discussion", &["temp"]).await);
    app.post_reply(&b, &tid, "A reply that goes too.", None).await;
    expect_error(app.delete_topic(&b, &tid).await, StatusCode::FORBIDDEN, "not_author").await;
    assert_eq!(app.delete_topic(&a, &tid).await.status(), StatusCode::NO_CONTENT);
    let stats = app.forum_stats(&a).await;
    assert_eq!((stats["topic_count"].clone(), stats["reply_count"].clone()), (json!(0), json!(0)));
    assert!(app.list_topics(&a, "tag=temp").await["items"].as_array().unwrap().is_empty());
    let board = app.contributors(&a).await;
    assert!(board["items"].as_array().unwrap().is_empty(), "reputation earned by deleted posts is withdrawn: {board}");
}

#[tokio::test]
async fn every_single_filter_listing_has_an_exact_total() {
    let app = TestApp::spawn().await;
    let a = app.signed_in_user("counts@forum-totals.sa", PASSWORD).await;
    let (t, me) = (token(&a), a["user"]["id"].as_str().unwrap().to_owned());
    let b = app.signed_in_token("other@forum-totals2.sa").await;
    let first = id_of(&app.new_topic(&t, "PLC upgrade on line one", "automation", &["PLC", "retrofit"]).await);
    app.new_topic(&t, "PLC alarms flood the HMI", "automation", &["plc"]).await;
    app.new_topic(&b, "Supplier audits for resin", "quality-management", &[]).await;
    app.new_reply(&b, &first, "Which PLC family?").await;
    let total = async |query: &str| app.list_topics(&t, query).await["total"].clone();
    assert_eq!(total("").await, 3);
    assert_eq!(total("category=automation").await, 2);
    assert_eq!(total("tag=plc").await, 2, "tags count case-insensitively");
    assert_eq!(total(&format!("author_id={me}")).await, 2);
    assert_eq!(total("unanswered=true").await, 2);
    assert_eq!(total("category=automation&tag=plc").await, 2, "combined filters count their matches");
    assert_eq!(total("category=automation&unanswered=true").await, 1);
    // Counts follow edits and deletions.
    let edit = json!({"tags": ["retrofit"]});
    let path = format!("/api/v1/forum/topics/{first}");
    assert_eq!(app.send(reqwest::Method::PATCH, &path, Some(&t), edit).await.status(), StatusCode::OK);
    assert_eq!(total("tag=plc").await, 1);
    assert_eq!(app.delete_topic(&t, &first).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        (total("").await, total("tag=retrofit").await, total("unanswered=true").await),
        (json!(2), json!(0), json!(2))
    );
}
