//! The dashboard's `organization_stats`: after a scripted sequence across four organizations
//! (topics, replies, likes and an unlike, a best answer, a reply, a topic and a use case
//! deleted, use cases viewed twice by one person), every figure of every organization equals
//! the truth worked out from the script, agrees with its people's own `user_stats`, is the
//! same for each of its members, and the rank orders the organizations by reputation with
//! ties sharing a place. Someone in no organization gets none.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, id_of, messages::Person, use_cases::use_case_body};

async fn stats(app: &TestApp, p: &Person) -> Value {
    app.get_json("/api/v1/dashboard/stats", &p.token).await
}

/// The admin and member of a `Team` on `domain`, as people.
async fn team(app: &TestApp, domain: &str) -> (Person, Person, String) {
    let t = app.team(domain).await;
    let admin = Person { token: t.admin, id: t.admin_id, email: format!("admin@{domain}") };
    let member = Person { token: t.member, id: t.member_id, email: format!("member@{domain}") };
    (admin, member, t.org_id)
}

/// The figures `organization_stats` should show.
fn figures(org: &str, domain: &str, members: u64, counts: [u64; 5], reputation: u64, rank: u64) -> Value {
    let [topics, replies, use_cases, likes_received, use_case_views] = counts;
    json!({
        "id": org, "name": format!("{domain} Manufacturing"), "members": members,
        "topics": topics, "replies": replies, "use_cases": use_cases, "likes_received": likes_received,
        "use_case_views": use_case_views, "reputation": reputation, "rank": rank,
    })
}

