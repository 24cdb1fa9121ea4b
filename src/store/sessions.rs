//! Typed access to sessions and the user → sessions index.

use crate::store::Tx;

use super::{
    Reader, StoreResult, codec, key2, put_raw, scan_prefix,
    tables::{SESSIONS, USER_SESSIONS},
};
use crate::domain::{
    ids::{SessionId, UserId},
    session::Session,
};

/// The session with `id`.
pub fn get(r: &impl Reader, id: SessionId) -> StoreResult<Option<Session>> {
    codec::get(r, SESSIONS, &id.key())
}

/// Writes a session and its index entry.
pub fn put(tx: &Tx, s: &Session) -> StoreResult<()> {
    put_raw(tx, USER_SESSIONS, &key2(&s.user_id.key(), &s.id.key()), &[])?;
    codec::put(tx, SESSIONS, &s.id.key(), s)
}

/// Every session of `user`, oldest first.
pub fn of_user(r: &impl Reader, user: UserId) -> StoreResult<Vec<Session>> {
    let mut out = Vec::new();
    for (k, _) in scan_prefix(r, USER_SESSIONS, &user.key(), usize::MAX)? {
        if let Some(s) = SessionId::from_key(&k[16..]).map(|id| get(r, id)).transpose()?.flatten() {
            out.push(s);
        }
    }
    Ok(out)
}

/// Revokes every live session of `user` except `keep`; returns the ids revoked.
pub fn revoke_all(tx: &Tx, user: UserId, keep: Option<SessionId>, now: i64) -> StoreResult<Vec<SessionId>> {
    let mut revoked = Vec::new();
    for mut s in of_user(tx, user)? {
        if s.revoked_at.is_none() && Some(s.id) != keep {
            s.revoked_at = Some(now);
            put(tx, &s)?;
            revoked.push(s.id);
        }
    }
    Ok(revoked)
}
