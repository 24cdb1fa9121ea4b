//! The file mail transport's outbox read back: emails to an address, the codes and link
//! tokens in them. Works on any outbox folder, so a child-process server's too.

use std::{
    path::Path,
    time::{Duration, Instant},
};

use super::TestApp;

/// Every email in `outbox` addressed to `to` whose text contains `marker`, as (file name,
/// decoded text), oldest first (file names start with the sending time).
pub fn emails_in(outbox: &Path, to: &str, marker: &str) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = std::fs::read_dir(outbox)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().ends_with(".eml"))
                .map(|e| {
                    let text = decode_transfer_encoding(&std::fs::read_to_string(e.path()).unwrap_or_default());
                    (e.file_name().to_string_lossy().into_owned(), text)
                })
                .filter(|(_, t)| t.lines().any(|l| l.starts_with("To:") && l.contains(to)) && t.contains(marker))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// The newest email in `outbox` to `to` containing `marker`, once at least `n` such emails
/// exist: the job worker writes them asynchronously, so this polls (bounded) instead of
/// sleeping a guessed time, and a flow that sends several never reads an older one.
pub async fn nth_email_in(outbox: &Path, to: &str, marker: &str, n: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut found = emails_in(outbox, to, marker);
        if found.len() >= n
            && let Some((_, text)) = found.pop()
        {
            return text;
        }
        assert!(Instant::now() < deadline, "no email {n} to {to} containing {marker:?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Undoes quoted-printable or base64 body encoding (lettre picks one for lines over 76
/// bytes), in each part of a multipart message, so tests can search the text a person would
/// read. Headers and part boundaries are kept.
pub fn decode_transfer_encoding(raw: &str) -> String {
    let Some((head, body)) = split_head(raw) else {
        return raw.to_owned();
    };
    let Some(boundary) = boundary(head) else {
        return format!("{head}\n\n{}", decode_body(head, body));
    };
    let delimiter = format!("--{boundary}");
    let parts: Vec<String> = body
        .split(&delimiter)
        .map(|part| {
            let part = part.strip_prefix("\r\n").or_else(|| part.strip_prefix('\n')).unwrap_or(part);
            match split_head(part) {
                // The preamble and the closing `--` have no head of their own.
                Some((h, b)) if !part.starts_with("--") => format!("{h}\n\n{}", decode_body(h, b)),
                _ => part.to_owned(),
            }
        })
        .collect();
    format!("{head}\n\n{}", parts.join(&format!("{delimiter}\n")))
}

fn split_head(raw: &str) -> Option<(&str, &str)> {
    raw.split_once("\r\n\r\n").or_else(|| raw.split_once("\n\n"))
}

/// The boundary of a multipart head (`boundary="..."` in its Content-Type).
fn boundary(head: &str) -> Option<&str> {
    let lower = head.to_lowercase();
    if !lower.contains("content-type: multipart/") {
        return None;
    }
    let rest = &head[lower.find("boundary=")? + "boundary=".len()..];
    let rest = rest.strip_prefix('"').unwrap_or(rest);
    rest.split(|c: char| c == '"' || c == ';' || c.is_whitespace()).next().filter(|b| !b.is_empty())
}

/// One body decoded according to its head's Content-Transfer-Encoding.
fn decode_body(head: &str, body: &str) -> String {
    let lower = head.to_lowercase();
    if lower.contains("content-transfer-encoding: quoted-printable") {
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
    }
}

/// The first run of six digits after `marker`.
pub fn six_digits_after(text: &str, marker: &str) -> Option<String> {
    let rest = &text[text.find(marker)? + marker.len()..];
    let digits: String = rest.chars().skip_while(|c| !c.is_ascii_digit()).take_while(char::is_ascii_digit).collect();
    (digits.len() == 6).then_some(digits)
}

/// The URL-safe token right after `marker` (e.g. `join?token=`) in an email.
pub fn link_token(mail: &str, marker: &str) -> String {
    let rest = mail.split(marker).nth(1).unwrap_or_else(|| panic!("no {marker:?} in: {mail}"));
    rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

impl TestApp {
    /// The newest email to `to` whose body contains `marker`, waiting for the job worker
    /// to write it (bounded).
    pub async fn email_to(&self, to: &str, marker: &str) -> String {
        self.nth_email_to(to, marker, 1).await
    }

    /// The newest email to `to` containing `marker`, once at least `n` such emails exist.
    pub async fn nth_email_to(&self, to: &str, marker: &str, n: usize) -> String {
        nth_email_in(&self.dir.join("outbox"), to, marker, n).await
    }

    /// Number of emails in the outbox addressed to `to` containing `marker`.
    pub fn count_emails(&self, to: &str, marker: &str) -> usize {
        emails_in(&self.dir.join("outbox"), to, marker).len()
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
