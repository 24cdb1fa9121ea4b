//! The data set, written straight into a fresh redb file through the library before the
//! server starts: users of their own (one shared argon2 hash, no organization), then the
//! conversations of `service::bench_data` between them (see `bench_data::messages`: the
//! bench's sender and recipient group first, random pairs after), without the grouped
//! message notifications, which this bench's figures have never included.

use crate::common::fixtures;
use p2p_sandbox::{
    domain::{
        ids::UserId,
        user::{Language, User},
    },
    service::{bench_data, progress::Silent},
    store::{Store, users},
};

pub use bench_data::{Conversations as Loaded, Group};

pub const USERS_PER_TX: usize = 2_000;
const FIRST_NAMES: [&str; 8] = ["Ahmed", "Fatimah", "Omar", "Sara", "Khalid", "Noura", "Yousef", "Layla"];
const LAST_NAMES: [&str; 6] = ["Al-Harbi", "Al-Qahtani", "Al-Otaibi", "Haddad", "Al-Zahrani", "Saleh"];

pub fn email(i: usize) -> String {
    format!("m{i}@messages.example.com")
}

/// The `i`-th text of the pool, round robin.
pub fn text(i: usize) -> &'static str {
    bench_data::MESSAGE_TEXTS[i % bench_data::MESSAGE_TEXTS.len()]
}

fn user(i: usize, hash: &str, now: i64) -> User {
    User {
        first_name: FIRST_NAMES[i % FIRST_NAMES.len()].into(),
        last_name: format!("{} {i}", LAST_NAMES[i % LAST_NAMES.len()]),
        language: if i.is_multiple_of(3) { Language::Ar } else { Language::En },
        ..fixtures::user(email(i), None, hash, now)
    }
}

/// Writes `n` active, verified users, `USERS_PER_TX` per transaction; returns their ids.
pub fn users(store: &Store, n: usize, hash: &str) -> Vec<UserId> {
    let now = p2p_sandbox::service::now();
    let mut ids = Vec::with_capacity(n);
    for start in (0..n).step_by(USERS_PER_TX) {
        let batch = store
            .write_blocking(|tx| {
                let mut out = Vec::with_capacity(USERS_PER_TX);
                for i in start..(start + USERS_PER_TX).min(n) {
                    let u = user(i, hash, now);
                    users::insert(tx, &u)?;
                    out.push(u.id);
                }
                Ok(out)
            })
            .unwrap();
        ids.extend(batch);
    }
    ids
}

/// Writes `n` conversations with 4 messages each on average between `users` (the group's
/// first), without message notifications.
pub fn conversations(store: &Store, users: &[UserId], n: usize, g: Group) -> Loaded {
    bench_data::conversations(store, users, n, g, false, &Silent).unwrap()
}
