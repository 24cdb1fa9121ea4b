//! Notification settings and the coalesced email: every kind has a setting (shown in the app
//! by default, emailed by default only for a message, a join request and a best answer); a
//! change touches only the kinds named; a kind off in the app records and pushes nothing of
//! it, and a join request's own email can be turned off. What is emailed comes in one email
//! per person, `email_delay_secs` after its first item and never within `email_window_secs`
//! of the last, one line per kind and subject (likes of one post on one line), newest first;
//! items turned off, undone or about deleted content are left out, and with nothing left no
//! email goes.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{PASSWORD, TestApp, expect_invalid, id_of, mail::emails_in, messages::Person, ws::Ws};

/// Every kind, in the order the settings list them.
const KINDS: [&str; 11] = [
    "topic_reply",
    "reply_answer",
    "watched_reply",
    "best_answer",
    "liked",
    "mention",
    "message",
    "invitation_accepted",
    "join_request",
    "org_verified",
    "join_approved",
];

/// Text every notification email carries.
const DIGEST: &str = "Here is what happened on P2P Sandbox";

const DELAY: &str = "P2P_NOTIFICATIONS__EMAIL_DELAY_SECS";
const WINDOW: &str = "P2P_NOTIFICATIONS__EMAIL_WINDOW_SECS";

/// The settings as (kind, in_app, email), in order.
fn triples(settings: &Value) -> Vec<(String, bool, bool)> {
    let all = settings["settings"].as_array().unwrap_or_else(|| panic!("no settings: {settings}"));
    all.iter().map(|s| (s["kind"].as_str().unwrap().to_owned(), s["in_app"] == true, s["email"] == true)).collect()
}

/// The defaults, with `changed` (kind, in_app, email) applied.
fn defaults_with(changed: &[(&str, bool, bool)]) -> Vec<(String, bool, bool)> {
    KINDS
        .iter()
        .map(|k| match changed.iter().find(|c| c.0 == *k) {
            Some(&(k, in_app, email)) => (k.to_owned(), in_app, email),
            None => ((*k).to_owned(), true, matches!(*k, "message" | "join_request" | "best_answer")),
        })
        .collect()
}

/// Sets `p`'s (kind, in_app, email) choices; asserts a 200 and returns the settings answered.
async fn set(app: &TestApp, p: &Person, choices: &[(&str, bool, bool)]) -> Value {
    let settings: Vec<Value> = choices.iter().map(|(k, a, e)| json!({"kind": k, "in_app": a, "email": e})).collect();
    let r = app.set_notification_settings(&p.token, json!({ "settings": settings })).await;
    assert_eq!(r.status(), StatusCode::OK, "set {choices:?}");
    r.json().await.unwrap()
}

