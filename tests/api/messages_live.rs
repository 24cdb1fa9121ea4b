//! Private messages live and by email: every socket of both people gets each event once, in
//! commit order; read markers; typing indicators (to the other person only, never stored,
//! rate-limited); and the away email (once per burst, none while a socket is open, muted,
//! turned off, or read, deleted or muted before its job ran).

use std::time::{Duration, Instant};

use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{
    TestApp, expect_invalid, id_of,
    messages::{Person, ids_of},
    ws::Ws,
};

/// Text of every away email.
const AWAY: &str = "sent you a message while you were away";

/// Every frame up to and including the first of type `kind`.
async fn frames_through(ws: &mut Ws, kind: &str) -> Vec<Value> {
    let (mut frames, last) = ws.until(kind).await;
    frames.push(last);
    frames
}

#[tokio::test]
async fn every_socket_of_both_people_gets_each_event_once_in_commit_order() {
    let app = &TestApp::spawn().await;
    let (s, r) = (&app.person("sender@live.sa").await, &app.person("reader@live2.sa").await);
    let mut r1 = Ws::open(app, &r.token).await;
    let mut r2 = Ws::open(app, &app.login_token(&r.email).await).await;
    let mut s1 = Ws::open(app, &s.token).await;

    // A burst both ways, then one more from the sender, a deletion and a read.
    let burst = join_all((0..12).map(|i| async move {
        let (from, to) = if i % 3 == 2 { (r, s) } else { (s, r) };
        app.message(&from.token, &to.id, &format!("Burst {i}")).await
    }))
    .await;
    let last = app.message(&s.token, &r.id, "The last word").await;
    let cid = last["conversation_id"].as_str().unwrap();
    let doomed = burst.iter().find(|m| m["sender"]["id"] == s.id.as_str()).unwrap();
    assert_eq!(app.delete_message(&s.token, &id_of(doomed)).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.read_conversation(&r.token, cid, None).await.status(), StatusCode::OK);

    // Commit order: the REST order, oldest first.
    let mut committed = ids_of(&app.all_messages(&r.token, cid, 100).await);
    committed.reverse();
    let sent: Vec<&Value> = burst.iter().chain([&last]).collect();
    let mut streams = Vec::new();
    for (ws, owner) in [(&mut r1, r), (&mut r2, r), (&mut s1, s)] {
        let events = frames_through(ws, "conversation.read").await;
        let kinds: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
        let mut expected = vec!["message.created"; 13];
        expected.extend(["message.deleted", "conversation.read"]);
        assert_eq!(kinds, expected, "{}", owner.email);
        let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
        assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "consecutive seq: {seqs:?}");
        assert!(events.iter().all(|e| e["channel"] == format!("user.{}", owner.id)));
        let created: Vec<String> = events[..13].iter().map(|e| id_of(&e["data"])).collect();
        assert_eq!(created, committed, "commit order");
        // Each event is the message as it was sent.
        for e in &events[..13] {
            assert_eq!(Some(&&e["data"]), sent.iter().find(|m| m["id"] == e["data"]["id"]));
        }
        assert_eq!(events[13]["data"], json!({"id": id_of(doomed), "conversation_id": cid}));
        assert_eq!(events[14]["data"], json!({"conversation_id": cid, "user_id": r.id, "read_up_to": id_of(&last)}));
        // Nothing twice: no event follows.
        let (extra, _) = ws.ping().await;
        assert!(extra.is_empty(), "{extra:?}");
        streams.push(events);
    }
    assert_eq!(streams[0], streams[1], "both of the reader's sockets, frame for frame");
    let data = |events: &[Value]| events.iter().map(|e| (e["type"].clone(), e["data"].clone())).collect::<Vec<_>>();
    assert_eq!(data(&streams[0]), data(&streams[2]), "the sender's socket, the same events in the same order");
    // An event is the REST message (the ones not deleted since).
    let rest = app.all_messages(&s.token, cid, 100).await;
    for e in &streams[2][..13] {
        let item = rest.iter().find(|m| m["id"] == e["data"]["id"]).unwrap();
        if item["deleted"] == false {
            assert_eq!(item, &e["data"]);
        }
    }
}

