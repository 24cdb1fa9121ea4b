//! DTOs shared by several resources: the user profile, the organization summary and the
//! result of every sign-in step.

use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};

use crate::{
    domain::{
        org::Organization,
        user::{Language as DomainLanguage, OrgRole, User, UserStatus},
    },
    dto::{media_url, ts},
    service::sessions::IssuedSession,
};

/// Preferred language.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum Language {
    /// English.
    En,
    /// Arabic.
    Ar,
}

impl From<DomainLanguage> for Language {
    fn from(l: DomainLanguage) -> Self {
        match l {
            DomainLanguage::En => Self::En,
            DomainLanguage::Ar => Self::Ar,
        }
    }
}

impl From<Language> for DomainLanguage {
    fn from(l: Language) -> Self {
        match l {
            Language::En => Self::En,
            Language::Ar => Self::Ar,
        }
    }
}

/// Role inside the organization.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum MemberRole {
    /// Manages the organization.
    Admin,
    /// Regular member.
    Member,
}

impl From<OrgRole> for MemberRole {
    fn from(r: OrgRole) -> Self {
        match r {
            OrgRole::Admin => Self::Admin,
            OrgRole::Member => Self::Member,
        }
    }
}

/// Account state.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum AccountStatus {
    /// Waiting for the organization's admins to approve the signup.
    PendingApproval,
    /// Usable.
    Active,
    /// Turned off by an admin.
    Deactivated,
    /// Deleted by its owner.
    Deleted,
}

/// The signed-in user's own profile.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct UserProfile {
    /// User id.
    pub id: String,
    /// Email address (lower case).
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// "First Last".
    pub name: String,
    /// Job title.
    pub title: String,
    /// City or site.
    pub location: String,
    /// Short biography (Markdown).
    pub bio: String,
    /// Areas of expertise (≤ 10).
    pub expertise_tags: Vec<String>,
    /// Preferred language for emails and the interface.
    pub language: Language,
    /// Role in the organization; absent while pending or without one.
    pub role: Option<MemberRole>,
    /// Platform administrator.
    pub platform_admin: bool,
    /// Account state.
    pub status: AccountStatus,
    /// Whether the email address has been verified.
    pub email_verified: bool,
    /// Organization id, if any.
    pub organization_id: Option<String>,
    /// Avatar image URL (`PUT /users/me/avatar`).
    pub profile_picture_url: Option<String>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last profile change.
    pub updated_at: DateTime<Utc>,
    /// Last sign-in.
    pub last_login_at: Option<DateTime<Utc>>,
}

impl From<User> for UserProfile {
    fn from(u: User) -> Self {
        Self {
            id: u.id.to_string(),
            name: u.display_name(),
            email: u.email,
            first_name: u.first_name,
            last_name: u.last_name,
            title: u.title,
            location: u.location,
            bio: u.bio,
            expertise_tags: u.expertise_tags,
            language: u.language.into(),
            role: u.org_role.filter(|_| u.status == UserStatus::Active).map(|r| match r {
                OrgRole::Admin => MemberRole::Admin,
                OrgRole::Member => MemberRole::Member,
            }),
            platform_admin: u.platform_admin,
            status: match u.status {
                UserStatus::PendingApproval => AccountStatus::PendingApproval,
                UserStatus::Active => AccountStatus::Active,
                UserStatus::Deactivated => AccountStatus::Deactivated,
                UserStatus::Deleted => AccountStatus::Deleted,
            },
            email_verified: u.email_verified,
            organization_id: u.org_id.map(|o| o.to_string()),
            profile_picture_url: u.avatar.map(media_url),
            created_at: ts(u.created_at),
            updated_at: ts(u.updated_at),
            last_login_at: u.last_login_at.map(ts),
        }
    }
}

/// An organization as shown to its members.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct OrganizationSummary {
    /// Organization id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Company email domain.
    pub domain: String,
    /// Industry sector.
    pub industry: String,
    /// Company size band.
    pub size: String,
    /// City.
    pub city: String,
    /// Country.
    pub country: String,
    /// Description (Markdown).
    pub description: String,
    /// Website URL.
    pub website: String,
    /// Verified by a platform admin.
    pub verified: bool,
    /// Active members.
    pub member_count: u64,
    /// Logo image URL, once uploaded.
    pub logo_url: Option<String>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

