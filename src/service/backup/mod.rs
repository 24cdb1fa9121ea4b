//! Backups (SPEC §12): a consistent online snapshot of the store (one read transaction copied
//! into a new redb file while writes go on), the local media and the generated token secret,
//! written to a folder of the target through opendal, checked after writing — the copy is
//! read back, its checksum compared, opened and every table counted; the media listed and
//! counted — and only then given its manifest. Older backups beyond `backup.keep` and
//! unfinished folders are removed. One backup runs at a time: on the schedule
//! (`backup.interval_secs`), on a platform admin's request, or from `p2p-sandbox backup`
//! (through the running server's socket, `control`, or on the store itself when none runs).
//! `restore` (in `restore`) brings one back with the server stopped.

#[cfg(unix)]
pub mod control;
pub mod restore;
pub mod target;

use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use anyhow::Context;
use sha2::{Digest, Sha256};
use tokio::sync::watch;

use self::target::{Target, copy_tree, count_objects};
use crate::{
    domain::{
        authz,
        backup::{BackupManifest, MANIFEST_FILE, MANIFEST_FORMAT, MEDIA_DIR, SECRET_FILE, STORE_FILE, folder_name},
        now_ms,
    },
    error::{AppError, AppResult, ErrorCode},
    media::Backend,
    service::{caller, denied, sessions::AuthContext},
    state::AppState,
    store::backup::summarize,
};

/// The one backup that may run, and how the last one ended (`AppState::local`).
#[derive(Default)]
pub struct Backups {
    running: std::sync::Arc<tokio::sync::Mutex<()>>,
    last_error: std::sync::Mutex<Option<(i64, String)>>,
}

/// The target's finished backups, newest first, with whether one is running now and the
/// last failure (time, reason) if the last run failed.
#[derive(Debug)]
pub struct BackupList {
    pub backups: Vec<BackupManifest>,
    pub running: bool,
    pub last_error: Option<(i64, String)>,
}

/// SHA-256 (hex) and length of a local file (what a manifest records of the store).
fn sha256_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let n = std::io::copy(&mut std::fs::File::open(path)?, &mut hasher)?;
    Ok((hex::encode(hasher.finalize()), n))
}

/// `sha256_file` on a blocking thread.
async fn digest(path: PathBuf) -> anyhow::Result<(String, u64)> {
    Ok(tokio::task::spawn_blocking(move || sha256_file(&path)).await??)
}

/// The suffix of a snapshot being written in the data dir before it goes to the target.
const SCRATCH: &str = ".redb.partial";

/// Removes snapshots left in the data dir by a backup the process did not finish (one runs
/// at a time, so none is being written now).
async fn sweep_scratch(data_dir: &Path) {
    let Ok(mut entries) = tokio::fs::read_dir(data_dir).await else { return };
    while let Ok(Some(entry)) = entries.next_entry().await {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(crate::domain::backup::FOLDER_PREFIX) && name.ends_with(SCRATCH) {
            discard(&entry.path()).await;
        }
    }
}

/// Refuses to start a backup that would fill the disk under the store: its snapshot is
/// written beside the store first (and, into a directory on the same disk, once more).
fn room_for_a_copy(state: &AppState, target: &Target) -> anyhow::Result<()> {
    let space = state.store.space();
    let store = std::fs::metadata(state.config.db_path()).map_or(0, |m| m.len());
    let copies = if target.is_local() { 2 } else { 1 };
    let need = store.saturating_mul(copies).saturating_add(space.reserve());
    let room = space.headroom();
    anyhow::ensure!(room >= need, "not enough free space for a backup: {room} bytes left, it needs {need}");
    Ok(())
}

/// Removes a local scratch file if it is there.
async fn discard(path: &Path) {
    if let Err(e) = tokio::fs::remove_file(path).await
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(path = %path.display(), error = %e, "could not remove a backup scratch file");
    }
}

