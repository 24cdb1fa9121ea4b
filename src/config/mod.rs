//! Configuration: embedded defaults < optional TOML file < `P2P_*` environment variables,
//! layered by figment (see `sources` for the variables).
//!
//! Every key must exist in `config/default.toml` (`deny_unknown_fields` on every section); a
//! key that does not, or a value of the wrong type, stops start-up with a message naming the
//! key and its source (the file, or the variable).

use std::{net::SocketAddr, path::PathBuf};

use anyhow::{Context, anyhow, bail};
use figment::{
    Figment,
    providers::{Format, Toml},
};
use serde::Deserialize;

mod sources;

/// The embedded defaults, documented key by key.
pub const DEFAULTS: &str = include_str!("../../config/default.toml");

/// The whole configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub data_dir: PathBuf,
    pub bind: String,
    pub cors_origins: Vec<String>,
    pub public_url: String,
    pub log_format: LogFormat,
    pub log_level: String,
    pub media_uri: String,
    pub store: StoreConfig,
    pub http: HttpConfig,
    pub media: MediaConfig,
    pub auth: AuthConfig,
    pub mail: MailConfig,
    pub jobs: JobsConfig,
    pub ws: WsConfig,
    pub forum: ForumConfig,
    pub messages: MessagesConfig,
    pub notifications: NotificationsConfig,
    pub backup: BackupConfig,
}

/// Backups (see `service::backup`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupConfig {
    pub target: String,
    pub interval_secs: u64,
    pub keep: usize,
}

/// Notification emails.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationsConfig {
    pub email_delay_secs: u64,
    pub email_window_secs: u64,
}

/// Private messaging.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessagesConfig {
    pub away_email_delay_secs: u64,
    pub away_email_cooldown_secs: u64,
    pub typing_per_10s: u32,
    pub sends_per_minute: u32,
    pub unsent_upload_ttl_secs: u64,
    pub max_blocks: usize,
}

/// WebSocket limits.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WsConfig {
    pub max_sockets_per_user: usize,
    pub max_frame_bytes: usize,
    pub frames_per_second: u32,
    pub queue: usize,
    pub ping_secs: u64,
    pub write_timeout_ms: u64,
}

/// Forum settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForumConfig {
    /// The categories, in display order.
    pub categories: Vec<crate::domain::forum::Category>,
}

/// Log output format.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Pretty,
    Json,
}

/// HTTP limits.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    pub json_body_limit: usize,
    pub auth_ip_rate_per_minute: u32,
    pub shutdown_grace_secs: u64,
    /// Bearer token `/metrics` requires; empty means open.
    pub metrics_token: String,
}

impl std::fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpConfig")
            .field("json_body_limit", &self.json_body_limit)
            .field("metrics_token", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// Media uploads and storage.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaConfig {
    pub image_max_bytes: u64,
    pub video_max_bytes: u64,
    pub document_max_bytes: u64,
    pub max_image_pixels: u64,
    pub upload_concurrency: usize,
    pub thumbnail_size: u32,
    pub s3_endpoint: String,
    pub s3_region: String,
    pub s3_access_key_id: String,
    pub s3_secret_access_key: String,
    pub s3_path_style: bool,
    pub presign_secs: u64,
}

impl std::fmt::Debug for MediaConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaConfig")
            .field("s3_endpoint", &self.s3_endpoint)
            .field("s3_secret_access_key", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// Accounts and sessions.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    pub jwt_secret: String,
    pub access_ttl_secs: u64,
    pub idle_timeout_secs: u64,
    pub absolute_timeout_secs: u64,
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_parallelism: u32,
    pub hash_concurrency: usize,
    pub max_failed_logins: u32,
    pub lockout_secs: u64,
    pub code_ttl_secs: u64,
    pub code_max_attempts: u32,
    pub code_resend_cooldown_secs: u64,
    pub device_verification: bool,
    pub trusted_device_days: u64,
    pub reset_token_ttl_secs: u64,
    pub invitation_ttl_secs: u64,
    pub cookie_secure: bool,
    pub personal_domains: Vec<String>,
}

impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        f.debug_struct("AuthConfig").field("jwt_secret", &"<redacted>").finish_non_exhaustive()
    }
}

/// Outgoing email.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    pub transport: MailTransport,
    pub from: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_tls: SmtpTls,
    pub smtp_username: String,
    pub smtp_password: String,
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("transport", &self.transport)
            .field("smtp_host", &self.smtp_host)
            .field("smtp_password", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// Mail transport.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MailTransport {
    File,
    Smtp,
}

