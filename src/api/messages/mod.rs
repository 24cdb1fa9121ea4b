//! `/api/v1/messages` and `/api/v1/conversations`: private messages between two people,
//! their conversations, read markers, mute and archive; blocks and notification settings
//! live in `blocks`.

pub mod blocks;
pub mod conversations;

use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};

use crate::api::{
    auth::NoContent,
    error::ApiResult,
    json_body::JsonBody,
    media::upload::FileUpload,
    security::{Auth, State},
    tags::ApiTags,
};
use crate::{
    domain::ids::{MediaId, MessageId, UserId},
    dto::{ForumAttachment, messages::PrivateMessage},
    error::AppError,
    service::messages::{self, attachments},
};

/// Message endpoints.
#[derive(Default)]
pub struct MessagesApi;

/// A new message.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct SendMessageRequest {
    /// Who receives it (an active, verified person other than the caller).
    pub recipient_id: String,
    /// The text, 1–5,000 characters after trimming.
    pub text: String,
    /// Files uploaded with `POST /api/v1/messages/attachments` to send with it (≤ 5).
    pub attachment_ids: Option<Vec<String>>,
}

/// Message sent.
#[derive(ApiResponse)]
pub enum MessageSent {
    /// The stored message (its `conversation_id` is the conversation, new or not).
    #[oai(status = 201)]
    Created(Json<PrivateMessage>),
}

/// File stored for a message.
#[derive(ApiResponse)]
pub enum MessageFileStored {
    /// The stored file; pass its id in `attachment_ids` when sending.
    #[oai(status = 201)]
    Created(Json<ForumAttachment>),
}

#[OpenApi(prefix_path = "/api/v1/messages", tag = "ApiTags::Messages")]
impl MessagesApi {
    /// Send a private message
    ///
    /// The first message between two people starts their conversation. 403 `cannot_message`
    /// when the recipient cannot receive messages (pending, deactivated or deleted account,
    /// or one who blocked the caller: the answer does not tell which); 403 `you_blocked` when
    /// the caller blocked them; 404 for an unknown recipient. When the recipient has no open
    /// socket, an email may follow (see `messages` settings).
    #[oai(path = "/", method = "post", operation_id = "sendMessage")]
    async fn send(&self, state: State<'_>, auth: Auth, body: JsonBody<SendMessageRequest>) -> ApiResult<MessageSent> {
        let recipient: UserId =
            body.recipient_id.parse().map_err(|_| AppError::field("recipient_id", "is not a user id"))?;
        let files = body
            .attachment_ids
            .iter()
            .flatten()
            .map(|id| id.parse::<MediaId>().map_err(|_| AppError::field("attachment_ids", "is not a media id")))
            .collect::<Result<Vec<_>, _>>()?;
        let view = messages::send(&state, auth.ctx(), recipient, &body.text, files).await?;
        Ok(MessageSent::Created(Json(view.into())))
    }

    /// Upload a file to send with a message
    ///
    /// One file per request (`file`): images (5 MiB), videos (50 MiB) or PDFs (10 MiB), typed
    /// by content. Only the uploader sees it until a message carries it; one never sent is
    /// deleted after a day.
    #[oai(path = "/attachments", method = "post", operation_id = "uploadMessageAttachment")]
    async fn upload(&self, state: State<'_>, auth: Auth, mut upload: FileUpload) -> ApiResult<MessageFileStored> {
        let m = &state.config.media;
        upload.check_declared_length(m.image_max_bytes.max(m.video_max_bytes).max(m.document_max_bytes))?;
        let file = upload.file(&state).await?;
        let stored = attachments::upload(&state, auth.ctx(), file).await?;
        Ok(MessageFileStored::Created(Json(stored.into())))
    }

    /// Delete one's own message
    ///
    /// Its text and files are removed; a tombstone (`deleted: true`) keeps its place. 403
    /// `not_author` for the other person's message; 404 for anyone outside the conversation.
    #[oai(path = "/:id", method = "delete", operation_id = "deleteMessage")]
    async fn delete(&self, state: State<'_>, auth: Auth, id: Path<MessageId>) -> ApiResult<NoContent> {
        messages::delete(&state, auth.ctx(), id.0).await?;
        Ok(NoContent::NoContent)
    }
}
