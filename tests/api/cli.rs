//! The binary's subcommands: `openapi`, `create-admin`, `healthcheck`, and configuration errors.

use std::process::Command;

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::TestApp;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_p2p-sandbox"));
    c.env_remove("P2P_CONFIG").env("P2P_LOG_LEVEL", "warn");
    c
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
        bin()
            .env("P2P_DATA_DIR", dir.path())
            .env("P2P_ADMIN_PASSWORD", "Admin-pass-2026")
            .env("P2P_AUTH__ARGON2_MEMORY_KIB", "256")
            .args(["create-admin", "--email", "Root@Platform.sa"])
            .output()
            .unwrap()
    };
    let out = run();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8(out.stdout).unwrap().contains("created platform admin root@platform.sa"));
    assert!(String::from_utf8(run().stdout).unwrap().contains("promoted existing account"));
    let mut env: Vec<(String, String)> = vec![
        ("P2P_DATA_DIR".into(), dir.path().to_str().unwrap().into()),
        ("P2P_BIND".into(), "127.0.0.1:0".into()),
        ("P2P_AUTH__DEVICE_VERIFICATION".into(), "false".into()),
    ];
    env.push(("P2P_LOG_LEVEL".into(), "warn".into()));
    let app = TestApp::start(dir.path().to_path_buf(), env).await;
    let r = app.login("root@platform.sa", "Admin-pass-2026").await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
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
    let bad = bin().env("P2P_BIND", format!("127.0.0.1:{closed}")).arg("healthcheck").status().unwrap();
    assert!(!bad.success());
}
