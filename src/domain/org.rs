//! Organizations and join requests.

use serde::{Deserialize, Serialize};

use super::ids::{JoinRequestId, OrgId, UserId};

/// A stored organization; one per company email domain.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Organization {
    pub id: OrgId,
    pub name: String,
    /// Company email domain, lower case; unique.
    pub domain: String,
    pub industry: String,
    pub size: String,
    pub city: String,
    pub country: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub website: String,
    /// Marked by a platform admin.
    #[serde(default)]
    pub verified: bool,
    /// Active members, kept on every membership write (never counted by scanning).
    pub member_count: u64,
    /// Active admins; an organization always keeps at least one.
    pub admin_count: u64,
    pub created_at: i64,
    pub updated_at: i64,
    /// Logo image, if uploaded.
    #[serde(default)]
    pub logo: Option<super::ids::MediaId>,
}

/// State of a join request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinRequestStatus {
    Pending,
    Approved,
    Rejected,
}

/// A pending signup asking to join the organization that owns its email domain.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct JoinRequest {
    pub id: JoinRequestId,
    pub org_id: OrgId,
    pub user_id: UserId,
    pub status: JoinRequestStatus,
    pub created_at: i64,
}

/// What content shows of its organization, kept beside the organization record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrgCard {
    pub name: String,
    pub verified: bool,
}

impl Organization {
    /// The card of this organization.
    pub fn card(&self) -> OrgCard {
        OrgCard { name: self.name.clone(), verified: self.verified }
    }
}
