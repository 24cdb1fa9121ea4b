//! The open sockets, by user and by session: the per-user limit, and the link that lets a
//! session's end close its sockets at once.
//!
//! Every socket registers with the session it authenticated with and holds a `watch`
//! receiver. Ending a session (logout, revocation, password change, deactivation, expiry)
//! sends the reason to every socket of that session; each socket's loop selects on it and
//! closes with code 4401. A socket registers *before* it checks its session for the last
//! time, and a session is marked ended in the session cache *before* its sockets are told,
//! so a socket that registers while its session ends either sees the mark or gets the
//! message — never neither.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use tokio::sync::watch;

use crate::domain::{
    ids::{SessionId, UserId},
    session::SessionEnd,
};

/// One socket's entry under its session.
struct Entry {
    id: u64,
    end: watch::Sender<Option<SessionEnd>>,
}

#[derive(Default)]
struct Inner {
    per_user: HashMap<UserId, usize>,
    per_session: HashMap<SessionId, Vec<Entry>>,
    next_id: u64,
}

/// Registry of open sockets (shared by the hub's clones).
#[derive(Default)]
pub struct Sockets {
    inner: Mutex<Inner>,
}

impl Sockets {
    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        let mut inner = match self.inner.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut inner)
    }

    /// Registers a socket of `user` signed in with `session`; `None` when the user already
    /// holds `max` sockets.
    pub fn register(self: &Arc<Self>, user: UserId, session: SessionId, max: usize) -> Option<SocketGuard> {
        self.with(|inner| {
            let n = inner.per_user.entry(user).or_insert(0);
            if *n >= max {
                return None;
            }
            *n += 1;
            inner.next_id += 1;
            let id = inner.next_id;
            let (end, ended) = watch::channel(None);
            inner.per_session.entry(session).or_default().push(Entry { id, end });
            Some(SocketGuard { sockets: self.clone(), user, session, id, ended })
        })
    }

    /// Tells every socket of these sessions that the session ended; returns how many.
    pub fn end_sessions(&self, ids: &[SessionId], why: SessionEnd) -> usize {
        self.with(|inner| {
            let mut told = 0;
            for id in ids {
                for entry in inner.per_session.get(id).map(Vec::as_slice).unwrap_or_default() {
                    entry.end.send_replace(Some(why));
                    told += 1;
                }
            }
            told
        })
    }

    /// Whether `user` holds at least one open socket.
    pub fn holds(&self, user: UserId) -> bool {
        self.with(|inner| inner.per_user.contains_key(&user))
    }

    /// Open sockets (for metrics).
    pub fn open(&self) -> usize {
        self.with(|inner| inner.per_user.values().sum())
    }
}

/// Held by a socket for as long as it is open: counts it against the user's limit and
/// carries the end of its session.
pub struct SocketGuard {
    sockets: Arc<Sockets>,
    user: UserId,
    session: SessionId,
    id: u64,
    ended: watch::Receiver<Option<SessionEnd>>,
}

impl SocketGuard {
    /// Resolves when the socket's session ends, with the reason.
    pub async fn session_ended(&mut self) -> SessionEnd {
        match self.ended.wait_for(Option::is_some).await {
            Ok(why) => (*why).unwrap_or(SessionEnd::Revoked),
            // The sender lives in the registry until this guard drops, so this is unreachable;
            // waiting forever would be the wrong answer if it ever happened.
            Err(_) => SessionEnd::Revoked,
        }
    }
}

impl Drop for SocketGuard {
    fn drop(&mut self) {
        let (user, session, id) = (self.user, self.session, self.id);
        self.sockets.with(|inner| {
            if let Some(n) = inner.per_user.get_mut(&user) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    inner.per_user.remove(&user);
                }
            }
            if let Some(list) = inner.per_session.get_mut(&session) {
                list.retain(|e| e.id != id);
                if list.is_empty() {
                    inner.per_session.remove(&session);
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn ending_a_session_reaches_only_its_sockets_and_limits_hold() {
        let sockets = Arc::new(Sockets::default());
        let (user, s1, s2) = (UserId::new(), SessionId::new(), SessionId::new());
        let mut a = sockets.register(user, s1, 2).unwrap();
        let b = sockets.register(user, s2, 2).unwrap();
        assert!(sockets.register(user, s2, 2).is_none(), "per-user limit");
        assert_eq!(sockets.end_sessions(&[s1], SessionEnd::Idle), 1);
        assert_eq!(a.session_ended().await, SessionEnd::Idle);
        assert!(b.ended.borrow().is_none(), "the other session's socket stays open");
        drop(a);
        assert_eq!(sockets.open(), 1);
        assert_eq!(sockets.end_sessions(&[s1], SessionEnd::Revoked), 0, "a closed socket is forgotten");
        drop(b);
        assert_eq!(sockets.open(), 0);
    }
}
