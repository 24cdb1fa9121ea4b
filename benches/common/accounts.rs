//! Accounts for the benchmarks: signed up and verified through the API and the file outbox,
//! as a person would.

use std::{
    collections::HashMap,
    path::Path,
    time::{Duration, Instant},
};

use futures::{StreamExt, stream};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

/// Signups in flight at once (each hashes a password).
const SIGNUP_CONCURRENCY: usize = 8;

/// Undoes quoted-printable (what lettre picks for the English emails' parts): soft line
/// breaks and `=XX` escapes. The rest of the message passes through unchanged.
fn unquote(text: &str) -> String {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Recipient and 6-digit code of a verification email written by the file transport (the
/// code is the first run of six digits after the phrase, in the text part).
fn parse_eml(raw: &str) -> Option<(String, String)> {
    let text = unquote(raw);
    let to = text.lines().find_map(|l| l.strip_prefix("To:"))?;
    let to = to.trim().trim_matches(['<', '>']).to_lowercase();
    let after = text.split("verification code is").nth(1)?;
    let code: String = after.chars().skip_while(|c| !c.is_ascii_digit()).take_while(char::is_ascii_digit).collect();
    (code.len() == 6).then_some((to, code))
}

/// Polls the outbox until every address in `emails` has a verification code.
async fn read_codes(outbox: &Path, emails: &[String]) -> HashMap<String, String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut codes = HashMap::new();
    loop {
        for entry in std::fs::read_dir(outbox).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "eml")
                && let Some((to, code)) = std::fs::read_to_string(&path).ok().and_then(|t| parse_eml(&t))
            {
                codes.insert(to, code);
            }
        }
        if emails.iter().all(|e| codes.contains_key(e)) {
            return codes;
        }
        assert!(
            Instant::now() < deadline,
            "only {} of {} verification emails arrived in 60 s",
            codes.len(),
            emails.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Signs up and verifies `n` accounts, each the admin of its own organization; returns
/// their access tokens.
pub async fn create_users(client: &Client, base: &str, outbox: &Path, n: usize) -> Vec<String> {
    let emails: Vec<String> = (0..n).map(email).collect();
    stream::iter(0..n)
        .map(|i| {
            let body = json!({
                "email": emails[i], "password": password(i), "first_name": "Bench",
                "last_name": "User", "organization_name": format!("Bench Org {i}"),
                "industry_sector": "Metal Processing", "company_size": "small", "city": "Riyadh",
            });
            let req = client.post(format!("{base}/api/v1/auth/signup")).json(&body);
            async move {
                let r = req.send().await.unwrap();
                if r.status() != StatusCode::CREATED {
                    panic!("signup {i}: {}", r.text().await.unwrap_or_default());
                }
            }
        })
        .buffer_unordered(SIGNUP_CONCURRENCY)
        .collect::<Vec<()>>()
        .await;
    let codes = read_codes(outbox, &emails).await;
    stream::iter(emails.iter())
        .map(|email| {
            let body = json!({ "email": email, "code": codes[email] });
            let req = client.post(format!("{base}/api/v1/auth/verify-email")).json(&body);
            async move {
                let v: Value = req.send().await.unwrap().json().await.unwrap();
                assert_eq!(v["status"], "authenticated", "verify-email: {v}");
                v["access_token"].as_str().unwrap().to_owned()
            }
        })
        .buffered(SIGNUP_CONCURRENCY)
        .collect()
        .await
}

pub fn email(i: usize) -> String {
    format!("user{i}@bench{i}.example.com")
}

pub fn password(i: usize) -> String {
    format!("Bench-pass-{i}x9")
}
