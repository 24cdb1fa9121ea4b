//! Where backups go: a local directory or `s3://bucket/prefix` (with the media settings'
//! endpoint and keys), through opendal — files streamed in and out, folders listed by their
//! manifests, and old ones removed.

use std::path::Path;

use futures::TryStreamExt;
use opendal::{ErrorKind, Operator};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::{
    config::Config,
    domain::backup::{BackupManifest, FOLDER_PREFIX, MANIFEST_FILE},
    media::{fs_operator, s3_operator},
};

/// Bytes moved per write while streaming a file.
const CHUNK: usize = 8 << 20;

/// A failure of the target (or of a local file on the way).
pub type TargetResult<T> = Result<T, anyhow::Error>;

/// A backup target.
pub struct Target {
    op: Operator,
    /// A directory target's folder (backups hold password hashes and the token secret: their
    /// folders are made private there).
    local: Option<std::path::PathBuf>,
    /// As configured, for the log.
    pub describe: String,
}

impl Target {
    /// The target named by `target`: `s3://bucket/prefix`, a directory, or (empty) the data
    /// dir's `backups` folder.
    pub fn open(config: &Config, target: &str) -> TargetResult<Self> {
        let target = target.trim();
        if let Some(rest) = target.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            anyhow::ensure!(!bucket.is_empty(), "a backup target s3:// needs a bucket name");
            let root = format!("/{}", prefix.trim_matches('/'));
            let op = s3_operator(&config.media, bucket, &root)?;
            return Ok(Self { op, local: None, describe: target.to_owned() });
        }
        let dir = if target.is_empty() { config.data_dir.join("backups") } else { target.into() };
        Ok(Self { op: fs_operator(&dir)?, describe: dir.display().to_string(), local: Some(dir) })
    }

    /// Whether the target is a local directory.
    pub fn is_local(&self) -> bool {
        self.local.is_some()
    }

    /// Makes the folder `name` ready: in a directory, made with mode 0700, so what goes in it
    /// is its owner's alone whatever the umask.
    pub fn prepare(&self, name: &str) -> TargetResult<()> {
        #[cfg(unix)]
        if let Some(dir) = &self.local {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new().mode(0o700).create(dir.join(name))?;
        }
        Ok(())
    }

    /// The operator (media copies stream through it).
    pub fn operator(&self) -> &Operator {
        &self.op
    }

    /// Streams the local file `from` to `key`; returns its bytes.
    pub async fn upload(&self, from: &Path, key: &str) -> TargetResult<u64> {
        let mut file = tokio::fs::File::open(from).await?;
        let mut writer = self.op.writer(key).await?;
        let mut total = 0u64;
        loop {
            let mut chunk = Vec::with_capacity(CHUNK);
            let n = (&mut file).take(CHUNK as u64).read_to_end(&mut chunk).await?;
            if n == 0 {
                break;
            }
            total += n as u64;
            writer.write(chunk).await?;
        }
        writer.close().await?;
        Ok(total)
    }

    /// Streams `key` into the local file `to` (made new) and syncs it.
    pub async fn download(&self, key: &str, to: &Path) -> TargetResult<()> {
        let mut file = tokio::fs::File::create_new(to).await?;
        let mut stream = self.op.reader(key).await?.into_bytes_stream(..).await?;
        while let Some(bytes) = stream.try_next().await? {
            file.write_all(&bytes).await?;
        }
        file.sync_all().await?;
        Ok(())
    }

    /// Writes a small object whole.
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> TargetResult<()> {
        self.op.write(key, bytes).await?;
        Ok(())
    }

    /// The manifests of the finished backups, newest first, and the names of the folders
    /// without one (unfinished: the process stopped while writing them).
    pub async fn backups(&self) -> TargetResult<(Vec<BackupManifest>, Vec<String>)> {
        let mut finished = Vec::new();
        let mut unfinished = Vec::new();
        for entry in self.op.list("").await? {
            let name = entry.name().trim_end_matches('/').to_owned();
            if !entry.metadata().is_dir() || !name.starts_with(FOLDER_PREFIX) {
                continue;
            }
            match self.op.read(&format!("{name}/{MANIFEST_FILE}")).await {
                Ok(bytes) => match serde_json::from_slice::<BackupManifest>(&bytes.to_vec()) {
                    // A folder renamed or copied under another name is not this backup.
                    Ok(m) if m.name == name => finished.push(m),
                    Ok(m) => {
                        tracing::warn!(folder = %name, manifest = %m.name, "a backup folder whose manifest names another; left alone")
                    }
                    Err(e) => tracing::warn!(backup = %name, error = %e, "unreadable backup manifest; left alone"),
                },
                Err(e) if e.kind() == ErrorKind::NotFound => unfinished.push(name),
                Err(e) => return Err(e.into()),
            }
        }
        finished.sort_by(|a, b| b.name.cmp(&a.name));
        Ok((finished, unfinished))
    }

    /// Removes a backup folder and everything in it.
    pub async fn remove(&self, name: &str) -> TargetResult<()> {
        self.op.delete_with(&format!("{name}/")).recursive(true).await?;
        Ok(())
    }
}

/// The files under `prefix` of `op` and their bytes (a missing prefix holds none).
pub async fn count_objects(op: &Operator, prefix: &str) -> TargetResult<(u64, u64)> {
    let entries = match op.list_with(prefix).recursive(true).await {
        Ok(entries) => entries,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok((0, 0)),
        Err(e) => return Err(e.into()),
    };
    let (mut objects, mut bytes) = (0, 0);
    for entry in entries.iter().filter(|e| e.metadata().is_file()) {
        objects += 1;
        bytes += op.stat(entry.path()).await?.content_length();
    }
    Ok((objects, bytes))
}

/// Copies every file under `from`'s root into `to` under `prefix`, streaming each; returns
/// the files and bytes copied. A file deleted since the listing (media removed meanwhile) is
/// left out.
pub async fn copy_tree(from: &Operator, to: &Operator, prefix: &str) -> TargetResult<(u64, u64)> {
    let (mut objects, mut bytes) = (0, 0);
    for entry in from.list_with("").recursive(true).await? {
        if !entry.metadata().is_file() {
            continue;
        }
        if let Some(copied) = copy_one(from, to, entry.path(), &format!("{prefix}{}", entry.path())).await? {
            objects += 1;
            bytes += copied;
        }
    }
    Ok((objects, bytes))
}

/// Streams `path` of `from` to `dest` of `to`; its bytes, or `None` when it was gone.
async fn copy_one(from: &Operator, to: &Operator, path: &str, dest: &str) -> TargetResult<Option<u64>> {
    let reader = match from.reader(path).await {
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        other => other?,
    };
    let mut stream = match reader.into_bytes_stream(..).await {
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        other => other?,
    };
    let mut writer = to.writer(dest).await?;
    let mut copied = 0;
    loop {
        match stream.try_next().await {
            Ok(Some(chunk)) => {
                copied += chunk.len() as u64;
                writer.write(chunk).await?;
            }
            Ok(None) => break,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                writer.abort().await?;
                return Ok(None);
            }
            Err(e) => return Err(e.into()),
        }
    }
    writer.close().await?;
    Ok(Some(copied))
}
