//! Logging: tracing in human or JSON format, with every line of a request carrying its
//! request id (from the request span). Secrets never reach a log: configuration types
//! redact them and services log ids, never codes, tokens or passwords.
//!
//! Every public service function has a `debug` span (its ids, never its bodies). At the
//! default `info` level they cost a disabled-callsite check; with the service at `debug`
//! (`P2P_LOG_LEVEL=info,p2p_sandbox::service=debug`) each span's close is logged with its
//! busy and idle time, so a slow request's log shows which service call took the time.

use tracing::Metadata;
use tracing_subscriber::{EnvFilter, filter::filter_fn, fmt, fmt::format::FmtSpan, prelude::*};

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
    // The second layer sees only service spans, and writes a line when one closes.
    let timings = || filter_fn(|m: &Metadata<'_>| m.is_span() && m.target().starts_with("p2p_sandbox::service"));
    let _ = match config.log_format {
        LogFormat::Json => registry
            .with(fmt::layer().json().with_current_span(true).with_span_list(false))
            .with(fmt::layer().json().with_span_events(FmtSpan::CLOSE).with_filter(timings()))
            .try_init(),
        LogFormat::Pretty => registry
            .with(fmt::layer().compact())
            .with(fmt::layer().compact().with_span_events(FmtSpan::CLOSE).with_filter(timings()))
            .try_init(),
    };
}
