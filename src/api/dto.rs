//! DTOs shared by several resources: the user profile, the organization summary and the
//! result of every sign-in step.

use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};

use crate::domain::closed::{CompanySize, Industry};
use crate::{
    domain::{
        org::Organization,
        user::{Language as DomainLanguage, OrgRole, User, UserStatus},
    },
    dto::{media_url, ts},
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
    pub industry: Industry,
    /// Company size band.
    pub size: CompanySize,
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
            industry: Industry::of_stored(&o.industry),
            size: CompanySize::of_stored(&o.size),
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
