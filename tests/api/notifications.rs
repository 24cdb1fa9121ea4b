//! Notifications (first part): each kind comes from its own action only and never from one's
//! own; likes of one item are one grouped notification that names the latest likers, counts
//! them all, changes in place and comes back unread; marking read reaches every tab; deleting
//! content takes its notifications off the list and the bell; the list pages newest first.
//! Every notification a socket receives is the one REST lists. (Watching topics, whose
//! `watched_reply` notifications come from a job, has its own tests: the checks here look at
//! the four kinds below only.)

use std::collections::BTreeSet;

use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{
    TestApp, expect_invalid, id_of,
    messages::{Person, assert_newest_first, ids_of},
    notifications::{actor_ids, actor_names, gists_of},
    use_cases::use_case_body,
    ws::Ws,
};

/// The kinds this part records (and the only ones these tests look at).
const KINDS: [&str; 4] = ["topic_reply", "reply_answer", "best_answer", "liked"];

/// (kind, target_type, target_id).
type Gist = (String, String, String);

fn gist(kind: &str, target_type: &str, target_id: &str) -> Gist {
    (kind.to_owned(), target_type.to_owned(), target_id.to_owned())
}

/// `p`'s notifications of `KINDS`, newest first.
async fn listed(app: &TestApp, p: &Person) -> Vec<Value> {
    let all = app.all_notifications(&p.token, false, 100).await;
    all.into_iter().filter(|n| KINDS.contains(&n["kind"].as_str().unwrap())).collect()
}

/// The gists of `p`'s notifications of `KINDS`, newest first.
async fn gists(app: &TestApp, p: &Person) -> Vec<Gist> {
    gists_of(&listed(app, p).await, &KINDS)
}

/// Is `frame` a `notification.created` or `notification.updated` of one of `KINDS`?
fn is_notification(frame: &Value) -> bool {
    matches!(frame["type"].as_str(), Some("notification.created" | "notification.updated"))
        && KINDS.contains(&frame["data"]["kind"].as_str().unwrap_or_default())
}

/// The next `notification.created` or `notification.updated` of `KINDS` (other frames skipped).
async fn next_notification(ws: &mut Ws) -> Value {
    loop {
        let frame = ws.next_json().await;
        if is_notification(&frame) {
            return frame;
        }
    }
}

/// Waits for the `notification.created` about `p`'s newest notification on `p`'s socket;
/// asserts it is on `p`'s channel and is the notification as REST lists it; returns it.
async fn told(app: &TestApp, ws: &mut Ws, p: &Person) -> Value {
    let frame = next_notification(ws).await;
    assert_eq!(frame["type"], "notification.created", "{frame}");
    assert_eq!(frame["channel"], format!("user.{}", p.id));
    let listed = listed(app, p).await;
    assert_eq!(frame["data"], listed[0], "the event is the newest notification as REST lists it");
    listed[0].clone()
}

/// Asserts no notification event of `KINDS`, and no `notification.read`, is waiting on `ws`.
async fn assert_quiet(ws: &mut Ws, who: &str) {
    let (frames, _) = ws.ping().await;
    let unexpected: Vec<&Value> =
        frames.iter().filter(|f| is_notification(f) || f["type"] == "notification.read").collect();
    assert!(unexpected.is_empty(), "{who} was told more: {unexpected:?}");
}