/// SMTP transport security.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    None,
    Starttls,
    Tls,
}

/// The embedded database.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// redb's page cache, in MiB.
    pub cache_mib: u64,
    /// Writes are refused while less than this is left for the store to grow, in MiB.
    pub min_free_mib: u64,
}

/// Background job queue.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobsConfig {
    pub max_attempts: u32,
    pub backoff_base_secs: u64,
    pub lease_secs: u64,
    pub poll_interval_ms: u64,
}

impl Config {
    /// Loads defaults, then `file` (if any), then the process environment.
    pub fn load(file: Option<&std::path::Path>) -> anyhow::Result<Self> {
        Self::load_from(file, std::env::vars())
    }

    /// Loads with an explicit environment (tests).
    pub fn load_from(
        file: Option<&std::path::Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Self> {
        let defaults = Figment::from(Toml::string(DEFAULTS));
        let mut figment = defaults.clone();
        if let Some(path) = file {
            // figment reads a missing file as empty; a file named on purpose must exist.
            std::fs::metadata(path).with_context(|| format!("cannot read config file {}", path.display()))?;
            figment = figment.merge(Toml::file_exact(path));
        }
        let env = sources::EnvVars::new(env, &defaults);
        // Lossy: numbers and `yes`/`on` booleans are read from the variables' strings.
        let config: Config = figment.merge(env).extract_lossy().map_err(|e| anyhow!(sources::describe(e)))?;
        config.validate()?;
        Ok(config)
    }

    /// Checks values serde cannot: addresses, ranges, URLs.
    fn validate(&self) -> anyhow::Result<()> {
        self.bind
            .parse::<SocketAddr>()
            .map_err(|_| anyhow!("bad value for `bind`: expected host:port, got {:?}", self.bind))?;
        for origin in &self.cors_origins {
            if !(origin.starts_with("http://") || origin.starts_with("https://")) || origin.ends_with('/') {
                bail!("bad value for `cors_origins`: {origin:?} must be an origin like https://example.com");
            }
        }
        let a = &self.auth;
        let positive = [
            ("auth.access_ttl_secs", a.access_ttl_secs),
            ("auth.idle_timeout_secs", a.idle_timeout_secs),
            ("auth.absolute_timeout_secs", a.absolute_timeout_secs),
            ("auth.code_ttl_secs", a.code_ttl_secs),
            ("auth.lockout_secs", a.lockout_secs),
            ("jobs.lease_secs", self.jobs.lease_secs),
            ("ws.ping_secs", self.ws.ping_secs),
            ("media.upload_concurrency", self.media.upload_concurrency as u64),
            ("ws.frames_per_second", self.ws.frames_per_second as u64),
            ("ws.queue", self.ws.queue as u64),
            ("ws.max_sockets_per_user", self.ws.max_sockets_per_user as u64),
            ("jobs.poll_interval_ms", self.jobs.poll_interval_ms),
            ("store.cache_mib", self.store.cache_mib),
            ("messages.typing_per_10s", self.messages.typing_per_10s as u64),
            ("messages.sends_per_minute", self.messages.sends_per_minute as u64),
            ("messages.max_blocks", self.messages.max_blocks as u64),
        ];
        for (key, v) in positive {
            if v == 0 {
                bail!("bad value for `{key}`: must be greater than 0");
            }
        }
        if a.argon2_memory_kib < 8 * a.argon2_parallelism.max(1)
            || a.argon2_iterations == 0
            || a.argon2_parallelism == 0
        {
            bail!("bad value for `auth.argon2_*`: memory must be ≥ 8 KiB per lane and iterations, parallelism ≥ 1");
        }
        if a.max_failed_logins == 0 || a.code_max_attempts == 0 || self.jobs.max_attempts == 0 {
            bail!("bad value for an attempts limit: must be at least 1");
        }
        let mut ids = std::collections::HashSet::new();
        if self.forum.categories.is_empty()
            || !self.forum.categories.iter().all(|c| !c.id.is_empty() && ids.insert(&c.id))
        {
            bail!("bad value for `forum.categories`: give at least one, with unique non-empty ids");
        }
        if self.http.json_body_limit < 1024 {
            bail!("bad value for `http.json_body_limit`: must be at least 1024");
        }
        Ok(())
    }

    /// Where the redb file lives.
    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("p2p.redb")
    }

    /// The search index's directory (derived data, rebuilt from the store when missing).
    pub fn index_dir(&self) -> PathBuf {
        self.data_dir.join("index")
    }

    /// Where the file mail transport writes `.eml` files.
    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }
}

#[cfg(test)]
mod tests;
