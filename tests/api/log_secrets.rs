//! SPEC: "Logs: tracing, human or JSON, request id in every line; never passwords, tokens
//! or codes." The real binary runs with JSON logs at debug level and device verification on;
//! the whole account flow goes over HTTP while every secret it sees or produces is collected,
//! and afterwards no log line may contain any of them.
//!
//! The binary (not an in-process `TestApp`) is used because the global tracing subscriber of
//! the test process is shared by every test and set at `warn`: only a separate process gives
//! this test its own logs, exactly as an operator would see them.

use std::{
    fs,
    path::{Path, PathBuf},
};

use reqwest::{Client, Method, Response, StatusCode, header};
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::support::{
    accounts::signup_body,
    child::ChildServer,
    mail::{link_token, nth_email_in, six_digits_after},
};

const EMAIL: &str = "leaks@press-shop.sa";
// Distinctive values, so a hit in the logs can only be the secret itself.
const FIRST_PASSWORD: &str = "Furnace-first-4821";
const SECOND_PASSWORD: &str = "Kiln-second-7390";
const THIRD_PASSWORD: &str = "Lathe-third-5164";
const WRONG_PASSWORD: &str = "Wrong-guess-9057";

/// Every secret seen during the flow, with a label for the failure message.
#[derive(Default)]
struct Secrets(Vec<(String, String)>);

impl Secrets {
    fn add(&mut self, label: &str, value: &str) {
        assert!(!value.is_empty(), "{label} is empty");
        self.0.push((label.to_owned(), value.to_owned()));
    }

    /// Access token, its signature alone (a log that cut the token at a dot would still leak
    /// the part that matters) and refresh token of a sign-in or refresh answer.
    fn add_session(&mut self, label: &str, body: &Value) -> (String, String) {
        assert_eq!(body["status"], "authenticated", "{label}: {body}");
        let access = body["access_token"].as_str().unwrap().to_owned();
        let refresh = body["refresh_token"].as_str().unwrap().to_owned();
        let signature = access.rsplit('.').next().unwrap();
        assert!(signature.len() >= 32, "{label}: a JWT signature");
        self.add(&format!("{label} access token"), &access);
        self.add(&format!("{label} access token signature"), signature);
        self.add(&format!("{label} refresh token"), &refresh);
        (access, refresh)
    }

    /// The non-empty `p2p_*` cookies an answer sets; returns the trusted-device cookie.
    fn add_cookies(&mut self, label: &str, r: &Response) -> Option<String> {
        let mut device = None;
        for v in r.headers().get_all(header::SET_COOKIE) {
            let pair = v.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if name.starts_with("p2p_") && !value.is_empty() {
                self.add(&format!("{label} cookie {name}"), value);
                if name == "p2p_device" {
                    device = Some(value.to_owned());
                }
            }
        }
        device
    }
}

/// Talks to the child server the way an API client (no cookie store) would.
struct Api {
    base: String,
    client: Client,
    requests: usize,
}

impl Api {
    async fn call(
        &mut self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        cookie: Option<String>,
        body: Option<Value>,
    ) -> Response {
        let mut r = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = bearer {
            r = r.bearer_auth(t);
        }
        if let Some(c) = cookie {
            r = r.header(header::COOKIE, c);
        }
        if let Some(b) = body {
            r = r.json(&b);
        }
        self.requests += 1;
        r.send().await.unwrap()
    }

    async fn post(&mut self, path: &str, bearer: Option<&str>, body: Value) -> Response {
        self.call(Method::POST, path, bearer, None, Some(body)).await
    }
}

