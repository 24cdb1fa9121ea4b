//! `kill -9` in the middle of concurrent writes — replies and use-case creates sharing the
//! writer's batches: every write the server acknowledged is there after a restart, and the
//! counters agree with the records (group commit, SPEC §14).

use std::{
    collections::HashSet,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, child::ChildServer, id_of, use_cases::use_case_body};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_replies_and_use_cases_survive_kill_9() {
    // Set up in-process, then hand the data dir to the real binary.
    let mut app = TestApp::spawn().await;
    let token = app.signed_in_token("crash@press.sa").await;
    let topic = id_of(&app.new_topic(&token, "Compressor trips under load", "maintenance", &[]).await);
    app.stop().await;

    let mut server = ChildServer::start_like(&app).await;
    let base = server.base.clone();

    // 32 writers — 24 replying, 8 publishing use cases — write as fast as they can; the
    // server is killed once 400 replies are acknowledged.
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let cases = Arc::new(Mutex::new(Vec::<String>::new()));
    let killed = Arc::new(AtomicBool::new(false));
    let client = reqwest::Client::new();
    let writers: Vec<_> = (0..32)
        .map(|w| {
            let (client, killed) = (client.clone(), killed.clone());
            let acknowledged = if w < 8 { cases.clone() } else { acknowledged.clone() };
            let url = match w {
                0..8 => format!("{base}/api/v1/use-cases"),
                _ => format!("{base}/api/v1/forum/topics/{topic}/replies"),
            };
            let token = token.clone();
            tokio::spawn(async move {
                for i in 0.. {
                    if killed.load(Ordering::SeqCst) {
                        break;
                    }
                    let body = match w {
                        0..8 => use_case_body(&format!("Intake filter case {w}-{i} on line two")),
                        _ => json!({"body": format!("Writer {w} reply {i}: checked the intake filter.")}),
                    };
                    let Ok(r) = client.post(&url).bearer_auth(&token).json(&body).send().await else { break };
                    if r.status() != StatusCode::CREATED {
                        break;
                    }
                    let Ok(v) = r.json::<Value>().await else { break };
                    acknowledged.lock().unwrap().push(v["id"].as_str().unwrap().to_owned());
                }
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    while acknowledged.lock().unwrap().len() < 400 {
        assert!(Instant::now() < deadline, "writes too slow");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    server.kill();
    killed.store(true, Ordering::SeqCst);
    for w in writers {
        w.await.unwrap();
    }
    let acknowledged: HashSet<String> = acknowledged.lock().unwrap().iter().cloned().collect();
    assert!(acknowledged.len() >= 400);

    // Restart in-process on the same directory and read everything back.
    let app = TestApp::start(app.dir.clone(), app.env.clone()).await;
    let mut stored = HashSet::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/forum/topics/{topic}/replies?limit=100&cursor={c}"),
            None => format!("/api/v1/forum/topics/{topic}/replies?limit=100"),
        };
        let page = app.get_json(&path, &token).await;
        stored.extend(page["items"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let lost: Vec<_> = acknowledged.difference(&stored).collect();
    assert!(lost.is_empty(), "{} acknowledged replies lost, e.g. {:?}", lost.len(), &lost[..lost.len().min(3)]);
    let t: Value = app.get_topic(&token, &topic).await.json().await.unwrap();
    assert_eq!(t["reply_count"], json!(stored.len()), "the counter matches the stored replies");
    let cases: Vec<String> = cases.lock().unwrap().clone();
    assert!(!cases.is_empty(), "use cases were created in the mix");
    for id in &cases {
        assert_eq!(app.get_use_case(&token, id).await.status(), StatusCode::OK, "acknowledged use case {id} lost");
    }
    let listed = app.list_use_cases(&token, "limit=1").await["total"].as_u64().unwrap();
    assert!(listed >= cases.len() as u64);
    assert_eq!(app.use_case_stats(&token).await["use_case_count"], listed, "the counter matches the records");
    // The store still takes writes after recovery.
    app.new_reply(&token, &topic, "Back after the crash.").await;
}
