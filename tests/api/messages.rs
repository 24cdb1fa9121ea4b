//! Private messages over REST: sending under concurrency (exact unread counts, one
//! conversation per pair, a stable order), who may message whom (validation, unreachable
//! accounts, blocks), strangers, deletion with its files, paging while messages arrive,
//! archive and mute. Live delivery, read markers, typing and away emails are in
//! `messages_live`.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::atomic::{AtomicBool, AtomicUsize, Ordering},
    time::{Duration, Instant},
};

use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{
    PASSWORD, TestApp, expect_error, expect_invalid, expect_not_found, id_of, ids,
    media::png,
    messages::{assert_newest_first, ids_of},
};

/// A well-formed id nothing has.
const UNKNOWN: &str = "0195f1a2-7b3c-7d4e-8f90-123456789abc";

#[tokio::test]
async fn fifty_concurrent_messages_from_ten_senders_count_exactly_and_list_stably() {
    let app = &TestApp::spawn().await;
    let to = &app.person("buyer@plant.sa").await;
    let senders = app.people("supplier", "suppliers", 10).await;

    let sends = senders.iter().flat_map(|s| (0..5).map(move |i| (s, i))).map(|(s, i)| async move {
        (s.id.clone(), app.message(&s.token, &to.id, &format!("Quote {i} from {}", s.email)).await)
    });
    let sent = join_all(sends).await;

    assert_eq!(app.unread_messages(&to.token).await, 50);
    let mut by_sender: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    for (sender, m) in &sent {
        let entry = by_sender.entry(sender.clone()).or_default();
        entry.0.insert(m["conversation_id"].as_str().unwrap().to_owned());
        entry.1.insert(id_of(m));
    }
    let inbox = app.conversations(&to.token, "limit=100").await;
    assert_eq!(inbox["total"], 10);
    let items = inbox["items"].as_array().unwrap();
    assert_eq!(items.len(), 10);
    // Most recent activity first.
    let last: Vec<String> = items.iter().map(|c| c["last_message"]["id"].as_str().unwrap().to_owned()).collect();
    assert_newest_first(&last);
    // Each with the other person's card.
    let peer = &items[0]["peer"];
    let email = &senders.iter().find(|s| s.id == peer["id"].as_str().unwrap()).unwrap().email;
    let organization = format!("{} Manufacturing", email.split('@').nth(1).unwrap());
    assert_eq!((peer["name"].as_str(), peer["title"].as_str()), (Some("Sara Al-Harbi"), Some("Plant Engineer")));
    assert_eq!(peer["organization"], organization.as_str());
    for c in items {
        let peer = c["peer"]["id"].as_str().unwrap();
        let (conversations, messages) = &by_sender[peer];
        assert_eq!(conversations, &BTreeSet::from([id_of(c)]), "one conversation per sender");
        assert_eq!(c["unread_count"], 5, "{c}");
        assert_eq!(c["last_message"]["sender_id"], peer);
        // The same order on every read: newest first, each sender's five.
        let first = app.message_page(&to.token, &id_of(c), "limit=100").await;
        let again = app.message_page(&to.token, &id_of(c), "limit=100").await;
        assert_eq!(ids(&first), ids(&again), "a stable order");
        assert_newest_first(&ids(&first));
        assert_eq!(first["total"], 5);
        assert_eq!(ids(&first).into_iter().collect::<BTreeSet<_>>(), *messages);
        assert_eq!(ids(&first)[0], c["last_message"]["id"].as_str().unwrap());
    }
    // Paging the list gives the same order.
    let mut paged = Vec::new();
    let mut query = "limit=3".to_owned();
    loop {
        let page = app.conversations(&to.token, &query).await;
        assert_eq!(page["total"], 10);
        paged.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(c) => query = format!("limit=3&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(paged, ids(&inbox));
    // Senders have read their own; reading one conversation takes its five off the badge.
    for s in &senders {
        assert_eq!(app.unread_messages(&s.token).await, 0);
        assert_eq!(app.conversations(&s.token, "").await["items"][0]["unread_count"], 0);
    }
    let r = app.read_conversation(&to.token, &id_of(&items[3]), None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["unread_count"], 0);
    assert_eq!(app.unread_messages(&to.token).await, 45);
}

#[tokio::test]
async fn concurrent_first_messages_between_two_people_make_one_conversation() {
    let app = &TestApp::spawn().await;
    let (a, b) = (&app.person("a@pair.sa").await, &app.person("b@pair2.sa").await);

    let sends = (0..10).map(|i| async move {
        let (from, to) = if i % 2 == 0 { (a, b) } else { (b, a) };
        app.message(&from.token, &to.id, &format!("Hello, message {i}")).await
    });
    let sent = join_all(sends).await;

    let conversations: BTreeSet<&str> = sent.iter().map(|m| m["conversation_id"].as_str().unwrap()).collect();
    assert_eq!(conversations.len(), 1, "{conversations:?}");
    let cid = conversations.into_iter().next().unwrap();
    for (me, peer) in [(a, b), (b, a)] {
        let list = app.conversations(&me.token, "").await;
        assert_eq!((list["total"].as_u64(), ids(&list)), (Some(1), vec![cid.to_owned()]));
        assert_eq!(list["items"][0]["peer"]["id"], peer.id.as_str());
        // Sending reads what came before: unread is what the peer sent after my newest.
        let all = app.all_messages(&me.token, cid, 100).await;
        assert_eq!(all.len(), 10);
        let unread = all.iter().take_while(|m| m["sender"]["id"] == peer.id.as_str()).count();
        assert_eq!(list["items"][0]["unread_count"], unread);
        assert_eq!(app.unread_messages(&me.token).await, unread as u64);
    }
}

#[tokio::test]
async fn yourself_unreachable_accounts_and_blocks_are_refused() {
    let app = TestApp::spawn().await;
    let me = app.person("me@sender.sa").await;
    let team = app.team("refuse.sa").await;

    // Validation: every field named.
    expect_invalid(app.send_message(&me.token, &me.id, "Note to self").await, &["recipient_id"]).await;
    expect_invalid(app.send_message(&me.token, "someone", "Hi").await, &["recipient_id"]).await;
    expect_invalid(app.send_message(&me.token, &team.member_id, "  \n ").await, &["text"]).await;
    expect_invalid(app.send_message(&me.token, &team.member_id, &"x".repeat(5001)).await, &["text"]).await;
    let six: Vec<String> = (0..6).map(|i| format!("0195f1a2-7b3c-7d4e-8f90-12345678900{i}")).collect();
    let six = json!({"recipient_id": team.member_id, "text": "Files", "attachment_ids": six});
    expect_invalid(app.send_message_body(&me.token, six).await, &["attachment_ids"]).await;
    expect_not_found(app.send_message(&me.token, UNKNOWN, "Anyone there?").await).await;
    let long = app.message(&me.token, &team.member_id, &format!("  {}  ", "ب".repeat(5000))).await;
    assert_eq!(long["text"].as_str().unwrap().chars().count(), 5000, "trimmed, and 5,000 is allowed");

    // A deactivated account and a pending one cannot receive.
    assert_eq!(app.deactivate(&team.admin, &team.member_id).await.status(), StatusCode::OK);
    let r = app.send_message(&me.token, &team.member_id, "Still there?").await;
    let deactivated = expect_error(r, StatusCode::FORBIDDEN, "cannot_message").await;
    let pending = app.signup("late@refuse.sa", PASSWORD).await;
    assert_eq!(pending["user"]["status"], "pending_approval");
    app.verify_with_emailed_code("late@refuse.sa").await;
    let pending_id = pending["user"]["id"].as_str().unwrap();
    expect_error(app.send_message(&me.token, pending_id, "Welcome").await, StatusCode::FORBIDDEN, "cannot_message")
        .await;
    let unverified = app.signup("new@unverified.sa", PASSWORD).await;
    let r = app.send_message(&me.token, unverified["user"]["id"].as_str().unwrap(), "Welcome").await;
    expect_error(r, StatusCode::FORBIDDEN, "cannot_message").await;

    // A block by the recipient reads like an account that cannot receive.
    let b = app.person("b@blocker.sa").await;
    app.message(&me.token, &b.id, "First contact").await;
    for _ in 0..2 {
        assert_eq!(app.block(&b.token, &me.id).await.status(), StatusCode::NO_CONTENT, "idempotent");
    }
    let blocked =
        expect_error(app.send_message(&me.token, &b.id, "Hello?").await, StatusCode::FORBIDDEN, "cannot_message").await;
    assert_eq!(blocked["message"], deactivated["message"], "the block is not revealed");
    // The blocker is told it is their own block.
    expect_error(app.send_message(&b.token, &me.id, "Sorry").await, StatusCode::FORBIDDEN, "you_blocked").await;
    let list = app.blocks(&b.token).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["user"]["id"], me.id.as_str());
    assert!(list["items"][0]["blocked_at"].is_string());
    assert!(app.blocks(&me.token).await["items"].as_array().unwrap().is_empty());
    // Unblocking (twice is fine) opens both ways again.
    for _ in 0..2 {
        assert_eq!(app.unblock(&b.token, &me.id).await.status(), StatusCode::NO_CONTENT);
    }
    assert!(app.blocks(&b.token).await["items"].as_array().unwrap().is_empty());
    app.message(&me.token, &b.id, "Thanks for unblocking").await;
    app.message(&b.token, &me.id, "You're welcome").await;
    expect_invalid(app.block(&b.token, &b.id).await, &["id"]).await;
    expect_not_found(app.block(&b.token, UNKNOWN).await).await;

    // A deleted account cannot receive; its conversation stays readable as "Deleted user".
    let gone = app.person("gone@leaving.sa").await;
    let bye = app.message(&gone.token, &me.id, "Goodbye, it was a pleasure").await;
    assert_eq!(app.delete_me(&gone.token, PASSWORD).await.status(), StatusCode::NO_CONTENT);
    expect_error(app.send_message(&me.token, &gone.id, "Wait").await, StatusCode::FORBIDDEN, "cannot_message").await;
    let cid = bye["conversation_id"].as_str().unwrap();
    let c = app.conversation_json(&me.token, cid).await;
    assert_eq!(c["peer"]["name"], "Deleted user");
    let page = app.message_page(&me.token, cid, "").await;
    assert_eq!(page["items"][0]["text"], "Goodbye, it was a pleasure");
    assert_eq!(page["items"][0]["sender"]["name"], "Deleted user");
}

#[tokio::test]
async fn strangers_get_404_and_only_the_sender_deletes_a_message() {
    let app = TestApp::spawn().await;
    let (a, b, c) = (app.person("a@talk.sa").await, app.person("b@talk2.sa").await, app.person("c@nosy.sa").await);
    let m = app.message(&a.token, &b.id, "Confidential pricing").await;
    let (mid, cid) = (id_of(&m), m["conversation_id"].as_str().unwrap().to_owned());

    expect_not_found(app.conversation(&c.token, &cid).await).await;
    expect_not_found(app.conversation_messages(&c.token, &cid, "").await).await;
    expect_not_found(app.read_conversation(&c.token, &cid, None).await).await;
    expect_not_found(app.read_conversation(&c.token, &cid, Some(&mid)).await).await;
    for on in [true, false] {
        expect_not_found(app.mute_conversation(&c.token, &cid, on).await).await;
        expect_not_found(app.archive_conversation(&c.token, &cid, on).await).await;
    }
    expect_not_found(app.delete_message(&c.token, &mid).await).await;
    expect_not_found(app.conversation(&a.token, UNKNOWN).await).await;
    expect_not_found(app.delete_message(&a.token, UNKNOWN).await).await;
    assert_eq!(app.conversations(&c.token, "").await["total"], 0);

    expect_error(app.delete_message(&b.token, &mid).await, StatusCode::FORBIDDEN, "not_author").await;
    assert_eq!(app.delete_message(&a.token, &mid).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.delete_message(&a.token, &mid).await.status(), StatusCode::NO_CONTENT, "twice is fine");
    let page = app.message_page(&b.token, &cid, "").await;
    assert_eq!(page["total"], 1, "a tombstone keeps its place");
    let tombstone = &page["items"][0];
    assert_eq!((tombstone["id"].as_str(), tombstone["deleted"].as_bool()), (Some(mid.as_str()), Some(true)));
    assert_eq!((tombstone["text"].as_str(), tombstone["attachments"].clone()), (Some(""), json!([])));
    let c = app.conversation_json(&b.token, &cid).await;
    assert_eq!((c["last_message"]["deleted"].as_bool(), c["last_message"]["preview"].as_str()), (Some(true), Some("")));
}

/// Waits (bounded) until the newest message of `cid` shows its attachment's thumbnail.
async fn thumbnail_made(app: &TestApp, token: &str, cid: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !app.message_page(token, cid, "").await["items"][0]["attachments"][0]["thumbnail_url"].is_string() {
        assert!(Instant::now() < deadline, "the thumbnail was never made");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn message_files_are_seen_by_the_two_people_only_and_go_with_the_message() {
    let app = TestApp::spawn().await;
    let (a, b, c) = (app.person("a@files.sa").await, app.person("b@files2.sa").await, app.person("c@files3.sa").await);
    let r = app.upload_message_file(&a.token, png(8, 8), "plan.png").await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let file: Value = r.json().await.unwrap();
    let (fid, url) = (id_of(&file), file["url"].as_str().unwrap().to_owned());
    // Unsent: its uploader's only, and only its uploader may send it.
    assert_eq!(app.get(&url, Some(&a.token)).await.status(), StatusCode::OK);
    expect_not_found(app.get(&url, Some(&b.token)).await).await;
    let with = |ids: Value| json!({"recipient_id": b.id, "text": "See the plan", "attachment_ids": ids});
    let theirs = json!({"recipient_id": a.id, "text": "Mine now", "attachment_ids": [fid]});
    expect_invalid(app.send_message_body(&b.token, theirs).await, &["attachment_ids"]).await;
    expect_invalid(app.send_message_body(&a.token, with(json!([fid, fid]))).await, &["attachment_ids"]).await;
    expect_invalid(app.send_message_body(&a.token, with(json!(["plan.png"]))).await, &["attachment_ids"]).await;

    let r = app.send_message_body(&a.token, with(json!([fid]))).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let m: Value = r.json().await.unwrap();
    assert_eq!(m["attachments"][0]["id"], fid.as_str());
    let cid = m["conversation_id"].as_str().unwrap();
    expect_invalid(app.send_message_body(&a.token, with(json!([fid]))).await, &["attachment_ids"]).await;
    thumbnail_made(&app, &a.token, cid).await;
    assert_eq!(app.local_objects(), 2, "the file and its thumbnail");
    for (who, status) in [(&a, StatusCode::OK), (&b, StatusCode::OK), (&c, StatusCode::NOT_FOUND)] {
        assert_eq!(app.get(&url, Some(&who.token)).await.status(), status, "{}", who.email);
    }

    expect_error(app.delete_message(&b.token, &id_of(&m)).await, StatusCode::FORBIDDEN, "not_author").await;
    assert_eq!(app.delete_message(&a.token, &id_of(&m)).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.local_objects(), 0, "no object outlives its message");
    expect_not_found(app.get(&url, Some(&b.token)).await).await;
    expect_not_found(app.get(&url, Some(&a.token)).await).await;
    let tombstone = &app.message_page(&b.token, cid, "").await["items"][0];
    assert_eq!((tombstone["deleted"].as_bool(), tombstone["attachments"].clone()), (Some(true), json!([])));
}

#[tokio::test]
async fn a_file_never_sent_is_deleted_after_its_time() {
    let app = TestApp::spawn_with(&[("P2P_MESSAGES__UNSENT_UPLOAD_TTL_SECS", "0")]).await;
    let (a, b) = (app.person("a@unsent.sa").await, app.person("b@unsent2.sa").await);
    let pdf = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec();
    let r = app.upload_message_file(&a.token, pdf, "quote.pdf").await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let file: Value = r.json().await.unwrap();
    assert_eq!(file["content_type"], "application/pdf");
    app.wait_for_jobs().await;
    assert_eq!(app.local_objects(), 0);
    expect_not_found(app.get(file["url"].as_str().unwrap(), Some(&a.token)).await).await;
    let late = json!({"recipient_id": b.id, "text": "The quote", "attachment_ids": [id_of(&file)]});
    expect_invalid(app.send_message_body(&a.token, late).await, &["attachment_ids"]).await;
}

#[tokio::test]
async fn paging_newest_first_has_no_duplicates_or_gaps_while_messages_arrive() {
    let app = &TestApp::spawn().await;
    let (a, b) = (&app.person("a@paging.sa").await, &app.person("b@paging2.sa").await);
    let first = app.message(&a.token, &b.id, "Message 0").await;
    let cid = first["conversation_id"].as_str().unwrap();
    join_all((1..40).map(|i| async move {
        let (from, to) = if i % 3 == 0 { (b, a) } else { (a, b) };
        app.message(&from.token, &to.id, &format!("Message {i}")).await
    }))
    .await;

    let (sent, done) = (&AtomicUsize::new(0), &AtomicBool::new(false));
    let sender = async move {
        let mut i = 0;
        while !done.load(Ordering::SeqCst) {
            let (from, to) = if i % 2 == 0 { (b, a) } else { (a, b) };
            app.message(&from.token, &to.id, &format!("Live {i}")).await;
            sent.fetch_add(1, Ordering::SeqCst);
            i += 1;
        }
    };
    let pager = async move {
        let (mut paged, mut pages, mut before) = (Vec::<String>::new(), 0, 0);
        let mut query = "limit=7".to_owned();
        loop {
            // Every page is read after at least one more message arrived.
            let deadline = Instant::now() + Duration::from_secs(10);
            while sent.load(Ordering::SeqCst) <= before {
                assert!(Instant::now() < deadline, "the sender stalled");
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            before = sent.load(Ordering::SeqCst);
            let page = app.message_page(&a.token, cid, &query).await;
            (paged, pages) = ([paged, ids(&page)].concat(), pages + 1);
            match page["next_cursor"].as_str() {
                Some(c) => query = format!("limit=7&cursor={c}"),
                None => break,
            }
        }
        done.store(true, Ordering::SeqCst);
        (paged, pages)
    };
    let ((), (paged, pages)) = tokio::join!(sender, pager);
    expect_invalid(app.conversation_messages(&a.token, cid, "cursor=garbage").await, &["cursor"]).await;
    expect_invalid(app.get("/api/v1/conversations?cursor=garbage", Some(&a.token)).await, &["cursor"]).await;

    // Everything up to the newest message of the first page, each once, newest first.
    let all = ids_of(&app.all_messages(&a.token, cid, 100).await);
    let expected: Vec<String> = all.iter().filter(|id| **id <= paged[0]).cloned().collect();
    assert_newest_first(&paged);
    assert_eq!(paged, expected, "no duplicate, no gap");
    assert!(paged.len() > 40, "the 40 from before and the first live one");
    assert!(pages >= 6 && all.len() >= paged.len() + pages - 1, "messages arrived between pages: {pages} pages");
    assert_eq!(paged.last(), Some(&id_of(&first)));
}

#[tokio::test]
async fn archive_and_mute_round_trip_and_a_new_message_unarchives() {
    let app = TestApp::spawn().await;
    let (a, b, c) =
        (app.person("a@folders.sa").await, app.person("b@folders2.sa").await, app.person("c@folders3.sa").await);
    let ab = app.message(&a.token, &b.id, "About the shipment").await["conversation_id"].as_str().unwrap().to_owned();
    let ac = app.message(&c.token, &a.id, "About the invoice").await["conversation_id"].as_str().unwrap().to_owned();
    let folder = |archived: bool| {
        let query = format!("archived={archived}");
        let (app, t) = (&app, a.token.clone());
        async move {
            let page = app.conversations(&t, &query).await;
            (page["total"].as_u64().unwrap(), ids(&page))
        }
    };
    assert_eq!(folder(false).await, (2, vec![ac.clone(), ab.clone()]));
    assert_eq!(folder(true).await, (0, vec![]));

    // Archive (twice: the counts do not drift), then a new message brings it back.
    for _ in 0..2 {
        let r = app.archive_conversation(&a.token, &ab, true).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.json::<Value>().await.unwrap()["archived"], true);
    }
    assert_eq!(folder(false).await, (1, vec![ac.clone()]));
    assert_eq!(folder(true).await, (1, vec![ab.clone()]));
    assert_eq!(app.conversations(&b.token, "").await["items"][0]["archived"], false, "archive is per person");
    app.message(&b.token, &a.id, "Shipment left the port").await;
    assert_eq!(folder(false).await, (2, vec![ab.clone(), ac.clone()]));
    assert_eq!(folder(true).await, (0, vec![]));
    assert_eq!(app.conversation_json(&a.token, &ab).await["archived"], false);
    // Unarchiving by hand, and one's own message, also bring it back.
    assert_eq!(app.archive_conversation(&a.token, &ab, true).await.status(), StatusCode::OK);
    let r = app.archive_conversation(&a.token, &ab, false).await;
    assert_eq!(r.json::<Value>().await.unwrap()["archived"], false);
    assert_eq!(folder(false).await.0, 2);
    assert_eq!(app.archive_conversation(&a.token, &ac, true).await.status(), StatusCode::OK);
    assert_eq!(folder(true).await, (1, vec![ac.clone()]));
    app.message(&a.token, &c.id, "Invoice paid").await;
    assert_eq!(folder(false).await, (2, vec![ac.clone(), ab.clone()]));
    assert_eq!(folder(true).await.0, 0);

    // Mute is per person too.
    let r = app.mute_conversation(&a.token, &ab, true).await;
    assert_eq!(r.json::<Value>().await.unwrap()["muted"], true);
    assert_eq!(app.conversation_json(&a.token, &ab).await["muted"], true);
    assert_eq!(app.conversation_json(&b.token, &ab).await["muted"], false);
    let r = app.mute_conversation(&a.token, &ab, false).await;
    assert_eq!(r.json::<Value>().await.unwrap()["muted"], false);
    assert_eq!(app.conversation_json(&a.token, &ab).await["muted"], false);
}

#[tokio::test]
async fn blocks_are_bounded_by_the_setting() {
    let app = TestApp::spawn_with(&[("P2P_MESSAGES__MAX_BLOCKS", "1")]).await;
    let (a, b, c) =
        (app.person("a@bounded.sa").await, app.person("b@bounded2.sa").await, app.person("c@bounded3.sa").await);
    assert_eq!(app.block(&a.token, &b.id).await.status(), StatusCode::NO_CONTENT);
    expect_error(app.block(&a.token, &c.id).await, StatusCode::CONFLICT, "conflict").await;
    assert_eq!(app.block(&a.token, &b.id).await.status(), StatusCode::NO_CONTENT, "blocking again is no new block");
    assert_eq!(app.unblock(&a.token, &b.id).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.block(&a.token, &c.id).await.status(), StatusCode::NO_CONTENT);
    let list = app.blocks(&a.token).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["user"]["id"], c.id.as_str());
}
