//! Authentication primitives: password hashing on a bounded blocking pool, access tokens,
//! secret generation and hashing, and in-memory rate limiting. Called only by `service`.

pub mod jwt;
pub mod password;
pub mod ratelimit;
pub mod secrets;