#[tokio::test]
async fn every_kind_has_a_setting_and_a_change_touches_only_the_kinds_named() {
    let app = &TestApp::spawn().await;
    let (p, q) = (&app.person("pia@settings.sa").await, &app.person("qasim@settings2.sa").await);
    assert_eq!(triples(&app.notification_settings(&p.token).await), defaults_with(&[]));

    let changed = [("liked", false, true), ("mention", true, true)];
    assert_eq!(triples(&set(app, p, &changed).await), defaults_with(&changed));
    assert_eq!(triples(&app.notification_settings(&p.token).await), defaults_with(&changed));
    let more = [changed[0], changed[1], ("topic_reply", false, false), ("message", true, false)];
    assert_eq!(triples(&set(app, p, &more[2..]).await), defaults_with(&more), "the others keep theirs");
    assert_eq!(triples(&set(app, p, &[]).await), defaults_with(&more));

    // Refused, changing nothing (see the next test for how).
    for (bad, _) in refused() {
        let status = app.set_notification_settings(&p.token, bad.clone()).await.status();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    assert_eq!(triples(&app.notification_settings(&p.token).await), defaults_with(&more));
    assert_eq!(triples(&app.notification_settings(&q.token).await), defaults_with(&[]), "each their own");
    let anonymous = app.get("/api/v1/users/me/notification-settings", None).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

/// Bodies the settings refuse (an unknown kind, a wrong type, a missing channel, no list),
/// each with the field its 422 names.
fn refused() -> [(Value, &'static str); 5] {
    [
        (json!({"settings": [{"kind": "gossip", "in_app": true, "email": true}]}), "settings[0].kind"),
        (json!({"settings": [{"kind": "liked", "in_app": true, "email": "no"}]}), "settings[0].email"),
        (json!({"settings": [{"kind": "liked", "email": true}]}), "settings[0].in_app"),
        (json!({"settings": "all"}), "settings"),
        (json!({}), "settings"),
    ]
}

#[tokio::test]
async fn a_wrong_setting_is_a_422_naming_the_field() {
    let app = &TestApp::spawn().await;
    let p = &app.person("pia@wrong.sa").await;
    for (bad, field) in refused() {
        expect_invalid(app.set_notification_settings(&p.token, bad).await, &[field]).await;
    }
    assert_eq!(triples(&app.notification_settings(&p.token).await), defaults_with(&[]));
}

#[tokio::test]
async fn a_kind_off_in_the_app_records_and_pushes_nothing_of_it() {
    let app = &TestApp::spawn().await;
    let p = &app.person("pia@off.sa").await;
    let (q, r) = (&app.person("qasim@off2.sa").await, &app.person("rana@off3.sa").await);
    set(app, p, &[("liked", false, false), ("topic_reply", false, false), ("message", false, true)]).await;

    // Away, and with a socket open: nothing of those kinds, while a mention still comes.
    let t = id_of(&app.new_topic(&p.token, "Dust extraction keeps clogging", "automation", &[]).await);
    assert_eq!(app.like_topic(&q.token, &t).await.status(), StatusCode::OK);
    app.new_reply(&q.token, &t, "Check the filter pulse timing").await;
    app.message(&r.token, &p.id, "Are you at the plant today?").await;
    assert_eq!(
        (app.all_notifications(&p.token, false, 100).await, app.unread_notifications(&p.token).await),
        (vec![], 0)
    );
    let mut wp = Ws::open(app, &p.token).await;
    assert_eq!(app.like_topic(&r.token, &t).await.status(), StatusCode::OK);
    app.new_reply(&r.token, &t, "We had that, it was the fan").await;
    let (frames, _) = wp.ping().await;
    assert!(frames.iter().all(|f| !f["type"].as_str().unwrap().starts_with("notification.")), "{frames:?}");
    let body = json!({"title": "Asking the dust expert", "body": "A body long enough for the forum rules.",
        "category": "automation", "tags": [], "mentions": [p.id]});
    let mentioned = id_of(&app.create_topic(&q.token, body).await.json::<Value>().await.unwrap());
    let (_, frame) = wp.until("notification.created").await;
    assert_eq!((&frame["data"]["kind"], &frame["data"]["target_id"]), (&json!("mention"), &json!(mentioned)));
    let kinds: Vec<Value> =
        app.all_notifications(&p.token, false, 100).await.iter().map(|n| n["kind"].clone()).collect();
    assert_eq!(kinds, [json!("mention")]);

    // Back on: the next like is recorded and pushed.
    set(app, p, &[("liked", true, false)]).await;
    let t2 = id_of(&app.new_topic(&p.token, "Second question on dust", "automation", &[]).await);
    assert_eq!(app.like_topic(&q.token, &t2).await.status(), StatusCode::OK);
    let (_, frame) = wp.until("notification.created").await;
    assert_eq!((&frame["data"]["kind"], &frame["data"]["target_id"]), (&json!("liked"), &json!(t2)));
}

#[tokio::test]
async fn a_join_request_can_be_off_in_the_app_or_its_email_for_each_admin() {
    let app = &TestApp::spawn().await;
    let team = app.team("mill.sa").await;
    assert_eq!(app.set_role(&team.admin, &team.member_id, "admin").await.status(), StatusCode::OK);
    let a = &Person { token: team.admin.clone(), id: team.admin_id.clone(), email: "admin@mill.sa".into() };
    let b = &Person { token: team.member.clone(), id: team.member_id.clone(), email: "member@mill.sa".into() };
    set(app, a, &[("join_request", false, true)]).await;
    set(app, b, &[("join_request", true, false)]).await;

    app.signup("joiner@mill.sa", PASSWORD).await;
    app.verify_with_emailed_code("joiner@mill.sa").await;
    assert_eq!((join_requests(app, a).await, join_requests(app, b).await), (0, 1));
    // The email goes (as before) to the admin who kept it on, and only to them.
    app.email_to(&a.email, "asks to join").await;
    app.wait_for_jobs().await;
    assert_eq!((app.count_emails(&a.email, "asks to join"), app.count_emails(&b.email, "asks to join")), (1, 0));
}

/// How many `join_request` notifications `p` has.
async fn join_requests(app: &TestApp, p: &Person) -> usize {
    let all = app.all_notifications(&p.token, false, 100).await;
    all.iter().filter(|n| n["kind"] == "join_request").count()
}

/// Milliseconds since the epoch, now.
fn now_ms() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis()
}

/// The `n`th notification email to `to` (waiting up to 30 s), with when it was written (ms).
async fn digest(app: &TestApp, to: &str, n: usize) -> (String, u128) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let found = emails_in(&app.dir.join("outbox"), to, DIGEST);
        if let Some((file, text)) = found.get(n - 1) {
            let nanos: u128 = file.split('-').next().unwrap().parse().unwrap();
            return (text.clone(), nanos / 1_000_000);
        }
        assert!(Instant::now() < deadline, "no notification email {n} to {to}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The decoded `Subject` of an email: RFC 2047 encoded words (`=?utf-8?b?...?=` or `?q?`)
/// decoded, the blanks between two of them dropped, folded lines unfolded.
fn subject(mail: &str) -> String {
    let mut lines = mail.lines().skip_while(|l| !l.starts_with("Subject:"));
    let mut raw = lines.next().expect("a subject").trim_start_matches("Subject:").to_owned();
    raw.extend(lines.take_while(|l| l.starts_with([' ', '\t'])).map(|l| format!(" {}", l.trim())));
    let mut out = String::new();
    let mut after_encoded = false;
    for word in raw.split_whitespace() {
        match encoded_word(word) {
            Some(text) => {
                if !after_encoded && !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&text);
                after_encoded = true;
            }
            None => {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(word);
                after_encoded = false;
            }
        }
    }
    out
}

/// The text of one RFC 2047 encoded word, `None` for a plain word.
fn encoded_word(word: &str) -> Option<String> {
    let inner = word.strip_prefix("=?")?.strip_suffix("?=")?;
    let mut parts = inner.splitn(3, '?');
    let (_charset, encoding, text) = (parts.next()?, parts.next()?, parts.next()?);
    let bytes = if encoding.eq_ignore_ascii_case("b") {
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, text).ok()?
    } else {
        let mut out = Vec::new();
        let mut rest = text.as_bytes();
        while let Some((&c, tail)) = rest.split_first() {
            match c {
                b'_' => out.push(b' '),
                b'=' if tail.len() >= 2 => {
                    out.push(u8::from_str_radix(std::str::from_utf8(&tail[..2]).ok()?, 16).ok()?);
                    rest = &tail[2..];
                    continue;
                }
                _ => out.push(c),
            }
            rest = tail;
        }
        out
    };
    String::from_utf8(bytes).ok()
}

/// The bullet lines of an email's plain-text part, in order.
fn lines(mail: &str) -> Vec<String> {
    let text = mail.split("Content-Type: text/html").next().unwrap();
    text.lines().filter_map(|l| l.strip_prefix("• ")).map(|l| l.trim().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_happens_together_comes_in_one_email_and_the_next_waits_out_the_window() {
    let app = &TestApp::spawn_with(&[(DELAY, "2"), (WINDOW, "6")]).await;
    let a = &app.named_person("amal@digest.sa", "Amal", "Author").await;
    let b = &app.named_person("badr@digest2.sa", "Badr", "Replier").await;
    let c = &app.named_person("chen@digest3.sa", "Chen", "Chooser").await;
    let d = &app.named_person("dana@digest4.sa", "Dana", "Replier").await;
    set(app, a, &[("topic_reply", true, true)]).await;
    let (mine, theirs) = ("Kiln burner flame is unstable", "Which gasket for steam lines?");
    let ta = id_of(&app.new_topic(&a.token, mine, "automation", &[]).await);
    let tc = id_of(&app.new_topic(&c.token, theirs, "automation", &[]).await);
    let ra = id_of(&app.new_reply(&a.token, &tc, "Spiral wound, graphite filled").await);

    // Three things within the delay: one email listing them, newest first.
    let started = now_ms();
    assert_eq!(app.mark_best_answer(&c.token, &tc, &ra).await.status(), StatusCode::OK);
    app.new_reply(&b.token, &ta, "Check the air damper linkage").await;
    app.new_reply(&d.token, &ta, "Ours was a clogged pilot").await;
    let (mail, sent) = digest(app, &a.email, 1).await;
    assert_eq!(subject(&mail), "3 new notifications on P2P Sandbox", "{mail}");
    let replied = |who: &str| format!("{who} replied to your topic “{mine}”");
    let chose = format!("Chen Chooser chose your reply as the best answer in “{theirs}”");
    assert_eq!(lines(&mail), [replied("Dana Replier"), replied("Badr Replier"), chose], "{mail}");
    assert!(sent >= started + 2000, "sent {} ms after the first item", sent - started);
    app.wait_for_jobs().await;
    assert_eq!(app.count_emails(&a.email, DIGEST), 1, "one email for the three");

    // One more: alone in the next email, which waits out the window after the first.
    app.new_reply(&b.token, &ta, "Also check the flame rod").await;
    let (next, later) = digest(app, &a.email, 2).await;
    assert_eq!((subject(&next), lines(&next)), (replied("Badr Replier"), vec![replied("Badr Replier")]), "{next}");
    assert!(later >= started + 2000 + 6000, "sent {} ms after the first item", later - started);
    app.wait_for_jobs().await;
    assert_eq!(app.count_emails(&a.email, DIGEST), 2);
    for p in [b, c, d] {
        assert_eq!(app.count_emails(&p.email, DIGEST), 0, "{} wants none of it emailed", p.email);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_turned_off_undone_or_deleted_are_left_out_and_nothing_left_sends_nothing() {
    let app = &TestApp::spawn_with(&[(DELAY, "3")]).await;
    let chooser = &app.named_person("chooser@left.sa", "Chen", "Chooser").await;
    let [off, gone, late, kept] = ["off", "gone", "late", "kept"].map(|n| format!("{n}@left-{n}.sa"));
    let (off, gone) = (&app.person(&off).await, &app.person(&gone).await);
    let (late, kept) = (&app.person(&late).await, &app.person(&kept).await);
    let (undone, liked) = (&app.person("undone@left-u.sa").await, &app.person("liked@left-l.sa").await);
    let mut likers = Vec::new();
    for (i, last) in ["One", "Two", "Three"].iter().enumerate() {
        likers.push(app.named_person(&format!("liker{i}@left-likers{i}.sa"), "Liker", last).await);
    }
    set(app, off, &[("best_answer", true, false)]).await;
    for p in [undone, liked] {
        set(app, p, &[("liked", true, true)]).await;
    }
    let mut topics = Vec::new();
    for p in [off, gone, late, kept] {
        let t = id_of(&app.new_topic(&chooser.token, &format!("Question for {}", p.email), "automation", &[]).await);
        let r = id_of(&app.new_reply(&p.token, &t, "An answer worth choosing").await);
        topics.push((t, r));
    }
    let undone_topic = id_of(&app.new_topic(&undone.token, "A post liked, then not", "automation", &[]).await);
    let liked_title = "Cooling tower drift loss";
    let liked_topic = id_of(&app.new_topic(&liked.token, liked_title, "automation", &[]).await);

    // Within the delay: best answers, one topic deleted, one email turned off; likes, one undone.
    for (t, r) in &topics {
        assert_eq!(app.mark_best_answer(&chooser.token, t, r).await.status(), StatusCode::OK);
    }
    assert_eq!(app.delete_topic(&chooser.token, &topics[1].0).await.status(), StatusCode::NO_CONTENT);
    set(app, late, &[("best_answer", true, false)]).await;
    assert_eq!(app.like_topic(&likers[0].token, &undone_topic).await.status(), StatusCode::OK);
    assert_eq!(app.unlike_topic(&likers[0].token, &undone_topic).await.status(), StatusCode::OK);
    for l in &likers {
        assert_eq!(app.like_topic(&l.token, &liked_topic).await.status(), StatusCode::OK);
    }
    assert_eq!(app.unlike_topic(&likers[0].token, &liked_topic).await.status(), StatusCode::OK);

    // One line alone is the subject; the likes still standing are one line.
    let (mail, _) = digest(app, &kept.email, 1).await;
    let chose = format!("Chen Chooser chose your reply as the best answer in “Question for {}”", kept.email);
    assert_eq!((subject(&mail), lines(&mail)), (chose.clone(), vec![chose]), "{mail}");
    let (mail, _) = digest(app, &liked.email, 1).await;
    let line = format!("Liker Three and 1 other liked your post in “{liked_title}”");
    assert_eq!((subject(&mail), lines(&mail)), (line.clone(), vec![line]), "{mail}");
    app.wait_for_jobs().await;
    for p in [off, gone, late, undone] {
        assert_eq!(app.count_emails(&p.email, DIGEST), 0, "{}", p.email);
    }
    assert_eq!((app.count_emails(&kept.email, DIGEST), app.count_emails(&liked.email, DIGEST)), (1, 1));
    // Email off is not app off: the best answer is still in the list.
    let listed = app.all_notifications(&off.token, false, 100).await;
    assert!(listed.iter().any(|n| n["kind"] == "best_answer" && n["target_id"] == topics[0].1.as_str()), "{listed:?}");
}

#[tokio::test]
async fn an_unlike_while_likes_are_off_in_the_app_still_takes_the_liker_off() {
    let app = &TestApp::spawn().await;
    let p = &app.person("pia@toggle.sa").await;
    let (q, r) = (&app.person("qasim@toggle2.sa").await, &app.person("rana@toggle3.sa").await);
    let t = id_of(&app.new_topic(&p.token, "Likes while the bell is off", "automation", &[]).await);
    assert_eq!(app.like_topic(&q.token, &t).await.status(), StatusCode::OK);
    set(app, p, &[("liked", false, false)]).await;
    assert_eq!(app.unlike_topic(&q.token, &t).await.status(), StatusCode::OK);
    // Nobody likes the topic any more: no notification may say someone does.
    assert_eq!(app.all_notifications(&p.token, false, 100).await, Vec::<Value>::new());
    set(app, p, &[("liked", true, false)]).await;
    assert_eq!(app.like_topic(&r.token, &t).await.status(), StatusCode::OK);
    let listed = app.all_notifications(&p.token, false, 100).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (crate::support::notifications::actor_ids(&listed[0]), &listed[0]["actor_count"]),
        (vec![r.id.clone()], &json!(1))
    );
}
