//! The binary's subcommands: `openapi`, `create-admin`, `healthcheck`, `seed`, `bench-data`, and
//! configuration errors.

use std::{
    path::Path,
    process::{Command, Output},
};

use serde_json::{Value, json};

use crate::support::{TestApp, token};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_p2p-sandbox"));
    c.env_remove("P2P_CONFIG").env("P2P_LOG_LEVEL", "warn");
    c
}

/// Runs a subcommand on the data dir `dir` with cheap password hashing; returns its output.
fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = bin();
    c.env("P2P_DATA_DIR", dir).env("P2P_AUTH__ARGON2_MEMORY_KIB", "256").envs(env.iter().copied());
    c.args(args).output().unwrap()
}

/// The server in-process on `dir` (filled by a subcommand), with the settings it needs.
async fn serve_in_process(dir: &Path) -> TestApp {
    let env = [
        ("P2P_DATA_DIR", dir.to_str().unwrap()),
        ("P2P_BIND", "127.0.0.1:0"),
        ("P2P_AUTH__DEVICE_VERIFICATION", "false"),
        ("P2P_LOG_LEVEL", "warn"),
    ];
    TestApp::start(dir.to_path_buf(), env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()).await
}

#[test]
fn openapi_prints_the_committed_spec() {
    let out = bin().arg("openapi").output().unwrap();
    assert!(out.status.success());
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json")).unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim_end(), committed.trim_end());
}

#[test]
fn bad_configuration_stops_start_up_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("P2P_NOPE", "1", "nope"),
        ("P2P_BIND", "not-an-address", "bind"),
        ("P2P_AUTH__LOCKOUT_SECS", "-", "auth.lockout_secs"),
    ];
    for (var, value, named) in cases {
        let out = bin().env("P2P_DATA_DIR", dir.path()).env(var, value).arg("serve").output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{var}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(named), "{var}: {err}");
    }
    let file = dir.path().join("p2p.toml");
    std::fs::write(&file, "[mail]\ntransport = \"pigeon\"\n").unwrap();
    let out = bin().env("P2P_DATA_DIR", dir.path()).arg("--config").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("mail.transport"));
}

#[tokio::test]
async fn create_admin_makes_a_platform_admin_who_can_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        let args = ["create-admin", "--email", "Root@Platform.sa"];
        run_in(dir.path(), &args, &[("P2P_ADMIN_PASSWORD", "Admin-pass-2026")])
    };
    let out = run();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8(out.stdout).unwrap().contains("created platform admin root@platform.sa"));
    assert!(String::from_utf8(run().stdout).unwrap().contains("promoted existing account"));
    let app = serve_in_process(dir.path()).await;
    let body = app.login_json("root@platform.sa", "Admin-pass-2026").await;
    assert_eq!(body["user"]["platform_admin"], true);
}

#[tokio::test]
async fn healthcheck_passes_against_a_live_server_and_fails_otherwise() {
    let app = TestApp::spawn().await;
    let port = app.addr.rsplit(':').next().unwrap().to_owned();
    let ok = tokio::task::spawn_blocking(move || {
        bin().env("P2P_BIND", format!("127.0.0.1:{port}")).arg("healthcheck").status().unwrap()
    })
    .await
    .unwrap();
    assert!(ok.success());
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let bad = bin().env("P2P_BIND", format!("127.0.0.1:{closed}")).arg("healthcheck").output().unwrap();
    assert!(!bad.status.success());
    // The reason goes to stderr (captured here, so a passing run prints no error line).
    let err = String::from_utf8(bad.stderr).unwrap();
    assert!(err.starts_with("error: ") && err.contains("refused"), "{err}");
}

