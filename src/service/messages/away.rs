//! The email to someone who was away (no open socket) when a message came: queued in the
//! message's transaction to run after `messages.away_email_delay_secs`, and checked again
//! when it runs — a message read, deleted or muted in the meantime (or the `message` kind's
//! email turned off) sends nothing (and then
//! does not count against the conversation's cool-down either).

use crate::{
    domain::{
        ids::{ConversationId, MessageId, UserId},
        notifications::NotificationKind,
        user::Language,
    },
    error::{AppResult, OptionExt},
    state::AppState,
    store::{messages as store, users},
};

/// An away email that is still due.
#[derive(Debug)]
pub struct AwayEmail {
    pub to: String,
    pub language: Language,
    /// The recipient's first name.
    pub name: String,
    /// The sender's display name.
    pub sender: String,
    /// The start of the message.
    pub preview: String,
    /// Where the conversation opens in the web app.
    pub link: String,
}

/// The email about `message` to `recipient`, if it is still unread and wanted.
#[tracing::instrument(level = "debug", skip_all, fields(recipient = %recipient, message = %message))]
pub async fn due(
    state: &AppState,
    conversation: ConversationId,
    recipient: UserId,
    message: MessageId,
) -> anyhow::Result<Option<AwayEmail>> {
    let link = format!("{}/messages/{conversation}", state.config.public_url);
    let found = state
        .store
        .write(move |tx| -> AppResult<_> {
            let Some(old) = store::conversation(tx, conversation)? else { return Ok(None) };
            let Some(side) = old.side(recipient) else { return Ok(None) };
            let p = &old.state[side];
            let m = store::message(tx, message)?.or_not_found("Message")?;
            let to = users::get(tx, recipient)?.filter(|u| u.can_sign_in());
            let settings = crate::store::notifications::settings(tx, recipient)?;
            let wanted = settings.channels(NotificationKind::Message).email && !p.muted;
            let unread = m.deleted_at.is_none() && p.read_up_to.is_none_or(|r| r < message);
            match to {
                Some(to) if wanted && unread => {
                    let sender = users::get(tx, m.sender)?.map(|u| u.display_name()).unwrap_or_default();
                    Ok(Some(AwayEmail {
                        to: to.email,
                        language: to.language,
                        name: to.first_name,
                        sender,
                        preview: m.preview(),
                        link,
                    }))
                }
                _ => {
                    // Nothing goes out: the next message may email again.
                    let mut c = old.clone();
                    c.state[side].emailed_at = None;
                    store::put_conversation(tx, Some(&old), &c)?;
                    Ok(None)
                }
            }
        })
        .await;
    match found {
        Ok(v) => Ok(v),
        Err(e) if e.kind == crate::error::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(anyhow::anyhow!("{}", e.message)),
    }
}
