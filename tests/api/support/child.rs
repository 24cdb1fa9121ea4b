//! The real binary as a child process, for tests that need what an in-process server cannot
//! give: a `kill -9`, the process's own logs, its own memory figures.

use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use reqwest::StatusCode;

use super::TestApp;

/// A running `p2p-sandbox serve`; killed on every exit path so a failed assertion leaves no
/// server behind.
pub struct ChildServer {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
}

impl ChildServer {
    /// Starts the binary on a free loopback port with exactly `env` (nothing `P2P_*` or
    /// `RUST_LOG` from the developer's shell leaks in) and waits until `/health` answers.
    pub async fn start<'a>(env: impl IntoIterator<Item = (&'a str, &'a str)>, stdout: Stdio, stderr: Stdio) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_p2p-sandbox"));
        cmd.env_remove("RUST_LOG");
        for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("P2P_")) {
            cmd.env_remove(k);
        }
        cmd.envs(env).env("P2P_BIND", format!("127.0.0.1:{port}"));
        cmd.arg("serve").stdin(Stdio::null()).stdout(stdout).stderr(stderr);
        let server = Self { child: cmd.spawn().unwrap(), base: format!("http://127.0.0.1:{port}") };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        while !client.get(format!("{}/health", server.base)).send().await.is_ok_and(|r| r.status() == StatusCode::OK) {
            assert!(Instant::now() < deadline, "server did not come up");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        server
    }

    /// Starts the binary on a stopped `app`'s data dir with the same settings; its output is
    /// discarded (the tests using it look at data and memory, not logs).
    pub async fn start_like(app: &TestApp) -> Self {
        let env = app.env.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        Self::start(env, Stdio::null(), Stdio::null()).await
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no shutdown, no flush.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, then waits for the graceful exit (every log line written, files closed).
    pub fn terminate(mut self) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A `kB` figure of `/proc/<pid>/status`, e.g. `VmHWM` (peak resident memory).
    pub fn status_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        let line = status.lines().find(|l| l.starts_with(&format!("{field}:"))).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