#[tokio::test]
async fn seed_demo_loads_once_and_the_data_is_served() {
    let dir = tempfile::tempdir().unwrap();
    let run = || run_in(dir.path(), &["seed", "--demo"], &[]);
    let first = run();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert!(String::from_utf8(first.stdout).unwrap().contains("loaded 20 organizations, 25 people, 32 use cases"));
    // Not on a terminal, progress is logged as lines: each stage starts at 0 and ends done.
    let log = String::from_utf8(first.stderr).unwrap();
    let stages = [
        ("organizations and people", 45),
        ("use cases with their covers", 32),
        ("forum threads", 6),
        ("conversations", 4),
    ];
    for (stage, total) in stages {
        assert!(log.contains(&format!("{stage}: 0/{total} (")), "{log}");
        assert!(log.contains(&format!("{stage}: {total}/{total} (")) && log.contains("done in"), "{log}");
    }
    let second = run();
    assert!(String::from_utf8(second.stdout).unwrap().contains("nothing added"));
    let app = serve_in_process(dir.path()).await;
    let t = token(&app.login_json("demo1@aljazira-plastics.sa", "Demo-pass-2026").await);
    let stats = app.use_case_stats(&t).await;
    assert_eq!(stats["use_case_count"], 32);
    assert_eq!(stats["contributing_organization_count"], 20);
    let forum = app.forum_stats(&t).await;
    assert_eq!((forum["topic_count"].clone(), forum["reply_count"].clone()), (json!(6), json!(12)));
    let people: Value = app.get_json("/api/v1/users", &t).await;
    assert_eq!(people["total"], 26, "25 people and the demo platform admin");
    let map = app.use_case_map(&t).await;
    assert!(map["items"].as_array().unwrap().iter().all(|p| p["cover_url"].is_string()));
    let cities: std::collections::HashSet<&str> =
        map["items"].as_array().unwrap().iter().filter_map(|p| p["slug"].as_str()).collect();
    assert_eq!(cities.len(), 32);
    let conversations: Value = app.get_json("/api/v1/conversations", &t).await;
    assert_eq!(conversations["total"], 1, "demo1 talks with demo4");
    let c = &conversations["items"][0];
    assert_eq!((c["unread_count"].clone(), c["peer"]["organization"].is_string()), (json!(0), true));
    let thread: Value =
        app.get_json(&format!("/api/v1/conversations/{}/messages", c["id"].as_str().unwrap()), &t).await;
    assert_eq!(thread["total"], 4);
    assert!(thread["items"][0]["text"].as_str().unwrap().contains("استأجرناه"), "newest first, Arabic kept");
}

#[tokio::test]
async fn bench_data_writes_a_whole_data_set_that_serves_and_is_searchable() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("set");
    let args = ["bench-data", "--size", "small", "--out", out.to_str().unwrap(), "--password", "Trial-pass-2026"];
    let run = run_in(dir.path(), &args, &[]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let stdout = String::from_utf8(run.stdout).unwrap();
    assert!(stdout.contains("wrote 100 organizations, 1000 people, 5000 topics with 25000 replies"), "{stdout}");
    let manifest: Value = serde_json::from_slice(&std::fs::read(out.join("bench-data.json")).unwrap()).unwrap();
    let counts = &manifest["counts"];
    let want = json!({"orgs": 100, "users": 1000, "topics": 5000, "replies": 25000, "use_cases": 500,
        "conversations": 2500, "messages": 10000});
    for (k, v) in want.as_object().unwrap() {
        assert_eq!(&counts[k], v, "{k} in {manifest}");
    }
    assert_eq!(manifest["password"], "Trial-pass-2026");
    // A second run refuses the data dir it wrote: the counters would add up twice.
    let again = run_in(dir.path(), &args, &[]);
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("is not empty"));

    let app = serve_in_process(&out).await;
    // User 7 keeps 7 of its topic-reply notifications unread, and has message ones too.
    let t = token(&app.login_json("n7@org0.example.com", "Trial-pass-2026").await);
    let bell = app.get_json("/api/v1/notifications/unread", &t).await["unread_count"].as_u64().unwrap();
    let unread = app.get_json("/api/v1/notifications?unread_only=true&limit=100", &t).await;
    let items = unread["items"].as_array().unwrap();
    assert_eq!(items.len() as u64, bell, "the bell counts the unread list: {unread}");
    let kinds = |k: &str| items.iter().filter(|n| n["kind"] == k).count();
    assert_eq!(kinds("topic_reply"), 7, "{unread}");
    assert_eq!(kinds("message") as u64 + 7, bell);
    // The badge is the unread messages of the inbox.
    let badge = app.get_json("/api/v1/conversations/unread", &t).await["unread_count"].as_u64().unwrap();
    let inbox = app.get_json("/api/v1/conversations?limit=100", &t).await;
    let sum: u64 = inbox["items"].as_array().unwrap().iter().map(|c| c["unread_count"].as_u64().unwrap()).sum();
    assert!(inbox["total"].as_u64().unwrap() > 0 && badge == sum, "badge {badge}, inbox {inbox}");
    let forum = app.forum_stats(&t).await;
    assert_eq!((forum["topic_count"].clone(), forum["reply_count"].clone()), (json!(5000), json!(25000)));
    assert_eq!(app.use_case_stats(&t).await["use_case_count"], 500);
    let dashboard = app.get_json("/api/v1/dashboard/stats", &t).await;
    assert!(!dashboard["recent_activity"].as_array().unwrap().is_empty(), "{dashboard}");
    // The index was built by the command: the server is ready and finds the text at once.
    let found = app.get_json("/api/v1/search?q=maintenance", &t).await;
    assert!(found["total"].as_u64().unwrap() > 100, "{found}");
}
