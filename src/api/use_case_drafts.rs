//! `/api/v1/use-cases/drafts`: partial use cases, and publishing them.

use chrono::{DateTime, Utc};
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};

use super::{
    auth::NoContent,
    dto::ts,
    error::{ApiResult, Success, ok},
    orgs::path_id,
    security::{Auth, State},
    tags::ApiTags,
    use_case_dto::UseCaseInput,
    use_cases::UseCaseCreated,
};
use crate::{
    domain::{ids::DraftId, use_case::UseCaseDraft},
    service::use_cases::drafts,
};

/// Use-case draft endpoints.
#[derive(Default)]
pub struct UseCaseDraftsApi;

/// A saved, unpublished use case.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct UseCaseDraftDto {
    /// Draft id.
    pub id: String,
    /// Title so far.
    pub title: String,
    /// Category so far.
    pub category: String,
    /// Every field saved so far, in the shape of the create request.
    pub fields: serde_json::Value,
    /// Last saved.
    pub updated_at: DateTime<Utc>,
}

impl From<UseCaseDraft> for UseCaseDraftDto {
    fn from(d: UseCaseDraft) -> Self {
        let mut fields = serde_json::to_value(&d.content).unwrap_or_default();
        fields["latitude"] = serde_json::json!(d.latitude);
        fields["longitude"] = serde_json::json!(d.longitude);
        Self {
            id: d.id.to_string(),
            title: d.content.title,
            category: d.content.category,
            fields,
            updated_at: ts(d.updated_at),
        }
    }
}

/// The caller's use-case drafts.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct UseCaseDraftList {
    /// Drafts, oldest first.
    pub items: Vec<UseCaseDraftDto>,
}

/// Draft saved.
#[derive(ApiResponse)]
pub enum DraftSaved {
    /// The new draft.
    #[oai(status = 201)]
    Created(Json<UseCaseDraftDto>),
}

fn draft_id(raw: &str) -> Result<DraftId, super::error::ApiError> {
    path_id(raw, "Draft")
}

#[OpenApi(prefix_path = "/api/v1/use-cases", tag = "ApiTags::UseCases")]
impl UseCaseDraftsApi {
    /// The caller's use-case drafts
    #[oai(path = "/drafts", method = "get", operation_id = "listUseCaseDrafts")]
    async fn list(&self, state: State<'_>, auth: Auth) -> ApiResult<Success<UseCaseDraftList>> {
        ok(UseCaseDraftList { items: drafts::list(&state, auth.ctx()).await?.into_iter().map(Into::into).collect() })
    }

    /// Save a new draft (any field may be missing)
    #[oai(path = "/drafts", method = "post", operation_id = "createUseCaseDraft")]
    async fn create(&self, state: State<'_>, auth: Auth, body: Json<UseCaseInput>) -> ApiResult<DraftSaved> {
        let input = body.0;
        Ok(DraftSaved::Created(Json(drafts::save(&state, auth.ctx(), None, move |raw| input.apply(raw)).await?.into())))
    }

    /// One of the caller's drafts
    #[oai(path = "/drafts/:id", method = "get", operation_id = "getUseCaseDraft")]
    async fn get(&self, state: State<'_>, auth: Auth, id: Path<String>) -> ApiResult<Success<UseCaseDraftDto>> {
        ok(drafts::get(&state, auth.ctx(), draft_id(&id.0)?).await?.into())
    }

    /// Update a draft (given fields replace saved ones)
    #[oai(path = "/drafts/:id", method = "put", operation_id = "updateUseCaseDraft")]
    async fn update(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<String>,
        body: Json<UseCaseInput>,
    ) -> ApiResult<Success<UseCaseDraftDto>> {
        let input = body.0;
        ok(drafts::save(&state, auth.ctx(), Some(draft_id(&id.0)?), move |raw| input.apply(raw)).await?.into())
    }

    /// Delete a draft
    #[oai(path = "/drafts/:id", method = "delete", operation_id = "deleteUseCaseDraft")]
    async fn delete(&self, state: State<'_>, auth: Auth, id: Path<String>) -> ApiResult<NoContent> {
        drafts::delete(&state, auth.ctx(), draft_id(&id.0)?).await?;
        Ok(NoContent::NoContent)
    }

    /// Publish a draft
    ///
    /// Validates every field; 422 names each missing or invalid one at once. The draft is
    /// deleted once the use case exists.
    #[oai(path = "/drafts/:id/publish", method = "post", operation_id = "publishUseCaseDraft")]
    async fn publish(&self, state: State<'_>, auth: Auth, id: Path<String>) -> ApiResult<UseCaseCreated> {
        Ok(UseCaseCreated::Created(Json(drafts::publish(&state, auth.ctx(), draft_id(&id.0)?).await?.into())))
    }
}