impl From<Organization> for OrganizationSummary {
    fn from(o: Organization) -> Self {
        Self {
            id: o.id.to_string(),
            name: o.name,
            domain: o.domain,
            industry: o.industry,
            size: o.size,
            city: o.city,
            country: o.country,
            description: o.description,
            website: o.website,
            verified: o.verified,
            member_count: o.member_count,
            logo_url: o.logo.map(media_url),
            created_at: ts(o.created_at),
        }
    }
}

/// The caller with their organization.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct Me {
    /// The caller's profile.
    pub user: UserProfile,
    /// The caller's organization (absent while pending approval or for platform-only admins).
    pub organization: Option<OrganizationSummary>,
}

/// Outcome of a sign-in step.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum AuthStatus {
    /// Signed in: tokens are in the body and in HttpOnly cookies.
    Authenticated,
    /// New device: a code was emailed; send it with `challenge_id` to `/auth/login/verify`.
    MfaRequired,
    /// Email verified, but the organization's admins must approve the account first.
    PendingApproval,
}

/// Result of login, device verification, email verification and refresh.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct AuthResult {
    /// What happened.
    pub status: AuthStatus,
    /// With `mfa_required`: the challenge to answer.
    #[oai(skip_serializing_if_is_none)]
    pub challenge_id: Option<String>,
    /// Access token (JWT) for `Authorization: Bearer`.
    #[oai(skip_serializing_if_is_none)]
    pub access_token: Option<String>,
    /// Always `Bearer` when tokens are present.
    #[oai(skip_serializing_if_is_none)]
    pub token_type: Option<String>,
    /// Access-token lifetime in seconds.
    #[oai(skip_serializing_if_is_none)]
    pub expires_in: Option<i64>,
    /// Opaque refresh token; single use, rotated by `/auth/refresh`.
    #[oai(skip_serializing_if_is_none)]
    pub refresh_token: Option<String>,
    /// The session these tokens belong to.
    #[oai(skip_serializing_if_is_none)]
    pub session_id: Option<String>,
    /// The signed-in user.
    #[oai(skip_serializing_if_is_none)]
    pub user: Option<UserProfile>,
    /// When this sign-in trusted the device (email or new-device verification): its token,
    /// for clients without a cookie jar. Send it as `X-Device-Token` on later logins to skip
    /// the emailed code for 30 days; browsers get the same token as an HttpOnly cookie.
    #[oai(skip_serializing_if_is_none)]
    pub device_token: Option<String>,
}

impl AuthResult {
    fn empty(status: AuthStatus) -> Self {
        Self {
            status,
            challenge_id: None,
            access_token: None,
            token_type: None,
            expires_in: None,
            refresh_token: None,
            session_id: None,
            user: None,
            device_token: None,
        }
    }

    /// A new-device challenge.
    pub fn mfa(challenge_id: String) -> Self {
        Self { challenge_id: Some(challenge_id), ..Self::empty(AuthStatus::MfaRequired) }
    }

    /// Waiting for approval.
    pub fn pending() -> Self {
        Self::empty(AuthStatus::PendingApproval)
    }

    /// Signed in.
    pub fn signed_in(s: IssuedSession) -> Self {
        Self {
            status: AuthStatus::Authenticated,
            challenge_id: None,
            access_token: Some(s.access_token),
            token_type: Some("Bearer".into()),
            expires_in: Some(s.expires_in),
            refresh_token: Some(s.refresh_token),
            session_id: Some(s.session_id.to_string()),
            user: Some(s.user.into()),
            device_token: None,
        }
    }

    /// Signed in, trusting the device with `device_token`.
    pub fn signed_in_trusting(s: IssuedSession, device_token: String) -> Self {
        Self { device_token: Some(device_token), ..Self::signed_in(s) }
    }
}
