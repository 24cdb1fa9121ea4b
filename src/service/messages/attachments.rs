//! Files for private messages: uploaded first (one per request, the forum's types and
//! limits), then named by the message that carries them. A file never sent is deleted after
//! `messages.unsent_upload_ttl_secs` by a job queued with the upload.

use tokio::io::AsyncRead;

use crate::{
    domain::{
        ids::MediaId,
        media::{Media, MediaContext},
    },
    error::AppResult,
    jobs::Task,
    service::{
        media::{self, IncomingFile},
        sessions::AuthContext,
    },
    state::AppState,
    store::{jobs as queue, media as media_table},
};

/// Stores a file the caller will attach to a message they have not sent yet.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn upload<R: AsyncRead + Unpin>(
    state: &AppState,
    ctx: AuthContext,
    file: IncomingFile<R>,
) -> AppResult<Media> {
    let stored = media::store_object(state, ctx.user_id, MediaContext::MessageUpload(ctx.user_id), file).await?;
    let ttl_ms = state.config.messages.unsent_upload_ttl_secs as i64 * 1000;
    media::commit(state, stored, move |tx, m| {
        queue::enqueue(tx, &Task::DiscardUnsent { media_id: m.id }.into_job_after(ttl_ms))?;
        Ok((m.clone(), None))
    })
    .await
}

/// Deletes an uploaded file that no message took (a background job; harmless to repeat).
#[tracing::instrument(level = "debug", skip_all, fields(id = %id))]
pub async fn discard_unsent(state: &AppState, id: MediaId) -> anyhow::Result<()> {
    let gone = state
        .store
        .write(move |tx| -> AppResult<_> {
            let unsent = media_table::get(tx, id)?.filter(|m| matches!(m.context, MediaContext::MessageUpload(_)));
            if unsent.is_some() {
                media_table::remove(tx, id)?;
            }
            Ok(unsent)
        })
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    if let Some(m) = gone {
        media::remove_objects(state, &m).await;
    }
    Ok(())
}