/// Takes one backup into `target` now (the caller holds the `running` lock, or is the CLI
/// with the server stopped); returns its manifest.
pub async fn take(state: &AppState, target: &Target) -> anyhow::Result<BackupManifest> {
    let (started, at) = (Instant::now(), now_ms());
    let name = folder_name(at);
    sweep_scratch(&state.config.data_dir).await;
    room_for_a_copy(state, target)?;
    let scratch = state.config.data_dir.join(format!("{name}{SCRATCH}"));
    target.prepare(&name)?;
    let result = write_and_check(state, target, &name, at, &scratch).await;
    discard(&scratch).await;
    let mut manifest = match result {
        Ok(m) => m,
        Err(e) => {
            // A failed backup's folder holds a whole copy of the store: not kept until the next.
            if let Err(removed) = target.remove(&name).await {
                tracing::warn!(backup = %name, error = %removed, "could not remove a failed backup");
            }
            return Err(e);
        }
    };
    manifest.duration_ms = started.elapsed().as_millis() as u64;
    target.put(&format!("{name}/{MANIFEST_FILE}"), serde_json::to_vec_pretty(&manifest)?).await?;
    tracing::info!(
        backup = %name,
        target = %target.describe,
        entries = manifest.entries(),
        store_bytes = manifest.store_bytes,
        media_objects = manifest.media_objects,
        elapsed_ms = manifest.duration_ms,
        "backup written and checked"
    );
    prune(target, state.config.backup.keep).await?;
    Ok(manifest)
}

async fn write_and_check(
    state: &AppState,
    target: &Target,
    name: &str,
    at: i64,
    scratch: &Path,
) -> anyhow::Result<BackupManifest> {
    discard(scratch).await;
    let (store, path) = (state.store.clone(), scratch.to_path_buf());
    let tables = tokio::task::spawn_blocking(move || store.snapshot_into(&path)).await?.context("store snapshot")?;
    let (store_sha256, store_bytes) = digest(scratch.to_path_buf()).await?;
    target.upload(scratch, &format!("{name}/{STORE_FILE}")).await.context("uploading the store snapshot")?;
    discard(scratch).await;
    let (media_objects, media_bytes) = match state.media.backend() {
        Backend::Fs => copy_tree(state.media.operator(), target.operator(), &format!("{name}/{MEDIA_DIR}"))
            .await
            .context("copying the media")?,
        // Objects on S3 are the bucket's to keep (its versioning or replication).
        Backend::S3 => (0, 0),
    };
    let secret = state.config.data_dir.join(SECRET_FILE);
    let has_secret = state.config.auth.jwt_secret.is_empty() && secret.exists();
    if has_secret {
        target.put(&format!("{name}/{SECRET_FILE}"), tokio::fs::read(&secret).await?).await?;
    }

    // Read everything back before the manifest says it is there.
    target.download(&format!("{name}/{STORE_FILE}"), scratch).await.context("reading the snapshot back")?;
    let (sha, _) = digest(scratch.to_path_buf()).await?;
    anyhow::ensure!(sha == store_sha256, "the snapshot read back differs from the one written");
    let path = scratch.to_path_buf();
    let copy = tokio::task::spawn_blocking(move || summarize(&path)).await?.context("opening the snapshot")?;
    anyhow::ensure!(copy.tables == tables, "the snapshot's tables do not hold what was copied");
    let stored = count_objects(target.operator(), &format!("{name}/{MEDIA_DIR}")).await?;
    anyhow::ensure!(stored == (media_objects, media_bytes), "the media copied do not add up: {stored:?}");
    Ok(BackupManifest {
        format: MANIFEST_FORMAT,
        name: name.to_owned(),
        created_at: at,
        app_version: env!("CARGO_PKG_VERSION").to_owned(),
        schema_version: copy.schema_version,
        tables,
        store_bytes,
        store_sha256,
        media_objects,
        media_bytes,
        has_secret,
        duration_ms: 0,
    })
}

