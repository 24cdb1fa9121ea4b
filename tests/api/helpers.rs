//! `TestApp`: the real server in-process on a random port with a temporary data dir, plus
//! fixtures (signed-up and signed-in users) and a reader for emails in the file outbox.

use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use p2p_sandbox::{App, Config};
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::{sync::oneshot, task::JoinHandle};

/// A running server.
pub struct TestApp {
    pub addr: String,
    pub dir: PathBuf,
    _tmp: Option<TempDir>,
    stop: Option<oneshot::Sender<()>>,
    state: Option<p2p_sandbox::state::AppState>,
    handle: Option<JoinHandle<anyhow::Result<()>>>,
    pub env: Vec<(String, String)>,
}

/// Settings every test server uses: loopback, cheap argon2, no new-device codes.
pub fn base_env(dir: &Path) -> Vec<(String, String)> {
    [
        ("P2P_DATA_DIR", dir.to_str().unwrap()),
        ("P2P_BIND", "127.0.0.1:0"),
        ("P2P_LOG_LEVEL", "warn"),
        ("P2P_AUTH__ARGON2_MEMORY_KIB", "256"),
        ("P2P_AUTH__ARGON2_ITERATIONS", "1"),
        ("P2P_AUTH__DEVICE_VERIFICATION", "false"),
        ("P2P_HTTP__AUTH_IP_RATE_PER_MINUTE", "100000"),
        ("P2P_JOBS__POLL_INTERVAL_MS", "100"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

impl TestApp {
    /// A server with the default test settings.
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// A server with extra `P2P_*` settings.
    pub async fn spawn_with(extra: &[(&str, &str)]) -> Self {
        let tmp = TempDir::new().unwrap();
        let dir = tmp.path().to_path_buf();
        let mut env = base_env(&dir);
        env.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        let mut app = Self::start(dir, env).await;
        app._tmp = Some(tmp);
        app
    }

    /// Starts a server on `dir` with exactly `env`.
    pub async fn start(dir: PathBuf, env: Vec<(String, String)>) -> Self {
        let config = Config::load_from(None, env.clone()).expect("test config");
        p2p_sandbox::telemetry::init(&config);
        let app = App::build(config).await.expect("app builds");
        let addr = format!("http://{}", app.addr());
        let state = Some(app.state().clone());
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(app.run_until_stopped(async move {
            let _ = rx.await;
        }));
        Self { addr, dir, _tmp: None, stop: Some(tx), state, handle: Some(handle), env }
    }

    /// Stops gracefully and waits until the database is closed.
    pub async fn stop(&mut self) {
        // Our handle on the state keeps the database open; release it first.
        self.state = None;
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            h.await.unwrap().unwrap();
        }
    }

    /// Stops, then starts again on the same data dir with the same settings plus `extra`.
    pub async fn restart_with(mut self, extra: &[(&str, &str)]) -> Self {
        self.stop().await;
        let mut env = self.env.clone();
        env.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
        env.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        let mut next = Self::start(self.dir.clone(), env).await;
        next._tmp = self._tmp.take();
        next
    }

    /// Creates a platform admin (no organization) and signs them in; returns the access token.
    pub async fn platform_admin(&self, email: &str) -> String {
        let state = self.state.as_ref().expect("running");
        p2p_sandbox::service::accounts::create_admin(state, email, PASSWORD.to_owned()).await.unwrap();
        let r = self.login(email, PASSWORD).await;
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = r.json().await.unwrap();
        v["access_token"].as_str().unwrap().to_owned()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.addr)
    }

    /// A request without cookies (API-client style).
    pub fn req(&self, method: Method, path: &str) -> RequestBuilder {
        Client::new().request(method, self.url(path))
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut r = self.req(Method::GET, path);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send().await.unwrap()
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.send(Method::POST, path, token, body).await
    }

    pub async fn send(&self, method: Method, path: &str, token: Option<&str>, body: Value) -> Response {
        let mut r = self.req(method, path).json(&body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send().await.unwrap()
    }

    /// Signs up `email` (organization named after its domain); returns the response body.
    pub async fn signup(&self, email: &str, password: &str) -> Value {
        let r = self.post("/api/v1/auth/signup", None, signup_body(email, password)).await;
        assert_eq!(r.status(), StatusCode::CREATED, "signup {email}");
        r.json().await.unwrap()
    }

    /// Signs up and verifies `email`; returns the verification answer (tokens included).
    pub async fn signed_in_user(&self, email: &str, password: &str) -> Value {
        self.signup(email, password).await;
        let code = self.code_for(email, "verification code is").await;
        let r = self.post("/api/v1/auth/verify-email", None, json!({"email": email, "code": code})).await;
        assert_eq!(r.status(), StatusCode::OK);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["status"], "authenticated", "{body}");
        body
    }

    /// Logs in (device verification off); returns the answer.
    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post("/api/v1/auth/login", None, json!({"email": email, "password": password})).await
    }

    /// The newest email to `to` whose body contains `marker`, waiting for the job worker
    /// to write it (bounded).
    pub async fn email_to(&self, to: &str, marker: &str) -> String {
        self.nth_email_to(to, marker, 1).await
    }

    /// The newest email to `to` containing `marker`, once at least `n` such emails exist
    /// (for flows that send several, so the test never reads an older one).
    pub async fn nth_email_to(&self, to: &str, marker: &str, n: usize) -> String {
        let outbox = self.dir.join("outbox");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let mut found: Vec<(String, String)> = Vec::new();
            if let Ok(entries) = std::fs::read_dir(&outbox) {
                for e in entries.flatten().filter(|e| e.file_name().to_string_lossy().ends_with(".eml")) {
                    let text = decode_transfer_encoding(&std::fs::read_to_string(e.path()).unwrap_or_default());
                    let addressed = text.lines().any(|l| l.starts_with("To:") && l.contains(to));
                    if addressed && text.contains(marker) {
                        found.push((e.file_name().to_string_lossy().into_owned(), text));
                    }
                }
            }
            found.sort_by(|a, b| a.0.cmp(&b.0));
            if found.len() >= n
                && let Some((_, text)) = found.pop()
            {
                return text;
            }
            assert!(Instant::now() < deadline, "no email to {to} containing {marker:?}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Number of emails in the outbox addressed to `to` containing `marker`.
    pub fn count_emails(&self, to: &str, marker: &str) -> usize {
        std::fs::read_dir(self.dir.join("outbox"))
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| e.file_name().to_string_lossy().ends_with(".eml"))
                    .filter(|e| {
                        let t = decode_transfer_encoding(&std::fs::read_to_string(e.path()).unwrap_or_default());
                        t.lines().any(|l| l.starts_with("To:") && l.contains(to)) && t.contains(marker)
                    })
                    .count()
            })
            .unwrap_or(0)
    }

    /// The 6-digit code in the newest email to `to` whose body contains `marker`.
    pub async fn code_for(&self, to: &str, marker: &str) -> String {
        self.nth_code_for(to, marker, 1).await
    }

    /// The code in the `n`th email to `to` containing `marker` (see `nth_email_to`).
    pub async fn nth_code_for(&self, to: &str, marker: &str, n: usize) -> String {
        let text = self.nth_email_to(to, marker, n).await;
        six_digits_after(&text, marker).unwrap_or_else(|| panic!("no code in email: {text}"))
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// An organization with an admin and an invited member, both signed in.
pub struct Team {
    pub admin: String,
    pub member: String,
    pub admin_id: String,
    pub member_id: String,
    pub org_id: String,
}

impl TestApp {
    /// The token in the newest invitation email to `to`.
    pub async fn invitation_token(&self, to: &str, n: usize) -> String {
        let mail = self.nth_email_to(to, "join?token=", n).await;
        mail.split("join?token=")
            .nth(1)
            .unwrap()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }

    /// Signs up `email` with an invitation token and verifies it; returns the verification answer.
    pub async fn accept_invitation(&self, email: &str, token: &str) -> Value {
        let mut body = signup_body(email, PASSWORD);
        body["invitation_token"] = json!(token);
        let r = self.post("/api/v1/auth/signup", None, body).await;
        assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
        let code = self.code_for(email, "verification code is").await;
        let r = self.post("/api/v1/auth/verify-email", None, json!({"email": email, "code": code})).await;
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.unwrap()
    }

    /// Admin `admin@<domain>` and member `member@<domain>` (joined by invitation).
    pub async fn team(&self, domain: &str) -> Team {
        let admin = self.signed_in_user(&format!("admin@{domain}"), PASSWORD).await;
        let admin_token = admin["access_token"].as_str().unwrap().to_owned();
        let member_email = format!("member@{domain}");
        let r = self
            .post("/api/v1/organizations/me/invitations", Some(&admin_token), json!({ "email": member_email }))
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let token = self.invitation_token(&member_email, 1).await;
        let member = self.accept_invitation(&member_email, &token).await;
        Team {
            admin: admin_token,
            member: member["access_token"].as_str().unwrap().to_owned(),
            admin_id: admin["user"]["id"].as_str().unwrap().to_owned(),
            member_id: member["user"]["id"].as_str().unwrap().to_owned(),
            org_id: admin["user"]["organization_id"].as_str().unwrap().to_owned(),
        }
    }
}

/// Undoes quoted-printable or base64 body encoding (lettre picks one for long lines), so
/// tests can search the text a person would read.
pub fn decode_transfer_encoding(raw: &str) -> String {
    let Some((head, body)) = raw.split_once("\r\n\r\n").or_else(|| raw.split_once("\n\n")) else {
        return raw.to_owned();
    };
    let lower = head.to_lowercase();
    let decoded = if lower.contains("content-transfer-encoding: quoted-printable") {
        let joined = body.replace("=\r\n", "").replace("=\n", "");
        let bytes = joined.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'='
                && let Some(Ok(b)) = joined.get(i + 1..i + 3).map(|h| u8::from_str_radix(h, 16))
            {
                out.push(b);
                i += 3;
                continue;
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    } else if lower.contains("content-transfer-encoding: base64") {
        use base64::Engine;
        let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        let bytes = base64::engine::general_purpose::STANDARD.decode(compact).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        body.to_owned()
    };
    format!("{head}\n\n{decoded}")
}

/// The first run of six digits after `marker`.
pub fn six_digits_after(text: &str, marker: &str) -> Option<String> {
    let rest = &text[text.find(marker)? + marker.len()..];
    let digits: String = rest.chars().skip_while(|c| !c.is_ascii_digit()).take_while(char::is_ascii_digit).collect();
    (digits.len() == 6).then_some(digits)
}

/// A valid signup body for `email`.
pub fn signup_body(email: &str, password: &str) -> Value {
    let domain = email.split('@').nth(1).unwrap_or("example.com");
    json!({
        "email": email,
        "password": password,
        "first_name": "Sara",
        "last_name": "Al-Harbi",
        "organization_name": format!("{domain} Manufacturing"),
        "industry_sector": "Metal Processing",
        "company_size": "medium",
        "city": "Riyadh",
        "title": "Plant Engineer"
    })
}

/// Asserts the uniform error body and returns it.
pub async fn expect_error(r: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(r.status(), status, "status");
    assert!(r.headers().get("x-request-id").is_some(), "every response has a request id");
    let ct = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(ct.starts_with("application/json"), "error body is JSON, got {ct}");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    body
}

pub const PASSWORD: &str = "Steel-mill-42";
