//! In-memory fixed-window rate limiting keyed by strings (client IP, email).
//!
//! Counters live in one mutex-protected map; the critical section is a hash lookup, so
//! contention is negligible next to the work being limited. Windows that have ended are
//! swept when the map grows, which bounds memory under a flood of distinct keys.

use std::{collections::HashMap, sync::Mutex, time::Duration};

use tokio::time::Instant;

const SWEEP_ABOVE: usize = 10_000;

/// A limiter allowing `limit` events per `window` for each key.
pub struct RateLimiter {
    limit: u32,
    window: Duration,
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    /// A limiter of `limit` events per `window`.
    pub fn new(limit: u32, window: Duration) -> Self {
        Self { limit, window, windows: Mutex::new(HashMap::new()) }
    }

    /// Counts one event for `key`; `Err(seconds)` says how long until it is allowed.
    pub fn hit(&self, key: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut map = match self.windows.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        if map.len() > SWEEP_ABOVE {
            let window = self.window;
            map.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = map.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.limit {
            let wait = self.window.saturating_sub(now.duration_since(entry.0));
            return Err(wait.as_secs().max(1));
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_limit_then_refuses_per_key() {
        let rl = RateLimiter::new(2, Duration::from_secs(60));
        assert!(rl.hit("a").is_ok());
        assert!(rl.hit("a").is_ok());
        assert!(matches!(rl.hit("a"), Err(s) if (1..=60).contains(&s)));
        assert!(rl.hit("b").is_ok());
    }
}
