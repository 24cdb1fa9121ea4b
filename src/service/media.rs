//! Media uploads and downloads: streamed into the object store with limits enforced while
//! reading, the type taken from the bytes, metadata in redb, and no orphans either way.

use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt};

use super::{now, sessions::AuthContext};
use crate::error::ErrorCode;
use crate::{
    domain::{
        ids::{MediaId, UserId},
        media::{Media, MediaContext, MediaKind, MediaType, SNIFF_LEN, extension, sanitize_filename},
    },
    error::{AppError, AppResult, ErrorKind, OptionExt},
    jobs::Task,
    state::AppState,
    store::{jobs as queue, media as table},
};

const CHUNK: usize = 64 * 1024;
/// Bytes kept to read image dimensions from the header.
const HEADER_KEEP: usize = 256 * 1024;

/// One uploaded file as it arrives.
pub struct IncomingFile<R> {
    pub filename: Option<String>,
    pub declared_type: Option<String>,
    pub body: R,
    /// One of `AppState::uploads`, held while the body is read.
    pub permit: Option<tokio::sync::OwnedSemaphorePermit>,
}

fn unsupported(message: impl Into<String>) -> AppError {
    AppError::new(ErrorKind::UnsupportedMediaType, ErrorCode::UnsupportedMediaType, message)
}

/// The size limit for a type.
pub fn limit_for(state: &AppState, t: MediaType) -> u64 {
    let m = &state.config.media;
    match t.kind() {
        MediaKind::Image => m.image_max_bytes,
        MediaKind::Video => m.video_max_bytes,
        MediaKind::Document => m.document_max_bytes,
    }
}

/// Checks the first bytes, the declared type and the name against `context`.
fn identify(
    context: MediaContext,
    head: &[u8],
    declared: Option<&str>,
    filename: Option<&str>,
) -> AppResult<MediaType> {
    if head.is_empty() {
        return Err(AppError::field("file", "is empty"));
    }
    let t = MediaType::sniff(head)
        .ok_or_else(|| unsupported("This file type is not accepted (allowed: JPEG, PNG, WebP, GIF, MP4, WebM, PDF)"))?;
    if !context.accepts(t) {
        return Err(unsupported(format!("{} files are not accepted here", t.mime())));
    }
    let declared = declared.map(|d| d.split(';').next().unwrap_or_default().trim().to_lowercase());
    if let Some(d) = declared.filter(|d| !d.is_empty() && d != "application/octet-stream") {
        let alias = d == "image/jpg" && t == MediaType::Jpeg;
        if d != t.mime() && !alias {
            return Err(unsupported("The file's content does not match its declared type"));
        }
    }
    if let Some(ext) = filename.and_then(extension)
        && !t.extensions().contains(&ext.as_str())
    {
        return Err(unsupported("The file's extension does not match its content"));
    }
    Ok(t)
}

