//! `/api/v1/forum` attachments: files on topics and replies (≤ 5 each).

use poem_openapi::{ApiResponse, OpenApi, param::Path, payload::Json};

use crate::api::{
    auth::NoContent,
    error::ApiResult,
    media::upload::FileUpload,
    security::{Auth, State},
    tags::ApiTags,
};
use crate::{
    domain::ids::{MediaId, ReplyId, TopicId},
    dto::ForumAttachment,
    service::forum::attachments,
};

/// Forum attachment endpoints.
#[derive(Default)]
pub struct ForumAttachmentsApi;

/// Attachment stored.
#[derive(ApiResponse)]
pub enum AttachmentCreated {
    /// The stored file.
    #[oai(status = 201)]
    Created(Json<ForumAttachment>),
}

fn largest(state: &crate::state::AppState) -> u64 {
    let m = &state.config.media;
    m.image_max_bytes.max(m.video_max_bytes).max(m.document_max_bytes)
}

#[OpenApi(prefix_path = "/api/v1/forum", tag = "ApiTags::Forum")]
impl ForumAttachmentsApi {
    /// Attach a file to a topic (its author)
    ///
    /// Images (5 MiB), videos (50 MiB) or PDFs (10 MiB), typed by content; at most 5 per topic.
    #[oai(path = "/topics/:id/attachments", method = "post", operation_id = "attachToTopic")]
    async fn to_topic(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<TopicId>,
        mut upload: FileUpload,
    ) -> ApiResult<AttachmentCreated> {
        upload.check_declared_length(largest(&state))?;
        let file = upload.file(&state).await?;
        let m = attachments::to_topic(&state, auth.ctx(), id.0, file).await?;
        Ok(AttachmentCreated::Created(Json(m.into())))
    }

    /// Attach a file to a reply (its author)
    #[oai(path = "/replies/:id/attachments", method = "post", operation_id = "attachToReply")]
    async fn to_reply(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<ReplyId>,
        mut upload: FileUpload,
    ) -> ApiResult<AttachmentCreated> {
        upload.check_declared_length(largest(&state))?;
        let file = upload.file(&state).await?;
        let m = attachments::to_reply(&state, auth.ctx(), id.0, file).await?;
        Ok(AttachmentCreated::Created(Json(m.into())))
    }

    /// Remove an attachment (the post's author or a moderator)
    #[oai(path = "/attachments/:id", method = "delete", operation_id = "deleteAttachment")]
    async fn remove(&self, state: State<'_>, auth: Auth, id: Path<MediaId>) -> ApiResult<NoContent> {
        attachments::remove(&state, auth.ctx(), id.0).await?;
        Ok(NoContent::NoContent)
    }
}