#[tokio::test]
async fn read_markers_move_forward_only_and_the_peer_sees_them() {
    let app = TestApp::spawn().await;
    let (a, b, c) = (app.person("a@marks.sa").await, app.person("b@marks2.sa").await, app.person("c@marks3.sa").await);
    let mut m = Vec::new();
    for i in 0..6 {
        m.push(id_of(&app.message(&a.token, &b.id, &format!("Line {i}")).await));
    }
    let cid = app.conversations(&a.token, "").await["items"][0]["id"].as_str().unwrap().to_owned();
    let mut wa = Ws::open(&app, &a.token).await;

    let r = app.read_conversation(&b.token, &cid, Some(&m[2])).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!((v["unread_count"].as_u64(), v["my_read_up_to"].as_str()), (Some(3), Some(m[2].as_str())));
    assert_eq!(app.unread_messages(&b.token).await, 3);
    let seen = app.conversation_json(&a.token, &cid).await;
    assert_eq!(
        (seen["read_up_to"].as_str(), seen["my_read_up_to"].as_str()),
        (Some(m[2].as_str()), Some(m[5].as_str()))
    );
    let (_, event) = wa.until("conversation.read").await;
    assert_eq!(event["data"], json!({"conversation_id": cid, "user_id": b.id, "read_up_to": m[2]}));

    // Never back.
    let v: Value = app.read_conversation(&b.token, &cid, Some(&m[0])).await.json().await.unwrap();
    assert_eq!((v["unread_count"].as_u64(), v["my_read_up_to"].as_str()), (Some(3), Some(m[2].as_str())));
    // Only a message of this conversation.
    expect_invalid(app.read_conversation(&b.token, &cid, Some("line-2")).await, &["message_id"]).await;
    let elsewhere = id_of(&app.message(&c.token, &b.id, "Unrelated").await);
    expect_invalid(app.read_conversation(&b.token, &cid, Some(&elsewhere)).await, &["message_id"]).await;
    // All of it.
    let v: Value = app.read_conversation(&b.token, &cid, None).await.json().await.unwrap();
    assert_eq!((v["unread_count"].as_u64(), v["my_read_up_to"].as_str()), (Some(0), Some(m[5].as_str())));
    assert_eq!(app.unread_messages(&b.token).await, 1, "c's message is still unread");
    // The move back told no one: the next event is the read of everything.
    let (_, event) = wa.until("conversation.read").await;
    assert_eq!(event["data"]["read_up_to"], m[5].as_str());
    assert_eq!(app.conversation_json(&a.token, &cid).await["read_up_to"], m[5].as_str());
    // Replying reads everything before the reply.
    app.message(&a.token, &b.id, "Noted?").await;
    let reply = app.message(&b.token, &a.id, "Noted.").await;
    let v = app.conversation_json(&b.token, &cid).await;
    assert_eq!((v["unread_count"].as_u64(), v["my_read_up_to"].as_str()), (Some(0), reply["id"].as_str()));
}

#[tokio::test]
async fn typing_reaches_the_other_person_only_and_is_never_stored() {
    let app = TestApp::spawn().await;
    let (a, b, c) =
        (app.person("a@typing.sa").await, app.person("b@typing2.sa").await, app.person("c@typing3.sa").await);
    let first = app.message(&a.token, &b.id, "Are you there?").await;
    let cid = first["conversation_id"].as_str().unwrap();
    let (mut wa, mut wb, mut wc) =
        (Ws::open(&app, &a.token).await, Ws::open(&app, &b.token).await, Ws::open(&app, &c.token).await);

    wb.send_typing(cid).await;
    let typing = wa.next_json().await;
    assert_eq!(typing["type"], "typing");
    assert_eq!(typing["channel"], format!("user.{}", a.id));
    assert_eq!(typing["data"], json!({"conversation_id": cid, "user_id": b.id}));
    assert!(typing.get("seq").is_none() && typing["at"].is_string(), "ephemeral: {typing}");
    let (echo, _) = wb.ping().await;
    assert!(echo.is_empty(), "not back to the typist: {echo:?}");

    // A stranger (or a made-up id) is refused, and nothing reaches the two.
    for id in [cid, "not-a-conversation"] {
        wc.send_typing(id).await;
        let (_, err) = wc.until("error").await;
        assert_eq!(err["code"], "not_found");
    }
    wb.send_typing(cid).await;
    let next = wa.next_json().await;
    assert_eq!((&next["type"], &next["data"]["user_id"]), (&json!("typing"), &json!(b.id)), "not the stranger's");

    // Not stored: a resume replays the message event only.
    wa.send_json(json!({"type": "subscribe", "channel": format!("user.{}", a.id), "last_seq": 0})).await;
    wa.until("subscribed").await;
    let (replayed, _) = wa.ping().await;
    assert_eq!(replayed.len(), 1, "{replayed:?}");
    assert_eq!((&replayed[0]["type"], &replayed[0]["data"]["id"]), (&json!("message.created"), &first["id"]));

    // Not across a block, and silently: the next frame the blocker gets is a later message.
    assert_eq!(app.block(&a.token, &b.id).await.status(), StatusCode::NO_CONTENT);
    wb.send_typing(cid).await;
    let (answers, _) = wb.ping().await;
    assert!(answers.is_empty(), "{answers:?}");
    assert_eq!(app.unblock(&a.token, &b.id).await.status(), StatusCode::NO_CONTENT);
    app.message(&b.token, &a.id, "Back again").await;
    assert_eq!(wa.next_json().await["type"], "message.created");
}

