//! `AppState`: the one clonable handle every endpoint holds, owning each subsystem.
//!
//! It names subsystems only (store, media, hub, auth, jobs): state a feature keeps for
//! itself — a cache of rendered pages, say — lives in that feature's module and is reached
//! through `AppState::local`, so no layer above the subsystems is imported here.

use std::{
    any::{Any, TypeId},
    collections::HashMap,
    ops::Deref,
    sync::{Arc, RwLock},
    time::Duration,
};

use tokio::time::Instant;

use crate::{
    auth::{jwt::TokenKeys, password::PasswordHasher, ratelimit::RateLimiter, session_cache::SessionCache},
    config::Config,
    domain::session::SessionPolicy,
    jobs::JobSignal,
    media::MediaStore,
    realtime::Hub,
    store::Store,
};

/// Shared application state (cheap to clone).
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// The subsystems and settings behind `AppState`.
pub struct Inner {
    pub config: Config,
    pub store: Store,
    /// The search index (derived from the store; see `service::search`).
    pub search: Arc<crate::search::SearchIndex>,
    pub media: MediaStore,
    pub hub: Hub,
    /// Uploads being read at once (see `media.upload_concurrency`).
    pub uploads: Arc<tokio::sync::Semaphore>,
    /// Feature-owned state by type (see `local`).
    locals: RwLock<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
    pub hasher: PasswordHasher,
    pub tokens: TokenKeys,
    /// Key for hashing one-time codes (derived from the JWT secret).
    pub code_key: Vec<u8>,
    pub sessions: SessionCache,
    pub policy: SessionPolicy,
    pub jobs: JobSignal,
    /// Login, signup and code endpoints per client IP.
    pub ip_limiter: RateLimiter,
    /// Code (re)sends per email address.
    pub resend_limiter: RateLimiter,
    /// Private messages sent per person (`messages.sends_per_minute`).
    pub message_limiter: RateLimiter,
    pub started_at: Instant,
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// The one `T` of this process, made on first use: what a feature keeps for itself
    /// (caches) without this module knowing its type.
    pub fn local<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        // Read on every request of the feature; written once per type.
        let found = self.locals.read().ok().and_then(|l| l.get(&TypeId::of::<T>()).cloned());
        let entry = match found {
            Some(e) => e,
            None => {
                let mut locals = self.locals.write().unwrap_or_else(std::sync::PoisonError::into_inner);
                locals.entry(TypeId::of::<T>()).or_insert_with(|| Arc::new(T::default())).clone()
            }
        };
        // The entry for `TypeId::of::<T>()` only ever holds a `T`.
        entry.downcast::<T>().unwrap_or_default()
    }

    /// Assembles the state from opened subsystems.
    pub fn new(
        config: Config,
        store: Store,
        search: Arc<crate::search::SearchIndex>,
        hasher: PasswordHasher,
        media: MediaStore,
        jwt_secret: &[u8],
    ) -> Self {
        let a = &config.auth;
        let tokens = TokenKeys::new(jwt_secret, a.access_ttl_secs as i64);
        let policy = SessionPolicy {
            idle_ms: (a.idle_timeout_secs * 1000) as i64,
            absolute_ms: (a.absolute_timeout_secs * 1000) as i64,
        };
        let code_key = crate::auth::secrets::sha256(&[b"one-time-codes:".as_slice(), jwt_secret].concat()).to_vec();
        let ip_limiter = RateLimiter::new(config.http.auth_ip_rate_per_minute.max(1), Duration::from_secs(60));
        let uploads = config.media.upload_concurrency.max(1);
        let resend_limiter = RateLimiter::new(1, Duration::from_secs(a.code_resend_cooldown_secs.max(1)));
        let message_limiter = RateLimiter::new(config.messages.sends_per_minute.max(1), Duration::from_secs(60));
        Self(Arc::new(Inner {
            config,
            store,
            search,
            media,
            hub: Hub::default(),
            uploads: Arc::new(tokio::sync::Semaphore::new(uploads)),
            locals: RwLock::default(),
            hasher,
            tokens,
            code_key,
            sessions: SessionCache::default(),
            policy,
            jobs: JobSignal::default(),
            ip_limiter,
            resend_limiter,
            message_limiter,
            started_at: Instant::now(),
        }))
    }
}