#[tokio::test]
async fn each_kind_comes_from_its_own_action_and_never_from_ones_own() {
    let app = &TestApp::spawn().await;
    let a = &app.named_person("amal@kinds.sa", "Amal", "Topic").await;
    let b = &app.named_person("badr@kinds2.sa", "Badr", "Reply").await;
    let c = &app.named_person("chen@kinds3.sa", "Chen", "Answer").await;
    let (mut wa, mut wb, mut wc) =
        (Ws::open(app, &a.token).await, Ws::open(app, &b.token).await, Ws::open(app, &c.token).await);
    let title = "Compressor trips at night";
    let t = id_of(&app.new_topic(&a.token, title, "automation", &[]).await);

    // One's own actions tell no one: a reply to one's own topic, an answer to it, a like of it.
    let r0 = id_of(&app.new_reply(&a.token, &t, "My own first findings").await);
    app.new_answer(&a.token, &t, &r0, "And a follow-up of mine").await;
    assert_eq!(app.like_topic(&a.token, &t).await.status(), StatusCode::OK);
    assert_eq!(app.like_reply(&a.token, &r0).await.status(), StatusCode::OK);
    for p in [a, b, c] {
        assert_eq!(gists(app, p).await, vec![], "{}", p.email);
    }

    // A reply tells the topic's author (topic_reply about the reply).
    let r1 = id_of(&app.new_reply(&b.token, &t, "Check the suction valve").await);
    let n = told(app, &mut wa, a).await;
    assert_eq!(gists(app, a).await, vec![gist("topic_reply", "reply", &r1)]);
    assert_eq!((actor_ids(&n), actor_names(&n)), (vec![b.id.clone()], vec!["Badr Reply".to_owned()]));
    assert_eq!(
        (&n["actor_count"], &n["topic_id"], &n["title"], &n["read"]),
        (&json!(1), &json!(t), &json!(title), &json!(false))
    );
    assert_eq!(n["created_at"], n["updated_at"]);
    assert_eq!(app.unread_notifications(&a.token).await, 1);
    assert_eq!((gists(app, b).await, gists(app, c).await), (vec![], vec![]));

    // An answer tells the answered reply's author (reply_answer) and the topic's author
    // (topic_reply), each about the answer.
    let r2 = id_of(&app.new_answer(&c.token, &t, &r1, "It was the valve, here is how I knew").await);
    let n = told(app, &mut wb, b).await;
    assert_eq!(gists(app, b).await, vec![gist("reply_answer", "reply", &r2)]);
    assert_eq!((actor_ids(&n), &n["topic_id"], &n["title"]), (vec![c.id.clone()], &json!(t), &json!(title)));
    told(app, &mut wa, a).await;
    assert_eq!(gists(app, a).await, vec![gist("topic_reply", "reply", &r2), gist("topic_reply", "reply", &r1)]);
    assert_eq!(gists(app, c).await, vec![]);

    // The topic's author answering: the reply's author hears of it, the topic's author not.
    let r3 = id_of(&app.new_answer(&a.token, &t, &r1, "Thanks, replacing it tonight").await);
    told(app, &mut wb, b).await;
    assert_eq!(gists(app, b).await, vec![gist("reply_answer", "reply", &r3), gist("reply_answer", "reply", &r2)]);
    assert_eq!(gists(app, a).await.len(), 2);
    // Answering one's own reply: the topic's author hears of it, as a reply to the topic.
    let r4 = id_of(&app.new_answer(&b.token, &t, &r1, "Update: the valve was indeed worn").await);
    told(app, &mut wa, a).await;
    assert_eq!(gists(app, a).await[0], gist("topic_reply", "reply", &r4));
    assert_eq!(gists(app, b).await.len(), 2);
    // Answering the topic's author's reply: they hear of it once, as an answer.
    let r5 = id_of(&app.new_answer(&c.token, &t, &r0, "Your findings match mine").await);
    told(app, &mut wa, a).await;
    let expected = [("reply_answer", &r5), ("topic_reply", &r4), ("topic_reply", &r2), ("topic_reply", &r1)];
    assert_eq!(gists(app, a).await, expected.map(|(k, r)| gist(k, "reply", r)));

    // A like tells the author (liked, no reply kind); liking again changes nothing.
    assert_eq!(app.like_topic(&c.token, &t).await.status(), StatusCode::OK);
    let n = told(app, &mut wa, a).await;
    assert_eq!(gists(app, a).await[0], gist("liked", "topic", &t));
    assert_eq!(
        (actor_ids(&n), &n["actor_count"], &n["topic_id"], &n["title"]),
        (vec![c.id.clone()], &json!(1), &json!(t), &json!(title))
    );
    assert_eq!(app.like_topic(&c.token, &t).await.status(), StatusCode::OK);
    assert_eq!(listed(app, a).await[0], n, "a second like of the same person is no like");
    assert_eq!(gists(app, a).await.len(), 5);
    assert_eq!(app.like_reply(&a.token, &r1).await.status(), StatusCode::OK);
    let n = told(app, &mut wb, b).await;
    assert_eq!(gists(app, b).await[0], gist("liked", "reply", &r1));
    assert_eq!((&n["topic_id"], &n["title"]), (&json!(t), &json!(title)), "a reply's like links to its topic");
    assert_eq!(app.like_reply(&b.token, &r1).await.status(), StatusCode::OK);
    assert_eq!(gists(app, b).await.len(), 3, "liking one's own reply tells no one");

    // Best answer tells the reply's author; choosing one's own reply tells no one.
    assert_eq!(app.mark_best_answer(&a.token, &t, &r1).await.status(), StatusCode::OK);
    let n = told(app, &mut wb, b).await;
    assert_eq!(gists(app, b).await[0], gist("best_answer", "reply", &r1));
    assert_eq!((actor_ids(&n), &n["topic_id"]), (vec![a.id.clone()], &json!(t)));
    assert_eq!(app.mark_best_answer(&a.token, &t, &r0).await.status(), StatusCode::OK);

    // Nothing else notifies: edits, bookmarks, views.
    let before = [gists(app, a).await, gists(app, b).await, gists(app, c).await];
    assert_eq!(app.update_reply(&b.token, &r1, "Check the suction valve first").await.status(), StatusCode::OK);
    let edit = json!({"body": "A longer body, edited after the answers came in."});
    assert_eq!(app.update_topic(&a.token, &t, edit).await.status(), StatusCode::OK);
    let bookmark = app.put(&format!("/api/v1/forum/topics/{t}/bookmark"), &c.token, json!({})).await;
    assert_eq!(bookmark.status(), StatusCode::OK);
    assert_eq!(app.get_topic(&c.token, &t).await.status(), StatusCode::OK);
    assert_eq!([gists(app, a).await, gists(app, b).await, gists(app, c).await], before);
    assert_eq!(before[2], vec![], "the one who only answered and liked was told nothing");
    // The bell counts what is unread (watchers' notifications, from a job, included).
    app.wait_for_jobs().await;
    for (p, ours) in [(a, 5), (b, 4), (c, 0)] {
        let unread = |items: &[Value]| items.iter().filter(|n| n["read"] == false).count() as u64;
        assert_eq!(unread(&listed(app, p).await), ours, "{}", p.email);
        let everything = unread(&app.all_notifications(&p.token, false, 100).await);
        assert_eq!(app.unread_notifications(&p.token).await, everything, "{}", p.email);
    }
    for (ws, who) in [(&mut wa, "a"), (&mut wb, "b"), (&mut wc, "c")] {
        assert_quiet(ws, who).await;
    }
}