#[tokio::test]
async fn typing_beyond_the_budget_is_dropped_silently() {
    let app = TestApp::spawn().await;
    let (a, b) = (app.person("a@budget.sa").await, app.person("b@budget2.sa").await);
    let cid = app.message(&a.token, &b.id, "Hi").await["conversation_id"].as_str().unwrap().to_owned();
    let (mut wa, mut wb) = (Ws::open(&app, &a.token).await, Ws::open(&app, &b.token).await);

    let started = Instant::now();
    for _ in 0..25 {
        wb.send_typing(&cid).await;
    }
    let (answers, _) = wb.ping().await;
    let elapsed = started.elapsed();
    assert!(answers.is_empty(), "no error for the excess: {answers:?}");
    // A message after the last typing frame: every relayed one arrives before it.
    app.message(&b.token, &a.id, "Done typing").await;
    let (before, _) = wa.until("message.created").await;
    assert!(before.iter().all(|f| f["type"] == "typing"), "{before:?}");
    // Ten per 10 s (the default), earned back one a second.
    let most = 10 + elapsed.as_secs() as usize + 1;
    assert!((10..=most).contains(&before.len()), "{} relayed in {elapsed:?}", before.len());
}

/// A server whose away emails go out as soon as their job runs.
async fn prompt_app() -> TestApp {
    TestApp::spawn_with(&[("P2P_MESSAGES__AWAY_EMAIL_DELAY_SECS", "0")]).await
}

#[tokio::test]
async fn one_away_email_for_a_burst_names_the_sender_and_previews_the_message() {
    let app = &prompt_app().await;
    let (s, r) = (&app.person("sender@away.sa").await, &app.person("reader@away2.sa").await);
    let renamed = app.patch_me(&s.token, json!({"first_name": "Khalid", "last_name": "Otaibi"})).await;
    assert_eq!(renamed.status(), StatusCode::OK);

    let burst = join_all(
        (0..20).map(|i| async move { app.message(&s.token, &r.id, &format!("Valve order {i} confirmed")).await }),
    )
    .await;
    app.wait_for_jobs().await;

    assert_eq!(app.count_emails(&r.email, AWAY), 1);
    let mail = app.email_to(&r.email, AWAY).await;
    assert!(mail.contains("Subject: Khalid Otaibi sent you a message on P2P Sandbox"), "{mail}");
    assert!(burst.iter().any(|m| mail.contains(m["text"].as_str().unwrap())), "a preview: {mail}");
    assert!(mail.contains(burst[0]["conversation_id"].as_str().unwrap()), "a link to the conversation: {mail}");
    // Within the cool-down, nothing more.
    app.message(&s.token, &r.id, "And one more thing").await;
    app.wait_for_jobs().await;
    assert_eq!(app.count_emails(&r.email, AWAY), 1);
}

/// Sends `s` → `r` and waits for the queue; returns the away emails `r` has then.
async fn emails_after_a_message(app: &TestApp, s: &Person, r: &Person, text: &str) -> usize {
    app.message(&s.token, &r.id, text).await;
    app.wait_for_jobs().await;
    app.count_emails(&r.email, AWAY)
}

