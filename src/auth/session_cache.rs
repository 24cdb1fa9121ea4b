//! In-memory cache of session liveness over redb, so every authenticated request can check
//! its session without a disk read, and logout takes effect at once.
//!
//! `last_seen_at` is tracked here exactly and written back to redb at most once a minute
//! per session: the idle timeout is enforced precisely while the process runs, and after a
//! restart it may at worst start from a value up to a minute old (ending a session sooner,
//! never later).

use std::{collections::HashMap, sync::Mutex};

use crate::domain::{
    ids::{SessionId, UserId},
    session::Session,
};

/// How stale the stored `last_seen_at` may become before it is written back.
pub const PERSIST_EVERY_MS: i64 = 60_000;

/// Liveness data of one session.
#[derive(Clone, Copy, Debug)]
pub struct Cached {
    pub user_id: UserId,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub persisted_seen_at: i64,
    pub revoked: bool,
}

impl From<&Session> for Cached {
    fn from(s: &Session) -> Self {
        Self {
            user_id: s.user_id,
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            persisted_seen_at: s.last_seen_at,
            revoked: s.revoked_at.is_some(),
        }
    }
}

/// Session id → liveness.
#[derive(Default)]
pub struct SessionCache {
    map: Mutex<HashMap<SessionId, Cached>>,
}

impl SessionCache {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<SessionId, Cached>) -> T) -> T {
        let mut map = match self.map.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut map)
    }

    /// The cached entry, if any.
    pub fn get(&self, id: SessionId) -> Option<Cached> {
        self.with(|m| m.get(&id).copied())
    }

    /// Caches a session as read from or written to the store.
    pub fn put(&self, s: &Session) {
        self.with(|m| m.insert(s.id, Cached::from(s)));
    }

    /// Records activity; returns true when the stored value should be refreshed.
    pub fn touch(&self, id: SessionId, now: i64) -> bool {
        self.with(|m| match m.get_mut(&id) {
            Some(c) => {
                c.last_seen_at = now;
                if now - c.persisted_seen_at >= PERSIST_EVERY_MS {
                    c.persisted_seen_at = now;
                    true
                } else {
                    false
                }
            }
            None => false,
        })
    }

    /// Marks sessions revoked (after the store commit).
    pub fn revoke(&self, ids: &[SessionId]) {
        self.with(|m| {
            for id in ids {
                if let Some(c) = m.get_mut(id) {
                    c.revoked = true;
                }
            }
        });
    }

    /// Number of cached sessions (for metrics).
    pub fn len(&self) -> usize {
        self.with(|m| m.len())
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
