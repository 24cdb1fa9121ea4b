//! Serving a stored media object: `ETag`/`If-None-Match`, single `Range` requests, caching
//! and safety headers, or a presigned redirect; and how that answer is documented.

use std::ops::Range;

use poem::{
    IntoResponse, Request, Response,
    http::{StatusCode, header},
};
use poem_openapi::{
    ApiResponse,
    registry::{MetaHeader, MetaMediaType, MetaResponse, MetaResponses, MetaSchema, MetaSchemaRef, Registry},
    types::ToJSON,
};

use crate::error::ErrorCode;
use crate::{
    domain::media::{Media, MediaType},
    error::AppResult,
    state::AppState,
};

/// A media file, a part of it, "not modified", or a redirect to the object store.
pub struct MediaContent(pub Response);

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
        // The file is served with its real type (thumbnails are PNG): document each one.
        let binary = || {
            MediaType::ALL
                .iter()
                .map(|t| MetaMediaType {
                    content_type: t.mime(),
                    schema: MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format("string", "binary"))),
                })
                .collect::<Vec<_>>()
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
                resp(200, "The whole file, with its real content type", binary(), common()),
                resp(206, "The requested byte range", binary(), vec![header("Content-Range", "bytes start-end/size")]),
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
                    "The range cannot be satisfied (the uniform error body, code `range_not_satisfiable`)",
                    vec![MetaMediaType {
                        content_type: "application/json; charset=utf-8",
                        schema: <crate::api::error::ErrorBody as poem_openapi::types::Type>::schema_ref(),
                    }],
                    vec![header("Content-Range", "bytes */size")],
                ),
            ],
        }
    }

    fn register(registry: &mut Registry) {
        <crate::api::error::ErrorBody as poem_openapi::types::Type>::register(registry);
    }
}

/// Parses a single `bytes=a-b`, `bytes=a-` or `bytes=-n` range.
fn parse_range(raw: &str, size: u64) -> Option<Result<Range<u64>, ()>> {
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
    Some(if range.start < range.end && range.start < size { Ok(range) } else { Err(()) })
}

fn content_disposition(name: &str) -> String {
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_ ".contains(c) { c } else { '_' }).collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"._-".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }
        })
        .collect();
    format!("inline; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// Answers a GET for `m` (or its thumbnail), honouring `If-None-Match` and `Range`.
pub async fn respond(state: &AppState, req: &Request, m: &Media, thumb: bool) -> AppResult<Response> {
    let key = if thumb { m.thumbnail_key() } else { m.key() };
    if let Some(url) = state.media.presigned_url(&key).await? {
        return Ok(Response::builder()
            .status(StatusCode::TEMPORARY_REDIRECT)
            .header(header::LOCATION, url)
            .header(header::CACHE_CONTROL, "no-store")
            .finish());
    }
    let etag = if thumb { format!("\"{}-thumb\"", m.sha256) } else { format!("\"{}\"", m.sha256) };
    let base = |status: StatusCode| {
        Response::builder()
            .status(status)
            .header(header::ETAG, etag.as_str())
            // Ids are never reused for other content, so the bytes never change.
            .header(header::CACHE_CONTROL, "private, max-age=31536000, immutable")
            .header("content-security-policy", "sandbox")
            .header(header::ACCEPT_RANGES, "bytes")
    };
    if req.header(header::IF_NONE_MATCH).is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*")) {
        return Ok(base(StatusCode::NOT_MODIFIED).finish());
    }
    if thumb {
        let bytes = state.media.read_all(&key).await?;
        return Ok(base(StatusCode::OK).header(header::CONTENT_TYPE, "image/png").body(bytes));
    }
    let size = m.size;
    let (status, range) = match req.header(header::RANGE).and_then(|r| parse_range(r, size)) {
        Some(Err(())) => {
            let body = crate::api::error::ErrorBody {
                code: ErrorCode::RangeNotSatisfiable,
                message: format!("The requested range is outside the file ({size} bytes)"),
                fields: None,
            };
            return Ok(Response::builder()
                .status(StatusCode::RANGE_NOT_SATISFIABLE)
                .header(header::CONTENT_RANGE, format!("bytes */{size}"))
                .content_type("application/json; charset=utf-8")
                .body(body.to_json_string()));
        }
        Some(Ok(range)) => (StatusCode::PARTIAL_CONTENT, range),
        None => (StatusCode::OK, 0..size),
    };
    let mut builder = base(status)
        .header(header::CONTENT_TYPE, m.media_type.mime())
        .header(header::CONTENT_DISPOSITION, content_disposition(&m.filename));
    if status == StatusCode::PARTIAL_CONTENT {
        builder = builder.header(header::CONTENT_RANGE, format!("bytes {}-{}/{size}", range.start, range.end - 1));
    }
    let body = state.media.stream(&key, range).await?;
    Ok(builder.body(body))
}
