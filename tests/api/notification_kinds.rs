//! Notification kinds beyond replies and likes: `mention` (a topic or reply naming people:
//! each told once, never the author, never twice for one reply, and not again as a watcher;
//! bad mentions refused), `message` (messages while away: one notification per conversation
//! that counts them, changes in place, comes back unread, and is read with the conversation
//! or by writing in it; none while a socket is open or for a muted conversation), and the organization's events (`invitation_accepted`,
//! `join_request` to every admin, `join_approved`, `org_verified` once per verification).

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{
    PASSWORD, TestApp,
    accounts::invited_signup_body,
    expect_invalid, id_of,
    messages::Person,
    notifications::{actor_ids, gist},
    token,
    ws::Ws,
};

/// (kind, target_type, target_id).
type Gist = (String, String, String);

fn g(kind: &str, target_type: &str, target_id: &str) -> Gist {
    (kind.to_owned(), target_type.to_owned(), target_id.to_owned())
}

/// Every notification of `p`, newest first.
async fn all(app: &TestApp, p: &Person) -> Vec<Value> {
    app.all_notifications(&p.token, false, 100).await
}

/// The gists of every notification of `p`, newest first.
async fn gists(app: &TestApp, p: &Person) -> Vec<Gist> {
    all(app, p).await.iter().map(gist).collect()
}

/// `p`'s notifications of `kind`, newest first.
async fn of_kind(app: &TestApp, p: &Person, kind: &str) -> Vec<Value> {
    all(app, p).await.into_iter().filter(|n| n["kind"] == kind).collect()
}

/// `POST /forum/topics` with `mentions`.
async fn topic_mentioning(app: &TestApp, p: &Person, title: &str, mentions: Value) -> reqwest::Response {
    let body = json!({"title": title, "body": "A body long enough for the forum rules.", "category": "automation",
        "tags": [], "mentions": mentions});
    app.create_topic(&p.token, body).await
}

/// Replies to `topic` (under `parent`) naming `mentions`; asserts a 201 and returns the id.
async fn reply_mentioning(
    app: &TestApp,
    p: &Person,
    topic: &str,
    parent: Option<&str>,
    mentions: &[&Person],
) -> String {
    let ids: Vec<&str> = mentions.iter().map(|m| m.id.as_str()).collect();
    let body = json!({"body": "Mentioning the people who know this line", "parent_reply_id": parent, "mentions": ids});
    let r = app.post(&format!("/api/v1/forum/topics/{topic}/replies"), Some(&p.token), body).await;
    assert_eq!(r.status(), StatusCode::CREATED, "reply by {}", p.email);
    id_of(&r.json::<Value>().await.unwrap())
}

