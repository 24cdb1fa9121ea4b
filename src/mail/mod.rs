//! Outgoing email through lettre: the `file` transport (one `.eml` per message in the data
//! dir's outbox, plus a log line) or `smtp` (plain, STARTTLS or TLS, optional auth).
//! Messages are rendered from embedded English and Arabic templates (see [`templates`]) and
//! sent as multipart/alternative: a plain-text part, then an HTML part.

pub mod templates;
#[cfg(test)]
mod tests;

use anyhow::Context;
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{
        Body, Mailbox, MultiPart, SinglePart,
        header::{ContentTransferEncoding, ContentType},
    },
    transport::smtp::authentication::Credentials,
};

use crate::{
    config::{Config, MailTransport, SmtpTls},
    domain::{mail::Mail, user::Language},
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

    /// Renders `mail` in `language` and sends it to `to`.
    pub async fn send(&self, to: &str, language: Language, mail: &Mail) -> anyhow::Result<()> {
        let template = mail.template();
        let rendered = templates::render(language, mail)?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to.parse().context("bad recipient address")?)
            .subject(rendered.subject)
            .multipart(
                MultiPart::alternative()
                    .singlepart(part(ContentType::TEXT_PLAIN, rendered.text))
                    .singlepart(part(ContentType::TEXT_HTML, rendered.html)),
            )?;
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

/// One part of an email, in 8bit when lettre allows it, so links, codes and Arabic text stay
/// readable in the raw message (and in the outbox files). lettre refuses 8bit for any line
/// of 76 bytes or more (RFC 5322's advice, stricter than its 998-byte limit), which long
/// paragraphs and links often reach: its own choice, quoted-printable or base64, is kept then.
fn part(content_type: ContentType, body: String) -> SinglePart {
    let body = match Body::new_with_encoding(body, ContentTransferEncoding::EightBit) {
        Ok(b) => b,
        // Given as text (it was a String), so lettre may pick quoted-printable over base64.
        Err(raw) => Body::new(String::from_utf8_lossy(&raw).into_owned()),
    };
    SinglePart::builder().header(content_type).body(body)
}