/// Removes finished backups beyond the newest `keep`, and unfinished folders older than the
/// newest finished one (a newer one may be another process's, being written).
async fn prune(target: &Target, keep: usize) -> anyhow::Result<()> {
    let (finished, unfinished) = target.backups().await?;
    let newest = finished.first().map(|m| m.name.clone()).unwrap_or_default();
    let stale = unfinished.iter().filter(|name| **name < newest);
    for name in finished.iter().skip(keep.max(1)).map(|m| &m.name).chain(stale) {
        target.remove(name).await?;
        tracing::info!(backup = %name, "old or unfinished backup removed");
    }
    Ok(())
}

/// Takes a backup into `to` (empty: `backup.target`; the caller holds `running`); records
/// a failure for the listing.
async fn take_recorded(state: &AppState, backups: &Backups, to: &str) -> anyhow::Result<BackupManifest> {
    let to = if to.trim().is_empty() { state.config.backup.target.as_str() } else { to };
    let result = match Target::open(&state.config, to) {
        Ok(target) => take(state, &target).await,
        Err(e) => Err(e),
    };
    if let Ok(mut last) = backups.last_error.lock() {
        *last = result.as_ref().err().map(|e| (now_ms(), format!("{e:#}")));
    }
    if let Err(e) = &result {
        tracing::error!(error = %format!("{e:#}"), "backup failed");
    }
    result
}

/// Takes a backup into `to` (empty: `backup.target`) now, unless one is running.
pub async fn take_to(state: &AppState, to: &str) -> anyhow::Result<BackupManifest> {
    let backups = state.local::<Backups>();
    let Ok(_turn) = backups.running.clone().try_lock_owned() else {
        anyhow::bail!("a backup is running; try again when it is done");
    };
    take_recorded(state, &backups, to).await
}

/// The configured target's backups (platform admins).
pub async fn list(state: &AppState, ctx: AuthContext) -> AppResult<BackupList> {
    authz::platform_admin(&caller(state, ctx).await?).map_err(denied)?;
    let backups = state.local::<Backups>();
    let target = Target::open(&state.config, &state.config.backup.target).map_err(AppError::internal)?;
    let (finished, _) = target.backups().await.map_err(AppError::internal)?;
    let last_error = backups.last_error.lock().ok().and_then(|l| l.clone());
    Ok(BackupList { backups: finished, running: backups.running.try_lock().is_err(), last_error })
}

/// Starts a backup in the background (platform admins); 409 while one runs.
pub async fn start(state: &AppState, ctx: AuthContext) -> AppResult<()> {
    authz::platform_admin(&caller(state, ctx).await?).map_err(denied)?;
    let backups = state.local::<Backups>();
    // Held from here until the backup is done, so a second request meanwhile is refused.
    let Ok(turn) = backups.running.clone().try_lock_owned() else {
        return Err(AppError::conflict(ErrorCode::BackupRunning, "A backup is running; try again when it is done"));
    };
    let state = state.clone();
    tokio::spawn(async move {
        let _turn = turn;
        let _ = take_recorded(&state, &backups, "").await;
    });
    Ok(())
}

/// Takes a backup every `backup.interval_secs` (when not 0) until `stop`: the first when
/// the newest one in the target is that old (at once if it is older), a failed one again
/// after a tenth of the interval.
pub async fn schedule(state: AppState, mut stop: watch::Receiver<bool>) {
    let every = Duration::from_secs(state.config.backup.interval_secs);
    if every.is_zero() {
        return;
    }
    let backups = state.local::<Backups>();
    let newest = match Target::open(&state.config, &state.config.backup.target) {
        Ok(target) => target.backups().await.ok().and_then(|(b, _)| b.first().map(|m| m.created_at)),
        Err(_) => None,
    };
    let age = newest.map(|at| Duration::from_millis(now_ms().saturating_sub(at).max(0) as u64));
    let mut wait = age.map_or(every, |age| every.saturating_sub(age));
    loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => return,
        }
        wait = match backups.running.clone().try_lock_owned() {
            Ok(_turn) => match take_recorded(&state, &backups, "").await {
                Ok(_) => every,
                Err(_) => every / 10,
            },
            // One asked for by an admin is running: it counts as this one.
            Err(_) => every,
        };
    }
}