/// Last name (letters only) of the `i`th liker: `Aa`, `Ab`, … .
fn liker_name(i: usize) -> String {
    let letter = |base: u8, n: usize| char::from(base + u8::try_from(n).unwrap());
    format!("{}{}", letter(b'A', i / 26), letter(b'a', i % 26))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_likes_of_a_reply_are_one_notification_that_names_the_latest_three() {
    let app = &TestApp::spawn().await;
    let asker = &app.person("asker@group.sa").await;
    let o = &app.named_person("omar@group2.sa", "Omar", "Author").await;
    let t = id_of(&app.new_topic(&asker.token, "Conveyor belt slips when wet", "automation", &[]).await);
    let r = id_of(&app.new_reply(&o.token, &t, "Try a lagged drive pulley").await);
    let likers =
        join_all((0..30).map(|i| async move {
            app.named_person(&format!("liker{i}@likers{i}.sa"), "Liker", &liker_name(i)).await
        }))
        .await;
    let mut wo = Ws::open(app, &o.token).await;

    // 27 at once, then three in a known order.
    let likes = join_all(likers[..27].iter().map(|l| app.like_reply(&l.token, &r))).await;
    assert!(likes.iter().all(|l| l.status() == StatusCode::OK));
    for l in &likers[27..] {
        assert_eq!(app.like_reply(&l.token, &r).await.status(), StatusCode::OK);
    }
    let items = listed(app, o).await;
    assert_eq!(items.len(), 1, "one notification for thirty likes: {items:?}");
    let n = &items[0];
    assert_eq!(
        (gist("liked", "reply", &r), &n["topic_id"], &n["read"]),
        (gists_of(&items, &KINDS)[0].clone(), &json!(t), &json!(false))
    );
    assert_eq!(n["actor_count"], 30);
    assert_eq!(actor_names(n), ["Liker Bd", "Liker Bc", "Liker Bb"], "the last three, newest first");
    assert_eq!(actor_ids(n), ids_of_people(&[&likers[29], &likers[28], &likers[27]]));
    assert_eq!(app.unread_notifications(&o.token).await, 1, "the bell counts it once");
    assert_eq!(app.replies(&o.token, &t, "").await["items"][0]["like_count"], 30);

    // On the socket: created once, then updated with each like (their order under concurrency
    // is the next test's), the last one being the notification as it is.
    let mut frames = Vec::new();
    for _ in 0..30 {
        frames.push(next_notification(&mut wo).await);
    }
    let created = frames.iter().filter(|f| f["type"] == "notification.created").count();
    assert_eq!(created, 1, "created once, updated 29 times");
    assert!(frames.iter().all(|f| f["data"]["id"] == n["id"]), "one notification, changed in place");
    let counts: BTreeSet<u64> = frames.iter().map(|f| f["data"]["actor_count"].as_u64().unwrap()).collect();
    assert_eq!(counts, (1..=30).collect(), "one event per like");
    assert_eq!(&frames[29]["data"], n);

    // An unlike by one who is not named: 29, the same names, still unread.
    assert_eq!(app.unlike_reply(&likers[0].token, &r).await.status(), StatusCode::OK);
    let frame = next_notification(&mut wo).await;
    assert_eq!(frame["type"], "notification.updated");
    let n = listed(app, o).await.remove(0);
    assert_eq!(frame["data"], n);
    assert_eq!((&n["actor_count"], &n["read"]), (&json!(29), &json!(false)));
    assert_eq!(actor_names(&n), ["Liker Bd", "Liker Bc", "Liker Bb"]);
    assert_eq!(app.unread_notifications(&o.token).await, 1);

    // Read, then liked again: unread again, named first, on the bell again.
    assert_eq!(app.mark_notifications_read(&o.token, None).await, 0);
    wo.until("notification.read").await;
    assert_eq!(listed(app, o).await[0]["read"], true);
    assert_eq!(app.like_reply(&likers[0].token, &r).await.status(), StatusCode::OK);
    let frame = next_notification(&mut wo).await;
    assert_eq!(frame["type"], "notification.updated");
    let again = listed(app, o).await;
    assert_eq!(again.len(), 1);
    assert_eq!(frame["data"], again[0]);
    assert_eq!((&again[0]["actor_count"], &again[0]["read"]), (&json!(30), &json!(false)));
    assert_eq!(actor_names(&again[0]), ["Liker Aa", "Liker Bd", "Liker Bc"]);
    assert_eq!(again[0]["created_at"], n["created_at"]);
    assert!(again[0]["updated_at"].as_str() >= n["updated_at"].as_str());
    assert_eq!(app.unread_notifications(&o.token).await, 1);

    // An unlike by the newest liker takes their name off; the others stay named, newest first.
    assert_eq!(app.unlike_reply(&likers[0].token, &r).await.status(), StatusCode::OK);
    let n = next_notification(&mut wo).await["data"].clone();
    assert_eq!(n["actor_count"], 29);
    let named = actor_ids(&n);
    assert!(!named.contains(&likers[0].id) && !named.is_empty() && named.len() <= 3, "{n}");
    let order: Vec<String> = likers[1..].iter().rev().map(|l| l.id.clone()).collect();
    assert_eq!(named, order[..named.len()], "current likers, newest first");

    // Everyone takes their like back: the notification goes, and with it the bell's count.
    for l in &likers[1..] {
        assert_eq!(app.unlike_reply(&l.token, &r).await.status(), StatusCode::OK);
    }
    assert_eq!(listed(app, o).await, Vec::<Value>::new());
    assert_eq!(app.unread_notifications(&o.token).await, 0);
    // A new like starts a new notification.
    assert_eq!(app.like_reply(&likers[5].token, &r).await.status(), StatusCode::OK);
    let fresh = listed(app, o).await;
    assert_eq!(fresh.len(), 1);
    assert_ne!(fresh[0]["id"], n["id"]);
    assert_eq!((actor_ids(&fresh[0]), &fresh[0]["actor_count"]), (vec![likers[5].id.clone()], &json!(1)));
    let (_, created) = wo.until("notification.created").await;
    assert_eq!(created["data"], fresh[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn likes_at_once_reach_the_socket_in_the_order_they_committed() {
    let app = &TestApp::spawn().await;
    let o = &app.person("owner@order.sa").await;
    let topics = [
        id_of(&app.new_topic(&o.token, "Hydraulic press loses pressure", "automation", &[]).await),
        id_of(&app.new_topic(&o.token, "Chiller alarms every morning", "automation", &[]).await),
    ];
    let likers = join_all((0..40).map(|i| async move { app.person(&format!("fan{i}@fans{i}.sa")).await })).await;
    let mut wo = Ws::open(app, &o.token).await;

    let likes = join_all(likers.iter().flat_map(|l| topics.iter().map(|t| app.like_topic(&l.token, t)))).await;
    assert!(likes.iter().all(|l| l.status() == StatusCode::OK));
    let now = listed(app, o).await;
    assert_eq!(now.len(), 2);
    let mut frames = Vec::new();
    for _ in 0..80 {
        frames.push(next_notification(&mut wo).await);
    }
    // Each frame replaces the one before in a client's list, so each notification's frames
    // must come as the likes committed: created first, then one more liker each time, the
    // last being the notification as it is.
    for n in &now {
        let seen: Vec<(&str, u64)> = frames
            .iter()
            .filter(|f| f["data"]["id"] == n["id"])
            .map(|f| (f["type"].as_str().unwrap(), f["data"]["actor_count"].as_u64().unwrap()))
            .collect();
        let mut expected = vec![("notification.created", 1)];
        expected.extend((2..=40).map(|c| ("notification.updated", c)));
        assert_eq!(seen, expected, "notification events in commit order");
        let last = frames.iter().rev().find(|f| f["data"]["id"] == n["id"]).unwrap();
        assert_eq!(&last["data"], n, "the last event is the notification as it is");
    }
}

/// The ids of `people`, in order.
fn ids_of_people(people: &[&Person]) -> Vec<String> {
    people.iter().map(|p| p.id.clone()).collect()
}

#[tokio::test]
async fn marking_read_in_one_tab_clears_the_badge_in_every_tab() {
    let app = &TestApp::spawn().await;
    let p = &app.person("pia@tabs.sa").await;
    let q = &app.person("qasim@tabs2.sa").await;
    let r = &app.person("rana@tabs3.sa").await;
    let (mut tab1, mut tab2) = (Ws::open(app, &p.token).await, Ws::open(app, &app.login_token(&p.email).await).await);
    let mut wr = Ws::open(app, &r.token).await;
    for i in 0..4 {
        let t = id_of(&app.new_topic(&p.token, &format!("Spindle question {i}"), "automation", &[]).await);
        assert_eq!(app.like_topic(&q.token, &t).await.status(), StatusCode::OK);
    }
    let rt = id_of(&app.new_topic(&r.token, "Someone else's topic", "automation", &[]).await);
    assert_eq!(app.like_topic(&p.token, &rt).await.status(), StatusCode::OK);
    let theirs = id_of(&told(app, &mut wr, r).await);

    // Both tabs were told of the four, the same way.
    let n = ids_of(&listed(app, p).await);
    assert_eq!(n.len(), 4);
    let mut seen = Vec::new();
    for tab in [&mut tab1, &mut tab2] {
        let mut frames = Vec::new();
        for _ in 0..4 {
            frames.push(next_notification(tab).await["data"].clone());
        }
        assert_eq!(ids_of(&frames).into_iter().rev().collect::<Vec<_>>(), n, "oldest first on the socket");
        seen.push(frames);
    }
    assert_eq!(seen[0], seen[1]);
    assert_eq!(app.unread_notifications(&p.token).await, 4);

    // Some: the two newest.
    assert_eq!(app.mark_notifications_read(&p.token, Some(&n[..2])).await, 2);
    for tab in [&mut tab1, &mut tab2] {
        let (_, e) = tab.until("notification.read").await;
        assert_eq!(e["channel"], format!("user.{}", p.id));
        assert_eq!(e["data"], json!({"ids": &n[..2], "all": false, "unread_count": 2}));
    }
    let read: Vec<bool> = listed(app, p).await.iter().map(|x| x["read"].as_bool().unwrap()).collect();
    assert_eq!(read, [true, true, false, false]);
    assert_eq!(app.unread_notifications(&p.token).await, 2);
    // Only those that became read are named: not one read already, not someone else's.
    let mixed = [n[0].clone(), theirs.clone(), n[2].clone()];
    assert_eq!(app.mark_notifications_read(&p.token, Some(&mixed)).await, 1);
    for tab in [&mut tab1, &mut tab2] {
        let (_, e) = tab.until("notification.read").await;
        assert_eq!(e["data"], json!({"ids": [&n[2]], "all": false, "unread_count": 1}));
    }
    assert_eq!(app.unread_notifications(&r.token).await, 1, "someone else's stays unread");

    // All, from REST without ids: every tab's badge goes to 0.
    assert_eq!(app.mark_notifications_read(&p.token, None).await, 0);
    for tab in [&mut tab1, &mut tab2] {
        let (_, e) = tab.until("notification.read").await;
        assert_eq!(e["data"], json!({"ids": [&n[3]], "all": true, "unread_count": 0}));
    }
    assert_eq!(app.unread_notifications(&p.token).await, 0);
    let unread = app.notifications(&p.token, "unread_only=true").await;
    assert_eq!((unread["items"].as_array().unwrap().len(), &unread["total"]), (0, &json!(0)));
    assert!(listed(app, p).await.iter().all(|x| x["read"] == true));
    // Again: nothing left to mark.
    assert_eq!(app.mark_notifications_read(&p.token, None).await, 0);
    let (_, e) = tab1.until("notification.read").await;
    assert_eq!(e["data"], json!({"ids": [], "all": true, "unread_count": 0}));

    // Refused: more than 100 ids, or one that is not an id; nothing changes.
    let many: Vec<String> = (0..101).map(|_| n[0].clone()).collect();
    expect_invalid(app.mark_notifications_read_body(&p.token, json!({ "ids": many })).await, &["ids"]).await;
    expect_invalid(app.mark_notifications_read_body(&r.token, json!({"ids": ["nope"]})).await, &["ids"]).await;
    assert_eq!(app.unread_notifications(&r.token).await, 1);
    // The other person heard nothing of it.
    assert_quiet(&mut wr, "the other person").await;
}

#[tokio::test]
async fn deleting_content_takes_its_notifications_off_the_list_and_the_bell() {
    let app = &TestApp::spawn().await;
    let a = &app.person("author@gone.sa").await;
    let b = &app.person("badr@gone2.sa").await;
    let c = &app.named_person("chen@gone3.sa", "Chen", "Liker").await;
    let mut wa = Ws::open(app, &a.token).await;
    let doomed = id_of(&app.new_topic(&a.token, "A topic that will go", "automation", &[]).await);
    let kept = id_of(&app.new_topic(&a.token, "A topic that stays", "automation", &[]).await);
    let rb = id_of(&app.new_reply(&b.token, &doomed, "A reply that goes with it").await);
    let rc = id_of(&app.new_answer(&c.token, &doomed, &rb, "An answer that goes first").await);
    assert_eq!(app.like_topic(&c.token, &doomed).await.status(), StatusCode::OK);
    assert_eq!(app.like_reply(&a.token, &rb).await.status(), StatusCode::OK);
    assert_eq!(app.mark_best_answer(&a.token, &doomed, &rb).await.status(), StatusCode::OK);
    let rk = id_of(&app.new_reply(&b.token, &kept, "A reply that stays").await);
    assert_eq!(app.like_topic(&c.token, &kept).await.status(), StatusCode::OK);

    // Likes of a use case: one notification about it, by its title, without a topic.
    let uc_title = "Vision checks on the filling line";
    let uc = id_of(&app.new_use_case(&a.token, use_case_body(uc_title)).await);
    assert_eq!(app.like_use_case(&b.token, &uc).await.status(), StatusCode::OK);
    assert_eq!(app.like_use_case(&c.token, &uc).await.status(), StatusCode::OK);
    let n = listed(app, a).await.remove(0);
    assert_eq!(gists_of(std::slice::from_ref(&n), &KINDS), vec![gist("liked", "use_case", &uc)]);
    assert_eq!((&n["title"], &n["actor_count"], n.get("topic_id")), (&json!(uc_title), &json!(2), None));
    assert_eq!(actor_names(&n), ["Chen Liker", "Sara Al-Harbi"]);
    let mut frames = Vec::new();
    while frames.last().is_none_or(|f: &Value| f["data"]["target_id"] != uc.as_str() || f["data"]["actor_count"] != 2) {
        frames.push(next_notification(&mut wa).await);
    }
    let about_uc: Vec<&Value> = frames.iter().filter(|f| f["data"]["target_id"] == uc.as_str()).collect();
    assert_eq!(
        about_uc.iter().map(|f| f["type"].as_str().unwrap()).collect::<Vec<_>>(),
        ["notification.created", "notification.updated"]
    );
    assert_eq!(about_uc[1]["data"], n);
    // An unlike takes the liker's name off; liking again puts it back first.
    assert_eq!(app.unlike_use_case(&b.token, &uc).await.status(), StatusCode::OK);
    let less = next_notification(&mut wa).await["data"].clone();
    assert_eq!((&less["actor_count"], actor_names(&less)), (&json!(1), vec!["Chen Liker".to_owned()]));
    assert_eq!(app.like_use_case(&b.token, &uc).await.status(), StatusCode::OK);
    let n = next_notification(&mut wa).await["data"].clone();
    assert_eq!(listed(app, a).await[0], n);
    assert_eq!(
        (&n["actor_count"], actor_names(&n)),
        (&json!(2), vec!["Sara Al-Harbi".to_owned(), "Chen Liker".to_owned()])
    );

    let expected_a = vec![
        gist("liked", "use_case", &uc),
        gist("liked", "topic", &kept),
        gist("topic_reply", "reply", &rk),
        gist("liked", "topic", &doomed),
        gist("topic_reply", "reply", &rc),
        gist("topic_reply", "reply", &rb),
    ];
    assert_eq!(gists(app, a).await, expected_a);
    let expected_b =
        vec![gist("best_answer", "reply", &rb), gist("liked", "reply", &rb), gist("reply_answer", "reply", &rc)];
    assert_eq!(gists(app, b).await, expected_b);
    // One of b's is read: it must not come off the bell twice.
    let best = id_of(&listed(app, b).await[0]);
    assert_eq!(app.mark_notifications_read(&b.token, Some(&[best])).await, 2);
    // Other notifications (watchers) come from a job: let it finish before counting.
    app.wait_for_jobs().await;
    let (a_bell, b_bell) = (app.unread_notifications(&a.token).await, app.unread_notifications(&b.token).await);
    let unread_about = |items: &[Value], topic: &str| {
        items.iter().filter(|n| n["topic_id"] == topic && n["read"] == false).count() as u64
    };

    // A deleted answer takes the two notifications about it.
    assert_eq!(app.delete_reply(&c.token, &rc).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(gists(app, a).await, [&expected_a[..4], &expected_a[5..]].concat());
    assert_eq!(gists(app, b).await, expected_b[..2]);
    assert_eq!(app.unread_notifications(&a.token).await, a_bell - 1);
    assert_eq!(app.unread_notifications(&b.token).await, b_bell - 1);

    // A deleted topic takes every notification about it and its replies.
    let (a_all, b_all) =
        (app.all_notifications(&a.token, false, 100).await, app.all_notifications(&b.token, false, 100).await);
    let (a_bell, b_bell) = (app.unread_notifications(&a.token).await, app.unread_notifications(&b.token).await);
    let (a_gone, b_gone) = (unread_about(&a_all, &doomed), unread_about(&b_all, &doomed));
    assert_eq!((a_gone, b_gone), (2, 1), "at least the notifications of this part");
    assert_eq!(app.delete_topic(&a.token, &doomed).await.status(), StatusCode::NO_CONTENT);
    for p in [a, b, c] {
        let left = app.all_notifications(&p.token, false, 100).await;
        assert!(left.iter().all(|n| n["topic_id"] != doomed.as_str()), "{}: {left:?}", p.email);
    }
    assert_eq!(gists(app, a).await, expected_a[..3]);
    assert_eq!(gists(app, b).await, vec![]);
    assert_eq!(app.unread_notifications(&a.token).await, a_bell - a_gone);
    assert_eq!(app.unread_notifications(&b.token).await, b_bell - b_gone);

    // A deleted use case takes its likes' notification.
    let a_bell = app.unread_notifications(&a.token).await;
    assert_eq!(app.delete_use_case(&a.token, &uc).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(gists(app, a).await, expected_a[1..3]);
    assert_eq!(app.unread_notifications(&a.token).await, a_bell - 1);

    // A topic's likes come and go like a reply's: the last unlike takes the notification.
    assert_eq!(app.unlike_topic(&c.token, &kept).await.status(), StatusCode::OK);
    assert_eq!(gists(app, a).await, vec![gist("topic_reply", "reply", &rk)]);
    assert_eq!(app.unread_notifications(&a.token).await, a_bell - 2);
}

#[tokio::test]
async fn the_list_pages_newest_first_and_filters_unread() {
    let app = &TestApp::spawn().await;
    let p = &app.person("pages@list.sa").await;
    let q = &app.person("quick@list2.sa").await;
    let r = &app.person("rare@list3.sa").await;
    let mut made = Vec::new();
    for i in 0..5 {
        let t = id_of(&app.new_topic(&p.token, &format!("Paging question {i}"), "automation", &[]).await);
        let reply = id_of(&app.new_reply(&q.token, &t, "An answer to page through").await);
        made.push(gist("topic_reply", "reply", &reply));
        assert_eq!(app.like_topic(&q.token, &t).await.status(), StatusCode::OK);
        made.push(gist("liked", "topic", &t));
    }
    made.reverse();
    let all = listed(app, p).await;
    assert_eq!(gists_of(&all, &KINDS), made, "newest first");
    assert_newest_first(&ids_of(&all));
    let first = app.notifications(&p.token, "").await;
    assert_eq!((first["total"].as_u64(), first.get("next_cursor")), (Some(0), None), "total counts unread ones only");

    // Pages of three: no gap, no repeat, the last without a cursor.
    let mut paged = Vec::new();
    let mut query = "limit=3".to_owned();
    let mut sizes = Vec::new();
    loop {
        let page = app.notifications(&p.token, &query).await;
        sizes.push(page["items"].as_array().unwrap().len());
        paged.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => query = format!("limit=3&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(sizes, [3, 3, 3, 1]);
    assert_eq!(paged, all);
    expect_invalid(app.notifications_raw(&p.token, "cursor=not-a-cursor").await, &["cursor"]).await;

    // Unread only: what is left after marking four read, with the unread total, paged.
    let ids = ids_of(&all);
    let marked = [ids[1].clone(), ids[2].clone(), ids[5].clone(), ids[9].clone()];
    assert_eq!(app.mark_notifications_read(&p.token, Some(&marked)).await, 6);
    let unread = app.all_notifications(&p.token, true, 4).await;
    let expected: Vec<&String> = ids.iter().filter(|i| !marked.contains(i)).collect();
    assert_eq!(ids_of(&unread).iter().collect::<Vec<_>>(), expected);
    assert!(unread.iter().all(|n| n["read"] == false));
    let page = app.notifications(&p.token, "unread_only=true&limit=4").await;
    assert_eq!((page["items"].as_array().unwrap().len(), &page["total"]), (4, &json!(6)));
    assert!(page["next_cursor"].is_string());

    // A like of an item already liked changes its notification in place, unread again: it
    // keeps its place in the list (the oldest like notification, now read).
    let oldest_like = ids[8].clone();
    assert_eq!(all[8]["kind"], "liked");
    let t0 = all[8]["target_id"].as_str().unwrap().to_owned();
    assert_eq!(app.mark_notifications_read(&p.token, Some(std::slice::from_ref(&oldest_like))).await, 5);
    assert_eq!(app.like_topic(&r.token, &t0).await.status(), StatusCode::OK);
    let after = listed(app, p).await;
    assert_eq!(ids_of(&after), ids, "no new notification, the same order");
    assert_eq!((&after[8]["actor_count"], &after[8]["read"]), (&json!(2), &json!(false)));
    let unread = app.all_notifications(&p.token, true, 100).await;
    assert!(ids_of(&unread).contains(&oldest_like));
    assert_eq!(app.notifications(&p.token, "unread_only=true").await["total"], 6);
    assert_eq!(app.unread_notifications(&p.token).await, 6);
    // Each person sees their own only.
    let theirs: BTreeSet<String> = ids_of(&app.all_notifications(&q.token, false, 100).await).into_iter().collect();
    assert!(theirs.is_disjoint(&ids.iter().cloned().collect()));
}
