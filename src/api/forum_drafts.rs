//! `/api/v1/forum/drafts`: topic drafts with partial fields, and publishing them.

use chrono::{DateTime, Utc};
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};

use super::{
    auth::NoContent,
    dto::ts,
    error::{ApiResult, Success, ok},
    forum::TopicCreated,
    orgs::path_id,
    security::{Auth, State},
    tags::ApiTags,
};
use crate::{
    domain::{forum::Draft, ids::DraftId},
    service::forum::drafts,
};

/// Draft endpoints.
#[derive(Default)]
pub struct ForumDraftsApi;

/// A saved, unpublished topic.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct TopicDraft {
    /// Draft id.
    pub id: String,
    /// Title so far.
    pub title: String,
    /// Body so far.
    pub body: String,
    /// Category id so far.
    pub category: String,
    /// Tags so far.
    pub tags: Vec<String>,
    /// Last saved.
    pub updated_at: DateTime<Utc>,
}

impl From<Draft> for TopicDraft {
    fn from(d: Draft) -> Self {
        Self {
            id: d.id.to_string(),
            title: d.title,
            body: d.body,
            category: d.category,
            tags: d.tags,
            updated_at: ts(d.updated_at),
        }
    }
}

/// Draft fields; omitted ones stay as they are.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct DraftRequest {
    /// Title (≤ 150).
    pub title: Option<String>,
    /// Body (≤ 10000).
    pub body: Option<String>,
    /// Category id.
    pub category: Option<String>,
    /// Tags (≤ 5).
    pub tags: Option<Vec<String>>,
}

/// The caller's drafts.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct DraftList {
    /// Drafts, oldest first.
    pub items: Vec<TopicDraft>,
}

/// Draft created.
#[derive(ApiResponse)]
pub enum DraftCreated {
    /// The new draft.
    #[oai(status = 201)]
    Created(Json<TopicDraft>),
}

fn form(b: DraftRequest) -> drafts::DraftForm {
    drafts::DraftForm { title: b.title, body: b.body, category: b.category, tags: b.tags }
}

#[OpenApi(prefix_path = "/api/v1/forum", tag = "ApiTags::Forum")]
impl ForumDraftsApi {
    /// The caller's topic drafts
    #[oai(path = "/drafts", method = "get", operation_id = "listDrafts")]
    async fn list(&self, state: State<'_>, auth: Auth) -> ApiResult<Success<DraftList>> {
        ok(DraftList { items: drafts::list(&state, auth.ctx()).await?.into_iter().map(Into::into).collect() })
    }

    /// Save a new draft (any field may be incomplete)
    #[oai(path = "/drafts", method = "post", operation_id = "createDraft")]
    async fn create(&self, state: State<'_>, auth: Auth, body: Json<DraftRequest>) -> ApiResult<DraftCreated> {
        Ok(DraftCreated::Created(Json(drafts::save(&state, auth.ctx(), None, form(body.0)).await?.into())))
    }

    /// One of the caller's drafts
    #[oai(path = "/drafts/:id", method = "get", operation_id = "getDraft")]
    async fn get(&self, state: State<'_>, auth: Auth, id: Path<String>) -> ApiResult<Success<TopicDraft>> {
        let id: DraftId = path_id(&id.0, "Draft")?;
        ok(drafts::get(&state, auth.ctx(), id).await?.into())
    }

    /// Update a draft
    #[oai(path = "/drafts/:id", method = "put", operation_id = "updateDraft")]
    async fn update(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<String>,
        body: Json<DraftRequest>,
    ) -> ApiResult<Success<TopicDraft>> {
        let id: DraftId = path_id(&id.0, "Draft")?;
        ok(drafts::save(&state, auth.ctx(), Some(id), form(body.0)).await?.into())
    }

    /// Delete a draft
    #[oai(path = "/drafts/:id", method = "delete", operation_id = "deleteDraft")]
    async fn delete(&self, state: State<'_>, auth: Auth, id: Path<String>) -> ApiResult<NoContent> {
        let id: DraftId = path_id(&id.0, "Draft")?;
        drafts::delete(&state, auth.ctx(), id).await?;
        Ok(NoContent::NoContent)
    }

    /// Publish a draft as a topic
    ///
    /// Validates every field (422 names each missing or invalid one), then deletes the draft.
    #[oai(path = "/drafts/:id/publish", method = "post", operation_id = "publishDraft")]
    async fn publish(&self, state: State<'_>, auth: Auth, id: Path<String>) -> ApiResult<TopicCreated> {
        let id: DraftId = path_id(&id.0, "Draft")?;
        Ok(TopicCreated::Created(Json(drafts::publish(&state, auth.ctx(), id).await?.into())))
    }
}
