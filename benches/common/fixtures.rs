//! Records the benchmarks write straight into redb: an organization and an active, verified
//! account with every field set once, so a bench states only the fields it varies.

use p2p_sandbox::domain::{
    ids::{OrgId, UserId},
    org::Organization,
    user::{Language, OrgRole, User, UserStatus},
};

/// An organization of `members` members, one of them its admin.
pub fn organization(
    name: String,
    domain: String,
    industry: &str,
    city: &str,
    members: usize,
    now: i64,
) -> Organization {
    Organization {
        id: OrgId::new(),
        name,
        domain,
        industry: industry.to_owned(),
        size: "medium".into(),
        city: city.to_owned(),
        country: "Saudi Arabia".into(),
        description: String::new(),
        website: String::new(),
        verified: false,
        member_count: members as u64,
        admin_count: 1,
        created_at: now,
        updated_at: now,
        logo: None,
    }
}

/// An active, verified account with the password hash `hash` (the benches share one); with
/// `org`, a member of it (its admin when the flag is set) located in its city.
pub fn user(email: String, org: Option<(&Organization, bool)>, hash: &str, now: i64) -> User {
    User {
        id: UserId::new(),
        email,
        password_hash: hash.to_owned(),
        email_verified: true,
        status: UserStatus::Active,
        platform_admin: false,
        org_id: org.map(|(o, _)| o.id),
        org_role: org.map(|(_, admin)| if admin { OrgRole::Admin } else { OrgRole::Member }),
        first_name: "Bench".into(),
        last_name: "Bench".into(),
        title: "Process Engineer".into(),
        location: org.map_or_else(|| "Riyadh".to_owned(), |(o, _)| o.city.clone()),
        bio: String::new(),
        expertise_tags: Vec::new(),
        language: Language::En,
        created_at: now,
        updated_at: now,
        last_login_at: None,
        avatar: None,
    }
}

/// The `i`-th industry of the closed set, round robin.
pub fn industry(i: usize) -> &'static str {
    use p2p_sandbox::domain::closed::{ClosedSet, Industry};
    Industry::ALL[i % Industry::ALL.len()].name()
}
