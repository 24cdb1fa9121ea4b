//! The activity feed: who asked, answered, chose a best answer, published a use case or joined
//! an organization, newest first with the actor's card and what it links to; never views,
//! likes or edits. An organization's feed shows its own people's entries only; deleting
//! content drops its entries from every feed; the feed pages without gaps or repeats.

use chrono::DateTime;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{
    PASSWORD, TestApp,
    activity::{entries, entry},
    expect_invalid, expect_not_found, id_of,
    messages::{Person, assert_newest_first, ids_of},
    use_cases::use_case_body,
};

/// (kind, actor id, target_type, target_id, topic_id, title, organization_id).
type Entry = [String; 7];

/// An expected entry; `""` for what it has not.
fn e(kind: &str, actor: &str, target: (&str, &str), topic: &str, title: &str, org: &str) -> Entry {
    [kind, actor, target.0, target.1, topic, title, org].map(str::to_owned)
}

/// The whole feed (`org: None`) or an organization's, in short.
async fn feed(app: &TestApp, token: &str, org: Option<&str>) -> Vec<Entry> {
    entries(&app.all_activity(token, org).await)
}

/// The id of `p`'s organization.
async fn org_of(app: &TestApp, p: &Person) -> String {
    id_of(&app.my_org(&p.token).await)
}

/// Signs `email` up into the organization of its domain (a join request) and has `admin`
/// approve it; returns the new member, signed in.
async fn joined(app: &TestApp, admin: &Person, email: &str) -> Person {
    app.signup(email, PASSWORD).await;
    assert_eq!(app.verify_with_emailed_code(email).await["status"], "pending_approval");
    let requests = app.join_requests(&admin.token).await;
    let request = requests["items"].as_array().unwrap().iter().find(|r| r["email"] == email).unwrap();
    let path = format!("/api/v1/organizations/me/join-requests/{}/approve", id_of(request));
    assert_eq!(app.post(&path, Some(&admin.token), json!({})).await.status(), StatusCode::OK);
    let auth = app.login_json(email, PASSWORD).await;
    Person {
        token: crate::support::token(&auth),
        id: auth["user"]["id"].as_str().unwrap().to_owned(),
        email: email.to_owned(),
    }
}

