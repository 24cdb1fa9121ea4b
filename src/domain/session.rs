//! Login sessions and the rules that decide whether one is still alive.

use serde::{Deserialize, Serialize};

use super::ids::{SessionId, UserId};

/// How many superseded refresh-token hashes a session remembers for reuse detection.
pub const REFRESH_HISTORY: usize = 16;

/// A stored session: the server-side half of an access/refresh token pair.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    pub created_at: i64,
    pub last_seen_at: i64,
    /// SHA-256 of the current refresh secret.
    pub refresh_hash: [u8; 32],
    /// Hashes of refresh secrets already rotated away; presenting one means theft.
    #[serde(default)]
    pub previous_hashes: Vec<[u8; 32]>,
    pub revoked_at: Option<i64>,
    #[serde(default)]
    pub user_agent: String,
    #[serde(default)]
    pub ip: String,
}

/// Why a session is no longer usable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionEnd {
    Revoked,
    Idle,
    Expired,
}

impl SessionEnd {
    /// Stable snake_case code (error bodies and WebSocket close reasons).
    pub fn code(self) -> &'static str {
        match self {
            Self::Revoked => "session_revoked",
            Self::Idle => "session_idle",
            Self::Expired => "session_expired",
        }
    }
}

/// Session lifetime policy (SPEC §2): idle timeout and absolute lifetime in milliseconds.
#[derive(Clone, Copy, Debug)]
pub struct SessionPolicy {
    pub idle_ms: i64,
    pub absolute_ms: i64,
}

impl SessionPolicy {
    /// When a session last seen at `last_seen_at` ends if nothing happens before (ms).
    pub fn deadline(&self, created_at: i64, last_seen_at: i64) -> i64 {
        (created_at + self.absolute_ms).min(last_seen_at + self.idle_ms)
    }

    /// `Ok` while the session may be used at `now`, given when it was last seen.
    pub fn check(&self, created_at: i64, last_seen_at: i64, revoked: bool, now: i64) -> Result<(), SessionEnd> {
        if revoked {
            Err(SessionEnd::Revoked)
        } else if now - created_at >= self.absolute_ms {
            Err(SessionEnd::Expired)
        } else if now - last_seen_at >= self.idle_ms {
            Err(SessionEnd::Idle)
        } else {
            Ok(())
        }
    }
}

impl Session {
    /// Replaces the refresh hash, remembering the old one for reuse detection.
    pub fn rotate(&mut self, new_hash: [u8; 32], now: i64) {
        self.previous_hashes.push(self.refresh_hash);
        if self.previous_hashes.len() > REFRESH_HISTORY {
            self.previous_hashes.remove(0);
        }
        self.refresh_hash = new_hash;
        self.last_seen_at = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_checks_revocation_idle_and_absolute() {
        let p = SessionPolicy { idle_ms: 10, absolute_ms: 100 };
        assert_eq!(p.check(0, 0, false, 5), Ok(()));
        assert_eq!(p.check(0, 0, true, 5), Err(SessionEnd::Revoked));
        assert_eq!(p.check(0, 0, false, 10), Err(SessionEnd::Idle));
        assert_eq!(p.check(0, 95, false, 100), Err(SessionEnd::Expired));
    }
}
