//! `/api/v1/use-cases/drafts`: partial use cases, and publishing them.

use chrono::{DateTime, Utc};
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};

use crate::api::{
    auth::NoContent,
    error::{ApiResult, Success, ok},
    json_body::JsonBody,
    security::{Auth, State},
    tags::ApiTags,
    use_cases::UseCaseCreated,
    use_cases::dto::UseCaseInput,
};
use crate::{
    domain::{engagement::Draft, ids::DraftId, use_case::UseCaseInput as Fields},
    dto::ts,
    service::{engagement, use_cases as uc},
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

impl From<Draft<Fields>> for UseCaseDraftDto {
    fn from(d: Draft<Fields>) -> Self {
        Self {
            id: d.id.to_string(),
            fields: serde_json::to_value(&d.fields).unwrap_or_default(),
            title: d.fields.title,
            category: d.fields.category,
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

#[OpenApi(prefix_path = "/api/v1/use-cases", tag = "ApiTags::UseCases")]
impl UseCaseDraftsApi {
    /// The caller's use-case drafts
    #[oai(path = "/drafts", method = "get", operation_id = "listUseCaseDrafts")]
    async fn list(&self, state: State<'_>, auth: Auth) -> ApiResult<Success<UseCaseDraftList>> {
        ok(UseCaseDraftList {
            items: engagement::drafts::<Fields>(&state, auth.ctx()).await?.into_iter().map(Into::into).collect(),
        })
    }

    /// Save a new draft (any field may be missing)
    #[oai(path = "/drafts", method = "post", operation_id = "createUseCaseDraft")]
    async fn create(&self, state: State<'_>, auth: Auth, body: JsonBody<UseCaseInput>) -> ApiResult<DraftSaved> {
        let input = body.0;
        Ok(DraftSaved::Created(Json(
            engagement::save_draft(&state, auth.ctx(), None, move |raw| input.apply(raw)).await?.into(),
        )))
    }

    /// One of the caller's drafts
    #[oai(path = "/drafts/:id", method = "get", operation_id = "getUseCaseDraft")]
    async fn get(&self, state: State<'_>, auth: Auth, id: Path<DraftId>) -> ApiResult<Success<UseCaseDraftDto>> {
        ok(engagement::draft::<Fields>(&state, auth.ctx(), id.0).await?.into())
    }

    /// Update a draft (given fields replace saved ones)
    #[oai(path = "/drafts/:id", method = "put", operation_id = "updateUseCaseDraft")]
    async fn update(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<DraftId>,
        body: JsonBody<UseCaseInput>,
    ) -> ApiResult<Success<UseCaseDraftDto>> {
        let input = body.0;
        ok(engagement::save_draft(&state, auth.ctx(), Some(id.0), move |raw| input.apply(raw)).await?.into())
    }

    /// Delete a draft
    #[oai(path = "/drafts/:id", method = "delete", operation_id = "deleteUseCaseDraft")]
    async fn delete(&self, state: State<'_>, auth: Auth, id: Path<DraftId>) -> ApiResult<NoContent> {
        engagement::delete_draft::<Fields>(&state, auth.ctx(), id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// Publish a draft
    ///
    /// Validates every field; 422 names each missing or invalid one at once. The draft is
    /// deleted once the use case exists.
    #[oai(path = "/drafts/:id/publish", method = "post", operation_id = "publishUseCaseDraft")]
    async fn publish(&self, state: State<'_>, auth: Auth, id: Path<DraftId>) -> ApiResult<UseCaseCreated> {
        Ok(UseCaseCreated::Created(Json(uc::publish_draft(&state, auth.ctx(), id.0).await?.into())))
    }
}
