//! The activity feed and watching topics: the feed (community and organization, paged), watch
//! and unwatch, a crowd of signed-in people made at once, and a mail server that holds the
//! job worker on a delivery until the test lets it go (so a test knows a job has not run).

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use futures::{StreamExt, stream};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
    sync::{mpsc, watch},
};

use super::{
    PASSWORD, TestApp,
    accounts::{signup_body, token},
    mail::{decode_transfer_encoding, six_digits_after},
    messages::Person,
};

/// Requests a crowd sends at once.
const AT_ONCE: usize = 32;

impl TestApp {
    /// `GET /activity?{query}`.
    pub async fn activity_raw(&self, token: &str, query: &str) -> Response {
        self.get(&format!("/api/v1/activity?{query}"), Some(token)).await
    }

    /// `GET /organizations/{org}/activity?{query}`.
    pub async fn org_activity_raw(&self, token: &str, org: &str, query: &str) -> Response {
        self.get(&format!("/api/v1/organizations/{org}/activity?{query}"), Some(token)).await
    }

    /// One page of the community's feed (`org: None`) or an organization's; asserts a 200.
    pub async fn activity(&self, token: &str, org: Option<&str>, query: &str) -> Value {
        match org {
            None => self.get_json(&format!("/api/v1/activity?{query}"), token).await,
            Some(o) => self.get_json(&format!("/api/v1/organizations/{o}/activity?{query}"), token).await,
        }
    }

    /// The whole feed (`org: None`) or an organization's, paged through `limit` at a time;
    /// returns the entries in order and the size of each page.
    pub async fn activity_pages(&self, token: &str, org: Option<&str>, limit: usize) -> (Vec<Value>, Vec<usize>) {
        let (mut items, mut sizes) = (Vec::new(), Vec::new());
        let mut query = format!("limit={limit}");
        loop {
            let page = self.activity(token, org, &query).await;
            let batch = page["items"].as_array().unwrap();
            sizes.push(batch.len());
            items.extend(batch.iter().cloned());
            match page["next_cursor"].as_str() {
                Some(c) => query = format!("limit={limit}&cursor={c}"),
                None => return (items, sizes),
            }
        }
    }

    /// The whole feed (`org: None`) or an organization's, newest first.
    pub async fn all_activity(&self, token: &str, org: Option<&str>) -> Vec<Value> {
        self.activity_pages(token, org, 100).await.0
    }

    /// `PUT /forum/topics/{id}/watch`.
    pub async fn watch_topic(&self, token: &str, topic: &str) -> Response {
        self.put(&format!("/api/v1/forum/topics/{topic}/watch"), token, json!({})).await
    }

    /// `DELETE /forum/topics/{id}/watch`.
    pub async fn unwatch_topic(&self, token: &str, topic: &str) -> Response {
        self.delete(&format!("/api/v1/forum/topics/{topic}/watch"), token).await
    }

    /// `GET /forum/topics/{id}/watch`.
    pub async fn watch_state(&self, token: &str, topic: &str) -> Response {
        self.get(&format!("/api/v1/forum/topics/{topic}/watch"), Some(token)).await
    }

    /// Whether the caller watches `topic`; asserts a 200.
    pub async fn watching(&self, token: &str, topic: &str) -> bool {
        watching_in(self.watch_state(token, topic).await).await
    }

    /// `n` people (`<name><i>@<name><i>.sa`), each the admin of an organization of their
    /// own, made at once: every signup first, then each verified with the code its email
    /// carries (the outbox read once, not once per person). In order.
    pub async fn crowd(&self, name: &str, n: usize) -> Vec<Person> {
        let emails: Vec<String> = (0..n).map(|i| format!("{name}{i}@{name}{i}.sa")).collect();
        let signups = stream::iter(emails.iter().map(|e| async move {
            let r = self.post_signup(signup_body(e, PASSWORD)).await;
            assert_eq!(r.status(), StatusCode::CREATED, "signup {e}");
        }));
        signups.buffer_unordered(AT_ONCE).collect::<Vec<()>>().await;
        let codes = self.verification_codes(&emails).await;
        let verified = stream::iter(emails.iter().map(|e| {
            let code = codes[e].clone();
            async move {
                let r = self.verify_email(e, &code).await;
                assert_eq!(r.status(), StatusCode::OK, "verify {e}");
                let auth: Value = r.json().await.unwrap();
                assert_eq!(auth["status"], "authenticated", "{auth}");
                Person { token: token(&auth), id: auth["user"]["id"].as_str().unwrap().to_owned(), email: e.clone() }
            }
        }));
        verified.buffered(AT_ONCE).collect().await
    }

