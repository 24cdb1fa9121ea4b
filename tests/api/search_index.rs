//! The search index as derived data: fresh within a second of a write (new, edited, deleted,
//! published), never showing drafts or people who cannot sign in, complete after a `kill -9`
//! (the queue replays), rebuilt at start when missing, garbage or of another version, rebuilt
//! by `reindex`, and reported by readiness and metrics.

use std::{
    collections::BTreeSet,
    process::{Command, Stdio},
    time::Duration,
};

use p2p_sandbox::search::Change;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{
    PASSWORD, TestApp,
    accounts::signup_body,
    child::ChildServer,
    id_of,
    search::{PATIENCE, finds, hit, hit_ids},
    token,
    use_cases::use_case_body,
};

/// A single measurement's ceiling. The promise is one second from acknowledgement (the
/// indexer commits at most every 0.5 s); one write measured on a machine busy with other
/// tests and benchmarks has been seen at 1.5 s, so single figures are printed and held to
/// this, and the promise itself to the median of several (`ten_new_topics_…`).
const CEILING: Duration = Duration::from_secs(3);

fn fresh(what: &str, took: Duration) {
    println!("search freshness: {what} in {} ms", took.as_millis());
    assert!(took <= CEILING, "{what} took {took:?}");
}

/// The `search` check of `/health/ready` and its documents figure.
async fn search_check(app: &TestApp) -> (Value, u64) {
    let ready: Value = app.get("/health/ready", None).await.json().await.unwrap();
    let check = ready["search"].clone();
    let detail = check["detail"].as_str().unwrap().to_owned();
    let docs = detail.split(" documents").next().unwrap().parse().unwrap();
    (check, docs)
}

#[tokio::test]
async fn ten_new_topics_are_each_found_within_a_second_at_the_median() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("promise@search.sa").await;
    let mut took = Vec::new();
    for i in 0..10 {
        let id =
            id_of(&app.topic_with(&t, &format!("Promise check {i}"), "Measured from the answer.", "automation").await);
        took.push(app.found_within(&t, &[("q", "promise")], |v| finds(v, &id), PATIENCE).await);
    }
    took.sort();
    let ms: Vec<u128> = took.iter().map(Duration::as_millis).collect();
    println!("search freshness: ten new topics, sorted: {ms:?} ms");
    assert!(took[4] <= Duration::from_secs(1), "median over a second: {ms:?}");
    assert!(took[9] <= CEILING, "{ms:?}");
}

#[tokio::test]
async fn a_topic_is_found_within_a_second_edited_by_its_new_words_deleted_no_more() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("fresh@search.sa").await;
    let body = "Thermocouple lag makes the quench overshoot.";
    let id = id_of(&app.topic_with(&t, "Quenching furnace overshoot", body, "maintenance").await);
    fresh("new topic", app.found_within(&t, &[("q", "quenching")], |v| finds(v, &id), PATIENCE).await);
    let reply = id_of(&app.new_reply(&t, &id, "Swap the sheath of the sensor first.").await);
    fresh("new reply", app.found_within(&t, &[("q", "sheath")], |v| finds(v, &reply), PATIENCE).await);
    let v = app.search_q(&t, "sheath").await;
    assert_eq!((&hit(&v, &reply)["type"], &hit(&v, &reply)["topic_id"]), (&json!("reply"), &json!(id)));

    let edit = json!({"title": "Annealing oven drift", "body": "Setpoint drifts after the door opens."});
    assert_eq!(app.update_topic(&t, &id, edit).await.status(), StatusCode::OK);
    fresh("edited topic", app.found_within(&t, &[("q", "annealing")], |v| finds(v, &id), PATIENCE).await);
    for old in ["quenching", "thermocouple", "overshoot", "furnace"] {
        assert!(!finds(&app.search_q(&t, old).await, &id), "{old} still finds the edited topic");
    }
    assert!(finds(&app.search_q(&t, "setpoint drifts").await, &id));

    assert_eq!(app.delete_topic(&t, &id).await.status(), StatusCode::NO_CONTENT);
    fresh("deleted topic", app.found_within(&t, &[("q", "annealing")], |v| !finds(v, &id), PATIENCE).await);
    // Its replies went in the same commit.
    assert_eq!(app.search_q(&t, "sheath").await["total"], 0);
}

