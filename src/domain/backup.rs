//! Backups: what a backup folder's `manifest.json` records, and how folders are named.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The manifest format this binary writes and reads.
pub const MANIFEST_FORMAT: u32 = 1;
/// Every backup folder's name starts so (then the UTC time it was taken).
pub const FOLDER_PREFIX: &str = "p2p-backup-";
/// The store snapshot's file in a backup folder.
pub const STORE_FILE: &str = "store.redb";
/// The manifest's file in a backup folder (written last: a folder without it is unfinished).
pub const MANIFEST_FILE: &str = "manifest.json";
/// The local media objects' folder in a backup folder.
pub const MEDIA_DIR: &str = "media/";
/// The token-signing secret kept in the data dir, when it was generated there.
pub const SECRET_FILE: &str = "jwt.secret";

/// What one backup holds, checked after it was written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BackupManifest {
    pub format: u32,
    /// The folder's name.
    pub name: String,
    /// When its snapshot was taken (ms since the epoch).
    pub created_at: i64,
    /// The version of the binary that took it.
    pub app_version: String,
    /// The store's schema version (migrations applied).
    pub schema_version: u64,
    /// Entries per table of the snapshot.
    pub tables: BTreeMap<String, u64>,
    pub store_bytes: u64,
    /// SHA-256 of the store file, hex.
    pub store_sha256: String,
    /// Local media objects copied (none when media live on S3).
    pub media_objects: u64,
    pub media_bytes: u64,
    /// Whether the data dir's generated token secret is in it.
    pub has_secret: bool,
    /// How long taking and checking it took.
    pub duration_ms: u64,
}

impl BackupManifest {
    /// Entries in all tables.
    pub fn entries(&self) -> u64 {
        self.tables.values().sum()
    }
}

/// A folder name for a backup taken at `at_ms` (sorts by time).
pub fn folder_name(at_ms: i64) -> String {
    let at = chrono::DateTime::from_timestamp_millis(at_ms).unwrap_or_default();
    format!("{FOLDER_PREFIX}{}", at.format("%Y%m%dT%H%M%S%.3fZ"))
}
