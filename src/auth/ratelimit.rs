//! Rate limiting keyed by strings (client IP, email), on `governor`'s keyed GCRA limiter.
//!
//! GCRA spreads a budget of `limit` events per `window` evenly: a key may spend `limit` at
//! once, then earns one more every `window / limit`. The fixed window this replaces let a
//! client spend twice the budget across a window's edge. Keys live in governor's sharded map;
//! every `SWEEP_EVERY` checks, once it holds more than `SWEEP_ABOVE` keys, those whose budget
//! is whole again are dropped (`retain_recent`), so a flood of distinct keys holds about the
//! keys of one window, not every key ever seen.

use std::{
    num::NonZeroU32,
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

use governor::{
    Quota,
    clock::{Clock, DefaultClock},
    middleware::NoOpMiddleware,
    state::keyed::DefaultKeyedStateStore,
};

/// Keys held before a sweep is worth its cost.
const SWEEP_ABOVE: usize = 10_000;
/// Checks between two looks at the number of keys.
const SWEEP_EVERY: u64 = 1024;

/// A limiter allowing `limit` events per `window` for each key.
pub struct RateLimiter<C: Clock = DefaultClock> {
    keys: governor::RateLimiter<String, DefaultKeyedStateStore<String>, C, NoOpMiddleware<C::Instant>>,
    checks: AtomicU64,
}

impl RateLimiter {
    /// A limiter of `limit` events per `window` (at least one event).
    pub fn new(limit: u32, window: Duration) -> Self {
        Self::with_clock(limit, window, DefaultClock::default())
    }
}

/// `limit` events (at least one) per `window`, all of them at once if need be.
fn quota(limit: u32, window: Duration) -> Quota {
    let burst = NonZeroU32::new(limit).unwrap_or(NonZeroU32::MIN);
    // A zero window (no limit meant) replenishes the whole budget every nanosecond.
    let period = (window / burst.get()).max(Duration::from_nanos(1));
    Quota::with_period(period).unwrap_or_else(|| Quota::per_second(burst)).allow_burst(burst)
}

impl<C: Clock> RateLimiter<C> {
    fn with_clock(limit: u32, window: Duration, clock: C) -> Self {
        Self {
            keys: governor::RateLimiter::new(quota(limit, window), DefaultKeyedStateStore::default(), clock),
            checks: AtomicU64::new(0),
        }
    }

    /// Counts one event for `key`; `Err(seconds)` says how long until the next is allowed.
    pub fn hit(&self, key: &str) -> Result<(), u64> {
        if self.checks.fetch_add(1, Ordering::Relaxed).is_multiple_of(SWEEP_EVERY) && self.keys.len() > SWEEP_ABOVE {
            self.keys.retain_recent();
            self.keys.shrink_to_fit();
        }
        self.keys.check_key(&key.to_owned()).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.keys.clock().now());
            (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
        })
    }

    /// Keys held now.
    pub fn keys(&self) -> usize {
        self.keys.len()
    }
}

/// One budget of `limit` events per `window` with no key (a WebSocket's incoming frames):
/// governor's direct limiter, one atomic word per socket.
pub struct Budget(governor::DefaultDirectRateLimiter);

impl Budget {
    /// A budget of `limit` events per `window`.
    pub fn new(limit: u32, window: Duration) -> Self {
        Self(governor::RateLimiter::direct(quota(limit, window)))
    }

    /// Spends one event; false when the budget is spent.
    pub fn spend(&self) -> bool {
        self.0.check().is_ok()
    }
}

#[cfg(test)]
mod tests {
    use governor::clock::FakeRelativeClock;

    use super::*;

    #[test]
    fn allows_the_budget_then_refuses_per_key_and_earns_it_back_evenly() {
        let clock = FakeRelativeClock::default();
        let rl = RateLimiter::with_clock(2, Duration::from_secs(60), clock.clone());
        assert!(rl.hit("a").is_ok());
        assert!(rl.hit("a").is_ok());
        assert_eq!(rl.hit("a"), Err(30), "one more every 60 s / 2");
        assert!(rl.hit("b").is_ok());
        clock.advance(Duration::from_secs(30));
        assert!(rl.hit("a").is_ok());
        // No double budget at a window's edge: the next comes 30 s later, not at once.
        assert_eq!(rl.hit("a"), Err(30));
    }

    #[test]
    fn a_flood_of_distinct_keys_stays_bounded() {
        let clock = FakeRelativeClock::default();
        let rl = RateLimiter::with_clock(5, Duration::from_secs(60), clock.clone());
        let mut most = 0;
        for i in 0..100_000u32 {
            assert!(rl.hit(&format!("10.{}.{}.{}", i >> 16, (i >> 8) & 0xff, i & 0xff)).is_ok());
            // A thousand new addresses a minute: each one's budget is whole again a minute on.
            if i % 1000 == 999 {
                clock.advance(Duration::from_secs(60));
            }
            most = most.max(rl.keys());
        }
        assert!(most <= SWEEP_ABOVE + SWEEP_EVERY as usize, "held {most} keys");
    }
}