#[tokio::test]
async fn use_cases_people_and_organizations_follow_their_edits() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("edits@search.sa").await;
    let me: Value = app.me(&t).await.json().await.unwrap();
    let (me, org) =
        (me["user"]["id"].as_str().unwrap().to_owned(), me["organization"]["id"].as_str().unwrap().to_owned());
    let case = id_of(&app.new_use_case(&t, use_case_body("Glazing robot retrofit")).await);
    fresh("new use case", app.found_within(&t, &[("q", "glazing")], |v| finds(v, &case), PATIENCE).await);
    let r = app.patch_use_case(&t, &case, json!({"title": "Sandblasting cell retrofit"})).await;
    assert_eq!(r.status(), StatusCode::OK);
    fresh("edited use case", app.found_within(&t, &[("q", "sandblasting")], |v| finds(v, &case), PATIENCE).await);
    assert!(!finds(&app.search_q(&t, "glazing").await, &case));
    assert_eq!(app.delete_use_case(&t, &case).await.status(), StatusCode::NO_CONTENT);
    fresh("deleted use case", app.found_within(&t, &[("q", "sandblasting")], |v| !finds(v, &case), PATIENCE).await);

    let bio = |b: &str| json!({"bio": b, "expertise_tags": ["extrusion dies"]});
    assert_eq!(app.patch_me(&t, bio("Twenty years on aluminium presses.")).await.status(), StatusCode::OK);
    fresh("edited profile", app.found_within(&t, &[("q", "aluminium")], |v| finds(v, &me), PATIENCE).await);
    assert!(finds(&app.search_q(&t, "extrusion").await, &me), "expertise is searched");
    assert_eq!(app.patch_me(&t, bio("Now on glass furnaces.")).await.status(), StatusCode::OK);
    app.found_within(&t, &[("q", "furnaces")], |v| finds(v, &me), PATIENCE).await;
    assert!(!finds(&app.search_q(&t, "aluminium").await, &me));

    let patch = json!({"name": "Tilecraft Ceramics", "description": "Glazed floor tiles for hospitals."});
    assert_eq!(app.patch_my_org(&t, patch).await.status(), StatusCode::OK);
    fresh("edited organization", app.found_within(&t, &[("q", "tilecraft")], |v| finds(v, &org), PATIENCE).await);
    assert!(finds(&app.search_q(&t, "hospitals").await, &org));
}

#[tokio::test]
async fn drafts_are_found_only_once_published() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("drafts@search.sa").await;
    let topic =
        json!({"title": "Crucible relining plan", "body": "Relining the crucible in May.", "category": "maintenance"});
    let r = app.create_forum_draft(&t, topic).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let topic_draft = id_of(&r.json::<Value>().await.unwrap());
    let r = app.create_use_case_draft(&t, use_case_body("Crucible relining case")).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let case_draft = id_of(&r.json::<Value>().await.unwrap());
    app.wait_for_index().await;
    assert_eq!(app.search_q(&t, "crucible").await["total"], 0, "a saved draft is nobody's business");
    assert_eq!(app.suggest(&t, "cruc").await["suggestions"], json!([]));

    for path in [
        format!("/api/v1/forum/drafts/{topic_draft}/publish"),
        format!("/api/v1/use-cases/drafts/{case_draft}/publish"),
    ] {
        let r = app.post(&path, Some(&t), json!({})).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let id = id_of(&r.json::<Value>().await.unwrap());
        fresh("published draft", app.found_within(&t, &[("q", "crucible")], |v| finds(v, &id), PATIENCE).await);
    }
    assert_eq!(app.search_q(&t, "crucible").await["total"], 2);
}

