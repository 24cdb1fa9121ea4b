//! `/api/v1/use-cases/{id}/media`: several files per request, ordering, cover, removal.

use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};

use crate::api::{
    auth::NoContent,
    error::{ApiResult, Success, ok},
    json_body::JsonBody,
    media::upload::FilesUpload,
    security::{Auth, State},
    tags::ApiTags,
    use_cases::dto::UseCaseDto,
};
use crate::{
    domain::{
        ids::{MediaId, UseCaseId},
        media::{Media, MediaContext},
    },
    error::AppError,
    service::{sessions::AuthContext, use_cases::media},
    state::AppState,
};

/// Use-case media endpoints.
#[derive(Default)]
pub struct UseCaseMediaApi;

/// Answer to an upload of media.
#[derive(ApiResponse)]
pub enum MediaAdded {
    /// The files were stored and appended; the use case with its media.
    #[oai(status = 201)]
    Created(Json<UseCaseDto>),
}

/// New order and/or cover; omitted parts stay.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct MediaArrangement {
    /// Every media id of the use case, in the new order.
    pub media_ids: Option<Vec<String>>,
    /// The image to use as cover.
    pub cover_id: Option<String>,
}

fn media_id(raw: &str, field: &str) -> Result<MediaId, crate::api::error::ApiError> {
    raw.parse().map_err(|_| crate::error::AppError::field(field, "is not a media id").into())
}

/// Streams every file of an upload into the store for `into`; when any is refused (or none
/// was sent) the ones already stored are removed and nothing is kept.
pub async fn receive(
    state: &AppState,
    ctx: AuthContext,
    into: MediaContext,
    mut upload: FilesUpload,
) -> ApiResult<Vec<Media>> {
    let mut stored = Vec::new();
    loop {
        let next = match upload.next_file(state).await {
            Ok(Some(file)) => media::store_one(state, ctx, into, &stored, file).await.map(Some),
            Ok(None) => Ok(None),
            Err(e) => Err(e),
        };
        match next {
            Ok(Some(m)) => stored.push(m),
            Ok(None) => break,
            Err(e) => {
                media::discard(state, &stored).await;
                return Err(e.into());
            }
        }
    }
    if stored.is_empty() {
        return Err(AppError::field("files", "send at least one file").into());
    }
    Ok(stored)
}

#[OpenApi(prefix_path = "/api/v1/use-cases", tag = "ApiTags::UseCases")]
impl UseCaseMediaApi {
    /// Add photos, videos or documents (author or organization admins)
    ///
    /// `multipart/form-data` with 1–10 parts named `files`: images 5 MiB, videos 50 MiB,
    /// PDFs 10 MiB, typed by content. Appended in order; the first image becomes the cover
    /// when there is none. Nothing is kept if any file is refused. Answers the use case.
    #[oai(path = "/:id/media", method = "post", operation_id = "addUseCaseMedia")]
    async fn add(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<UseCaseId>,
        upload: FilesUpload,
    ) -> ApiResult<MediaAdded> {
        media::authorize(&state, auth.ctx(), id.0).await?;
        let stored = receive(&state, auth.ctx(), MediaContext::UseCase(id.0), upload).await?;
        Ok(MediaAdded::Created(Json(media::attach(&state, auth.ctx(), id.0, stored).await?.into())))
    }

    /// Reorder the media and/or choose the cover
    #[oai(path = "/:id/media", method = "put", operation_id = "arrangeUseCaseMedia")]
    async fn arrange(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<UseCaseId>,
        body: JsonBody<MediaArrangement>,
    ) -> ApiResult<Success<UseCaseDto>> {
        let order = match &body.media_ids {
            Some(ids) => Some(ids.iter().map(|m| media_id(m, "media_ids")).collect::<Result<Vec<_>, _>>()?),
            None => None,
        };
        let cover = body.cover_id.as_deref().map(|c| media_id(c, "cover_id")).transpose()?;
        ok(media::arrange(&state, auth.ctx(), id.0, order, cover).await?.into())
    }

    /// Remove one medium
    #[oai(path = "/:id/media/:media_id", method = "delete", operation_id = "deleteUseCaseMedia")]
    async fn remove(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<UseCaseId>,
        media_id: Path<MediaId>,
    ) -> ApiResult<NoContent> {
        media::remove(&state, auth.ctx(), id.0, media_id.0).await?;
        Ok(NoContent::NoContent)
    }
}