/// The id of the caller.
async fn my_id(app: &TestApp, token: &str) -> String {
    app.get_json("/api/v1/users/me", token).await["user"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_feed_records_who_asked_answered_chose_published_and_joined() {
    let app = &TestApp::spawn().await;
    let a = &app.named_person("amira@steel.sa", "Amira", "Asker").await;
    let b = &app.named_person("basel@cement.sa", "Basel", "Answerer").await;
    let (org_a, org_b) = (org_of(app, a).await, org_of(app, b).await);
    let moderator = &app.platform_admin("mod@p2p.sa").await;
    let mod_id = my_id(app, moderator).await;
    assert_eq!(feed(app, &a.token, None).await, Vec::<Entry>::new(), "a new community has done nothing yet");

    let title = "Bearing temperature creeps up";
    let t = id_of(&app.new_topic(&a.token, title, "automation", &[]).await);
    let r = id_of(&app.new_reply(&b.token, &t, "Check the grease interval").await);
    let answer = id_of(&app.new_answer(&a.token, &t, &r, "We grease weekly already").await);
    assert_eq!(app.mark_best_answer(&a.token, &t, &r).await.status(), StatusCode::OK);
    // A moderator choosing on someone else's topic is the one the entry names.
    let title2 = "Dust in the packing hall";
    let t2 = id_of(&app.new_topic(&b.token, title2, "automation", &[]).await);
    let r2 = id_of(&app.new_reply(&a.token, &t2, "Seal the hopper lids").await);
    assert_eq!(app.mark_best_answer(moderator, &t2, &r2).await.status(), StatusCode::OK);
    let uc_title = "Predictive maintenance on kiln fans";
    let uc = id_of(&app.new_use_case(&b.token, use_case_body(uc_title)).await);
    let j = &joined(app, a, "jamal@steel.sa").await;

    let expected = vec![
        e("joined", &j.id, ("", ""), "", "steel.sa Manufacturing", &org_a),
        e("published_use_case", &b.id, ("use_case", &uc), "", uc_title, &org_b),
        e("best_answer", &mod_id, ("reply", &r2), &t2, title2, ""),
        e("answered", &a.id, ("reply", &r2), &t2, title2, &org_a),
        e("asked", &b.id, ("topic", &t2), &t2, title2, &org_b),
        e("best_answer", &a.id, ("reply", &r), &t, title, &org_a),
        e("answered", &a.id, ("reply", &answer), &t, title, &org_a),
        e("answered", &b.id, ("reply", &r), &t, title, &org_b),
        e("asked", &a.id, ("topic", &t), &t, title, &org_a),
    ];
    let items = app.all_activity(&j.token, None).await;
    assert_eq!(entries(&items), expected, "newest first");
    assert_newest_first(&ids_of(&items));
    let at: Vec<_> = items.iter().map(|i| DateTime::parse_from_rfc3339(i["at"].as_str().unwrap()).unwrap()).collect();
    assert!(at.windows(2).all(|w| w[0] >= w[1]), "{at:?}");
    // Each with the actor's card.
    let card = |i: usize| items[i]["actor"].clone();
    assert_eq!(card(8), json!({"id": a.id, "name": "Amira Asker", "title": "Plant Engineer"}));
    assert_eq!(card(7), json!({"id": b.id, "name": "Basel Answerer", "title": "Plant Engineer"}));
    assert_eq!(card(0), json!({"id": j.id, "name": "Sara Al-Harbi", "title": "Plant Engineer"}));
    assert_eq!(card(2)["id"], mod_id);
    for (item, short) in items.iter().zip(&expected) {
        assert_eq!(entry(item), *short);
        for (key, value) in [("target_type", &short[2]), ("topic_id", &short[4]), ("organization_id", &short[6])] {
            assert_eq!(item.get(key).is_none(), value.is_empty(), "{key} absent exactly when it has none: {item}");
        }
    }

    // Nothing else is activity: views, likes, bookmarks, edits, watching, choosing the same
    // best answer again, reading feeds.
    assert_eq!(app.get_topic(&j.token, &t).await.status(), StatusCode::OK);
    assert_eq!(app.get_use_case(&a.token, &uc).await.status(), StatusCode::OK);
    assert_eq!(app.like_topic(&b.token, &t).await.status(), StatusCode::OK);
    assert_eq!(app.like_reply(&a.token, &r).await.status(), StatusCode::OK);
    assert_eq!(app.like_use_case(&a.token, &uc).await.status(), StatusCode::OK);
    let bookmark = app.put(&format!("/api/v1/forum/topics/{t}/bookmark"), &j.token, json!({})).await;
    assert_eq!(bookmark.status(), StatusCode::OK);
    assert_eq!(app.update_reply(&b.token, &r, "Check the grease interval and type").await.status(), StatusCode::OK);
    let edit = json!({"body": "A longer body, edited after the answers came in."});
    assert_eq!(app.update_topic(&a.token, &t, edit).await.status(), StatusCode::OK);
    assert_eq!(app.watch_topic(&j.token, &t).await.status(), StatusCode::OK);
    assert_eq!(app.mark_best_answer(&a.token, &t, &r).await.status(), StatusCode::OK);
    app.activity(&b.token, Some(&org_a), "").await;
    assert_eq!(feed(app, &b.token, None).await, expected);

    // Choosing another best answer is a new entry (the choice is what it records).
    assert_eq!(app.mark_best_answer(&a.token, &t, &answer).await.status(), StatusCode::OK);
    let now = feed(app, &b.token, None).await;
    assert_eq!(now[0], e("best_answer", &a.id, ("reply", &answer), &t, title, &org_a));
    assert_eq!(now[1..], expected[..]);
}

#[tokio::test]
async fn an_organizations_feed_shows_its_own_peoples_entries_only() {
    let app = &TestApp::spawn().await;
    let x = &app.person("xavier@mill.sa").await;
    let y = &app.person("yara@glass.sa").await;
    let (org_x, org_y) = (org_of(app, x).await, org_of(app, y).await);
    let moderator = &app.platform_admin("mod@p2p.sa").await;
    let m = &joined(app, x, "maha@mill.sa").await;

    let tx = id_of(&app.new_topic(&x.token, "Roll gap drifts", "automation", &[]).await);
    let ty = id_of(&app.new_topic(&y.token, "Furnace crown cracks", "automation", &[]).await);
    // Entries belong to the actor's organization, not the topic's.
    app.new_reply(&y.token, &tx, "Measure the roll temperature").await;
    let my = id_of(&app.new_reply(&m.token, &ty, "We had that, it was the burner angle").await);
    assert_eq!(app.mark_best_answer(&y.token, &ty, &my).await.status(), StatusCode::OK);
    app.new_use_case(&x.token, use_case_body("Roll gap control with vision")).await;
    app.new_use_case(&y.token, use_case_body("Furnace thermal imaging")).await;
    let tm = id_of(&app.new_topic(moderator, "Forum rules for attachments", "automation", &[]).await);
    app.new_reply(&x.token, &tm, "Thanks for the clarity").await;

    let community = app.all_activity(&x.token, None).await;
    assert_eq!(community.len(), 10, "{community:?}");
    for org in [&org_x, &org_y] {
        let theirs: Vec<&Value> = community.iter().filter(|i| i["organization_id"] == org.as_str()).collect();
        let listed = app.all_activity(&y.token, Some(org)).await;
        assert_eq!(listed.iter().collect::<Vec<_>>(), theirs, "the community's entries of {org}, in order");
    }
    let kinds_and_actors = |items: &[Value]| -> Vec<(String, String)> {
        items
            .iter()
            .map(|i| (i["kind"].as_str().unwrap().to_owned(), i["actor"]["id"].as_str().unwrap().to_owned()))
            .collect()
    };
    let pair = |k: &str, p: &str| (k.to_owned(), p.to_owned());
    assert_eq!(
        kinds_and_actors(&app.all_activity(&m.token, Some(&org_x)).await),
        [
            pair("answered", &x.id),
            pair("published_use_case", &x.id),
            pair("answered", &m.id),
            pair("asked", &x.id),
            pair("joined", &m.id),
        ]
    );
    assert_eq!(
        kinds_and_actors(&app.all_activity(&x.token, Some(&org_y)).await),
        [pair("published_use_case", &y.id), pair("best_answer", &y.id), pair("answered", &y.id), pair("asked", &y.id)]
    );
    // The moderator belongs to no organization: their entries are the community's only.
    let moderator_id = my_id(app, moderator).await;
    let theirs: Vec<&Value> = community.iter().filter(|i| i["actor"]["id"] == moderator_id.as_str()).collect();
    assert_eq!(theirs.len(), 1);
    assert!(theirs[0].get("organization_id").is_none(), "{}", theirs[0]);

    // An organization with nobody active yet has an empty feed; unknown ones are 404.
    let z = &app.person("zaid@paper.sa").await;
    let page = app.activity(&x.token, Some(&org_of(app, z).await), "").await;
    assert_eq!(page, json!({"items": []}));
    for unknown in ["01900000-0000-7000-8000-000000000000", "not-an-id"] {
        expect_not_found(app.org_activity_raw(&x.token, unknown, "").await).await;
    }
    // Signed-in people only.
    assert_eq!(app.get("/api/v1/activity", None).await.status(), StatusCode::UNAUTHORIZED);
    let anonymous = app.get(&format!("/api/v1/organizations/{org_x}/activity"), None).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn deleting_content_drops_its_entries_from_every_feed() {
    let app = &TestApp::spawn().await;
    let a = &app.person("amal@drop.sa").await;
    let b = &app.person("bilal@drop2.sa").await;
    let (org_a, org_b) = (org_of(app, a).await, org_of(app, b).await);
    let doomed_title = "A question that will go";
    let doomed = id_of(&app.new_topic(&a.token, doomed_title, "automation", &[]).await);
    let r1 = id_of(&app.new_reply(&b.token, &doomed, "An answer that goes with it").await);
    let r2 = id_of(&app.new_answer(&a.token, &doomed, &r1, "An answer to the answer").await);
    assert_eq!(app.mark_best_answer(&a.token, &doomed, &r1).await.status(), StatusCode::OK);
    let kept_title = "A question that stays";
    let kept = id_of(&app.new_topic(&b.token, kept_title, "automation", &[]).await);
    let rk = id_of(&app.new_reply(&a.token, &kept, "An answer that stays").await);
    let thread = id_of(&app.new_reply(&a.token, &kept, "A reply whose thread goes").await);
    let under = id_of(&app.new_answer(&b.token, &kept, &thread, "An answer that goes with its reply").await);
    let uc = id_of(&app.new_use_case(&b.token, use_case_body("A use case that will go")).await);
    assert_eq!(feed(app, &a.token, None).await.len(), 9);

    // A deleted use case; a deleted reply, and with it the answers to it.
    assert_eq!(app.delete_use_case(&b.token, &uc).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.delete_reply(&a.token, &thread).await.status(), StatusCode::NO_CONTENT);
    let expected = vec![
        e("answered", &a.id, ("reply", &rk), &kept, kept_title, &org_a),
        e("asked", &b.id, ("topic", &kept), &kept, kept_title, &org_b),
        e("best_answer", &a.id, ("reply", &r1), &doomed, doomed_title, &org_a),
        e("answered", &a.id, ("reply", &r2), &doomed, doomed_title, &org_a),
        e("answered", &b.id, ("reply", &r1), &doomed, doomed_title, &org_b),
        e("asked", &a.id, ("topic", &doomed), &doomed, doomed_title, &org_a),
    ];
    assert_eq!(feed(app, &a.token, None).await, expected);
    assert!(!feed(app, &a.token, None).await.iter().any(|x| [&under, &thread, &uc].contains(&&x[3])));
    // A deleted answer: its own entry only.
    assert_eq!(app.delete_reply(&a.token, &r2).await.status(), StatusCode::NO_CONTENT);
    let expected = kept_of(&expected, &[0, 1, 2, 4, 5]);
    assert_eq!(feed(app, &b.token, None).await, expected);
    // A deleted topic: its own entry and its replies', the best answer's included.
    assert_eq!(app.delete_topic(&a.token, &doomed).await.status(), StatusCode::NO_CONTENT);
    let expected = kept_of(&expected, &[0, 1]);
    assert_eq!(feed(app, &b.token, None).await, expected);
    // The organizations' feeds too.
    assert_eq!(feed(app, &b.token, Some(&org_a)).await, expected[..1]);
    assert_eq!(feed(app, &a.token, Some(&org_b)).await, expected[1..]);
}

/// The entries of `all` at `keep`, in that order.
fn kept_of(all: &[Entry], keep: &[usize]) -> Vec<Entry> {
    keep.iter().map(|&i| all[i].clone()).collect()
}

#[tokio::test]
async fn the_feed_pages_newest_first_without_gaps_or_repeats() {
    let app = &TestApp::spawn().await;
    let a = &app.person("ayman@pages.sa").await;
    let b = &app.person("bushra@pages2.sa").await;
    let org_a = org_of(app, a).await;
    let mut topics = Vec::new();
    for i in 0..11 {
        let t = id_of(&app.new_topic(&a.token, &format!("Paging question {i}"), "automation", &[]).await);
        app.new_reply(&b.token, &t, "An answer to page through").await;
        topics.push(t);
    }
    let all = app.all_activity(&a.token, None).await;
    assert_eq!(all.len(), 22);
    assert_newest_first(&ids_of(&all));

    // Pages of five: no gap, no repeat, the last without a cursor.
    let (paged, sizes) = app.activity_pages(&a.token, None, 5).await;
    assert_eq!((sizes, &paged), (vec![5, 5, 5, 5, 2], &all));
    // An organization's, in pages of four; a page that is exactly the rest has no cursor.
    let theirs: Vec<Value> = all.iter().filter(|i| i["organization_id"] == org_a.as_str()).cloned().collect();
    assert_eq!(theirs.len(), 11);
    let (paged, sizes) = app.activity_pages(&b.token, Some(&org_a), 4).await;
    assert_eq!((sizes, &paged), (vec![4, 4, 3], &theirs));
    let (paged, sizes) = app.activity_pages(&b.token, Some(&org_a), 11).await;
    assert_eq!((sizes, &paged), (vec![11], &theirs));
    // Page sizes are kept between 1 and 100.
    assert_eq!(app.activity(&a.token, None, "limit=1000").await["items"].as_array().unwrap().len(), 22);
    assert_eq!(app.activity(&a.token, None, "limit=0").await["items"].as_array().unwrap().len(), 1);

    // The entry a cursor points at deleted between two pages: the next page still starts
    // right after it.
    let first = app.activity(&a.token, None, "limit=5").await;
    assert_eq!(ids_of(first["items"].as_array().unwrap()), ids_of(&all[..5]));
    let last = &first["items"][4];
    assert_eq!((&last["kind"], &last["actor"]["id"]), (&json!("answered"), &json!(b.id)));
    let gone = last["target_id"].as_str().unwrap();
    assert_eq!(app.delete_reply(&b.token, gone).await.status(), StatusCode::NO_CONTENT);
    let cursor = first["next_cursor"].as_str().unwrap();
    let next = app.activity(&a.token, None, &format!("limit=5&cursor={cursor}")).await;
    assert_eq!(ids_of(next["items"].as_array().unwrap()), ids_of(&all[5..10]));

    for bad in ["not-a-cursor", "AAAA"] {
        expect_invalid(app.activity_raw(&a.token, &format!("cursor={bad}")).await, &["cursor"]).await;
        expect_invalid(app.org_activity_raw(&a.token, &org_a, &format!("cursor={bad}")).await, &["cursor"]).await;
    }
}

#[tokio::test]
async fn drafts_are_activity_once_published_not_while_saved() {
    let app = &TestApp::spawn().await;
    let a = &app.person("dima@drafts.sa").await;
    let org = org_of(app, a).await;
    let topic = json!({"title": "Chiller plan for the summer", "body": "Weekly checks of the chiller.", "category": "maintenance"});
    let r = app.create_forum_draft(&a.token, topic).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let topic_draft = id_of(&r.json::<Value>().await.unwrap());
    let title = "Vision checks on the bottling line";
    let r = app.create_use_case_draft(&a.token, use_case_body(title)).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let use_case_draft = id_of(&r.json::<Value>().await.unwrap());
    assert_eq!(feed(app, &a.token, None).await, Vec::<Entry>::new(), "a saved draft is nobody's business");

    let r = app.post(&format!("/api/v1/forum/drafts/{topic_draft}/publish"), Some(&a.token), json!({})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let t = id_of(&r.json::<Value>().await.unwrap());
    let r = app.post(&format!("/api/v1/use-cases/drafts/{use_case_draft}/publish"), Some(&a.token), json!({})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let uc = id_of(&r.json::<Value>().await.unwrap());
    let expected = vec![
        e("published_use_case", &a.id, ("use_case", &uc), "", title, &org),
        e("asked", &a.id, ("topic", &t), &t, "Chiller plan for the summer", &org),
    ];
    assert_eq!(feed(app, &a.token, None).await, expected);
    assert_eq!(feed(app, &a.token, Some(&org)).await, expected);
    assert!(app.watching(&a.token, &t).await, "the author of a published draft watches the topic");
}
