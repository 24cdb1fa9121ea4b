//! P2P Sandbox server: one binary with embedded storage.
//!
//! Layers, each depending only on those below it:
//! - [`api`]: poem-openapi endpoints, DTOs, middleware, the OpenAPI document;
//! - [`service`]: use cases, the only place that combines subsystems;
//! - [`store`] (redb), [`media`] (opendal), [`realtime`] (the WebSocket hub), [`auth`] (passwords, tokens, limits), [`jobs`]
//!   (persistent queue), [`mail`] (lettre): subsystems with their own errors;
//! - [`domain`]: pure types and rules.
//!
//! [`app`] wires them together; [`config`], [`error`], [`state`] and [`telemetry`] are shared.

pub mod api;
pub mod app;
pub mod auth;
pub mod config;
pub mod console;
pub mod domain;
pub mod dto;
pub mod error;
pub mod jobs;
pub mod mail;
pub mod media;
pub mod realtime;
pub mod search;
pub mod service;
pub mod state;
pub mod store;
pub mod telemetry;

pub use app::App;
pub use config::Config;