async fn json_of(r: Response, status: StatusCode) -> Value {
    let got = r.status();
    let body = r.text().await.unwrap();
    assert_eq!(got, status, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// The code in the `n`th email to [`EMAIL`] containing `marker`.
async fn code(outbox: &Path, marker: &str, n: usize) -> String {
    let mail = nth_email_in(outbox, EMAIL, marker, n).await;
    six_digits_after(&mail, marker).unwrap_or_else(|| panic!("no code in {mail}"))
}

/// Starts the binary with JSON debug logs appended to `<logs>/out.log` and `<logs>/err.log`.
async fn start(data: &Path, logs: &Path) -> (ChildServer, String) {
    let env = [
        ("P2P_DATA_DIR", data.to_str().unwrap()),
        ("P2P_LOG_FORMAT", "json"),
        ("P2P_LOG_LEVEL", "debug"),
        ("P2P_AUTH__DEVICE_VERIFICATION", "true"),
        ("P2P_AUTH__ARGON2_MEMORY_KIB", "256"),
        ("P2P_AUTH__ARGON2_ITERATIONS", "1"),
        ("P2P_HTTP__AUTH_IP_RATE_PER_MINUTE", "100000"),
        ("P2P_JOBS__POLL_INTERVAL_MS", "100"),
    ];
    let open = |name: &str| fs::OpenOptions::new().create(true).append(true).open(logs.join(name)).unwrap();
    let server = ChildServer::start(env, open("out.log").into(), open("err.log").into()).await;
    let base = server.base.clone();
    (server, base)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_never_contain_passwords_tokens_or_codes() {
    let tmp = TempDir::new().unwrap();
    let (data, logs): (PathBuf, PathBuf) = (tmp.path().join("data"), tmp.path().join("logs"));
    fs::create_dir_all(&logs).unwrap();
    let outbox = data.join("outbox");
    let (server, base) = start(&data, &logs).await;
    let mut api = Api { base, client: Client::new(), requests: 0 };
    let mut s = Secrets::default();
    for (label, p) in [("first", FIRST_PASSWORD), ("second", SECOND_PASSWORD), ("third", THIRD_PASSWORD)] {
        s.add(&format!("{label} password"), p);
    }
    s.add("wrong password", WRONG_PASSWORD);

    // Signup, then the emailed verification code signs in and trusts this "browser".
    json_of(api.post("/api/v1/auth/signup", None, signup_body(EMAIL, FIRST_PASSWORD)).await, StatusCode::CREATED).await;
    let verify_code = code(&outbox, "verification code is", 1).await;
    s.add("email verification code", &verify_code);
    let r = api.post("/api/v1/auth/verify-email", None, json!({"email": EMAIL, "code": verify_code})).await;
    s.add_cookies("verify-email", &r);
    s.add_session("verify-email", &json_of(r, StatusCode::OK).await);

    // Login without the device cookie: a new device, so a sign-in code is emailed.
    let r = api.post("/api/v1/auth/login", None, json!({"email": EMAIL, "password": FIRST_PASSWORD})).await;
    let challenge = json_of(r, StatusCode::OK).await;
    assert_eq!(challenge["status"], "mfa_required", "{challenge}");
    let device_code = code(&outbox, "sign-in code is", 1).await;
    s.add("new-device code", &device_code);
    let body = json!({"challenge_id": challenge["challenge_id"], "code": device_code});
    let r = api.post("/api/v1/auth/login/verify", None, body).await;
    let device = s.add_cookies("login/verify", &r).expect("a trusted-device cookie");
    let (access, refresh) = s.add_session("login/verify", &json_of(r, StatusCode::OK).await);

    // The cookie transport too, then a refresh rotating both tokens.
    let r = api.call(Method::GET, "/api/v1/users/me", None, Some(format!("p2p_access={access}")), None).await;
    json_of(r, StatusCode::OK).await;
    let r = api.post("/api/v1/auth/refresh", None, json!({"refresh_token": refresh})).await;
    s.add_cookies("refresh", &r);
    let (access, _) = s.add_session("refresh", &json_of(r, StatusCode::OK).await);

    // A failed login from the trusted device (wrong passwords are often near-misses of the
    // real one), then a password change.
    let cookie = Some(format!("p2p_device={device}"));
    let body = json!({"email": EMAIL, "password": WRONG_PASSWORD});
    let r = api.call(Method::POST, "/api/v1/auth/login", None, cookie.clone(), Some(body)).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body = json!({"current_password": FIRST_PASSWORD, "new_password": SECOND_PASSWORD});
    assert_eq!(api.post("/api/v1/users/me/password", Some(&access), body).await.status(), StatusCode::NO_CONTENT);

    // Forgotten password: the emailed link's token resets to a third password.
    let r = api.post("/api/v1/auth/password/forgot", None, json!({"email": EMAIL})).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let marker = "reset-password?token=";
    let token = link_token(&nth_email_in(&outbox, EMAIL, marker, 1).await, marker);
    s.add("password reset token", &token);
    let body = json!({"token": token, "new_password": THIRD_PASSWORD});
    assert_eq!(api.post("/api/v1/auth/password/reset", None, body).await.status(), StatusCode::NO_CONTENT);

    // A restart reads the JWT secret back from the data dir and logs the migrations it skips
    // at debug level (our crate's own debug lines, checked below). The trusted device then
    // signs in with the new password straight away, and logs out.
    server.terminate();
    let (server, base) = start(&data, &logs).await;
    api.base = base;
    let body = json!({"email": EMAIL, "password": THIRD_PASSWORD});
    let r = api.call(Method::POST, "/api/v1/auth/login", None, cookie, Some(body)).await;
    s.add_cookies("final login", &r);
    let (access, _) = s.add_session("final login", &json_of(r, StatusCode::OK).await);
    assert_eq!(api.post("/api/v1/auth/logout", Some(&access), json!({})).await.status(), StatusCode::NO_CONTENT);
    server.terminate();

    let jwt_secret = fs::read_to_string(data.join("jwt.secret")).unwrap();
    s.add("JWT secret", jwt_secret.trim());
    check_logs(&logs, &s, api.requests);
}

fn is_code(secret: &str) -> bool {
    secret.len() == 6 && secret.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `text` holds `secret`; a 6-digit code counts only as a whole number, so the
/// digits inside ids or file names cannot match by chance.
fn holds(text: &str, secret: &str) -> bool {
    if !is_code(secret) {
        return text.contains(secret);
    }
    text.match_indices(secret).any(|(i, _)| {
        let before = text[..i].bytes().next_back();
        let after = text[i + 6..].bytes().next();
        !before.is_some_and(|b| b.is_ascii_digit()) && !after.is_some_and(|b| b.is_ascii_digit())
    })
}

fn check_logs(logs: &Path, secrets: &Secrets, requests: usize) {
    let mut lines = Vec::new();
    for file in ["out.log", "err.log"] {
        let text = fs::read_to_string(logs.join(file)).unwrap();
        lines.extend(text.lines().filter(|l| !l.trim().is_empty()).map(|l| (file, l.to_owned())));
    }
    // Guard against a vacuous pass: the logs must be there, in JSON, at debug level, and
    // cover every request made.
    assert!(!lines.is_empty(), "the server logged nothing");
    let mut debug = 0;
    let mut finished = 0;
    for (file, line) in &lines {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{file}: not JSON ({e}): {line}"));
        let ours = v["target"].as_str().is_some_and(|t| t.starts_with("p2p_sandbox"));
        debug += usize::from(ours && v["level"] == "DEBUG");
        if v["fields"]["message"] == "request finished" {
            assert!(v["span"]["request_id"].as_str().is_some_and(|id| !id.is_empty()), "no request id: {line}");
            finished += 1;
        }
    }
    assert!(debug > 0, "no debug line of our crate: the level under test is not in effect");
    assert!(finished >= requests, "{finished} request lines for {requests} requests");

    let mut leaks = Vec::new();
    for (file, line) in &lines {
        // Codes are looked for in string and integer values only, minus the timestamp: its
        // microseconds and the latency's fraction are 6-digit numbers on every line, while a
        // logged code (`%code`, `?code`, inside a message, or parsed) is a string or integer.
        let mut v: Value = serde_json::from_str(line).unwrap();
        v.as_object_mut().unwrap().remove("timestamp");
        let mut texts = String::new();
        strings(&v, &mut texts);
        for (label, secret) in &secrets.0 {
            if holds(if is_code(secret) { &texts } else { line }, secret) {
                let mut masked = line.clone();
                for (l, s) in &secrets.0 {
                    masked = masked.replace(s.as_str(), &format!("<{l}>"));
                }
                leaks.push(format!("{file}: {label} in: {masked}"));
            }
        }
    }
    assert!(leaks.is_empty(), "{} secret(s) in the logs:\n{}", leaks.len(), leaks.join("\n"));
}

/// Every string and integer value under `v`, one per line.
fn strings(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Value::Number(n) if n.is_u64() || n.is_i64() => {
            out.push_str(&n.to_string());
            out.push('\n');
        }
        Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
        Value::Object(map) => map.values().for_each(|i| strings(i, out)),
        _ => {}
    }
}