#[tokio::test]
async fn no_away_email_while_a_socket_is_open() {
    let app = prompt_app().await;
    let (s, r) = (app.person("sender@online.sa").await, app.person("reader@online2.sa").await);
    let ws = Ws::open(&app, &r.token).await;
    for i in 0..3 {
        assert_eq!(emails_after_a_message(&app, &s, &r, &format!("Live {i}")).await, 0);
    }
    // Once the socket is closed the reader is away again.
    drop(ws);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !app.metrics().await.contains("p2p_ws_open_sockets 0") {
        assert!(Instant::now() < deadline, "the socket never closed");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(emails_after_a_message(&app, &s, &r, "Gone?").await, 1);
}

#[tokio::test]
async fn no_away_email_for_a_muted_conversation_or_with_message_emails_off() {
    let app = prompt_app().await;
    let s = app.person("sender@quiet.sa").await;
    let (muter, opted_out) = (app.person("muter@quiet2.sa").await, app.person("optout@quiet3.sa").await);

    // Muted: the muter started the conversation, so no email was ever due.
    let cid = app.message(&muter.token, &s.id, "Let's talk").await["conversation_id"].as_str().unwrap().to_owned();
    assert_eq!(app.mute_conversation(&muter.token, &cid, true).await.status(), StatusCode::OK);
    assert_eq!(emails_after_a_message(&app, &s, &muter, "Muted reply").await, 0);
    assert_eq!(app.mute_conversation(&muter.token, &cid, false).await.status(), StatusCode::OK);
    assert_eq!(emails_after_a_message(&app, &s, &muter, "Unmuted reply").await, 1);

    // Message emails off (the `message` kind's email defaults to on), then on again.
    let message_email = |settings: &Value| {
        let all = settings["settings"].as_array().unwrap();
        all.iter().find(|s| s["kind"] == "message").map(|s| (s["in_app"].clone(), s["email"].clone()))
    };
    let on = Some((json!(true), json!(true)));
    assert_eq!(message_email(&app.notification_settings(&opted_out.token).await), on);
    let off = json!({"settings": [{"kind": "message", "in_app": true, "email": false}]});
    let r = app.set_notification_settings(&opted_out.token, off).await;
    assert_eq!(message_email(&r.json::<Value>().await.unwrap()), Some((json!(true), json!(false))));
    let r = app.set_notification_settings(&opted_out.token, json!({"settings": []})).await;
    assert_eq!(message_email(&r.json::<Value>().await.unwrap()), Some((json!(true), json!(false))), "absent keeps");
    // Entries of the list are checked like top-level fields: 422 naming the entry's field.
    let bad = json!({"settings": [{"kind": "message", "in_app": true, "email": "no"}]});
    expect_invalid(app.set_notification_settings(&opted_out.token, bad).await, &["settings[0].email"]).await;
    let unknown = json!({"settings": [{"kind": "message", "in_app": true, "email": true}, {"kind": "gossip"}]});
    let r = app.set_notification_settings(&opted_out.token, unknown).await;
    expect_invalid(r, &["settings[1].kind", "settings[1].in_app", "settings[1].email"]).await;
    expect_invalid(app.set_notification_settings(&opted_out.token, json!({"settings": "all"})).await, &["settings"])
        .await;
    assert_eq!(emails_after_a_message(&app, &s, &opted_out, "Not emailed").await, 0);
    let on_again = json!({"settings": [{"kind": "message", "in_app": true, "email": true}]});
    app.set_notification_settings(&opted_out.token, on_again).await;
    assert_eq!(emails_after_a_message(&app, &s, &opted_out, "Emailed").await, 1);
}

#[tokio::test]
async fn no_away_email_for_a_message_read_deleted_or_muted_before_its_job_ran() {
    let app = TestApp::spawn_with(&[("P2P_MESSAGES__AWAY_EMAIL_DELAY_SECS", "3")]).await;
    let s = app.person("sender@late.sa").await;
    let (reader, unsent, muter) =
        (app.person("reader@late2.sa").await, app.person("unsent@late3.sa").await, app.person("muter@late4.sa").await);

    let read = app.message(&s.token, &reader.id, "Read at once").await;
    let deleted = app.message(&s.token, &unsent.id, "Sent by mistake").await;
    let muted = app.message(&s.token, &muter.id, "Muted at once").await;
    let conversation = |m: &Value| m["conversation_id"].as_str().unwrap().to_owned();
    assert_eq!(app.read_conversation(&reader.token, &conversation(&read), None).await.status(), StatusCode::OK);
    assert_eq!(app.delete_message(&s.token, &id_of(&deleted)).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.mute_conversation(&muter.token, &conversation(&muted), true).await.status(), StatusCode::OK);
    app.wait_for_jobs().await;
    for p in [&reader, &unsent, &muter] {
        assert_eq!(app.count_emails(&p.email, AWAY), 0, "{}", p.email);
    }

    // A job that sent nothing leaves no cool-down: the next unread message is emailed.
    assert_eq!(emails_after_a_message(&app, &s, &reader, "Still there?").await, 1);
    assert!(app.email_to(&reader.email, AWAY).await.contains("Still there?"));
}
