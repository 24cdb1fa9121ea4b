//! Sessions: issuing token pairs, authenticating requests, refresh rotation with reuse
//! detection, listing and revoking.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use super::{ClientMeta, now};
use crate::error::ErrorCode;
use crate::{
    auth::secrets::{random_token, same, sha256},
    domain::{
        ids::{SessionId, UserId},
        session::{Session, SessionEnd},
        user::User,
    },
    error::{AppError, AppResult, OptionExt},
    state::AppState,
    store::{self, sessions as table, users},
};

/// A freshly issued session with both tokens.
#[derive(Debug)]
pub struct IssuedSession {
    pub session_id: SessionId,
    pub access_token: String,
    /// Access-token lifetime in seconds.
    pub expires_in: i64,
    /// `<session id>.<secret>`; only its hash is stored.
    pub refresh_token: String,
    pub user: User,
}

/// The caller of an authenticated request.
#[derive(Clone, Copy, Debug)]
pub struct AuthContext {
    pub user_id: UserId,
    pub session_id: SessionId,
}

/// A new refresh token for `session`: the token and the hash to store.
fn new_refresh(session: SessionId) -> (String, [u8; 32]) {
    let secret = random_token(32);
    let hash = sha256(secret.as_bytes());
    (format!("{}.{secret}", URL_SAFE_NO_PAD.encode(session.key())), hash)
}

fn parse_refresh(token: &str) -> Option<(SessionId, [u8; 32])> {
    let (id, secret) = token.split_once('.')?;
    let id = SessionId::from_key(&URL_SAFE_NO_PAD.decode(id).ok()?)?;
    Some((id, sha256(secret.as_bytes())))
}

/// Builds the session record for `user` (the caller writes it in its own transaction).
pub fn new_session(user: UserId, meta: &ClientMeta) -> (Session, String) {
    let id = SessionId::new();
    let (refresh_token, refresh_hash) = new_refresh(id);
    let t = now();
    let session = Session {
        id,
        user_id: user,
        created_at: t,
        last_seen_at: t,
        refresh_hash,
        previous_hashes: Vec::new(),
        revoked_at: None,
        user_agent: meta.user_agent.chars().take(256).collect(),
        ip: meta.ip.clone(),
    };
    (session, refresh_token)
}

/// Caches a committed session and signs its access token.
pub fn finish_issue(
    state: &AppState,
    session: &Session,
    refresh_token: String,
    user: User,
) -> AppResult<IssuedSession> {
    state.sessions.put(session);
    let access_token = state.tokens.issue(user.id, session.id, now() / 1000).map_err(AppError::internal)?;
    Ok(IssuedSession { session_id: session.id, access_token, expires_in: state.tokens.ttl_secs, refresh_token, user })
}

/// Checks an access token and that its session is alive; records activity.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn authenticate(state: &AppState, token: &str) -> AppResult<AuthContext> {
    let invalid = || AppError::unauthenticated(ErrorCode::InvalidToken, "The access token is invalid or expired");
    let (user_id, session_id) = state.tokens.verify(token).ok_or_else(invalid)?;
    let ctx = AuthContext { user_id, session_id };
    check(state, ctx, Activity::Record).await?;
    Ok(ctx)
}

/// Whether a check of a session counts as the user's activity (for the idle timeout).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activity {
    /// A request or a socket action: the idle clock restarts.
    Record,
    /// A look only (a socket's own timer): the idle clock keeps running.
    Ignore,
}

/// Checks that the session of `ctx` is alive (ending it when its time is up), optionally
/// recording activity; returns when it ends if nothing else happens, in ms since the epoch.
/// Every socket action calls this, so a session that ended can do nothing through a
/// socket either.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn check(state: &AppState, ctx: AuthContext, activity: Activity) -> AppResult<i64> {
    let invalid = || AppError::unauthenticated(ErrorCode::InvalidToken, "The access token is invalid or expired");
    let session_id = ctx.session_id;
    let cached = match state.sessions.get(session_id) {
        Some(c) => c,
        None => {
            let s = state.store.read(move |tx| table::get(tx, session_id)).await?.ok_or_else(invalid)?;
            state.sessions.put(&s);
            (&s).into()
        }
    };
    if cached.user_id != ctx.user_id {
        return Err(invalid());
    }
    let t = now();
    if let Err(end) = state.policy.check(cached.created_at, cached.last_seen_at, cached.revoked, t) {
        if end != SessionEnd::Revoked {
            revoke(state, vec![session_id], end).await?;
        }
        return Err(ended(end));
    }
    if activity == Activity::Ignore {
        return Ok(state.policy.deadline(cached.created_at, cached.last_seen_at));
    }
    if state.sessions.touch(session_id, t) {
        let touched = state
            .store
            .write(move |tx| -> AppResult<_> {
                if let Some(mut s) = table::get(tx, session_id)? {
                    s.last_seen_at = s.last_seen_at.max(t);
                    table::put(tx, &s)?;
                }
                Ok(())
            })
            .await;
        match touched {
            // While the disk is full the activity stays in the cache alone: a request that
            // only reads must still be answered.
            Err(e) if e.is_storage_full() => {}
            other => other?,
        }
    }
    Ok(state.policy.deadline(cached.created_at, t))
}

/// The 401 for a session that ended.
fn ended(end: SessionEnd) -> AppError {
    match end {
        SessionEnd::Revoked => AppError::unauthenticated(ErrorCode::SessionRevoked, "This session has been signed out"),
        SessionEnd::Idle => {
            AppError::unauthenticated(ErrorCode::SessionIdle, "The session ended after inactivity; sign in again")
        }
        SessionEnd::Expired => AppError::unauthenticated(
            ErrorCode::SessionExpired,
            "The session reached its maximum lifetime; sign in again",
        ),
    }
}

