//! Invitations to join an organization: single use, seven days, for one email address.

use serde::{Deserialize, Serialize};

use super::{
    ids::{InvitationId, OrgId, UserId},
    user::OrgRole,
};

/// A stored invitation. Its token is only ever stored hashed.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Invitation {
    pub id: InvitationId,
    pub org_id: OrgId,
    /// Invited address, lower case.
    pub email: String,
    /// Role given on joining; chosen by the inviter, never by the signup.
    pub role: OrgRole,
    pub token_hash: [u8; 32],
    pub invited_by: UserId,
    pub created_at: i64,
    pub expires_at: i64,
    /// The account that used it (set at signup).
    #[serde(default)]
    pub used_by: Option<UserId>,
    #[serde(default)]
    pub used_at: Option<i64>,
    #[serde(default)]
    pub cancelled_at: Option<i64>,
}

/// Where an invitation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvitationState {
    Pending,
    Used,
    Cancelled,
    Expired,
}

impl Invitation {
    /// State at `now`.
    pub fn state(&self, now: i64) -> InvitationState {
        if self.cancelled_at.is_some() {
            InvitationState::Cancelled
        } else if self.used_at.is_some() {
            InvitationState::Used
        } else if now >= self.expires_at {
            InvitationState::Expired
        } else {
            InvitationState::Pending
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_follows_cancel_use_and_expiry() {
        let mut i = Invitation {
            id: InvitationId::new(),
            org_id: OrgId::new(),
            email: "a@b.sa".into(),
            role: OrgRole::Member,
            token_hash: [0; 32],
            invited_by: UserId::new(),
            created_at: 0,
            expires_at: 100,
            used_by: None,
            used_at: None,
            cancelled_at: None,
        };
        assert_eq!(i.state(50), InvitationState::Pending);
        assert_eq!(i.state(100), InvitationState::Expired);
        i.used_at = Some(60);
        assert_eq!(i.state(70), InvitationState::Used);
        i.cancelled_at = Some(80);
        assert_eq!(i.state(90), InvitationState::Cancelled);
    }
}