/// Waits (bounded) until the server has no socket open.
async fn sockets_closed(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !app.metrics().await.contains("p2p_ws_open_sockets 0") {
        assert!(Instant::now() < deadline, "the socket never closed");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn a_mention_tells_each_person_once_never_the_author_nor_one_told_otherwise() {
    let app = &TestApp::spawn().await;
    let a = &app.named_person("amal@mention.sa", "Amal", "Asker").await;
    let (b, c, d) =
        (&app.person("badr@m-b.sa").await, &app.person("chen@m-c.sa").await, &app.person("dana@m-d.sa").await);
    let (e, w, x) =
        (&app.person("eyad@m-e.sa").await, &app.person("wafa@m-w.sa").await, &app.person("xena@m-x.sa").await);
    let ghost = app.signup("ghost@m-ghost.sa", PASSWORD).await["user"]["id"].clone();

    // Refused, with nothing created: not an id, nobody, someone who cannot sign in.
    let bad = [json!(["not-an-id"]), json!(["01900000-0000-7000-8000-000000000000"]), json!([ghost])];
    for mentions in &bad {
        expect_invalid(topic_mentioning(app, a, "Refused mention", mentions.clone()).await, &["mentions"]).await;
    }
    assert_eq!(app.list_topics(&a.token, "").await["items"], json!([]), "no topic was created");

    // A topic: each person mentioned once (twice in the list is once), the author never.
    let title = "Who tuned the boiler last spring?";
    let r = topic_mentioning(app, a, title, json!([b.id, c.id, a.id, b.id])).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let t = id_of(&r.json::<Value>().await.unwrap());
    for p in [b, c] {
        let told = all(app, p).await;
        assert_eq!(told.iter().map(gist).collect::<Vec<_>>(), [g("mention", "topic", &t)], "{}", p.email);
        let n = &told[0];
        assert_eq!((actor_ids(n), &n["actor_count"], &n["read"]), (vec![a.id.clone()], &json!(1), &json!(false)));
        assert_eq!((&n["topic_id"], &n["title"]), (&json!(t), &json!(title)));
    }
    assert_eq!(gists(app, a).await, []);
    for bad in &bad {
        let body = json!({"body": "A refused reply", "mentions": bad});
        let r = app.post(&format!("/api/v1/forum/topics/{t}/replies"), Some(&d.token), body).await;
        expect_invalid(r, &["mentions"]).await;
    }
    assert_eq!(app.replies(&a.token, &t, "").await["items"], json!([]), "no reply was created");

    // A reply, with a socket open for one mentioned: the topic's author hears of it as its
    // author only; a mentioned watcher is not told again as a watcher; the others watching are.
    for p in [w, x] {
        assert_eq!(app.watch_topic(&p.token, &t).await.status(), StatusCode::OK);
    }
    let mut wb = Ws::open(app, &b.token).await;
    let r1 = reply_mentioning(app, d, &t, None, &[a, b, w, d]).await;
    let (_, frame) = wb.until("notification.created").await;
    assert_eq!(frame["data"], all(app, b).await[0], "the socket is told what REST lists");
    app.wait_for_jobs().await;
    assert_eq!(gists(app, a).await, [g("topic_reply", "reply", &r1)]);
    assert_eq!(gists(app, b).await, [g("mention", "reply", &r1), g("mention", "topic", &t)]);
    let n = &all(app, b).await[0];
    assert_eq!((actor_ids(n), &n["topic_id"], &n["title"]), (vec![d.id.clone()], &json!(t), &json!(title)));
    assert_eq!(gists(app, w).await, [g("mention", "reply", &r1)]);
    assert_eq!(gists(app, x).await, [g("watched_reply", "reply", &r1)]);
    assert_eq!(gists(app, d).await, []);

    // An answer: its parent's author and the topic's author are told as such, not mentioned.
    let r2 = reply_mentioning(app, e, &t, Some(&r1), &[d, a, c]).await;
    app.wait_for_jobs().await;
    assert_eq!(gists(app, d).await, [g("reply_answer", "reply", &r2)]);
    assert_eq!(gists(app, a).await, [g("topic_reply", "reply", &r2), g("topic_reply", "reply", &r1)]);
    assert_eq!(gists(app, c).await, [g("mention", "reply", &r2), g("mention", "topic", &t)]);
    assert_eq!(gists(app, w).await, [g("watched_reply", "reply", &r2), g("mention", "reply", &r1)]);
    assert_eq!(gists(app, x).await, [g("watched_reply", "reply", &r2), g("watched_reply", "reply", &r1)]);
    assert_eq!((gists(app, b).await.len(), gists(app, e).await), (2, vec![]));
}

#[tokio::test]
async fn more_than_twenty_mentions_are_refused_naming_the_field() {
    let app = &TestApp::spawn().await;
    let (a, b) = (&app.person("amal@many.sa").await, &app.person("badr@many2.sa").await);
    let t = id_of(&app.new_topic(&a.token, "A topic to reply in", "automation", &[]).await);
    let many = json!(vec![&b.id; 21]);
    expect_invalid(topic_mentioning(app, a, "Too many mentions", many.clone()).await, &["mentions"]).await;
    let body = json!({"body": "Too many mentions", "mentions": many});
    expect_invalid(app.post(&format!("/api/v1/forum/topics/{t}/replies"), Some(&a.token), body).await, &["mentions"])
        .await;
    // Twenty is the most, and fine.
    let twenty = json!(vec![&b.id; 20]);
    assert_eq!(topic_mentioning(app, a, "Twenty mentions", twenty).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn messages_while_away_are_one_notification_per_conversation_read_with_it() {
    let app = &TestApp::spawn().await;
    let s = &app.named_person("salem@away-n.sa", "Salem", "Sender").await;
    let (s2, s3, r) = (
        &app.person("second@away-n2.sa").await,
        &app.person("third@away-n3.sa").await,
        &app.person("rana@away-n4.sa").await,
    );

    // Away: the first message starts the notification, the next counts in it.
    let m1 = app.message(&s.token, &r.id, "Pump P-101 is back online").await;
    let cid = m1["conversation_id"].as_str().unwrap().to_owned();
    let first = of_kind(app, r, "message").await;
    assert_eq!(first.iter().map(gist).collect::<Vec<_>>(), [g("message", "conversation", &cid)]);
    let n = &first[0];
    assert_eq!((actor_ids(n), &n["actor_count"], &n["read"]), (vec![s.id.clone()], &json!(1), &json!(false)));
    assert_eq!((&n["title"], n.get("topic_id")), (&json!("Pump P-101 is back online"), None));
    app.message(&s.token, &r.id, "Second shift starts at six").await;
    let second = of_kind(app, r, "message").await;
    assert_eq!((second.len(), &second[0]["id"], &second[0]["created_at"]), (1, &n["id"], &n["created_at"]));
    assert_eq!((&second[0]["actor_count"], &second[0]["title"]), (&json!(2), &json!("Second shift starts at six")));
    assert_eq!(app.unread_notifications(&r.token).await, 1);
    // Another conversation, another notification.
    let cid2 = app.message(&s2.token, &r.id, "Hello from the other plant").await["conversation_id"].clone();
    let both: Vec<Gist> = of_kind(app, r, "message").await.iter().map(gist).collect();
    assert_eq!(both, [g("message", "conversation", cid2.as_str().unwrap()), g("message", "conversation", &cid)]);
    assert_eq!(app.unread_notifications(&r.token).await, 2);

    // Read from the list, then another message: the same notification, unread, counting afresh.
    assert_eq!(app.mark_notifications_read(&r.token, Some(&[id_of(n)])).await, 1);
    let m3 = app.message(&s.token, &r.id, "Third: the spare seal arrived").await;
    let again = of_kind(app, r, "message").await.into_iter().find(|x| x["id"] == n["id"]).unwrap();
    assert_eq!((&again["actor_count"], &again["read"]), (&json!(1), &json!(false)));
    assert_eq!(app.unread_notifications(&r.token).await, 2);

    // With a socket open: no notification, from a known sender or a new one.
    let mut wr = Ws::open(app, &r.token).await;
    app.message(&s.token, &r.id, "While you are here").await;
    app.message(&s3.token, &r.id, "A first word, seen live").await;
    let (frames, _) = wr.ping().await;
    let told: Vec<&Value> =
        frames.iter().filter(|f| f["type"].as_str().unwrap().starts_with("notification.")).collect();
    assert!(told.is_empty(), "told while online: {told:?}");
    let now = of_kind(app, r, "message").await;
    assert_eq!(now.len(), 2, "none about the conversation started while online: {now:?}");
    let kept = now.iter().find(|x| x["id"] == n["id"]).unwrap();
    assert_eq!((&kept["actor_count"], &kept["title"]), (&json!(1), &json!("While you are here")));

    // Read part of the way: still unread; read to the end: read, and every socket is told.
    let part = app.read_conversation(&r.token, &cid, Some(&id_of(&m3))).await;
    assert_eq!(part.status(), StatusCode::OK);
    assert_eq!(of_kind(app, r, "message").await.iter().find(|x| x["id"] == n["id"]).unwrap()["read"], false);
    assert_eq!(app.read_conversation(&r.token, &cid, None).await.status(), StatusCode::OK);
    let (_, read) = wr.until("notification.read").await;
    assert_eq!(read["data"], json!({"ids": [n["id"]], "all": false, "unread_count": 1}));
    assert_eq!(of_kind(app, r, "message").await.iter().find(|x| x["id"] == n["id"]).unwrap()["read"], true);
    assert_eq!(app.unread_notifications(&r.token).await, 1);

    // Away again: the same notification comes back unread with one message.
    drop(wr);
    sockets_closed(app).await;
    app.message(&s.token, &r.id, "Back to you after the shift").await;
    let back = of_kind(app, r, "message").await;
    assert_eq!(back.len(), 2);
    let n2 = back.iter().find(|x| x["id"] == n["id"]).unwrap();
    assert_eq!((&n2["actor_count"], &n2["read"], &n2["created_at"]), (&json!(1), &json!(false), &n["created_at"]));
    assert_eq!(app.unread_notifications(&r.token).await, 2);
    assert_eq!(of_kind(app, s, "message").await, Vec::<Value>::new(), "the sender is told nothing");

    // Writing back reads the conversation: r's notification about it is read too.
    app.message(&r.token, &s.id, "Thanks, noted").await;
    let replied = of_kind(app, r, "message").await.into_iter().find(|x| x["id"] == n["id"]).unwrap();
    assert_eq!(replied["read"], true);
    assert_eq!(app.unread_notifications(&r.token).await, 1);
    // s, away, was told of that reply; once s muted the conversation, no bell rings.
    let told = of_kind(app, s, "message").await;
    assert_eq!((told.len(), &told[0]["actor_count"]), (1, &json!(1)));
    assert_eq!(app.mark_notifications_read(&s.token, None).await, 0);
    assert_eq!(app.mute_conversation(&s.token, &cid, true).await.status(), StatusCode::OK);
    app.message(&r.token, &s.id, "Muted on your side").await;
    assert_eq!(app.unread_notifications(&s.token).await, 0, "muted: nothing new");
    assert_eq!(app.mute_conversation(&s.token, &cid, false).await.status(), StatusCode::OK);
    app.message(&r.token, &s.id, "Unmuted now").await;
    assert_eq!(app.unread_notifications(&s.token).await, 1, "unmuted: told again");
}

#[tokio::test]
async fn organization_events_tell_the_inviter_the_admins_and_the_approved() {
    let app = &TestApp::spawn().await;
    let admin = &app.person("admin@plant.sa").await;
    let org = id_of(&app.my_org(&admin.token).await);
    let name = "plant.sa Manufacturing";
    let about_org = |kind: &str| g(kind, "organization", &org);

    // An invitation accepted: the inviter hears of it once the new member has verified.
    assert_eq!(app.invite(&admin.token, "second@plant.sa").await.status(), StatusCode::CREATED);
    let invitation = app.invitation_token("second@plant.sa", 1).await;
    let signup = app.post_signup(invited_signup_body("second@plant.sa", &invitation)).await;
    assert_eq!(signup.status(), StatusCode::CREATED);
    assert_eq!(gists(app, admin).await, [], "not before the email is verified");
    let auth = app.verify_with_emailed_code("second@plant.sa").await;
    let second = &Person {
        token: token(&auth),
        id: auth["user"]["id"].as_str().unwrap().to_owned(),
        email: "second@plant.sa".into(),
    };
    let told = all(app, admin).await;
    assert_eq!(told.iter().map(gist).collect::<Vec<_>>(), [about_org("invitation_accepted")]);
    assert_eq!((actor_ids(&told[0]), &told[0]["title"]), (vec![second.id.clone()], &json!(name)));
    assert_eq!(told[0].get("topic_id"), None);
    assert_eq!(app.set_role(&admin.token, &second.id, "admin").await.status(), StatusCode::OK);

    // A signup to the domain asks to join: every admin is told once it is verified.
    let mut wa = Ws::open(app, &admin.token).await;
    let joiner = app.signup("joiner@plant.sa", PASSWORD).await["user"]["id"].as_str().unwrap().to_owned();
    assert_eq!(app.verify_with_emailed_code("joiner@plant.sa").await["status"], "pending_approval");
    for p in [admin, second] {
        let n = &of_kind(app, p, "join_request").await;
        assert_eq!(n.iter().map(gist).collect::<Vec<_>>(), [about_org("join_request")], "{}", p.email);
        assert_eq!((actor_ids(&n[0]), &n[0]["title"]), (vec![joiner.clone()], &json!(name)));
    }
    let (_, frame) = wa.until("notification.created").await;
    assert_eq!(frame["data"], all(app, admin).await[0]);

    // Approved: the requester is told by the admin who approved; the admins are not.
    let requests = app.join_requests(&second.token).await;
    let request = id_of(&requests["items"][0]);
    let path = format!("/api/v1/organizations/me/join-requests/{request}/approve");
    assert_eq!(app.post(&path, Some(&second.token), json!({})).await.status(), StatusCode::OK);
    let joined =
        &Person { token: app.login_token("joiner@plant.sa").await, id: joiner, email: "joiner@plant.sa".into() };
    let told = all(app, joined).await;
    assert_eq!(told.iter().map(gist).collect::<Vec<_>>(), [about_org("join_approved")]);
    assert_eq!((actor_ids(&told[0]), &told[0]["title"]), (vec![second.id.clone()], &json!(name)));
    let admins_before = [gists(app, admin).await, gists(app, second).await];
    assert_eq!(admins_before.iter().map(Vec::len).collect::<Vec<_>>(), [2, 1]);

    // Another request, rejected: the admins (not the member) are told of the request only.
    app.signup("nope@plant.sa", PASSWORD).await;
    app.verify_with_emailed_code("nope@plant.sa").await;
    let requests = app.join_requests(&admin.token).await;
    let path = format!("/api/v1/organizations/me/join-requests/{}/reject", id_of(&requests["items"][0]));
    assert_eq!(app.post(&path, Some(&admin.token), json!({})).await.status(), StatusCode::OK);
    assert_eq!(gists(app, admin).await[0], about_org("join_request"));
    assert_eq!(gists(app, admin).await[1..], admins_before[0]);
    assert_eq!(gists(app, second).await[1..], admins_before[1]);
    assert_eq!(gists(app, joined).await.len(), 1, "a member is not asked");

    // Verified by a platform admin: each admin once; again while verified, or unverified, nothing.
    let root = app.platform_admin("root@platform.sa").await;
    let verification = format!("/api/v1/organizations/{org}/verification");
    let verify = |on: bool| app.put(&verification, &root, json!({ "verified": on }));
    assert_eq!(verify(true).await.status(), StatusCode::OK);
    for p in [admin, second] {
        let n = &all(app, p).await[0];
        assert_eq!((gist(n), &n["title"]), (about_org("org_verified"), &json!(name)), "{}", p.email);
    }
    assert_eq!(gists(app, joined).await, [about_org("join_approved")], "members are not told");
    for on in [true, false] {
        assert_eq!(verify(on).await.status(), StatusCode::OK);
        assert_eq!(verified_count(app, [admin, second]).await, [1, 1], "verified: {on}");
    }
    // Verified again after being unverified is news again.
    assert_eq!(verify(true).await.status(), StatusCode::OK);
    assert_eq!(verified_count(app, [admin, second]).await, [2, 2]);
}

/// How many `org_verified` notifications each of `admins` has.
async fn verified_count(app: &TestApp, admins: [&Person; 2]) -> [usize; 2] {
    [of_kind(app, admins[0], "org_verified").await.len(), of_kind(app, admins[1], "org_verified").await.len()]
}