/// Streams `file` into the object store under a new id. Nothing is kept on failure.
#[tracing::instrument(level = "debug", skip_all, fields(owner = %owner))]
pub async fn store_object<R: AsyncRead + Unpin>(
    state: &AppState,
    owner: UserId,
    context: MediaContext,
    mut file: IncomingFile<R>,
) -> AppResult<Media> {
    let mut head = Vec::with_capacity(CHUNK);
    let mut buf = vec![0u8; CHUNK];
    while head.len() < SNIFF_LEN {
        let n = file.body.read(&mut buf).await.map_err(read_error)?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let t = identify(context, &head, file.declared_type.as_deref(), file.filename.as_deref())?;
    let limit = limit_for(state, t);
    let id = MediaId::new();
    let key = format!("media/{id}");
    let mut writer = state.media.writer(&key).await?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut kept = Vec::new();
    let mut pending = head;
    let outcome: AppResult<()> = async {
        loop {
            if !pending.is_empty() {
                size += pending.len() as u64;
                if size > limit {
                    return Err(AppError::new(
                        ErrorKind::PayloadTooLarge,
                        ErrorCode::PayloadTooLarge,
                        format!("The file exceeds {limit} bytes"),
                    ));
                }
                hasher.update(&pending);
                if kept.len() < HEADER_KEEP {
                    kept.extend_from_slice(&pending[..pending.len().min(HEADER_KEEP - kept.len())]);
                }
                writer.write(std::mem::take(&mut pending)).await?;
            }
            let n = file.body.read(&mut buf).await.map_err(read_error)?;
            if n == 0 {
                return Ok(());
            }
            pending = buf[..n].to_vec();
        }
    }
    .await;
    let outcome = match outcome {
        Ok(()) => writer.close().await.map(drop).map_err(AppError::from),
        Err(e) => Err(e),
    };
    let dims = if t.kind() == MediaKind::Image { imagesize::blob_size(&kept).ok() } else { None };
    let too_many_pixels =
        dims.is_some_and(|d| (d.width as u64) * (d.height as u64) > state.config.media.max_image_pixels);
    let outcome = match outcome {
        Ok(()) if too_many_pixels => Err(AppError::field("file", "the image has too many pixels")),
        Ok(()) if t.kind() == MediaKind::Image && dims.is_none() => Err(unsupported("The image header cannot be read")),
        other => other,
    };
    if let Err(e) = outcome {
        let _ = writer.abort().await;
        // A partial object may exist on some backends; make sure nothing is left behind.
        if let Err(del) = state.media.delete(&key).await {
            tracing::warn!(error = %del, "cannot remove a failed upload");
        }
        return Err(e);
    }
    Ok(Media {
        id,
        owner,
        context,
        media_type: t,
        size,
        sha256: hex::encode(hasher.finalize()),
        width: dims.map(|d| d.width as u32),
        height: dims.map(|d| d.height as u32),
        filename: sanitize_filename(file.filename.as_deref().unwrap_or_default(), t),
        created_at: now(),
        has_thumbnail: false,
    })
}

fn read_error(e: std::io::Error) -> AppError {
    AppError::new(ErrorKind::BadRequest, ErrorCode::BadRequest, format!("The upload could not be read: {e}"))
}

/// Writes the record of a stored object and attaches it with `attach` in one transaction;
/// if that fails, the object is deleted. Returns what `attach` returned. Images get a
/// thumbnail job. Replaced media (returned by `attach`) are removed after the commit.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn commit<T: Send + 'static>(
    state: &AppState,
    media: Media,
    attach: impl FnOnce(&crate::store::Tx, &Media) -> AppResult<(T, Option<MediaId>)> + Send + 'static,
) -> AppResult<T> {
    let key = media.key();
    let record = media.clone();
    let result = state
        .store
        .write(move |tx| -> AppResult<_> {
            table::put(tx, &record)?;
            let (out, replaced) = attach(tx, &record)?;
            if record.media_type.kind() == MediaKind::Image {
                queue::enqueue(tx, &Task::Thumbnail { media_id: record.id }.into_job())?;
            }
            let old = match replaced {
                Some(old) => {
                    let found = table::get(tx, old)?;
                    table::remove(tx, old)?;
                    found
                }
                None => None,
            };
            Ok((out, old))
        })
        .await;
    match result {
        Ok((out, old)) => {
            state.jobs.wake();
            if let Some(old) = old {
                remove_objects(state, &old).await;
            }
            Ok(out)
        }
        Err(e) => {
            if let Err(del) = state.media.delete(&key).await {
                tracing::warn!(error = %del, "cannot remove an object whose record failed");
            }
            Err(e)
        }
    }
}

/// Deletes a media record (in the caller's transaction) — the objects go after commit.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn remove_objects(state: &AppState, m: &Media) {
    for key in [m.key(), m.thumbnail_key()] {
        if let Err(e) = state.media.delete(&key).await {
            tracing::warn!(media = %m.id, error = %e, "cannot delete a media object");
        }
    }
}

/// A media record the caller may see: public content's files to any signed-in user; a
/// private message's files to its two people only, and a file uploaded for a message not
/// sent yet to its uploader only (404 to everyone else, as for anything they may not see).
#[tracing::instrument(level = "debug", skip_all, fields(id = %id))]
pub async fn visible(state: &AppState, ctx: AuthContext, id: MediaId) -> AppResult<Media> {
    let user = ctx.user_id;
    state
        .store
        .read(move |tx| -> AppResult<_> {
            let m = table::get(tx, id)?.or_not_found("Media")?;
            let may = match m.context {
                MediaContext::MessageUpload(owner) => owner == user,
                MediaContext::Message(message) => {
                    super::messages::conversations::may_see_attachment(tx, message, user)?
                }
                _ => true,
            };
            if may { Ok(m) } else { Err(AppError::not_found("Media")) }
        })
        .await
}

/// Makes the thumbnail of an image (a background job).
#[tracing::instrument(level = "debug", skip_all, fields(id = %id))]
pub async fn make_thumbnail(state: &AppState, id: MediaId) -> anyhow::Result<()> {
    let Some(m) = state.store.read(move |tx| table::get(tx, id)).await? else {
        return Ok(()); // deleted meanwhile
    };
    let bytes = state.media.read_all(&m.key()).await?;
    let size = state.config.media.thumbnail_size;
    let max_pixels = state.config.media.max_image_pixels;
    // Decoded in bounded memory: a full decode of a large image costs ~4 bytes a pixel.
    let png = tokio::task::spawn_blocking(move || super::thumbnail::png_thumbnail(&bytes, size, max_pixels)).await??;
    state.media.put(&m.thumbnail_key(), png).await?;
    let done = state
        .store
        .write(move |tx| match table::get(tx, id)? {
            Some(mut m) => {
                m.has_thumbnail = true;
                table::put(tx, &m).map(|()| true)
            }
            None => Ok(false),
        })
        .await?;
    if !done {
        state.media.delete(&m.thumbnail_key()).await?;
    }
    Ok(())
}
