//! Media: avatar and logo uploads, and `GET /media/{id}` with `ETag`, `Range`, caching and
//! safe headers (or a short-lived presigned redirect on S3).

use poem::{
    IntoResponse, Request, Response,
    http::{HeaderValue, StatusCode, header},
};
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    registry::{
        MetaHeader, MetaMediaType, MetaResponse, MetaResponses, MetaSchema, MetaSchemaRef, Registry,
    },
};

use super::{
    dto::{Me, OrganizationSummary},
    error::{ApiResult, Success, ok},
    orgs::path_id,
    security::{Auth, State},
    tags::ApiTags,
    upload::FileUpload,
};
use crate::{
    domain::ids::MediaId,
    error::AppError,
    service::{images, media},
};

/// Media endpoints.
pub struct MediaApi;

/// A media file, a part of it, "not modified", or a redirect to the object store.
pub struct MediaContent(Response);

impl IntoResponse for MediaContent {
    fn into_response(self) -> Response {
        self.0
    }
}

fn header(name: &str, description: &str) -> MetaHeader {
    MetaHeader {
        name: name.into(),
        description: Some(description.into()),
        required: false,
        deprecated: false,
        schema: MetaSchemaRef::Inline(Box::new(MetaSchema::new("string"))),
    }
}

impl ApiResponse for MediaContent {
    fn meta() -> MetaResponses {
        let binary = || {
            vec![MetaMediaType {
                content_type: "application/octet-stream",
                schema: MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format(
                    "string", "binary",
                ))),
            }]
        };
        let common = || {
            vec![
                header("ETag", "SHA-256 of the content"),
                header("Cache-Control", "Caching policy"),
                header("Content-Disposition", "inline, with a sanitized file name"),
            ]
        };
        let resp = |status, description, content, headers| MetaResponse {
            description,
            status: Some(status),
            status_range: None,
            content,
            headers,
        };
        MetaResponses {
            responses: vec![
                resp(
                    200,
                    "The whole file, with its real content type",
                    binary(),
                    common(),
                ),
                resp(
                    206,
                    "The requested byte range",
                    binary(),
                    vec![header("Content-Range", "bytes start-end/size")],
                ),
                resp(
                    304,
                    "Not modified (the `If-None-Match` ETag matches)",
                    vec![],
                    vec![header("ETag", "SHA-256 of the content")],
                ),
                resp(
                    307,
                    "Redirect to a short-lived presigned URL (S3 with `presign_secs`)",
                    vec![],
                    vec![header("Location", "Presigned URL")],
                ),
                resp(
                    416,
                    "The range cannot be satisfied",
                    vec![],
                    vec![header("Content-Range", "bytes */size")],
                ),
            ],
        }
    }

    fn register(_registry: &mut Registry) {}
}

/// Parses a single `bytes=a-b`, `bytes=a-` or `bytes=-n` range.
fn parse_range(raw: &str, size: u64) -> Option<Result<std::ops::Range<u64>, ()>> {
    let spec = raw.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None; // multiple ranges: serve the whole file
    }
    let (a, b) = spec.split_once('-')?;
    let range = match (a.trim(), b.trim()) {
        ("", n) => {
            let n: u64 = n.parse().ok()?;
            size.saturating_sub(n)..size
        }
        (a, "") => a.parse().ok()?..size,
        (a, b) => a.parse().ok()?..b.parse::<u64>().ok()?.saturating_add(1).min(size),
    };
    Some(if range.start < range.end && range.start < size {
        Ok(range)
    } else {
        Err(())
    })
}

fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"._-".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("inline; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Media")]
impl MediaApi {
    /// Upload or replace the signed-in user's avatar
    ///
    /// JPEG, PNG or WebP up to the image limit (5 MiB by default); the type is taken from the
    /// bytes. A thumbnail is made in the background.
    #[oai(
        path = "/users/me/avatar",
        method = "put",
        operation_id = "uploadAvatar"
    )]
    async fn put_avatar(
        &self,
        state: State<'_>,
        auth: Auth,
        mut upload: FileUpload,
    ) -> ApiResult<Success<Me>> {
        upload.check_declared_length(state.config.media.image_max_bytes)?;
        let file = upload.file().await?;
        let (user, org) = images::set_avatar(&state, auth.ctx(), file).await?;
        ok(Me {
            user: user.into(),
            organization: org.map(Into::into),
        })
    }

    /// Remove the signed-in user's avatar
    #[oai(
        path = "/users/me/avatar",
        method = "delete",
        operation_id = "deleteAvatar"
    )]
    async fn delete_avatar(&self, state: State<'_>, auth: Auth) -> ApiResult<Success<Me>> {
        let (user, org) = images::remove_avatar(&state, auth.ctx()).await?;
        ok(Me {
            user: user.into(),
            organization: org.map(Into::into),
        })
    }

    /// Upload or replace the organization's logo (admins)
    #[oai(
        path = "/organizations/me/logo",
        method = "put",
        operation_id = "uploadLogo"
    )]
    async fn put_logo(
        &self,
        state: State<'_>,
        auth: Auth,
        mut upload: FileUpload,
    ) -> ApiResult<Success<OrganizationSummary>> {
        upload.check_declared_length(state.config.media.image_max_bytes)?;
        let file = upload.file().await?;
        ok(images::set_logo(&state, auth.ctx(), file).await?.into())
    }

    /// Remove the organization's logo (admins)
    #[oai(
        path = "/organizations/me/logo",
        method = "delete",
        operation_id = "deleteLogo"
    )]
    async fn delete_logo(
        &self,
        state: State<'_>,
        auth: Auth,
    ) -> ApiResult<Success<OrganizationSummary>> {
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
        id: Path<String>,
        thumbnail: Query<Option<bool>>,
    ) -> ApiResult<MediaContent> {
        let id: MediaId = path_id(&id.0, "Media")?;
        let m = media::visible(&state, auth.ctx(), id).await?;
        let thumb = thumbnail.0.unwrap_or(false);
        if thumb && !m.has_thumbnail {
            return Err(AppError::not_found("Thumbnail").into());
        }
        let key = if thumb { m.thumbnail_key() } else { m.key() };
        if let Some(url) = state
            .media
            .presigned_url(&key)
            .await
            .map_err(AppError::internal)?
        {
            let resp = Response::builder()
                .status(StatusCode::TEMPORARY_REDIRECT)
                .header(header::LOCATION, url)
                .header(header::CACHE_CONTROL, "no-store")
                .finish();
            return Ok(MediaContent(resp));
        }
        let etag = if thumb {
            format!("\"{}-thumb\"", m.sha256)
        } else {
            format!("\"{}\"", m.sha256)
        };
        let base = |status: StatusCode| {
            Response::builder()
                .status(status)
                .header(header::ETAG, etag.as_str())
                .header(
                    header::CACHE_CONTROL,
                    "private, max-age=31536000, immutable",
                )
                .header("content-security-policy", "sandbox")
                .header(header::ACCEPT_RANGES, "bytes")
        };
        if req
            .header(header::IF_NONE_MATCH)
            .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
        {
            return Ok(MediaContent(base(StatusCode::NOT_MODIFIED).finish()));
        }
        if thumb {
            let bytes = state
                .media
                .read_all(&key)
                .await
                .map_err(AppError::internal)?;
            return Ok(MediaContent(
                base(StatusCode::OK)
                    .header(header::CONTENT_TYPE, "image/png")
                    .body(bytes),
            ));
        }
        let (mime, size) = (m.media_type.mime(), m.size);
        let disposition = content_disposition(&m.filename);
        match req.header(header::RANGE).and_then(|r| parse_range(r, size)) {
            Some(Err(())) => Ok(MediaContent(
                Response::builder()
                    .status(StatusCode::RANGE_NOT_SATISFIABLE)
                    .header(header::CONTENT_RANGE, format!("bytes */{size}"))
                    .finish(),
            )),
            Some(Ok(range)) => {
                let bytes = state
                    .media
                    .stream(&key, range.clone())
                    .await
                    .map_err(AppError::internal)?;
                let resp = base(StatusCode::PARTIAL_CONTENT)
                    .header(header::CONTENT_TYPE, mime)
                    .header(header::CONTENT_DISPOSITION, disposition)
                    .header(
                        header::CONTENT_RANGE,
                        format!("bytes {}-{}/{size}", range.start, range.end - 1),
                    )
                    .body(bytes);
                Ok(MediaContent(resp))
            }
            None => {
                let bytes = state
                    .media
                    .stream(&key, 0..size)
                    .await
                    .map_err(AppError::internal)?;
                let mut resp = base(StatusCode::OK)
                    .header(header::CONTENT_TYPE, mime)
                    .body(bytes);
                if let Ok(v) = HeaderValue::from_str(&disposition) {
                    resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
                }
                Ok(MediaContent(resp))
            }
        }
    }
}
