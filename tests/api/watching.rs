//! Watching topics: writing in a topic watches it, unwatching sticks (replying again does not
//! watch it again) and watching by hand works; a reply tells every watcher but its author and
//! those told directly (`watched_reply`) through a job in the persistent queue, which runs
//! after the reply's request: a mail server that holds the job worker on an email proves the
//! reply answered with its watchers' job still queued, and that a reply deleted before the
//! job ran tells no one.

use std::time::Instant;

use futures::{StreamExt, stream};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{
    TestApp,
    activity::{HeldSmtp, watching_in},
    expect_not_found, id_of,
    messages::Person,
    notifications::actor_ids,
    ws::Ws,
};

/// The watchers of the big topic (the number).
const WATCHERS: usize = 500;

/// Requests sent at once when every watcher does the same thing.
const AT_ONCE: usize = 32;

/// `p`'s notifications of `kind`, newest first.
async fn of_kind(app: &TestApp, p: &Person, kind: &str) -> Vec<Value> {
    let all = app.all_notifications(&p.token, false, 100).await;
    all.into_iter().filter(|n| n["kind"] == kind).collect()
}

/// The replies `p` was told of as a watcher, newest first.
async fn watched(app: &TestApp, p: &Person) -> Vec<String> {
    of_kind(app, p, "watched_reply").await.iter().map(|n| n["target_id"].as_str().unwrap().to_owned()).collect()
}

/// The kinds of all of `p`'s notifications, newest first.
async fn kinds(app: &TestApp, p: &Person) -> Vec<String> {
    let all = app.all_notifications(&p.token, false, 100).await;
    all.iter().map(|n| n["kind"].as_str().unwrap().to_owned()).collect()
}

/// Asserts the job queue holds `n` jobs (waiting or running).
async fn assert_queued(app: &TestApp, n: usize) {
    let metrics = app.metrics().await;
    assert!(metrics.contains(&format!("\np2p_job_queue_depth {n}\n")), "{n} jobs queued: {metrics}");
}

