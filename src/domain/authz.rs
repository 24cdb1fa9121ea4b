//! Who may do what: pure rules over the caller's account, used by the services.

use super::{
    ids::OrgId,
    user::{OrgRole, User, UserStatus},
};

/// Why a rule refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denied {
    /// The caller belongs to no organization.
    NoOrganization,
    /// The caller is not an admin of their organization.
    NotOrgAdmin,
    /// The caller is not a platform admin.
    NotPlatformAdmin,
}

/// The caller's organization, when they are an active member of one.
pub fn member_of(user: &User) -> Result<OrgId, Denied> {
    match (user.org_id, user.org_role, user.status) {
        (Some(org), Some(_), UserStatus::Active) => Ok(org),
        _ => Err(Denied::NoOrganization),
    }
}

/// The caller's organization, when they administer it.
pub fn admin_of(user: &User) -> Result<OrgId, Denied> {
    let org = member_of(user)?;
    if user.org_role == Some(OrgRole::Admin) { Ok(org) } else { Err(Denied::NotOrgAdmin) }
}

/// Platform administration (verification, moderation).
pub fn platform_admin(user: &User) -> Result<(), Denied> {
    if user.platform_admin { Ok(()) } else { Err(Denied::NotPlatformAdmin) }
}
