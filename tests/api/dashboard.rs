//! The dashboard: every figure equals the truth after a scripted sequence of actions,
//! deletions and undone likes included; the recent activity drops deleted content; trending
//! ranks the topic with the most engagement first.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, id_of};

async fn stats(app: &TestApp, token: &str) -> Value {
    app.get_json("/api/v1/dashboard/stats", token).await
}

#[tokio::test]
async fn every_figure_equals_the_truth_after_a_scripted_sequence() {
    let app = TestApp::spawn().await;
    let a = app.person("asker@dash-a.sa").await;
    let b = app.person("answerer@dash-b.sa").await;
    let c = app.person("liker@dash-c.sa").await;
    let empty = stats(&app, &a.token).await;
    assert_eq!(empty["user_stats"]["reputation"], 0);
    assert_eq!(empty["user_stats"]["activity_level"], 0.0);

    // c asks a question nobody answers; a asks twice and deletes one; b answers twice and
    // deletes one; a picks b's answer.
    let quiet = id_of(&app.new_topic(&c.token, "Anyone using solar on factory roofs?", "automation", &[]).await);
    let t1 = id_of(&app.new_topic(&a.token, "How do we cut compressor leaks?", "automation", &[]).await);
    let t2 = id_of(&app.new_topic(&a.token, "A question asked by mistake", "automation", &[]).await);
    assert_eq!(app.delete_topic(&a.token, &t2).await.status(), StatusCode::NO_CONTENT);
    let r1 = id_of(&app.new_reply(&b.token, &t1, "An ultrasonic survey found ours").await);
    let r2 = id_of(&app.new_reply(&b.token, &t1, "A reply that will be deleted").await);
    assert_eq!(app.delete_reply(&b.token, &r2).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.mark_best_answer(&a.token, &t1, &r1).await.status(), StatusCode::OK);
    // c likes b's answer, likes a's topic and takes that like back.
    assert_eq!(app.like_reply(&c.token, &r1).await.status(), StatusCode::OK);
    assert_eq!(app.like_topic(&c.token, &t1).await.status(), StatusCode::OK);
    assert_eq!(app.unlike_topic(&c.token, &t1).await.status(), StatusCode::OK);
    // a bookmarks the topic and keeps a draft; c messages a.
    let bookmarked = app.put(&format!("/api/v1/forum/topics/{t1}/bookmark"), &a.token, json!({})).await;
    assert_eq!(bookmarked.status(), StatusCode::OK);
    let draft = app.create_forum_draft(&a.token, json!({"title": "Half a thought"})).await;
    assert_eq!(draft.status(), StatusCode::CREATED);
    app.message(&c.token, &a.id, "Can I visit your plant next week?").await;

    let mine = stats(&app, &a.token).await;
    let s = &mine["user_stats"];
    // One topic left (5 points), no likes kept; one reply notification (the deleted reply's
    // and the withdrawn like's are gone) and one of the message that came while a had no
    // socket; the message unread.
    let expected = json!({
        "questions_asked": 1, "answers_given": 0, "best_answers": 0, "likes_received": 0,
        "reputation": 5, "use_cases_published": 0, "bookmarks": 1, "drafts": 1,
        "unread_notifications": 2, "unread_messages": 1, "activity_level": 2.6,
    });
    assert_eq!(s, &expected, "{mine}");
    assert_eq!(app.unread_notifications(&a.token).await, 2);

    let theirs = stats(&app, &b.token).await;
    // One reply (2) + best answer (15) + one like (1); told of the best answer and the like.
    let expected = json!({
        "questions_asked": 0, "answers_given": 1, "best_answers": 1, "likes_received": 1,
        "reputation": 18, "use_cases_published": 0, "bookmarks": 0, "drafts": 0,
        "unread_notifications": 2, "unread_messages": 0, "activity_level": 4.2,
    });
    assert_eq!(&theirs["user_stats"], &expected, "{theirs}");

    // The feed, newest first, without the deleted topic and reply.
    let recent: Vec<(String, String)> = mine["recent_activity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["kind"].as_str().unwrap().to_owned(), i["actor"]["id"].as_str().unwrap().to_owned()))
        .collect();
    let want = [("best_answer", &a.id), ("answered", &b.id), ("asked", &a.id), ("asked", &c.id)];
    let want: Vec<(String, String)> = want.iter().map(|(k, id)| ((*k).to_owned(), (*id).clone())).collect();
    assert_eq!(recent, want);
    // Trending: the answered, liked topic above the quiet one; the deleted one is gone.
    let trending: Vec<&str> =
        mine["trending_topics"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(trending, [t1.as_str(), quiet.as_str()]);
    assert_eq!(mine["trending_topics"][0]["reply_count"], 1);
}
