//! Outgoing email through lettre: the `file` transport (one `.eml` per message in the data
//! dir's outbox, plus a log line) or `smtp` (plain, STARTTLS or TLS, optional auth).
//! Messages are rendered from embedded English and Arabic templates.

pub mod templates;

use std::collections::BTreeMap;

use anyhow::Context;
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{
        Body, Mailbox,
        header::{ContentTransferEncoding, ContentType},
    },
    transport::smtp::authentication::Credentials,
};

use crate::{
    config::{Config, MailTransport, SmtpTls},
    domain::user::Language,
};

enum Transport {
    /// `.eml` files named `<unix nanos>-<uuid>.eml`, so a listing is in sending order.
    File(std::path::PathBuf),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

/// Sends rendered template emails.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

impl Mailer {
    /// Builds the configured transport (creating the outbox for `file`).
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let m = &config.mail;
        let from: Mailbox = m.from.parse().context("bad value for `mail.from`")?;
        let transport = match m.transport {
            MailTransport::File => {
                let dir = config.outbox_dir();
                std::fs::create_dir_all(&dir).with_context(|| format!("cannot create outbox {}", dir.display()))?;
                Transport::File(dir)
            }
            MailTransport::Smtp => {
                let mut builder = match m.smtp_tls {
                    SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&m.smtp_host),
                    SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&m.smtp_host)?,
                    SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&m.smtp_host)?,
                }
                .port(m.smtp_port);
                if !m.smtp_username.is_empty() {
                    builder = builder.credentials(Credentials::new(m.smtp_username.clone(), m.smtp_password.clone()));
                }
                Transport::Smtp(builder.build())
            }
        };
        Ok(Self { transport, from })
    }

    /// Renders `template` in `language` with `vars` and sends it to `to`.
    pub async fn send(
        &self,
        to: &str,
        template: &str,
        language: Language,
        vars: &BTreeMap<String, String>,
    ) -> anyhow::Result<()> {
        let (subject, body) = templates::render(template, language, vars)?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to.parse().context("bad recipient address")?)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN);
        // 8bit keeps links and Arabic text readable in the raw message (and in the outbox
        // files); lettre refuses it only for over-long lines, where its own choice is kept.
        let message = match Body::new_with_encoding(body, ContentTransferEncoding::EightBit) {
            Ok(b) => message.body(b)?,
            Err(raw) => message.body(String::from_utf8_lossy(&raw).into_owned())?,
        };
        match &self.transport {
            Transport::File(dir) => {
                let nanos =
                    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
                let name = format!("{nanos:020}-{}.eml", uuid::Uuid::new_v4());
                // Written aside then renamed, so a reader never sees half a message.
                let tmp = dir.join(format!(".{name}.tmp"));
                tokio::fs::write(&tmp, message.formatted()).await?;
                tokio::fs::rename(&tmp, dir.join(&name)).await?;
                // The recipient and content stay out of the log: they may carry codes.
                tracing::info!(template, file = %name, "email written to outbox");
            }
            Transport::Smtp(t) => {
                t.send(message).await?;
                tracing::info!(template, "email sent over SMTP");
            }
        }
        Ok(())
    }
}
