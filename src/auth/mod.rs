//! Authentication primitives: password hashing on a bounded blocking pool, access tokens,
//! secret generation and hashing, in-memory rate limiting and the session liveness cache. Called only by `service`.

pub mod jwt;
pub mod password;
pub mod ratelimit;
pub mod secrets;
pub mod session_cache;
