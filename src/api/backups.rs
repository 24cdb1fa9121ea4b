//! `/api/v1/admin/backups`: the backups in the configured target, and one taken on demand
//! (platform admins).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};

use crate::{
    api::{
        error::{ApiResult, Success, ok},
        security::{Auth, State},
        tags::ApiTags,
    },
    domain::backup::BackupManifest,
    dto::ts,
    service::backup,
};

/// Backup endpoints.
#[derive(Default)]
pub struct BackupsApi;

/// One finished, checked backup.
#[derive(Object, Debug)]
pub struct Backup {
    /// Its folder in the target (`p2p-backup-<UTC time>`).
    pub name: String,
    /// When its snapshot was taken.
    pub created_at: DateTime<Utc>,
    /// The server version that took it.
    pub app_version: String,
    /// The store's schema version (migrations applied).
    pub schema_version: u64,
    /// Records in all tables of the snapshot.
    pub entries: u64,
    /// Records per table.
    pub tables: BTreeMap<String, u64>,
    /// Size of the store snapshot.
    pub store_bytes: u64,
    /// SHA-256 of the store snapshot (hex).
    pub store_sha256: String,
    /// Local media objects copied (0 when media live on S3).
    pub media_objects: u64,
    /// Their bytes.
    pub media_bytes: u64,
    /// How long taking and checking it took, in milliseconds.
    pub duration_ms: u64,
}

impl From<BackupManifest> for Backup {
    fn from(m: BackupManifest) -> Self {
        Self {
            entries: m.entries(),
            name: m.name,
            created_at: ts(m.created_at),
            app_version: m.app_version,
            schema_version: m.schema_version,
            tables: m.tables,
            store_bytes: m.store_bytes,
            store_sha256: m.store_sha256,
            media_objects: m.media_objects,
            media_bytes: m.media_bytes,
            duration_ms: m.duration_ms,
        }
    }
}

/// The last failed backup.
#[derive(Object, Debug)]
pub struct BackupFailure {
    /// When it failed.
    pub at: DateTime<Utc>,
    /// Why.
    pub reason: String,
}

/// The backups in the target, newest first.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct BackupList {
    /// Finished and checked backups (older ones beyond `backup.keep` are removed).
    pub backups: Vec<Backup>,
    /// Whether a backup is being taken now.
    pub running: bool,
    /// The last run's failure, if the last run failed.
    pub last_failure: Option<BackupFailure>,
}

/// A backup was started.
#[derive(Object, Debug)]
pub struct BackupStarted {
    /// Always true; `GET /api/v1/admin/backups` shows it once it is written and checked.
    pub started: bool,
}

/// The answer to starting a backup.
#[derive(ApiResponse)]
pub enum StartResponse {
    /// Started in the background.
    #[oai(status = 202)]
    Accepted(Json<BackupStarted>),
}

#[OpenApi(tag = "ApiTags::Operations")]
impl BackupsApi {
    /// The backups in the configured target, newest first (platform admins)
    #[oai(path = "/api/v1/admin/backups", method = "get", operation_id = "listBackups")]
    async fn list(&self, state: State<'_>, auth: Auth) -> ApiResult<Success<BackupList>> {
        let list = backup::list(&state, auth.ctx()).await?;
        ok(BackupList {
            backups: list.backups.into_iter().map(Backup::from).collect(),
            running: list.running,
            last_failure: list.last_error.map(|(at, reason)| BackupFailure { at: ts(at), reason }),
        })
    }

    /// Take a backup now, in the background (platform admins; 409 while one is running)
    #[oai(path = "/api/v1/admin/backups", method = "post", operation_id = "startBackup")]
    async fn start(&self, state: State<'_>, auth: Auth) -> ApiResult<StartResponse> {
        backup::start(&state, auth.ctx()).await?;
        Ok(StartResponse::Accepted(Json(BackupStarted { started: true })))
    }
}
