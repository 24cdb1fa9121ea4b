//! Mail through a real SMTP listener started by the test.

use reqwest::StatusCode;
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
    sync::mpsc,
};

use crate::support::{
    PASSWORD, TestApp,
    mail::{decode_transfer_encoding, six_digits_after},
};

/// A minimal SMTP server: accepts every message and hands its DATA to the channel.
async fn smtp_listener() -> (u16, mpsc::UnboundedReceiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 test.local ESMTP\r\n").await.unwrap();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(buf) = data.as_mut() {
                        if line == "." {
                            tx.send(data.take().unwrap()).unwrap();
                            write.write_all(b"250 2.0.0 queued\r\n").await.unwrap();
                        } else {
                            buf.push_str(&line);
                            buf.push('\n');
                        }
                        continue;
                    }
                    let verb = line.split_whitespace().next().unwrap_or_default().to_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-test.local\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.unwrap();
                            break;
                        }
                        _ => b"250 OK\r\n",
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, rx)
}

#[tokio::test]
async fn verification_codes_go_out_over_smtp() {
    let (port, mut inbox) = smtp_listener().await;
    let port = port.to_string();
    let app = TestApp::spawn_with(&[
        ("P2P_MAIL__TRANSPORT", "smtp"),
        ("P2P_MAIL__SMTP_HOST", "127.0.0.1"),
        ("P2P_MAIL__SMTP_PORT", &port),
        ("P2P_MAIL__SMTP_TLS", "none"),
    ])
    .await;
    app.signup("smtp@cement.sa", PASSWORD).await;
    let raw = tokio::time::timeout(std::time::Duration::from_secs(10), inbox.recv()).await.unwrap().unwrap();
    let message = decode_transfer_encoding(&raw);
    assert!(message.contains("To: smtp@cement.sa"), "{message}");
    assert!(message.contains("Subject: Your P2P Sandbox verification code"));
    // Both parts, the plain text first: the last part of an alternative is the preferred one.
    assert!(message.contains("Content-Type: multipart/alternative"), "{message}");
    let text = message.find("Content-Type: text/plain; charset=utf-8").expect("a plain-text part");
    let html = message.find("Content-Type: text/html; charset=utf-8").expect("an HTML part");
    assert!(text < html && message.contains("<html lang=\"en\" dir=\"ltr\">"), "{message}");
    let code = six_digits_after(&message, "verification code is").unwrap();
    assert_eq!(app.verify_email("smtp@cement.sa", &code).await.status(), StatusCode::OK);
    assert!(
        !app.dir.join("outbox").read_dir().map(|mut d| d.next().is_some()).unwrap_or(false),
        "nothing went to the file outbox"
    );
}