#[tokio::test]
async fn people_who_cannot_sign_in_are_never_found() {
    let app = TestApp::spawn().await;
    let team = app.team("vis.sa").await;
    let signup = async |email: &str, name: &str| -> String {
        let mut body = signup_body(email, PASSWORD);
        body["first_name"] = json!(name);
        let r = app.post_signup(body).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json::<Value>().await.unwrap()["user"]["id"].as_str().unwrap().to_owned()
    };
    let unverified = signup("ghost@nowhere.sa", "Zuhair").await;
    // Same domain as the team: a join request waiting for the admin.
    let pending = signup("pending@vis.sa", "Yasmin").await;
    app.verify_with_emailed_code("pending@vis.sa").await;
    assert_eq!(app.patch_me(&team.member, json!({"first_name": "Wadih"})).await.status(), StatusCode::OK);
    app.wait_for_index().await;
    assert!(finds(&app.search_q(&team.admin, "wadih").await, &team.member_id));
    for name in ["zuhair", "yasmin"] {
        assert_eq!(app.search_q(&team.admin, name).await["total"], 0, "{name}");
        assert_eq!(app.suggest(&team.admin, name).await["suggestions"], json!([]), "{name}");
    }

    assert_eq!(app.deactivate(&team.admin, &team.member_id).await.status(), StatusCode::OK);
    let took = app.found_within(&team.admin, &[("q", "wadih")], |v| !finds(v, &team.member_id), PATIENCE).await;
    fresh("deactivated person gone", took);
    assert_eq!(app.suggest(&team.admin, "wadi").await["suggestions"], json!([]));

    // Each becomes searchable once they can sign in, and leaves again with their account.
    let requests = app.join_requests(&team.admin).await;
    let request = id_of(requests["items"].as_array().unwrap().iter().find(|r| r["email"] == "pending@vis.sa").unwrap());
    let path = format!("/api/v1/organizations/me/join-requests/{request}/approve");
    assert_eq!(app.post(&path, Some(&team.admin), json!({})).await.status(), StatusCode::OK);
    fresh("approved person", app.found_within(&team.admin, &[("q", "yasmin")], |v| finds(v, &pending), PATIENCE).await);
    let ghost = token(&app.verify_with_emailed_code("ghost@nowhere.sa").await);
    app.wait_found(&team.admin, "zuhair", &unverified).await;
    let path = format!("/api/v1/organizations/me/members/{}/reactivate", team.member_id);
    assert_eq!(app.post(&path, Some(&team.admin), json!({})).await.status(), StatusCode::OK);
    app.wait_found(&team.admin, "wadih", &team.member_id).await;
    assert_eq!(app.delete_me(&ghost, PASSWORD).await.status(), StatusCode::NO_CONTENT);
    fresh(
        "deleted account gone",
        app.found_within(&team.admin, &[("q", "zuhair")], |v| !finds(v, &unverified), PATIENCE).await,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_200_acknowledged_topics_are_found_after_kill_9() {
    let mut app = TestApp::spawn().await;
    let t = app.signed_in_token("crash@search.sa").await;
    app.stop().await;
    let mut server = ChildServer::start_like(&app).await;
    let client = reqwest::Client::new();
    let url = format!("{}/api/v1/forum/topics", server.base);
    // Eight writers, 25 topics each, every one acknowledged before the kill.
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let (client, url, t) = (client.clone(), url.clone(), t.clone());
            tokio::spawn(async move {
                let mut ids = Vec::new();
                for i in 0..25 {
                    let title = format!("Survivor topic {w}-{i}");
                    let body =
                        json!({"title": title, "body": "Written before the power cut.", "category": "maintenance"});
                    let r = client.post(&url).bearer_auth(&t).json(&body).send().await.unwrap();
                    assert_eq!(r.status(), StatusCode::CREATED);
                    ids.push(r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned());
                }
                ids
            })
        })
        .collect();
    let mut acknowledged = BTreeSet::new();
    for w in writers {
        acknowledged.extend(w.await.unwrap());
    }
    let metrics = client.get(format!("{}/metrics", server.base)).send().await.unwrap().text().await.unwrap();
    let queued = metrics.lines().find(|l| l.starts_with("p2p_search_index_queued ")).unwrap_or("?").to_owned();
    server.kill();
    println!("kill -9 after 200 acknowledged topics; just before it: {queued}");
    assert_eq!(acknowledged.len(), 200);

    let app = TestApp::start(app.dir.clone(), app.env.clone()).await;
    let params = [("q", "survivor"), ("type", "forum"), ("limit", "50")];
    app.found_within(&t, &params, |v| v["total"] == 200, PATIENCE).await;
    app.wait_for_index().await;
    let mut found = BTreeSet::new();
    for offset in ["0", "50", "100", "150"] {
        let mut page = params.to_vec();
        page.push(("offset", offset));
        found.extend(hit_ids(&app.search(&t, &page).await));
    }
    assert_eq!(found, acknowledged, "every acknowledged topic is found after the restart");
}

