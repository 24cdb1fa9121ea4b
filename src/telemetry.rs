//! Logging: tracing in human or JSON format, with every line of a request carrying its
//! request id (from the request span). Secrets never reach a log: configuration types
//! redact them and services log ids, never codes, tokens or passwords.

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::config::{Config, LogFormat};

tokio::task_local! {
    /// The id of the request being served by the current task.
    pub static REQUEST_ID: String;
}

/// The current request's id, when called while serving one.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Installs the global subscriber (once; later calls are ignored, which suits tests).
pub fn init(config: &Config) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&config.log_level));
    let registry = tracing_subscriber::registry().with(filter);
    let _ = match config.log_format {
        LogFormat::Json => registry.with(fmt::layer().json().with_current_span(true).with_span_list(false)).try_init(),
        LogFormat::Pretty => registry.with(fmt::layer().compact()).try_init(),
    };
}
