//! Backups and restore: an online backup taken while writes go on holds everything
//! acknowledged before it was asked for, and a restore into a fresh data dir serves it all
//! back (people, sessions revoked or not, topics, replies, use cases, media bytes, search);
//! damaged and newer backups, and an existing store, are refused; backups are listed, kept
//! to `backup.keep`, taken on the schedule, and only by platform admins.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use reqwest::StatusCode;
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::support::{
    PASSWORD, TestApp, id_of,
    media::{file_form, png},
    token,
    use_cases::use_case_body,
};

/// The binary on `dir` with only the settings given (none of the test process's `P2P_*`).
fn run_on(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_p2p-sandbox"));
    cmd.env_remove("RUST_LOG");
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("P2P_")) {
        cmd.env_remove(k);
    }
    cmd.env("P2P_DATA_DIR", dir).env("P2P_LOG_LEVEL", "warn").args(args).stdin(Stdio::null()).output().unwrap()
}

/// The one backup folder in `target`, as a path argument.
fn folder_of(target: &TempDir) -> String {
    let folder = std::fs::read_dir(target.path()).unwrap().next().unwrap().unwrap().path();
    folder.to_str().unwrap().to_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `GET /admin/backups` until its newest backup is not `after` (any, when `None`) and none
/// runs; returns the listing.
async fn wait_for_backup(app: &TestApp, admin: &str, after: Option<&str>) -> Value {
    let started = Instant::now();
    loop {
        let list = app.get_json("/api/v1/admin/backups", admin).await;
        assert!(list.get("last_failure").is_none(), "{list}");
        let newest = list["backups"][0]["name"].as_str();
        if newest.is_some() && newest != after && list["running"] == false {
            return list;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "no backup after 30 s: {list}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The one backup folder in `dir`'s default target.
fn backup_folder(dir: &Path, name: &str) -> PathBuf {
    dir.join("backups").join(name)
}

#[tokio::test]
async fn a_backup_taken_while_writing_restores_everything_acknowledged_before_it() {
    let app = TestApp::spawn().await;
    let admin = app.platform_admin("root@backup.sa").await;
    let user = app.signed_in_user("author@plant-b.sa", PASSWORD).await;
    let t = token(&user);
    // A second session, revoked, and a third kept.
    let revoked = app.login_json("author@plant-b.sa", PASSWORD).await;
    let kept = token(&app.login_json("author@plant-b.sa", PASSWORD).await);
    assert!(app.logout(&token(&revoked)).await.status().is_success());
    let avatar = png(24, 24);
    let r = app.upload_avatar(&t, file_form(avatar.clone(), "me.png", "image/png")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let avatar_url = r.json::<Value>().await.unwrap()["user"]["profile_picture_url"].as_str().unwrap().to_owned();
    let mut topics = Vec::new();
    for i in 0..5 {
        let topic =
            id_of(&app.topic_with(&t, &format!("Kiln burner tuning {i}"), "Flame scanner drift.", "maintenance").await);
        let reply = id_of(&app.new_reply(&t, &topic, &format!("Reply {i}: clean the scanner lens.")).await);
        topics.push((topic, reply));
    }
    let use_case = id_of(&app.new_use_case(&t, use_case_body("Kiln heat recovery")).await);

    // Writes go on while the backup is taken; what they acknowledged before it was asked
    // for must be in it, and what came after is there whole or not at all.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (app_url, t, stop) = (app.addr.clone(), t.clone(), stop.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut acked = Vec::new();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let title = format!("Concurrent topic {n}");
                let body =
                    json!({"title": title, "body": "Written while the backup is taken.", "category": "maintenance"});
                let r = client.post(format!("{app_url}/api/v1/forum/topics")).bearer_auth(&t).json(&body).send().await;
                if let Ok(r) = r
                    && r.status() == StatusCode::CREATED
                {
                    let v: Value = r.json().await.unwrap();
                    acked.push((Instant::now(), v["id"].as_str().unwrap().to_owned(), title));
                }
            }
            acked
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let asked = Instant::now();
    let r = app.post("/api/v1/admin/backups", Some(&admin), json!({})).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let list = wait_for_backup(&app, &admin, None).await;
    stop.store(true, Ordering::Relaxed);
    let acked = writer.await.unwrap();
    let backup = &list["backups"][0];
    assert!(backup["entries"].as_u64().unwrap() > 50 && backup["media_objects"].as_u64().unwrap() >= 1, "{backup}");
    let folder = backup_folder(&app.dir, backup["name"].as_str().unwrap());

    // Restored into a fresh data dir (the server that took it keeps running).
    let fresh = TempDir::new().unwrap();
    let out = run_on(fresh.path(), &["restore", folder.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let restored = TestApp::spawn_in(fresh).await;
    // The token secret came back too: the access tokens issued before still work.
    for (topic, reply) in &topics {
        let r = restored.get_topic(&t, topic).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.json::<Value>().await.unwrap()["body"], "Flame scanner drift.");
        let replies = restored.replies(&t, topic, "").await;
        assert_eq!(replies["items"].as_array().unwrap().iter().map(id_of).collect::<Vec<_>>(), vec![reply.clone()]);
    }
    assert_eq!(restored.get_use_case(&t, &use_case).await.status(), StatusCode::OK);
    let bytes = restored.get(&avatar_url, Some(&t)).await.bytes().await.unwrap();
    assert_eq!(bytes.to_vec(), avatar, "the media bytes");
    assert_eq!(restored.get("/api/v1/users/me", Some(&kept)).await.status(), StatusCode::OK);
    let r = restored.refresh(revoked["refresh_token"].as_str().unwrap()).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "a revoked session stays revoked");
    assert_eq!(restored.login("author@plant-b.sa", PASSWORD).await.status(), StatusCode::OK);
    let (mut before, mut whole) = (0, 0);
    for (at, id, title) in &acked {
        let r = restored.get_topic(&t, id).await;
        if *at < asked {
            before += 1;
            assert_eq!(r.status(), StatusCode::OK, "{title}: acknowledged before the backup was asked for");
        }
        if r.status() == StatusCode::OK {
            whole += 1;
            assert_eq!(r.json::<Value>().await.unwrap()["title"], *title);
        } else {
            assert_eq!(r.status(), StatusCode::NOT_FOUND);
        }
    }
    assert!(before > 0 && whole >= before, "{before} acknowledged before, {whole} restored");
    // Search is rebuilt from the restored store.
    restored.wait_for_index().await;
    assert_eq!(restored.search_q(&t, "kiln burner").await["total"], 5);
}

#[tokio::test]
async fn restore_refuses_damaged_and_newer_backups_and_an_existing_store() {
    let mut app = TestApp::spawn().await;
    let t = app.signed_in_token("someone@plant-c.sa").await;
    app.topic_with(&t, "Boiler blowdown", "Daily at start of shift.", "maintenance").await;
    app.stop().await;
    let backups = TempDir::new().unwrap();
    let out = run_on(&app.dir, &["backup", "--to", backups.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let folder = std::fs::read_dir(backups.path()).unwrap().next().unwrap().unwrap().path();

    // An existing store is kept unless --force, which moves it aside.
    let out = run_on(&app.dir, &["restore", folder.to_str().unwrap()]);
    assert!(!out.status.success() && stderr(&out).contains("--force"), "{}", stderr(&out));
    let out = run_on(&app.dir, &["restore", folder.to_str().unwrap(), "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let aside = std::fs::read_dir(&app.dir)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().contains(".before-restore-"));
    assert!(aside.count() >= 1, "the old store is moved aside, not deleted");

    // One byte changed: the checksum no longer matches.
    let damaged = TempDir::new().unwrap();
    copy_folder(&folder, damaged.path());
    let store = damaged.path().join("store.redb");
    let mut bytes = std::fs::read(&store).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&store, bytes).unwrap();
    let target = TempDir::new().unwrap();
    let out = run_on(target.path(), &["restore", damaged.path().to_str().unwrap()]);
    assert!(!out.status.success() && stderr(&out).contains("damaged"), "{}", stderr(&out));
    assert!(!target.path().join("p2p.redb").exists(), "nothing is restored from a damaged backup");

    // A store a newer binary migrated: refused by restore and by the server.
    let newer = TempDir::new().unwrap();
    copy_folder(&folder, newer.path());
    std::fs::remove_file(newer.path().join("manifest.json")).unwrap();
    mark_newer(&newer.path().join("store.redb"));
    let out = run_on(target.path(), &["restore", newer.path().to_str().unwrap()]);
    assert!(!out.status.success() && stderr(&out).contains("newer version"), "{}", stderr(&out));
    std::fs::copy(newer.path().join("store.redb"), target.path().join("p2p.redb")).unwrap();
    let out = run_on(target.path(), &["reindex"]);
    assert!(!out.status.success(), "an older binary refuses a newer store");
    assert!(stderr(&out).contains("written by a newer version of p2p-sandbox"), "{}", stderr(&out));
}

/// Records a migration this binary does not know in the store at `path`.
fn mark_newer(path: &Path) {
    let db = redb::Database::create(path).unwrap();
    let tx = db.begin_write().unwrap();
    {
        let def = redb::TableDefinition::<&[u8], &[u8]>::new("migration_appliedat-1");
        tx.open_table(def).unwrap().insert(b"999_from_the_future".as_slice(), 0i64.to_be_bytes().as_slice()).unwrap();
    }
    tx.commit().unwrap();
}

fn copy_folder(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
            copy_folder(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

#[tokio::test]
async fn backups_are_kept_to_the_limit_taken_on_the_schedule_and_for_platform_admins_only() {
    let app = TestApp::spawn_with(&[("P2P_BACKUP__KEEP", "2")]).await;
    let admin = app.platform_admin("root@keep.sa").await;
    let member = app.signed_in_token("member@plant-d.sa").await;
    assert_eq!(app.get("/api/v1/admin/backups", None).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/v1/admin/backups", Some(&member)).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.post("/api/v1/admin/backups", Some(&member), json!({})).await.status(), StatusCode::FORBIDDEN);
    let mut names = Vec::new();
    for _ in 0..3 {
        let r = app.post("/api/v1/admin/backups", Some(&admin), json!({})).await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        let list = wait_for_backup(&app, &admin, names.last().map(String::as_str)).await;
        names.push(list["backups"][0]["name"].as_str().unwrap().to_owned());
    }
    let list = app.get_json("/api/v1/admin/backups", &admin).await;
    let listed: Vec<&str> = list["backups"].as_array().unwrap().iter().map(|b| b["name"].as_str().unwrap()).collect();
    assert_eq!(listed, vec![names[2].as_str(), names[1].as_str()], "the newest two, newest first");
    let folders: Vec<_> = std::fs::read_dir(app.dir.join("backups")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(folders.len(), 2, "older ones are removed");
    for folder in &folders {
        let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(folder).unwrap().permissions());
        assert_eq!(mode & 0o777, 0o700, "a backup holds password hashes: its folder is the owner's alone");
    }

    // On a schedule of one second, backups come on their own.
    let scheduled = TestApp::spawn_with(&[("P2P_BACKUP__INTERVAL_SECS", "1"), ("P2P_BACKUP__KEEP", "3")]).await;
    let root = scheduled.platform_admin("root@schedule.sa").await;
    wait_for_backup(&scheduled, &root, None).await;
}

#[tokio::test]
async fn backups_go_to_s3_with_the_media_settings_and_restore_from_a_copy() {
    let s3 = crate::support::s3::S3Server::start().await;
    let mut settings = s3.settings();
    settings.push(("P2P_BACKUP__TARGET".into(), "s3://media-bucket/nightly/".into()));
    let app = TestApp::spawn_with(&settings).await;
    let admin = app.platform_admin("root@s3backup.sa").await;
    let t = app.signed_in_token("writer@plant-s3.sa").await;
    let topic = id_of(&app.topic_with(&t, "Cooling tower drift", "Eliminators replaced.", "maintenance").await);
    assert_eq!(app.post("/api/v1/admin/backups", Some(&admin), json!({})).await.status(), StatusCode::ACCEPTED);
    let list = wait_for_backup(&app, &admin, None).await;
    let backup = &list["backups"][0];
    assert_eq!(backup["media_objects"], 0, "media on S3 stay the bucket's to keep");
    let name = backup["name"].as_str().unwrap();
    // The objects are in the bucket under the prefix; a copy of the folder restores.
    let folder = s3.root.join("nightly").join(name);
    assert!(folder.join("store.redb").is_file() && folder.join("manifest.json").is_file());
    let fresh = TempDir::new().unwrap();
    let out = run_on(fresh.path(), &["restore", folder.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let restored = TestApp::spawn_in(fresh).await;
    assert_eq!(restored.get_topic(&t, &topic).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_backup_command_asks_a_running_server_for_an_online_backup() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("cron@plant-e.sa").await;
    let topic = id_of(
        &app.topic_with(&t, "Air dryer dew point", "The dew point alarm trips at three degrees.", "maintenance").await,
    );
    let mode = |p: &Path| std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(p).unwrap().permissions()) & 0o777;
    let folder = app.dir.join("run");
    assert_eq!((mode(&folder), mode(&folder.join("backup.sock"))), (0o700, 0o600), "only the owner reaches it");
    let target = TempDir::new().unwrap();
    // The store file is the server's (locked): the command asks the server instead. It runs
    // on a blocking thread, so this runtime goes on serving it.
    let (dir, to) = (app.dir.clone(), target.path().to_str().unwrap().to_owned());
    let out = tokio::task::spawn_blocking(move || run_on(&dir, &["backup", "--to", &to])).await.unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(stdout.starts_with("the running server took backup p2p-backup-"), "{stdout}");
    let fresh = TempDir::new().unwrap();
    let out = run_on(fresh.path(), &["restore", &folder_of(&target)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let restored = TestApp::spawn_in(fresh).await;
    assert_eq!(restored.get_topic(&t, &topic).await.status(), StatusCode::OK);
    assert_eq!(app.get_topic(&t, &topic).await.status(), StatusCode::OK, "the server serves on");
    // Restoring under the running server is refused: its writes would go to the store moved aside.
    let dir = app.dir.clone();
    let folder = folder_of(&target);
    let out = tokio::task::spawn_blocking(move || run_on(&dir, &["restore", &folder, "--force"])).await.unwrap();
    assert!(!out.status.success() && stderr(&out).contains("a server is running"), "{}", stderr(&out));
}