/// Replies to `topic`; asserts a 201 and returns the reply's id.
async fn reply(app: &TestApp, p: &Person, topic: &str, body: &str) -> String {
    id_of(&app.new_reply(&p.token, topic, body).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_tells_500_watchers_through_the_job_queue_after_its_request() {
    let started = Instant::now();
    let app = TestApp::spawn().await;
    let asker = app.named_person("asker@kiln.sa", "Asma", "Asker").await;
    let replier = app.named_person("replier@kiln2.sa", "Rami", "Replier").await;
    let title = "Kiln shell hot spots after relining";
    let t = id_of(&app.new_topic(&asker.token, title, "automation", &[]).await);
    let watchers = app.crowd("watcher", WATCHERS).await;
    let watching = stream::iter(watchers.iter().map(|w| app.watch_topic(&w.token, &t))).buffer_unordered(AT_ONCE);
    let answers: Vec<_> = watching.collect().await;
    for r in answers {
        assert!(watching_in(r).await);
    }
    app.wait_for_jobs().await;
    let setup = started.elapsed();

    // The job worker is held on an email: whatever is queued meanwhile stays queued. (A long
    // poll interval would prove nothing: the reply wakes the worker as soon as it commits.)
    let mut smtp = HeldSmtp::start().await;
    let app = app.restart_with(&smtp.settings()).await;
    let app = &app;
    assert_eq!(app.forgot_password(&asker.email).await.status(), StatusCode::ACCEPTED);
    smtp.holding().await;
    assert_queued(app, 1).await;

    // The reply is answered with its watchers' job queued and not yet run: no watcher has
    // heard of it, while the topic's author, told in the reply's own transaction, has.
    let posted = Instant::now();
    let r = app.post_reply(&replier.token, &t, "Check the refractory anchors first", None).await;
    let request = posted.elapsed();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = id_of(&r.json::<Value>().await.unwrap());
    assert_queued(app, 2).await;
    let told: Vec<Vec<String>> =
        stream::iter(watchers.iter().map(|w| watched(app, w))).buffered(AT_ONCE).collect().await;
    assert!(told.iter().all(Vec::is_empty), "a watcher was told inside the reply's request");
    assert_eq!(kinds(app, &asker).await, ["topic_reply"]);

    // Let the worker go: the fan-out runs, in batches, and the queue drains.
    let released = Instant::now();
    smtp.release();
    app.wait_for_jobs().await;
    let fan_out = released.elapsed();
    let metrics = app.metrics().await;
    assert!(metrics.contains("\np2p_job_queue_depth 0\n") && metrics.contains("\np2p_job_dead_letters 0\n"));

    // Every watcher exactly once, about the reply, by its author; nobody else as a watcher.
    let told: Vec<Vec<Value>> =
        stream::iter(watchers.iter().map(|w| of_kind(app, w, "watched_reply"))).buffered(AT_ONCE).collect().await;
    for (w, notes) in watchers.iter().zip(&told) {
        assert_eq!(notes.len(), 1, "{} was told {} times", w.email, notes.len());
        let n = &notes[0];
        assert_eq!(
            (&n["target_type"], &n["target_id"], &n["topic_id"], &n["title"], &n["read"]),
            (&json!("reply"), &json!(r), &json!(t), &json!(title), &json!(false)),
            "{}",
            w.email
        );
        assert_eq!((actor_ids(n), &n["actor_count"]), (vec![replier.id.clone()], &json!(1)));
    }
    for w in watchers.iter().step_by(50) {
        assert_eq!(app.unread_notifications(&w.token).await, 1, "{}", w.email);
    }
    assert_eq!(kinds(app, &asker).await, ["topic_reply"], "the topic's author is told as its author only");
    assert_eq!(kinds(app, &replier).await, Vec::<String>::new(), "the reply's author is told nothing");
    eprintln!(
        "{WATCHERS} watchers: setup {setup:.1?}, reply request {request:.1?}, fan-out {fan_out:.1?}, \
         test {:.1?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn writing_in_a_topic_watches_it_and_unwatching_sticks() {
    let app = &TestApp::spawn().await;
    let a = &app.person("asker@watch.sa").await;
    let b = &app.person("badr@watch2.sa").await;
    let c = &app.person("chen@watch3.sa").await;
    let d = &app.person("dana@watch4.sa").await;
    let e = &app.person("eyad@watch5.sa").await;
    let t = id_of(&app.new_topic(&a.token, "Gearbox oil foams at speed", "automation", &[]).await);

    // The author watches what they create; the others do not until they reply or ask to.
    assert!(app.watching(&a.token, &t).await);
    for p in [b, c, d, e] {
        assert!(!app.watching(&p.token, &t).await, "{}", p.email);
    }
    let r1 = reply(app, b, &t, "Check the breather first").await;
    assert!(app.watching(&b.token, &t).await, "a replier watches");
    assert!(watching_in(app.watch_topic(&c.token, &t).await).await);
    assert!(watching_in(app.watch_topic(&c.token, &t).await).await, "watching twice is watching");
    assert!(app.watching(&c.token, &t).await);

    // A reply: the watchers hear of it from the job, the topic's author as its author only.
    let mut wc = Ws::open(app, &c.token).await;
    let r2 = reply(app, d, &t, "Wrong oil grade, most likely").await;
    app.wait_for_jobs().await;
    assert!(app.watching(&d.token, &t).await);
    assert_eq!((watched(app, b).await, watched(app, c).await), (vec![r2.clone()], vec![r2.clone()]));
    assert_eq!((watched(app, a).await, watched(app, d).await), (vec![], vec![]));
    assert_eq!(kinds(app, a).await, ["topic_reply", "topic_reply"]);
    let (_, frame) = wc.until("notification.created").await;
    assert_eq!(frame["channel"], format!("user.{}", c.id));
    assert_eq!(frame["data"], of_kind(app, c, "watched_reply").await[0], "the socket is told what REST lists");

    // An answer: the answered reply's author is told directly (reply_answer), not twice.
    let r3 = id_of(&app.new_answer(&c.token, &t, &r1, "Or a blocked breather and the wrong grade").await);
    app.wait_for_jobs().await;
    assert_eq!(kinds(app, b).await, ["reply_answer", "watched_reply"]);
    assert_eq!(of_kind(app, b, "reply_answer").await[0]["target_id"], r3.as_str());
    assert_eq!(watched(app, d).await, [r3.as_str()], "nor its author of their own reply");
    assert_eq!(watched(app, c).await, [r2.as_str()], "its author is not told of their own answer");

    // Unwatching sticks: replying again does not watch the topic again.
    assert!(!watching_in(app.unwatch_topic(&b.token, &t).await).await);
    assert!(!watching_in(app.unwatch_topic(&b.token, &t).await).await, "unwatching twice is not watching");
    assert!(!app.watching(&b.token, &t).await);
    let r4 = reply(app, b, &t, "Replaced the breather, still foaming").await;
    assert!(!app.watching(&b.token, &t).await, "replying again does not watch it again");
    let r5 = reply(app, e, &t, "Is there water in the oil?").await;
    app.wait_for_jobs().await;
    assert_eq!(watched(app, b).await, [r2.as_str()], "an unwatcher hears of no reply");
    assert_eq!(watched(app, c).await, [r5.as_str(), r4.as_str(), r2.as_str()]);
    assert_eq!(watched(app, d).await, [r5.as_str(), r4.as_str(), r3.as_str()]);
    assert!(app.watching(&e.token, &t).await);

    // Watching by hand again works.
    assert!(watching_in(app.watch_topic(&b.token, &t).await).await);
    let r6 = reply(app, e, &t, "A sample would settle it").await;
    app.wait_for_jobs().await;
    assert_eq!(watched(app, b).await, [r6.as_str(), r2.as_str()]);

    // The topic's author who unwatches is still told of replies as its author, never as a
    // watcher.
    assert!(!watching_in(app.unwatch_topic(&a.token, &t).await).await);
    let before = app.all_notifications(&a.token, false, 100).await.len();
    let r7 = reply(app, c, &t, "Sent a sample to the lab").await;
    app.wait_for_jobs().await;
    let told = app.all_notifications(&a.token, false, 100).await;
    assert_eq!(told.len(), before + 1);
    assert_eq!((&told[0]["kind"], &told[0]["target_id"]), (&json!("topic_reply"), &json!(r7)));
    assert_eq!(watched(app, a).await, Vec::<String>::new());
    assert_eq!(watched(app, b).await, [r7.as_str(), r6.as_str(), r2.as_str()]);

    // Unknown topics, and a deleted one: 404 for asking, watching and unwatching alike.
    for unknown in ["01900000-0000-7000-8000-000000000000", "not-an-id"] {
        expect_not_found(app.watch_state(&a.token, unknown).await).await;
        expect_not_found(app.watch_topic(&a.token, unknown).await).await;
        expect_not_found(app.unwatch_topic(&a.token, unknown).await).await;
    }
    assert_eq!(app.delete_topic(&a.token, &t).await.status(), StatusCode::NO_CONTENT);
    expect_not_found(app.watch_state(&b.token, &t).await).await;
    expect_not_found(app.watch_topic(&b.token, &t).await).await;
    for p in [b, c, d] {
        assert_eq!(watched(app, p).await, Vec::<String>::new(), "gone with the topic: {}", p.email);
    }
    let anonymous = app.get(&format!("/api/v1/forum/topics/{t}/watch"), None).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_deleted_before_its_watchers_job_ran_tells_no_one() {
    let app = TestApp::spawn().await;
    let a = app.person("asker@held.sa").await;
    let b = app.person("badr@held2.sa").await;
    let w = [app.person("wafa@held3.sa").await, app.person("wael@held4.sa").await];
    let watched_topic = id_of(&app.new_topic(&a.token, "Chain stretch on the conveyor", "automation", &[]).await);
    let quiet_topic = id_of(&app.new_topic(&a.token, "Label printer skips", "automation", &[]).await);
    for p in &w {
        assert!(watching_in(app.watch_topic(&p.token, &watched_topic).await).await);
    }
    app.wait_for_jobs().await;
    let mut smtp = HeldSmtp::start().await;
    let app = &app.restart_with(&smtp.settings()).await;
    assert_eq!(app.forgot_password(&a.email).await.status(), StatusCode::ACCEPTED);
    smtp.holding().await;
    assert_queued(app, 1).await;

    // A reply nobody else watches queues no job: its author wrote it, the topic's author is
    // told in its transaction.
    let quiet = reply(app, &b, &quiet_topic, "Clean the sensor").await;
    assert_queued(app, 1).await;
    // A reply others watch queues one; deleted before it runs, it tells no one.
    let doomed = reply(app, &b, &watched_topic, "Measure the pitch over ten links").await;
    assert_queued(app, 2).await;
    assert_eq!(app.delete_reply(&b.token, &doomed).await.status(), StatusCode::NO_CONTENT);
    smtp.release();
    app.wait_for_jobs().await;
    for p in &w {
        assert_eq!(watched(app, p).await, Vec::<String>::new(), "{}", p.email);
        assert_eq!(app.unread_notifications(&p.token).await, 0, "{}", p.email);
    }
    let told = app.all_notifications(&a.token, false, 100).await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!((&told[0]["kind"], &told[0]["target_id"]), (&json!("topic_reply"), &json!(quiet)));

    // The next reply reaches them as usual.
    let kept = reply(app, &b, &watched_topic, "Measured: 3% stretch, replacing").await;
    app.wait_for_jobs().await;
    for p in &w {
        assert_eq!(watched(app, p).await, [kept.as_str()], "{}", p.email);
    }
}
