//! Streamed file uploads for poem-openapi operations: a `multipart/form-data` body with one
//! `file` part (`FileUpload`) or up to ten `files` parts (`FilesUpload`), documented in the
//! spec as binary parts, handed to the service as streams (never buffered).

use poem::{FromRequest, Request, RequestBody, web::Multipart};
use poem_openapi::{
    ApiExtractor, ApiExtractorType, ExtractParamOptions,
    registry::{MetaMediaType, MetaRequest, MetaSchema, MetaSchemaRef},
};
use tokio::io::AsyncRead;

use crate::error::ErrorCode;
use crate::{
    error::{AppError, AppResult, ErrorKind},
    service::media::IncomingFile,
    state::AppState,
};

/// A multipart body whose file parts are read as streams: one `file` part, or with `MANY`
/// up to ten `files` parts.
pub struct Upload<const MANY: bool> {
    parts: Multipart,
    declared_len: Option<u64>,
}

/// One `file` part.
pub type FileUpload = Upload<false>;
/// Up to ten `files` parts.
pub type FilesUpload = Upload<true>;

impl<'a, const MANY: bool> ApiExtractor<'a> for Upload<MANY> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn request_meta() -> Option<MetaRequest> {
        let mut file = MetaSchema::new_with_format("string", "binary");
        file.description = Some("A file; its type is recognised from its content");
        let (name, part, description) = if MANY {
            let mut files = MetaSchema::new("array");
            files.items = Some(Box::new(MetaSchemaRef::Inline(Box::new(file))));
            files.min_items = Some(1);
            files.max_items = Some(crate::domain::use_case::MAX_FILES_PER_REQUEST);
            files.description = Some("The files, in the order they are appended");
            let text = "`multipart/form-data` with 1–10 `files` parts, each streamed and size-limited while it is read";
            ("files", files, text)
        } else {
            ("file", file, "`multipart/form-data` with one `file` part, streamed and size-limited while it is read")
        };
        let mut form = MetaSchema::new("object");
        form.required = vec![name];
        form.properties = vec![(name, MetaSchemaRef::Inline(Box::new(part)))];
        Some(MetaRequest {
            description: Some(description),
            content: vec![MetaMediaType {
                content_type: "multipart/form-data",
                schema: MetaSchemaRef::Inline(Box::new(form)),
            }],
            required: true,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _opts: ExtractParamOptions<()>,
    ) -> poem::Result<Self> {
        let multipart = request.content_type().is_some_and(|ct| ct.starts_with("multipart/form-data"));
        if !multipart {
            return Err(AppError::new(
                ErrorKind::UnsupportedMediaType,
                ErrorCode::UnsupportedMediaType,
                "Send the file as multipart/form-data",
            )
            .into());
        }
        let declared_len = request.header("content-length").and_then(|v| v.parse().ok());
        Ok(Self { parts: <Multipart as FromRequest>::from_request(request, body).await?, declared_len })
    }
}

impl<const MANY: bool> Upload<MANY> {
    /// Refuses at once a body whose declared length already exceeds `limit` (plus room for
    /// the multipart framing), without reading it.
    pub fn check_declared_length(&self, limit: u64) -> AppResult<()> {
        match self.declared_len {
            Some(n) if n > limit + 64 * 1024 => Err(AppError::new(
                ErrorKind::PayloadTooLarge,
                ErrorCode::PayloadTooLarge,
                format!("The file exceeds {limit} bytes"),
            )),
            _ => Ok(()),
        }
    }

    /// The `file` part as a stream (other parts are skipped); 422 when there is none.
    pub async fn file(
        &mut self,
        state: &AppState,
    ) -> AppResult<IncomingFile<impl AsyncRead + Unpin + Send + use<MANY>>> {
        self.next_file(state).await?.ok_or_else(|| AppError::field("file", "is required"))
    }

    /// The next part named `file` or `files` as a stream, or `None` at the end. Waits for an
    /// upload permit first: until one is free nothing of the body is read, so it waits in the
    /// kernel's socket buffers rather than in the multipart parser's, keeping memory bounded.
    pub async fn next_file(
        &mut self,
        state: &AppState,
    ) -> AppResult<Option<IncomingFile<impl AsyncRead + Unpin + Send + use<MANY>>>> {
        let permit = state.uploads.clone().acquire_owned().await.map_err(AppError::internal)?;
        loop {
            let Some(field) = self.parts.next_field().await.map_err(|e| {
                AppError::new(ErrorKind::BadRequest, ErrorCode::BadRequest, format!("Malformed multipart body: {e}"))
            })?
            else {
                return Ok(None);
            };
            if matches!(field.name(), Some("file" | "files")) {
                return Ok(Some(IncomingFile {
                    filename: field.file_name().map(str::to_owned),
                    declared_type: field.content_type().map(str::to_owned),
                    body: Box::pin(field.into_async_read()),
                    permit: Some(permit),
                }));
            }
        }
    }
}
