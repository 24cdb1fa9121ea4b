//! Users: the stored account record, its roles and lifecycle states.

use serde::{Deserialize, Serialize};

use super::ids::{OrgId, UserId};

/// Where an account is in its lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    /// Signed up for a domain that already has an organization; waits for its admins.
    PendingApproval,
    /// May sign in (once the email is verified).
    Active,
    /// Turned off by an organization admin; cannot sign in.
    Deactivated,
    /// Deleted by its owner; personal data erased, content kept as "Deleted user".
    Deleted,
}

/// Role inside an organization.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgRole {
    /// Manages the organization, its members and invitations.
    Admin,
    /// A regular member.
    Member,
}

/// Preferred language for emails and the interface.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// English.
    #[default]
    En,
    /// Arabic.
    Ar,
}

impl Language {
    /// The BCP 47 code (`en`, `ar`), as used in template paths and `lang` attributes.
    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Ar => "ar",
        }
    }

    /// Whether the language is written right to left.
    pub fn is_rtl(self) -> bool {
        matches!(self, Self::Ar)
    }
}

/// A stored user account.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub email: String,
    /// Encoded argon2id hash (see `auth::password`); empty once the account is deleted.
    pub password_hash: String,
    pub email_verified: bool,
    pub status: UserStatus,
    /// Platform administrator (moderation, verification); made by `create-admin`.
    pub platform_admin: bool,
    pub org_id: Option<OrgId>,
    pub org_role: Option<OrgRole>,
    pub first_name: String,
    pub last_name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub bio: String,
    #[serde(default)]
    pub expertise_tags: Vec<String>,
    #[serde(default)]
    pub language: Language,
    pub created_at: i64,
    pub updated_at: i64,
    #[serde(default)]
    pub last_login_at: Option<i64>,
    /// Avatar image, if uploaded.
    #[serde(default)]
    pub avatar: Option<super::ids::MediaId>,
}

impl User {
    /// Whether this account may hold a session.
    pub fn can_sign_in(&self) -> bool {
        self.status == UserStatus::Active && self.email_verified
    }

    /// "First Last", as shown to other people.
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name).trim().to_owned()
    }

    /// What content by this user shows of them.
    pub fn author_card(&self) -> AuthorCard {
        // A deleted account keeps its organization id (content stays counted there), but
        // people are no longer shown as belonging to it.
        let org = if self.status == UserStatus::Deleted { None } else { self.org_id };
        AuthorCard { name: self.display_name(), title: self.title.clone(), avatar: self.avatar, org }
    }

    /// Erases personal data; the record stays so content keeps an author.
    pub fn erase(&mut self, now: i64) {
        self.email = String::new();
        self.password_hash = String::new();
        self.first_name = "Deleted".into();
        self.last_name = "user".into();
        self.title.clear();
        self.location.clear();
        self.bio.clear();
        self.expertise_tags.clear();
        self.avatar = None;
        self.status = UserStatus::Deleted;
        self.org_role = None;
        self.updated_at = now;
    }
}

/// What content shows of its author, kept beside the user record so listings read a few
/// bytes instead of the whole account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuthorCard {
    /// "First Last".
    pub name: String,
    /// Job title.
    pub title: String,
    pub avatar: Option<super::ids::MediaId>,
    /// Their organization (shown as its name beside theirs, e.g. in conversation lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<OrgId>,
}
