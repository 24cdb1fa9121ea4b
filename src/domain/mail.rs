//! The emails the platform sends, one variant per template, each carrying exactly the values
//! its template shows.
//!
//! A `Mail` is persisted inside a queued job as `{"template": "<name>", "vars": {...}}`, the
//! shape jobs had when templates were filled from a string map; every value therefore stays a
//! string, and unknown keys in `vars` (older jobs carried `name` in every email) are ignored.

use serde::{Deserialize, Serialize};

/// One email, typed by template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "template", content = "vars", rename_all = "snake_case")]
pub enum Mail {
    /// The code that confirms a new account's address.
    VerifyEmail { name: String, code: String, minutes: String },
    /// The code that lets a new device sign in.
    LoginCode { name: String, code: String, minutes: String },
    /// The code that confirms a new address for an existing account (sent to that address).
    EmailChange { name: String, code: String, minutes: String },
    /// An invitation to join an organization; the invitee has no account yet, so no name.
    Invitation { inviter: String, organization: String, link: String },
    /// A pending account was approved; `link` is the platform's public URL.
    JoinApproved { name: String, organization: String, link: String },
    /// A pending account was refused and removed.
    JoinRejected { name: String, organization: String },
    /// Tells an admin that someone of the organization's domain asks to join.
    JoinRequest { name: String, requester: String, organization: String, link: String },
    /// The password was changed; `link` starts a reset in case it was not the owner.
    PasswordChanged { name: String, link: String },
    /// A single-use link to choose a new password.
    ResetPassword { name: String, link: String },
    /// A private message came while the recipient was away; `preview` is its start.
    NewMessage { name: String, sender: String, preview: String, link: String },
    /// What happened while the person was away, one line each (see `DigestLine`).
    NotificationDigest { name: String, items: Vec<DigestLine>, link: String },
}

/// One line of a notification digest: who did what (`kind`, a notification kind's name) to
/// what (`title`), with how many others did the same.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestLine {
    pub kind: String,
    pub actor: String,
    /// Others who did the same ("and 3 others"), "0" for none.
    pub others: String,
    pub title: String,
}

impl Mail {
    /// The template this email is rendered from (its serde tag).
    pub fn template(&self) -> &'static str {
        match self {
            Self::VerifyEmail { .. } => "verify_email",
            Self::LoginCode { .. } => "login_code",
            Self::EmailChange { .. } => "email_change",
            Self::Invitation { .. } => "invitation",
            Self::JoinApproved { .. } => "join_approved",
            Self::JoinRejected { .. } => "join_rejected",
            Self::JoinRequest { .. } => "join_request",
            Self::PasswordChanged { .. } => "password_changed",
            Self::ResetPassword { .. } => "reset_password",
            Self::NewMessage { .. } => "new_message",
            Self::NotificationDigest { .. } => "notification_digest",
        }
    }

    /// The one-time code the email carries, shown on a line of its own.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::VerifyEmail { code, .. } | Self::LoginCode { code, .. } | Self::EmailChange { code, .. } => {
                Some(code)
            }
            _ => None,
        }
    }

    /// Where the email's one button leads, if it has one.
    pub fn action_link(&self) -> Option<String> {
        match self {
            Self::Invitation { link, .. }
            | Self::JoinRequest { link, .. }
            | Self::PasswordChanged { link, .. }
            | Self::ResetPassword { link, .. }
            | Self::NewMessage { link, .. }
            | Self::NotificationDigest { link, .. } => Some(link.clone()),
            // Stored jobs hold the bare public URL here; the sign-in page is added when sending.
            Self::JoinApproved { link, .. } => Some(format!("{}/login", link.trim_end_matches('/'))),
            Self::VerifyEmail { .. }
            | Self::LoginCode { .. }
            | Self::EmailChange { .. }
            | Self::JoinRejected { .. } => None,
        }
    }
}

/// The emails that carry a one-time code, so code issuing can name which one to send
/// without building it before the code exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeMail {
    VerifyEmail,
    LoginCode,
    EmailChange,
}

impl CodeMail {
    /// The email for `name` carrying `code`, valid for `minutes`.
    pub fn with(self, name: String, code: String, minutes: String) -> Mail {
        match self {
            Self::VerifyEmail => Mail::VerifyEmail { name, code, minutes },
            Self::LoginCode => Mail::LoginCode { name, code, minutes },
            Self::EmailChange => Mail::EmailChange { name, code, minutes },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_name_is_the_serde_tag() {
        let mail = Mail::JoinRejected { name: "Ali".into(), organization: "Cement".into() };
        let json = serde_json::to_value(&mail).unwrap();
        assert_eq!(json["template"], mail.template());
        assert_eq!(json["vars"]["organization"], "Cement");
    }

    #[test]
    fn join_approved_leads_to_the_sign_in_page() {
        let mail = Mail::JoinApproved { name: "Ali".into(), organization: "O".into(), link: "https://p2p.sa/".into() };
        assert_eq!(mail.action_link().as_deref(), Some("https://p2p.sa/login"));
        assert_eq!(mail.code(), None);
        let code = CodeMail::LoginCode.with("Ali".into(), "123456".into(), "10".into());
        assert_eq!((code.code(), code.action_link()), (Some("123456"), None));
    }
}
