//! A full disk under the store — the server's file-size limit lowered just above its store
//! file with `prlimit`, as a nearly full file system would leave it — refuses writes with
//! 503 `storage_full` before redb meets the wall, keeps serving reads, says so in readiness,
//! loses nothing acknowledged, and takes writes again once there is room, with no restart.

use std::process::Command;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, child::ChildServer, id_of};

/// Sets the file-size limit (`soft:hard`, bytes or `unlimited`) of the process `pid`.
fn prlimit(pid: u32, fsize: &str) {
    let out = Command::new("prlimit").args(["--pid", &pid.to_string(), &format!("--fsize={fsize}")]).output().unwrap();
    assert!(out.status.success(), "prlimit: {}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_writes_keeps_serving_reads_and_recovers_when_space_returns() {
    let mut app = TestApp::spawn().await;
    let t = app.signed_in_token("full@disk.sa").await;
    app.stop().await;
    let server = ChildServer::start_like(&app).await;
    let client = reqwest::Client::new();
    let post = async |title: &str| {
        let body = json!({"title": title, "body": "Written while the disk fills.", "category": "maintenance"});
        client.post(format!("{}/api/v1/forum/topics", server.base)).bearer_auth(&t).json(&body).send().await.unwrap()
    };
    let get = async |path: &str| client.get(format!("{}{path}", server.base)).bearer_auth(&t).send().await.unwrap();
    let mut acked = Vec::new();
    for i in 0..20 {
        let r = post(&format!("Steam trap survey {i}")).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        acked.push(id_of(&r.json::<Value>().await.unwrap()));
    }

    // The disk fills: the store file may grow by 1 MiB more, under the 64 MiB reserve.
    let store = app.dir.join("p2p.redb");
    let len = std::fs::metadata(&store).unwrap().len();
    prlimit(server.pid(), &format!("{}:unlimited", len + (1 << 20)));
    let r = post("Refused while full").await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "storage_full", "{body}");
    for id in &acked {
        assert_eq!(get(&format!("/api/v1/forum/topics/{id}")).await.status(), StatusCode::OK, "reads go on");
    }
    let listed: Value = get("/api/v1/forum/topics?limit=50").await.json().await.unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), acked.len());
    let ready = get("/health/ready").await;
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let ready: Value = ready.json().await.unwrap();
    assert_eq!(ready["disk"]["ok"], false, "{ready}");
    assert!(ready["disk"]["detail"].as_str().unwrap().contains("storage full"), "{ready}");
    assert_eq!(ready["store"]["ok"], true, "{ready}");
    assert_eq!(std::fs::metadata(&store).unwrap().len(), len, "the store did not grow");

    // Room again: writes resume at once, no restart.
    prlimit(server.pid(), "unlimited:unlimited");
    let r = post("Accepted once there is room").await;
    assert_eq!(r.status(), StatusCode::CREATED);
    acked.push(id_of(&r.json::<Value>().await.unwrap()));
    assert_eq!(get("/health/ready").await.status(), StatusCode::OK);

    // Nothing acknowledged was lost.
    server.terminate();
    let app = app.restart_with(&[]).await;
    for id in &acked {
        assert_eq!(app.get_topic(&t, id).await.status(), StatusCode::OK);
    }
}
