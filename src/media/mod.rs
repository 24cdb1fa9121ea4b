//! Object storage for media through opendal: a local directory by default, S3 (any
//! S3-compatible endpoint, path-style or virtual-host) when `media_uri` is `s3://bucket`.
//! Only bytes live here; metadata lives in redb (`store::media`).

use std::{
    ops::Range,
    path::{Path, PathBuf},
    time::Duration,
};

use futures::{StreamExt, TryStreamExt};
use opendal::{Operator, Writer, services};

use crate::{
    config::{Config, MediaConfig},
    error::{AppError, ErrorCode, ErrorKind},
};

/// Errors from the object store.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("media backend: {0}")]
    Backend(#[from] opendal::Error),
    #[error("media backend: {0}")]
    Io(#[from] std::io::Error),
}

/// A failing media backend (S3 unreachable, a local folder that cannot be written) is a 503:
/// the request did nothing, and the same request succeeds once the backend is back. The
/// cause goes to the log, not to the client.
impl From<MediaError> for AppError {
    fn from(e: MediaError) -> Self {
        if let MediaError::Backend(b) = &e
            && b.kind() == opendal::ErrorKind::NotFound
        {
            // A record whose object is gone: retrying will not bring it back.
            tracing::error!(error = %e, "a media object is missing");
            return Self::not_found("Media");
        }
        tracing::error!(error = %e, "media backend failed");
        Self::new(ErrorKind::Unavailable, ErrorCode::Unavailable, "Media storage is unavailable; try again shortly")
    }
}

/// Which backend is in use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Fs,
    S3,
}

/// An S3 operator on `bucket`, its keys under `root`, with the media settings' endpoint,
/// region, credentials and addressing style (backups to S3 use them too).
pub fn s3_operator(m: &MediaConfig, bucket: &str, root: &str) -> opendal::Result<Operator> {
    let mut b = services::S3::default()
        .bucket(bucket)
        .root(root)
        .region(&m.s3_region)
        .access_key_id(&m.s3_access_key_id)
        .secret_access_key(&m.s3_secret_access_key)
        .disable_config_load()
        .disable_ec2_metadata();
    if !m.s3_endpoint.is_empty() {
        b = b.endpoint(&m.s3_endpoint);
    }
    if !m.s3_path_style {
        b = b.enable_virtual_host_style();
    }
    Operator::new(b)
}

/// An operator on the local directory `root` (made if missing).
pub fn fs_operator(root: &Path) -> anyhow::Result<Operator> {
    std::fs::create_dir_all(root)?;
    let root = root.canonicalize()?;
    Ok(Operator::new(services::Fs::default().root(&root.to_string_lossy()))?)
}

/// The object store.
#[derive(Clone)]
pub struct MediaStore {
    op: Operator,
    backend: Backend,
    presign: Option<Duration>,
}

impl MediaStore {
    /// Builds the operator chosen by `media_uri`.
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let m = &config.media;
        let uri = config.media_uri.trim();
        let presign = (m.presign_secs > 0).then(|| Duration::from_secs(m.presign_secs));
        if let Some(bucket) = uri.strip_prefix("s3://") {
            let bucket = bucket.trim_end_matches('/');
            anyhow::ensure!(!bucket.is_empty(), "bad value for `media_uri`: s3:// needs a bucket name");
            return Ok(Self { op: s3_operator(m, bucket, "/")?, backend: Backend::S3, presign });
        }
        let root: PathBuf = if uri.is_empty() { config.data_dir.join("media") } else { PathBuf::from(uri) };
        // Presigned URLs make no sense for local files: always serve them ourselves.
        Ok(Self { op: fs_operator(&root)?, backend: Backend::Fs, presign: None })
    }

    /// The operator itself (backups copy the local objects through it).
    pub fn operator(&self) -> &Operator {
        &self.op
    }

    /// The backend kind.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A streaming writer for `key` (the object appears only when the writer closes).
    pub async fn writer(&self, key: &str) -> Result<ObjectWriter, MediaError> {
        Ok(ObjectWriter(Some(self.op.writer(key).await?)))
    }

    /// Streams `range` of `key` without holding it in memory. Its first bytes are read
    /// before this returns, so a backend that is down fails the request (a 503) rather than
    /// its body after a 200.
    pub async fn stream(&self, key: &str, range: Range<u64>) -> Result<poem::Body, MediaError> {
        let mut stream = self.op.reader(key).await?.into_bytes_stream(range).await?;
        let first = stream.try_next().await?;
        Ok(poem::Body::from_bytes_stream(futures::stream::iter(first.map(Ok)).chain(stream)))
    }

    /// Reads a whole object.
    pub async fn read_all(&self, key: &str) -> Result<Vec<u8>, MediaError> {
        Ok(self.op.read(key).await?.to_vec())
    }

    /// Writes a whole (small) object.
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), MediaError> {
        self.op.write(key, bytes).await?;
        Ok(())
    }

    /// Deletes `key` (absent keys are fine: two cleanups of one object may race).
    pub async fn delete(&self, key: &str) -> Result<(), MediaError> {
        match self.op.delete(key).await {
            Err(e) if e.kind() == opendal::ErrorKind::NotFound => Ok(()),
            other => Ok(other?),
        }
    }

    /// A short-lived presigned GET URL, when configured for S3.
    pub async fn presigned_url(&self, key: &str) -> Result<Option<String>, MediaError> {
        match self.presign {
            Some(ttl) => Ok(Some(self.op.presign_read(key, ttl).await?.uri().to_string())),
            None => Ok(None),
        }
    }

    /// Readiness probe: the backend answers.
    pub async fn check(&self) -> Result<(), MediaError> {
        Ok(self.op.check().await?)
    }
}

/// A streaming write of one object. Dropped before `close` or `abort` — the request feeding
/// it was cancelled because its client went away — it aborts in the background, so no
/// partial object or temporary file is left behind.
pub struct ObjectWriter(Option<Writer>);

impl ObjectWriter {
    /// Appends `bytes`.
    pub async fn write(&mut self, bytes: Vec<u8>) -> Result<(), MediaError> {
        match &mut self.0 {
            Some(w) => Ok(w.write(bytes).await?),
            None => Err(opendal::Error::new(opendal::ErrorKind::Unexpected, "write after close").into()),
        }
    }

    /// Completes the object.
    pub async fn close(&mut self) -> Result<(), MediaError> {
        if let Some(mut w) = self.0.take() {
            w.close().await?;
        }
        Ok(())
    }

    /// Abandons the object.
    pub async fn abort(&mut self) -> Result<(), MediaError> {
        if let Some(mut w) = self.0.take() {
            w.abort().await?;
        }
        Ok(())
    }
}

impl Drop for ObjectWriter {
    fn drop(&mut self) {
        if let (Some(mut w), Ok(rt)) = (self.0.take(), tokio::runtime::Handle::try_current()) {
            rt.spawn(async move {
                let _ = w.abort().await;
            });
        }
    }
}