    /// The verification code emailed to each of `emails`, once every one has its email.
    async fn verification_codes(&self, emails: &[String]) -> HashMap<String, String> {
        let marker = "verification code is";
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mut codes = HashMap::new();
            for entry in std::fs::read_dir(self.dir.join("outbox")).into_iter().flatten().flatten() {
                if !entry.file_name().to_string_lossy().ends_with(".eml") {
                    continue;
                }
                let text = decode_transfer_encoding(&std::fs::read_to_string(entry.path()).unwrap_or_default());
                let to = text.lines().find_map(|l| l.strip_prefix("To: ")).map(str::trim);
                if let (Some(to), Some(code)) = (to, six_digits_after(&text, marker)) {
                    codes.insert(to.to_owned(), code);
                }
            }
            if emails.iter().all(|e| codes.contains_key(e)) {
                return codes;
            }
            assert!(Instant::now() < deadline, "not every verification email was written");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// `{watching}` of a 200 watch answer.
pub async fn watching_in(r: Response) -> bool {
    let status = r.status();
    let body = r.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "watch: {body}");
    serde_json::from_str::<Value>(&body).unwrap()["watching"].as_bool().unwrap()
}

/// What an entry of the feed is, in short: (kind, actor id, target_type, target_id, topic_id,
/// title, organization_id), the optional ones `""` when absent.
pub fn entry(a: &Value) -> [String; 7] {
    let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    [
        s(&a["kind"]),
        s(&a["actor"]["id"]),
        s(&a["target_type"]),
        s(&a["target_id"]),
        s(&a["topic_id"]),
        s(&a["title"]),
        s(&a["organization_id"]),
    ]
}

/// The entries of a feed, in short, in order.
pub fn entries(items: &[Value]) -> Vec<[String; 7]> {
    items.iter().map(entry).collect()
}

/// An SMTP server that accepts the connections of the job worker's mailer but greets none
/// until released: while it holds a delivery, the worker is inside that email's job and runs
/// no other, so jobs queued meanwhile stay queued, however long the test looks at them.
pub struct HeldSmtp {
    port: String,
    connected: mpsc::UnboundedReceiver<()>,
    release: watch::Sender<bool>,
}

impl HeldSmtp {
    /// Listens on a free port; nothing is let through yet.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port().to_string();
        let (tell, connected) = mpsc::unbounded_channel();
        let (release, released) = watch::channel(false);
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let (tell, mut released) = (tell.clone(), released.clone());
                tokio::spawn(async move {
                    let _ = tell.send(());
                    if released.wait_for(|go| *go).await.is_err() {
                        return;
                    }
                    let _ = converse(socket).await;
                });
            }
        });
        Self { port, connected, release }
    }

    /// The settings that send a server's mail here.
    pub fn settings(&self) -> [(&'static str, &str); 4] {
        [
            ("P2P_MAIL__TRANSPORT", "smtp"),
            ("P2P_MAIL__SMTP_HOST", "127.0.0.1"),
            ("P2P_MAIL__SMTP_PORT", &self.port),
            ("P2P_MAIL__SMTP_TLS", "none"),
        ]
    }

    /// Waits (bounded) until a delivery has connected and is being held.
    pub async fn holding(&mut self) {
        let connected = tokio::time::timeout(Duration::from_secs(10), self.connected.recv()).await;
        assert!(matches!(connected, Ok(Some(()))), "no delivery reached the held mail server");
    }

    /// Lets every delivery, held or to come, through.
    pub fn release(&self) {
        self.release.send_replace(true);
    }
}

/// A minimal SMTP conversation that accepts every message.
async fn converse(socket: tokio::net::TcpStream) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 held.local ESMTP\r\n").await?;
    let mut in_data = false;
    while let Some(line) = lines.next_line().await? {
        if in_data {
            if line == "." {
                in_data = false;
                write.write_all(b"250 2.0.0 queued\r\n").await?;
            }
            continue;
        }
        let verb = line.split_whitespace().next().unwrap_or_default().to_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-held.local\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
            "DATA" => {
                in_data = true;
                b"354 go ahead\r\n"
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => b"250 OK\r\n",
        };
        write.write_all(reply).await?;
    }
    Ok(())
}
