//! Typed access to invitations, their token index and the per-organization index.

use crate::store::Tx;

use super::{
    Reader, StoreResult, codec, key2, put_raw, scan_prefix,
    tables::{INVITATION_TOKENS, INVITATIONS, ORG_INVITATIONS},
};
use crate::domain::{
    ids::{InvitationId, OrgId},
    invitation::Invitation,
};

/// The invitation with `id`.
pub fn get(r: &impl Reader, id: InvitationId) -> StoreResult<Option<Invitation>> {
    codec::get(r, INVITATIONS, &id.key())
}

/// The invitation whose token hashes to `hash`.
pub fn by_token(r: &impl Reader, hash: &[u8; 32]) -> StoreResult<Option<Invitation>> {
    match codec::get_id(r, INVITATION_TOKENS, hash)? {
        Some(id) => get(r, InvitationId::from_key(&id).unwrap_or_default()),
        None => Ok(None),
    }
}

/// Writes an invitation and both indexes.
pub fn put(tx: &Tx, inv: &Invitation) -> StoreResult<()> {
    put_raw(tx, INVITATION_TOKENS, &inv.token_hash, &inv.id.key())?;
    put_raw(tx, ORG_INVITATIONS, &key2(&inv.org_id.key(), &inv.id.key()), &[])?;
    codec::put(tx, INVITATIONS, &inv.id.key(), inv)
}

/// Invitations of `org`, newest first, at most `limit`.
pub fn of_org(r: &impl Reader, org: OrgId, limit: usize) -> StoreResult<Vec<Invitation>> {
    let mut out = Vec::new();
    for (k, _) in scan_prefix(r, ORG_INVITATIONS, &org.key(), usize::MAX)?.iter().rev().take(limit) {
        if let Some(inv) = InvitationId::from_key(&k[16..]).map(|id| get(r, id)).transpose()?.flatten() {
            out.push(inv);
        }
    }
    Ok(out)
}