/// Marks sessions revoked in the store, then ends them in memory.
async fn revoke(state: &AppState, ids: Vec<SessionId>, why: SessionEnd) -> AppResult<()> {
    let t = now();
    let done = ids.clone();
    state
        .store
        .write(move |tx| -> AppResult<_> {
            for id in ids {
                if let Some(mut s) = table::get(tx, id)? {
                    s.revoked_at.get_or_insert(t);
                    table::put(tx, &s)?;
                }
            }
            Ok(())
        })
        .await?;
    end_sessions(state, &done, why);
    Ok(())
}

/// Ends sessions already revoked in the store: the session cache refuses them from now on,
/// then their open sockets are closed (in that order; see `realtime::sockets`).
pub fn end_sessions(state: &AppState, ids: &[SessionId], why: SessionEnd) {
    state.sessions.revoke(ids);
    let closed = state.hub.end_sessions(ids, why);
    if closed > 0 {
        tracing::info!(
            sessions = ids.len(),
            sockets = closed,
            reason = why.code(),
            "closed the sockets of ended sessions"
        );
    }
}

/// Result of presenting a refresh token.
enum RefreshOutcome {
    Rotated(Box<(Session, User, String)>),
    Reused,
    Ended(SessionEnd),
}

/// Exchanges a refresh token for a new pair; presenting an already-rotated token revokes
/// the whole session (it means the token was copied).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn refresh(state: &AppState, token: &str) -> AppResult<IssuedSession> {
    let invalid = || AppError::unauthenticated(ErrorCode::InvalidRefreshToken, "The refresh token is invalid");
    let (session_id, hash) = parse_refresh(token).ok_or_else(invalid)?;
    let policy = state.policy;
    let outcome = state
        .store
        .write(move |tx| -> AppResult<_> {
            let mut s = table::get(tx, session_id)?.ok_or_else(invalid)?;
            let t = now();
            if same(&s.refresh_hash, &hash) {
                if let Err(end) = policy.check(s.created_at, s.last_seen_at, s.revoked_at.is_some(), t) {
                    s.revoked_at.get_or_insert(t);
                    table::put(tx, &s)?;
                    return Ok(RefreshOutcome::Ended(end));
                }
                let user = users::get(tx, s.user_id)?.filter(User::can_sign_in).ok_or_else(invalid)?;
                let (new_token, new_hash) = new_refresh(session_id);
                s.rotate(new_hash, t);
                table::put(tx, &s)?;
                Ok(RefreshOutcome::Rotated(Box::new((s, user, new_token))))
            } else if s.previous_hashes.iter().any(|h| same(h, &hash)) {
                s.revoked_at.get_or_insert(t);
                table::put(tx, &s)?;
                Ok(RefreshOutcome::Reused)
            } else {
                Err(invalid())
            }
        })
        .await?;
    match outcome {
        RefreshOutcome::Rotated(rotated) => {
            let (s, user, token) = *rotated;
            finish_issue(state, &s, token, user)
        }
        RefreshOutcome::Reused => {
            end_sessions(state, &[session_id], SessionEnd::Revoked);
            tracing::warn!(session = %session_id, "refresh token reuse detected; session revoked");
            Err(AppError::unauthenticated(
                ErrorCode::RefreshTokenReused,
                "This refresh token was already used; the session has been revoked",
            ))
        }
        RefreshOutcome::Ended(end) => {
            end_sessions(state, &[session_id], end);
            Err(ended(end))
        }
    }
}

/// Every session of the caller, newest first.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn list(state: &AppState, ctx: AuthContext) -> AppResult<Vec<Session>> {
    let mut all = state.store.read(move |tx| table::of_user(tx, ctx.user_id)).await?;
    let t = now();
    all.retain(|s| state.policy.check(s.created_at, s.last_seen_at, s.revoked_at.is_some(), t).is_ok());
    for s in &mut all {
        if let Some(c) = state.sessions.get(s.id) {
            s.last_seen_at = c.last_seen_at;
        }
    }
    all.reverse();
    Ok(all)
}

/// Revokes one of the caller's sessions (404 for anyone else's).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn revoke_one(state: &AppState, ctx: AuthContext, id: SessionId) -> AppResult<()> {
    let s = state.store.read(move |tx| table::get(tx, id)).await?.filter(|s| s.user_id == ctx.user_id);
    s.or_not_found("Session")?;
    revoke(state, vec![id], SessionEnd::Revoked).await
}

/// Ends the caller's current session.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn logout(state: &AppState, ctx: AuthContext) -> AppResult<()> {
    revoke(state, vec![ctx.session_id], SessionEnd::Revoked).await
}

/// Ends every session of `user` except `keep`, in the store and then in the cache.
#[tracing::instrument(level = "debug", skip_all, fields(user = %user))]
pub async fn revoke_all(state: &AppState, user: UserId, keep: Option<SessionId>) -> AppResult<()> {
    let t = now();
    let ids = state.store.write(move |tx| table::revoke_all(tx, user, keep, t)).await?;
    end_sessions(state, &ids, SessionEnd::Revoked);
    Ok(())
}

/// Revokes sessions inside an existing transaction; the caller must pass the returned ids to
/// `end_sessions` after the commit.
pub fn revoke_all_in(
    tx: &crate::store::Tx,
    user: UserId,
    keep: Option<SessionId>,
) -> store::StoreResult<Vec<SessionId>> {
    table::revoke_all(tx, user, keep, now())
}
