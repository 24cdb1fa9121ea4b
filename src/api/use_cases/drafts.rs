//! `/api/v1/use-cases/drafts`: partial use cases as the submission wizard saves them — the
//! fields so far, the step the person left at, opaque client state, media uploaded before
//! publishing — and publishing them.

use chrono::{DateTime, Utc};
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};

use crate::api::{
    auth::NoContent,
    error::{ApiResult, Success, ok},
    json_body::JsonBody,
    media::upload::FilesUpload,
    security::{Auth, State},
    tags::ApiTags,
    use_cases::{UseCaseCreated, input::UseCaseFields, media::receive},
};
use crate::{
    domain::{
        engagement::Draft,
        ids::{DraftId, MediaId},
        media::MediaContext,
        use_case::{UseCaseDraft, category},
    },
    dto::{ForumAttachment, ts},
    service::{
        engagement,
        use_cases::drafts::{self, DraftView},
    },
};

/// Use-case draft endpoints.
#[derive(Default)]
pub struct UseCaseDraftsApi;

/// What a draft save sends: any of the use-case fields, and the wizard's own state.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct UseCaseDraftInput {
    #[oai(flatten)]
    pub fields: UseCaseFields,
    /// The wizard step the person is at (0–20), so a resumed draft reopens there.
    pub current_step: Option<u8>,
    /// State the client keeps with the draft, opaque to the server (≤ 4096 bytes).
    pub client_state: Option<String>,
}

/// A saved, unpublished use case, as the wizard reopens it.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct UseCaseDraftDto {
    /// Draft id.
    pub id: String,
    /// The wizard step the person left at (0 = not started).
    pub current_step: u8,
    /// The client's own state, as it saved it ("" when none).
    pub client_state: String,
    /// Every field saved so far (empty ones absent).
    pub fields: UseCaseFields,
    /// Photos, videos and documents uploaded so far, in order.
    pub media: Vec<ForumAttachment>,
    /// First saved.
    pub created_at: DateTime<Utc>,
    /// Last saved.
    pub updated_at: DateTime<Utc>,
}

impl From<DraftView> for UseCaseDraftDto {
    fn from(v: DraftView) -> Self {
        let d = v.draft;
        Self {
            id: d.id.to_string(),
            current_step: d.fields.current_step,
            fields: UseCaseFields::of(&d.fields.content),
            client_state: d.fields.client_state,
            media: v.media.into_iter().map(Into::into).collect(),
            created_at: ts(d.created_at),
            updated_at: ts(d.updated_at),
        }
    }
}

/// A draft in the list of drafts.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct UseCaseDraftCard {
    /// Draft id.
    pub id: String,
    /// Title so far ("" when none).
    pub title: String,
    /// Category so far.
    pub category: Option<crate::domain::use_case::Category>,
    /// The wizard step the person left at.
    pub current_step: u8,
    /// Files uploaded so far.
    pub media_count: u64,
    /// Last saved.
    pub updated_at: DateTime<Utc>,
}

impl From<Draft<UseCaseDraft>> for UseCaseDraftCard {
    fn from(d: Draft<UseCaseDraft>) -> Self {
        Self {
            id: d.id.to_string(),
            category: category(&d.fields.content.category).copied(),
            title: d.fields.content.title,
            current_step: d.fields.current_step,
            media_count: d.fields.media.len() as u64,
            updated_at: ts(d.updated_at),
        }
    }
}

/// The caller's use-case drafts.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct UseCaseDraftList {
    /// Drafts, oldest first.
    pub items: Vec<UseCaseDraftCard>,
    /// How many.
    pub total: u64,
}

/// Draft saved, or media added to it.
#[derive(ApiResponse)]
pub enum DraftCreated {
    /// The draft as saved.
    #[oai(status = 201)]
    Created(Json<UseCaseDraftDto>),
}

impl UseCaseDraftInput {
    /// Writes what was sent over the saved draft.
    fn apply(self, d: &mut UseCaseDraft) {
        self.fields.apply(&mut d.content);
        if let Some(step) = self.current_step {
            d.current_step = step;
        }
        if let Some(state) = self.client_state {
            d.client_state = state;
        }
    }
}

