//! Everything the integration tests share, kept apart from the tests themselves (STYLE rule
//! 10): `TestApp` boots the real server on port 0 in a temporary data dir and carries one
//! helper per endpoint a test calls, grouped by area; fixtures build signed-in users and
//! teams; the rest are the real-world peers a test needs (a WebSocket client, the binary as a
//! child process, an S3 server, the mail outbox, captured logs).
//!
//! - `app`: `TestApp` itself (spawn, stop, restart, settings) and the plain HTTP verbs.
//! - `conformance`: the check a `TestApp` makes when dropped, that every status it
//!   answered is documented for its operation.
//! - `accounts`: signup, verification, login, sessions, the caller's profile and password.
//! - `orgs`: the `Team` fixture, invitations, members, join requests.
//! - `forum`, `use_cases`, `media`, `messages`, `notifications`: those areas' endpoints and
//!   request bodies.
//! - `activity`: the activity feed, watching topics, a crowd of people made at once, and a
//!   mail server that holds the job worker until released.
//! - `search`: search and suggest, and waiting (bounded) for the index to show a write.
//! - `errors`: assertions on the uniform error body.
//! - `mail`: the file transport's outbox (emails, codes, link tokens).
//! - `ws`: the WebSocket client, checking every frame against `asyncapi`, the protocol
//!   document `openapi/asyncapi.yaml`.
//! - `child`: the real binary as a child process.
//! - `s3`: a real S3-compatible server.
//! - `logs`: server logs captured on the test's thread instead of printed.

pub mod accounts;
pub mod activity;
pub mod app;
pub mod asyncapi;
pub mod child;
pub mod conformance;
pub mod errors;
pub mod forum;
pub mod logs;
pub mod mail;
pub mod media;
pub mod messages;
pub mod notifications;
pub mod orgs;
pub mod s3;
pub mod search;
pub mod use_cases;
pub mod ws;

use serde_json::Value;

pub use self::{
    accounts::{PASSWORD, token},
    app::TestApp,
    errors::{expect_error, expect_invalid, expect_not_found},
};

/// The `id` of a JSON object.
pub fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// The `id`s of a page's `items`, in order.
pub fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(id_of).collect()
}
