//! `p2p-sandbox restore`: a backup brought back into the data dir, with the server stopped.
//! The store file is copied first and checked on the copy (the backup itself is never opened
//! for writing): its checksum against the manifest, that it opens and holds what the manifest
//! counted, and that its schema is not newer than this binary's. Only then does it replace
//! the store — an existing one only with `force`, and moved aside, never deleted, and never
//! under a running server (its writes would go to the file moved aside). What could still fail
//! is checked before the swap, and the search index is removed before it (to be rebuilt from
//! the restored store at the next start), so a failure never leaves an index of another store.
//! The local media and the generated token secret come back after it.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail, ensure};

use super::target::copy_tree;
use crate::{
    config::Config,
    domain::{
        backup::{BackupManifest, MANIFEST_FILE, MEDIA_DIR, SECRET_FILE, STORE_FILE},
        now_ms,
    },
    media::{Backend, MediaStore, fs_operator},
    store::{
        backup::{ensure_not_open, summarize},
        migrations,
    },
};

/// What a restore brought back.
#[derive(Debug)]
pub struct Restored {
    pub entries: u64,
    pub media_objects: u64,
    /// Where the store that was there before went, if there was one.
    pub moved_aside: Option<PathBuf>,
}

/// Checks the copy at `copy` of a backup's store; returns its entries.
fn check(copy: &Path, manifest: Option<&BackupManifest>) -> anyhow::Result<u64> {
    if let Some(m) = manifest {
        ensure!(
            super::sha256_file(copy)?.0 == m.store_sha256,
            "the backup's store file is damaged: its checksum is not the manifest's"
        );
    }
    let found = summarize(copy).map_err(|e| anyhow::anyhow!("the backup's store file is damaged: {e}"))?;
    if found.schema_version > migrations::known_version() || !found.unknown_migrations.is_empty() {
        bail!(
            "the backup was made by a newer version of p2p-sandbox (schema {}, this binary knows {}): restore it with that version or a later one",
            found.schema_version,
            migrations::known_version()
        );
    }
    if let Some(m) = manifest {
        ensure!(found.tables == m.tables, "the backup's store file does not hold what its manifest counted");
    }
    Ok(found.tables.values().sum())
}

/// Moves `path` aside (to `<path>.before-restore-<ms>`) if it exists; returns where.
fn move_aside(path: &Path) -> anyhow::Result<Option<PathBuf>> {
    if !path.exists() {
        return Ok(None);
    }
    let aside = PathBuf::from(format!("{}.before-restore-{}", path.display(), now_ms()));
    std::fs::rename(path, &aside).with_context(|| format!("cannot move {} aside", path.display()))?;
    Ok(Some(aside))
}

/// Restores the backup at `from` — a backup folder, or the store file in one — into the data
/// dir of `config`. Refuses to replace an existing store unless `force`.
pub async fn restore(config: &Config, from: &Path, force: bool) -> anyhow::Result<Restored> {
    let (folder, store_file) = if from.is_dir() {
        (from.to_path_buf(), from.join(STORE_FILE))
    } else {
        (from.parent().map(Path::to_path_buf).unwrap_or_default(), from.to_path_buf())
    };
    ensure!(store_file.is_file(), "no store file at {}", store_file.display());
    let manifest: Option<BackupManifest> = match std::fs::read(folder.join(MANIFEST_FILE)) {
        Ok(bytes) => Some(serde_json::from_slice(&bytes).context("the backup's manifest is unreadable")?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            tracing::warn!("no manifest beside the store file: its checksum cannot be checked");
            None
        }
        Err(e) => return Err(e.into()),
    };
    let db = config.db_path();
    ensure!(
        force || !db.exists(),
        "a store exists at {} already: pass --force to move it aside and restore",
        db.display()
    );
    #[cfg(unix)]
    ensure!(
        !super::control::alive(&config.data_dir),
        "a server is running on {}: stop it first",
        config.data_dir.display()
    );
    if db.exists() {
        ensure_not_open(&db)?;
    }
    std::fs::create_dir_all(&config.data_dir)?;
    let copy = PathBuf::from(format!("{}.restoring", db.display()));
    let _ = std::fs::remove_file(&copy);
    if let Err(e) = std::fs::copy(&store_file, &copy) {
        let _ = std::fs::remove_file(&copy);
        return Err(anyhow::Error::from(e).context("copying the backup's store file"));
    }
    let checked = {
        let copy = copy.clone();
        let manifest = manifest.clone();
        tokio::task::spawn_blocking(move || check(&copy, manifest.as_ref())).await?
    };
    let entries = match checked {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_file(&copy);
            return Err(e);
        }
    };
    let media_folder = folder.join(MEDIA_DIR);
    let media = match media_folder.is_dir() {
        true => {
            let media = MediaStore::from_config(config)?;
            if media.backend() != Backend::Fs {
                let _ = std::fs::remove_file(&copy);
                bail!("the backup holds local media but media_uri points at S3");
            }
            Some(media)
        }
        false => None,
    };
    // The index is derived from the store: the restored one is indexed anew at start.
    let index = config.index_dir();
    if index.exists() {
        std::fs::remove_dir_all(&index)?;
    }
    let moved_aside = move_aside(&db)?;
    std::fs::rename(&copy, &db)?;

    let mut media_objects = 0;
    if let Some(media) = media {
        media_objects = copy_tree(&fs_operator(&media_folder)?, media.operator(), "").await?.0;
    }
    let secret = folder.join(SECRET_FILE);
    if secret.is_file() && config.auth.jwt_secret.is_empty() {
        let here = config.data_dir.join(SECRET_FILE);
        move_aside(&here)?;
        std::fs::copy(&secret, &here)?;
        #[cfg(unix)]
        std::fs::set_permissions(&here, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    }
    Ok(Restored { entries, media_objects, moved_aside })
}