/// Asserts what a like, unlike or view answered.
fn ok(r: &reqwest::Response, what: &str) {
    assert_eq!(r.status(), StatusCode::OK, "{what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organization_figures_equal_the_truth_after_a_scripted_sequence() {
    let app = &TestApp::spawn().await;
    let (xa, xm, x) = team(app, "x-plant.sa").await;
    let (ya, ym, y) = team(app, "y-plant.sa").await;
    let za = &app.person("zaid@z-plant.sa").await;
    let wa = &app.person("wael@w-plant.sa").await;
    let z = id_of(&app.my_org(&za.token).await);
    let w = id_of(&app.my_org(&wa.token).await);
    let root = app.platform_admin("root@platform.sa").await;
    let (xa, xm, ya, ym) = (&xa, &xm, &ya, &ym);

    // Nothing done yet: every organization is first, tied at zero.
    assert_eq!(stats(app, xa).await["organization_stats"], figures(&x, "x-plant.sa", 2, [0; 5], 0, 1));
    assert_eq!(stats(app, za).await["organization_stats"], figures(&z, "z-plant.sa", 1, [0; 5], 0, 1));

    // The forum: X asks t1, Y answers it (r1, chosen best), X answers it too (r2).
    let t1 = id_of(&app.new_topic(&xa.token, "Scale build-up in the heat exchanger", "automation", &[]).await);
    let r1 = id_of(&app.new_reply(&ym.token, &t1, "Switch to a phosphonate inhibitor").await);
    app.new_reply(&xm.token, &t1, "We descale quarterly").await;
    // Y asks t2; X answers it (r3), Y likes that answer, X deletes it.
    let t2 = id_of(&app.new_topic(&ya.token, "Best sensor for tank level in foam?", "automation", &[]).await);
    let r3 = id_of(&app.new_reply(&xm.token, &t2, "Radar, not ultrasonic").await);
    ok(&app.like_reply(&ya.token, &r3).await, "like r3");
    assert_eq!(app.delete_reply(&xm.token, &r3).await.status(), StatusCode::NO_CONTENT);
    // t1 is liked by Y's admin, X's member and Y's member, who then takes it back.
    for p in [ya, xm, ym] {
        ok(&app.like_topic(&p.token, &t1).await, "like t1");
    }
    ok(&app.unlike_topic(&ym.token, &t1).await, "unlike t1");
    // X likes r1 and chooses it as the best answer.
    ok(&app.like_reply(&xa.token, &r1).await, "like r1");
    ok(&app.mark_best_answer(&xa.token, &t1, &r1).await, "best r1");

    // Use cases: X's is viewed by three people (one of them twice, one of its own) and liked.
    let uc1 = id_of(&app.new_use_case(&xm.token, use_case_body("Vision checks on the bottling line")).await);
    for p in [ya, ym, ya, xa] {
        ok(&app.get_use_case(&p.token, &uc1).await, "view uc1");
    }
    ok(&app.like_use_case(&ym.token, &uc1).await, "like uc1");
    // Y's is viewed and liked, then deleted.
    let uc2 = id_of(&app.new_use_case(&ya.token, use_case_body("Predictive maintenance on presses")).await);
    ok(&app.get_use_case(&xa.token, &uc2).await, "view uc2");
    ok(&app.like_use_case(&xa.token, &uc2).await, "like uc2");
    assert_eq!(app.delete_use_case(&ya.token, &uc2).await.status(), StatusCode::NO_CONTENT);
    // Y asks t3, X answers and likes it, Y deletes it (the answer goes with it).
    let t3 = id_of(&app.new_topic(&ya.token, "A question about to be withdrawn", "automation", &[]).await);
    app.new_reply(&xm.token, &t3, "An answer that goes with the topic").await;
    ok(&app.like_topic(&xa.token, &t3).await, "like t3");
    assert_eq!(app.delete_topic(&ya.token, &t3).await.status(), StatusCode::NO_CONTENT);
    // Z: a topic (liked by X), a use case, two answers in t2.
    let tz = id_of(&app.new_topic(&za.token, "Solar panels on a dusty roof", "automation", &[]).await);
    app.new_use_case(&za.token, use_case_body("Compressed air leak hunting")).await;
    for body in ["Mount a pressure transmitter", "Or a guided-wave radar"] {
        app.new_reply(&za.token, &t2, body).await;
    }
    ok(&app.like_topic(&xa.token, &tz).await, "like tz");

    // The truth (points: topic 5, reply 2, like 1, best answer 15, use case 10).
    // X: t1; r2; uc1; likes t1 ×2 + uc1 ×1; uc1 seen by 3; 5 + 2 + 10 + 3 = 20.
    // Y: t2; r1; no use case; r1's like; no views left; 5 + 2 + 15 + 1 = 23.
    // Z: tz; two replies; a use case; tz's like; 5 + 4 + 10 + 1 = 20, tied with X.
    // W: nothing, behind all three.
    let expected = [
        (xa, figures(&x, "x-plant.sa", 2, [1, 1, 1, 3, 3], 20, 2)),
        (xm, figures(&x, "x-plant.sa", 2, [1, 1, 1, 3, 3], 20, 2)),
        (ya, figures(&y, "y-plant.sa", 2, [1, 1, 0, 1, 0], 23, 1)),
        (ym, figures(&y, "y-plant.sa", 2, [1, 1, 0, 1, 0], 23, 1)),
        (za, figures(&z, "z-plant.sa", 1, [1, 2, 1, 1, 0], 20, 2)),
        (wa, figures(&w, "w-plant.sa", 1, [0; 5], 0, 4)),
    ];
    for (p, want) in &expected {
        assert_eq!(stats(app, p).await["organization_stats"], *want, "{}", p.email);
    }

    // Each organization's figures are its people's own, added up.
    for people in [[xa, xm], [ya, ym]] {
        let mine = [stats(app, people[0]).await, stats(app, people[1]).await];
        let sum = |k: &str| mine.iter().map(|s| s["user_stats"][k].as_u64().unwrap()).sum::<u64>();
        let org = &mine[0]["organization_stats"];
        let pairs = [
            ("questions_asked", "topics"),
            ("answers_given", "replies"),
            ("use_cases_published", "use_cases"),
            ("likes_received", "likes_received"),
            ("reputation", "reputation"),
        ];
        for (user_key, org_key) in pairs {
            assert_eq!(json!(sum(user_key)), org[org_key], "{org_key} of {}", org["name"]);
        }
    }

    // Someone in no organization gets no organization figures, and their own as before.
    let r = app.get("/api/v1/dashboard/stats", Some(&root)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body.get("organization_stats"), None, "{body}");
    assert_eq!(body["user_stats"]["reputation"], 0);
}