#[OpenApi(prefix_path = "/api/v1/use-cases", tag = "ApiTags::UseCases")]
impl UseCaseDraftsApi {
    /// The caller's use-case drafts
    #[oai(path = "/drafts", method = "get", operation_id = "listUseCaseDrafts")]
    async fn list(&self, state: State<'_>, auth: Auth) -> ApiResult<Success<UseCaseDraftList>> {
        let items: Vec<UseCaseDraftCard> =
            engagement::drafts::<UseCaseDraft>(&state, auth.ctx()).await?.into_iter().map(Into::into).collect();
        ok(UseCaseDraftList { total: items.len() as u64, items })
    }

    /// Save a new draft (any field may be missing)
    #[oai(path = "/drafts", method = "post", operation_id = "createUseCaseDraft")]
    async fn create(&self, state: State<'_>, auth: Auth, body: JsonBody<UseCaseDraftInput>) -> ApiResult<DraftCreated> {
        let input = body.0;
        let saved = drafts::save(&state, auth.ctx(), None, move |d| input.apply(d)).await?;
        Ok(DraftCreated::Created(Json(saved.into())))
    }

    /// One of the caller's drafts, to resume it
    #[oai(path = "/drafts/:id", method = "get", operation_id = "getUseCaseDraft")]
    async fn get(&self, state: State<'_>, auth: Auth, id: Path<DraftId>) -> ApiResult<Success<UseCaseDraftDto>> {
        ok(drafts::get(&state, auth.ctx(), id.0).await?.into())
    }

    /// Update a draft (given fields replace saved ones)
    #[oai(path = "/drafts/:id", method = "put", operation_id = "updateUseCaseDraft")]
    async fn update(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<DraftId>,
        body: JsonBody<UseCaseDraftInput>,
    ) -> ApiResult<Success<UseCaseDraftDto>> {
        let input = body.0;
        ok(drafts::save(&state, auth.ctx(), Some(id.0), move |d| input.apply(d)).await?.into())
    }

    /// Delete a draft with its media
    #[oai(path = "/drafts/:id", method = "delete", operation_id = "deleteUseCaseDraft")]
    async fn delete(&self, state: State<'_>, auth: Auth, id: Path<DraftId>) -> ApiResult<NoContent> {
        engagement::delete_draft::<UseCaseDraft>(&state, auth.ctx(), id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// Add photos, videos or documents to a draft
    ///
    /// `multipart/form-data` with 1–10 parts named `files`, checked like a use case's media
    /// (images 5 MiB, videos 50 MiB, PDFs 10 MiB; at most 20 per draft). They become the use
    /// case's media when the draft is published. Answers the draft.
    #[oai(path = "/drafts/:id/media", method = "post", operation_id = "addUseCaseDraftMedia")]
    async fn add_media(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<DraftId>,
        upload: FilesUpload,
    ) -> ApiResult<DraftCreated> {
        drafts::authorize_media(&state, auth.ctx(), id.0).await?;
        let stored = receive(&state, auth.ctx(), MediaContext::UseCaseDraft(id.0), upload).await?;
        Ok(DraftCreated::Created(Json(drafts::attach(&state, auth.ctx(), id.0, stored).await?.into())))
    }

    /// Remove one medium from a draft
    #[oai(path = "/drafts/:id/media/:media_id", method = "delete", operation_id = "deleteUseCaseDraftMedia")]
    async fn remove_media(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<DraftId>,
        media_id: Path<MediaId>,
    ) -> ApiResult<NoContent> {
        drafts::remove_media(&state, auth.ctx(), id.0, media_id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// Publish a draft
    ///
    /// Validates every field; 422 names each missing or invalid one at once. The draft is
    /// deleted once the use case exists, and its media become the use case's.
    #[oai(path = "/drafts/:id/publish", method = "post", operation_id = "publishUseCaseDraft")]
    async fn publish(&self, state: State<'_>, auth: Auth, id: Path<DraftId>) -> ApiResult<UseCaseCreated> {
        Ok(UseCaseCreated::Created(Json(drafts::publish(&state, auth.ctx(), id.0).await?.into())))
    }
}
