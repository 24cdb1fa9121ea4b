//! Media: organization logo uploads, and `GET /media/{id}` with `ETag`, `Range`, caching and
//! safe headers (or a short-lived presigned redirect on S3).

pub mod serve;
pub mod upload;

use poem::Request;
use poem_openapi::{
    OpenApi,
    param::{Path, Query},
};

use crate::api::{
    dto::OrganizationSummary,
    error::{ApiResult, Success, ok},
    security::{Auth, State},
    tags::ApiTags,
};
use crate::{
    domain::ids::MediaId,
    error::AppError,
    service::{images, media},
};
use serve::MediaContent;
use upload::FileUpload;

/// Media endpoints.
#[derive(Default)]
pub struct MediaApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Media")]
impl MediaApi {
    /// Upload or replace the organization's logo (admins)
    #[oai(path = "/organizations/me/logo", method = "put", operation_id = "uploadLogo")]
    async fn put_logo(
        &self,
        state: State<'_>,
        auth: Auth,
        mut upload: FileUpload,
    ) -> ApiResult<Success<OrganizationSummary>> {
        upload.check_declared_length(state.config.media.image_max_bytes)?;
        let file = upload.file(&state).await?;
        ok(images::set_logo(&state, auth.ctx(), file).await?.into())
    }

    /// Remove the organization's logo (admins)
    #[oai(path = "/organizations/me/logo", method = "delete", operation_id = "deleteLogo")]
    async fn delete_logo(&self, state: State<'_>, auth: Auth) -> ApiResult<Success<OrganizationSummary>> {
        ok(images::remove_logo(&state, auth.ctx()).await?.into())
    }

    /// Download a media file
    ///
    /// Visible to whoever may see what it belongs to. Supports `If-None-Match` and single
    /// `Range` requests; served with `Content-Security-Policy: sandbox` and `nosniff`.
    #[oai(path = "/media/:id", method = "get", operation_id = "getMedia")]
    async fn get(
        &self,
        state: State<'_>,
        auth: Auth,
        req: &Request,
        id: Path<MediaId>,
        thumbnail: Query<Option<bool>>,
    ) -> ApiResult<MediaContent> {
        let m = media::visible(&state, auth.ctx(), id.0).await?;
        let thumb = thumbnail.0.unwrap_or(false);
        if thumb && !m.has_thumbnail {
            return Err(AppError::not_found("Thumbnail").into());
        }
        Ok(MediaContent(serve::respond(&state, req, &m, thumb).await?))
    }
}