/// Stops `app`, lets `damage` do its worst to the index directory, starts again; returns the
/// app, which must find `id` once the index is built (a rebuild runs while it serves).
async fn restart_after(mut app: TestApp, t: &str, id: &str, damage: impl FnOnce(&std::path::Path)) -> TestApp {
    app.stop().await;
    damage(&app.dir.join("index"));
    let app = app.restart_with(&[]).await;
    // A rebuilt index is filled while the server already serves.
    app.wait_for_index().await;
    assert!(finds(&app.search_q(t, "blowdown").await, id), "found once the index is built");
    app
}

#[tokio::test]
async fn a_missing_garbage_or_other_version_index_is_rebuilt_at_start() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("rebuild@search.sa").await;
    let id = id_of(
        &app.topic_with(&t, "Boiler blowdown schedule", "Blowdown every shift on boiler two.", "maintenance").await,
    );
    app.wait_found(&t, "blowdown", &id).await;
    let (_, docs) = search_check(&app).await;
    let marker = |dir: &std::path::Path| dir.join("left-by-the-test");

    // An intact index of this version is kept as it is.
    let app = restart_after(app, &t, &id, |dir| std::fs::write(marker(dir), b"x").unwrap()).await;
    assert!(marker(&app.dir.join("index")).exists(), "an intact index is not rebuilt");
    let app = restart_after(app, &t, &id, |dir| std::fs::remove_dir_all(dir).unwrap()).await;
    let app = restart_after(app, &t, &id, |dir| {
        std::fs::remove_dir_all(dir).unwrap();
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("p2p-schema-version"), "1").unwrap();
        std::fs::write(dir.join("meta.json"), "{ not json").unwrap();
        std::fs::write(dir.join("0123.idx"), [0xde, 0xad, 0xbe, 0xef]).unwrap();
    })
    .await;
    let app = restart_after(app, &t, &id, |dir| {
        std::fs::write(marker(dir), b"x").unwrap();
        std::fs::write(dir.join("p2p-schema-version"), "999").unwrap();
    })
    .await;
    let index = app.dir.join("index");
    assert!(!marker(&index).exists(), "an index of another version is made anew");
    let version = std::fs::read_to_string(index.join("p2p-schema-version")).unwrap();
    assert_eq!(version.trim(), p2p_sandbox::search::SCHEMA_VERSION.to_string());
    assert_eq!(search_check(&app).await.1, docs, "the same documents as before");
}

#[tokio::test]
async fn an_index_with_damaged_segment_files_is_rebuilt_at_start() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("segments@search.sa").await;
    let id =
        id_of(&app.topic_with(&t, "Boiler blowdown valves", "Blowdown valves stick when cold.", "maintenance").await);
    app.wait_found(&t, "blowdown", &id).await;
    // The index's own files are garbage (meta.json and the version file are intact).
    restart_after(app, &t, &id, |dir| {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            if !name.starts_with('.') && !["meta.json", "p2p-schema-version"].contains(&name.as_str()) {
                std::fs::write(&path, b"garbage").unwrap();
            }
        }
    })
    .await;
}

