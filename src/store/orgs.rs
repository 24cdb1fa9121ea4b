//! Typed access to organizations, their domain index, members and join requests.

use crate::store::Tx;

use super::{
    Reader, StoreResult, codec, delete_raw, key2, put_raw, scan_after, scan_prefix,
    tables::{DOMAIN_ORG, JOIN_REQUESTS, ORG_CARDS, ORG_JOIN_REQUESTS, ORG_MEMBERS, ORGS},
};
use crate::domain::{
    ids::{JoinRequestId, OrgId, UserId},
    org::{JoinRequest, OrgCard, Organization},
};

/// The organization with `id`.
pub fn get(r: &impl Reader, id: OrgId) -> StoreResult<Option<Organization>> {
    codec::get(r, ORGS, &id.key())
}

/// The organization owning email `domain`.
pub fn by_domain(r: &impl Reader, domain: &str) -> StoreResult<Option<Organization>> {
    match codec::get_id(r, DOMAIN_ORG, domain.as_bytes())? {
        Some(id) => get(r, OrgId::from_key(&id).unwrap_or_default()),
        None => Ok(None),
    }
}

/// What search shows of an organization.
fn searched(o: &Organization) -> (&str, &str, &str, &str, &str) {
    (&o.name, &o.industry, &o.city, &o.country, &o.description)
}

/// Writes an organization and its domain index entry.
pub fn put(tx: &Tx, org: &Organization) -> StoreResult<()> {
    put_raw(tx, DOMAIN_ORG, org.domain.as_bytes(), &org.id.key())?;
    // Search re-indexes the organization and its people (who show its name and industry):
    // only when what it shows changed, not with every member count.
    if get(tx, org.id)?.is_none_or(|old| searched(&old) != searched(org)) {
        super::search_queue::touch(tx, crate::domain::search::Searchable::Organization(org.id))?;
    }
    let card = org.card();
    if self::card(tx, org.id)?.as_ref() != Some(&card) {
        codec::put(tx, ORG_CARDS, &org.id.key(), &card)?;
        super::use_cases::bump_listing_version(tx)?;
    }
    codec::put(tx, ORGS, &org.id.key(), org)
}

/// What content shows of the organization with `id`.
pub fn card(r: &impl Reader, id: OrgId) -> StoreResult<Option<OrgCard>> {
    codec::get(r, ORG_CARDS, &id.key())
}

/// Records `user` as a member of `org` (the caller keeps the org's counters).
pub fn add_member(tx: &Tx, org: OrgId, user: UserId) -> StoreResult<()> {
    put_raw(tx, ORG_MEMBERS, &key2(&org.key(), &user.key()), &[])
}

/// Removes `user` from the members of `org`.
pub fn remove_member(tx: &Tx, org: OrgId, user: UserId) -> StoreResult<()> {
    delete_raw(tx, ORG_MEMBERS, &key2(&org.key(), &user.key()))?;
    Ok(())
}

/// Member ids of `org`, oldest first, at most `limit`.
pub fn member_ids(r: &impl Reader, org: OrgId, limit: usize) -> StoreResult<Vec<UserId>> {
    Ok(scan_prefix(r, ORG_MEMBERS, &org.key(), limit)?.iter().filter_map(|(k, _)| UserId::from_key(&k[16..])).collect())
}

/// Stores a join request and its per-organization index entry.
pub fn put_join_request(tx: &Tx, req: &JoinRequest) -> StoreResult<()> {
    put_raw(tx, ORG_JOIN_REQUESTS, &key2(&req.org_id.key(), &req.id.key()), &[])?;
    codec::put(tx, JOIN_REQUESTS, &req.id.key(), req)
}

/// The join request with `id`.
pub fn join_request(r: &impl Reader, id: JoinRequestId) -> StoreResult<Option<JoinRequest>> {
    codec::get(r, JOIN_REQUESTS, &id.key())
}

/// Join requests of `org`, oldest first.
pub fn join_requests(r: &impl Reader, org: OrgId) -> StoreResult<Vec<JoinRequest>> {
    let mut out = Vec::new();
    for (k, _) in scan_prefix(r, ORG_JOIN_REQUESTS, &org.key(), usize::MAX)? {
        if let Some(req) = JoinRequestId::from_key(&k[16..]).map(|id| join_request(r, id)).transpose()?.flatten() {
            out.push(req);
        }
    }
    Ok(out)
}

/// Organizations after `after` (exclusive) in creation order, at most `limit`.
pub fn page(r: &impl Reader, after: Option<OrgId>, limit: usize) -> StoreResult<Vec<Organization>> {
    scan_after(r, ORGS, after.map(|a| a.key().to_vec()), limit)?
        .iter()
        .map(|(k, v)| codec::decode(ORGS, k, v))
        .collect()
}

/// Number of organizations (O(1) in redb).
pub fn count(r: &impl Reader) -> StoreResult<u64> {
    r.len_raw(ORGS)
}