#[tokio::test]
async fn reindex_rebuilds_the_index_from_the_store_and_readiness_and_metrics_report_it() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("reindex@search.sa").await;
    let id =
        id_of(&app.topic_with(&t, "Slag handling rota", "Who empties the slag pot each shift.", "maintenance").await);
    app.new_reply(&t, &id, "The night crew takes it.").await;
    app.wait_found(&t, "slag", &id).await;
    app.wait_for_index().await;
    let (check, docs) = search_check(&app).await;
    assert_eq!(check["ok"], true);
    // Person, organization, topic and reply.
    assert_eq!(check["detail"], format!("{docs} documents, 0 queued, lag 0 ms"));
    assert_eq!(docs, 4);
    let metrics = app.metrics().await;
    let gauge = |name: &str| -> i64 {
        let line = metrics.lines().find(|l| l.starts_with(&format!("p2p_{name} "))).unwrap_or_else(|| panic!("{name}"));
        line.rsplit(' ').next().unwrap().parse().unwrap()
    };
    assert_eq!(gauge("search_index_documents"), 4);
    assert!(gauge("search_index_size_bytes") > 0);
    assert_eq!((gauge("search_index_queued"), gauge("search_index_lag_milliseconds")), (0, 0));

    // The index loses the topic behind the store's back; a restart keeps the index as it is …
    app.state().search.apply(&[Change::Delete(format!("topic:{id}"))]).unwrap();
    assert!(!finds(&app.search_q(&t, "slag").await, &id));
    let mut app = app.restart_with(&[]).await;
    assert!(!finds(&app.search_q(&t, "slag").await, &id), "an index of this version is not rebuilt at start");
    app.stop().await;
    // … and `reindex`, run while the server is stopped, brings it back.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_p2p-sandbox"));
    cmd.env_remove("RUST_LOG");
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("P2P_")) {
        cmd.env_remove(k);
    }
    let out = cmd.envs(app.env.iter().cloned()).arg("reindex").stdin(Stdio::null()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.lines().any(|l| l == "search index rebuilt: 4 documents"), "{stdout}");
    let app = app.restart_with(&[]).await;
    assert!(finds(&app.search_q(&t, "slag").await, &id), "found right after the start");
    assert_eq!(search_check(&app).await.1, 4);
}

#[tokio::test]
async fn replies_follow_their_topics_title_and_category() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("retitle@search.sa").await;
    let id = id_of(
        &app.topic_with(&t, "Quenching furnace overshoot", "Lag makes the quench overshoot.", "maintenance").await,
    );
    let reply = id_of(&app.new_reply(&t, &id, "Swap the sheath of the sensor first.").await);
    app.wait_found(&t, "sheath", &reply).await;
    let edit = json!({"title": "Annealing oven drift", "category": "automation"});
    assert_eq!(app.update_topic(&t, &id, edit).await.status(), StatusCode::OK);
    app.wait_found(&t, "annealing", &id).await;
    app.wait_for_index().await;
    let v = app.search_q(&t, "sheath").await;
    assert_eq!(hit(&v, &reply)["title"], "Annealing oven drift", "a reply shows its topic's title");
    assert_eq!(v["facets"]["category"], json!({"automation": 1}));
    // "Quenching" would still find the topic's body ("quench"): "furnace" was in the title only.
    assert_eq!(app.search_q(&t, "furnace").await["total"], 0, "the old title finds nothing");
}

#[tokio::test]
async fn people_follow_their_organizations_name() {
    let app = TestApp::spawn().await;
    let team = app.team("rename.sa").await;
    app.wait_found(&team.admin, "rename", &team.member_id).await;
    let patch = json!({"name": "Qassim Glassworks", "industry": "Chemical Processing"});
    assert_eq!(app.patch_my_org(&team.admin, patch).await.status(), StatusCode::OK);
    app.wait_found(&team.admin, "glassworks", &team.org_id).await;
    app.wait_for_index().await;
    let v = app.search(&team.admin, &[("q", "glassworks"), ("type", "users")]).await;
    assert!(
        finds(&v, &team.member_id) && finds(&v, &team.admin_id),
        "people are found by their organization's new name: {v}"
    );
    let v = app.search(&team.admin, &[("q", "glassworks"), ("industry", "Chemical Processing")]).await;
    assert_eq!(v["total"], 3, "{v}");
}
