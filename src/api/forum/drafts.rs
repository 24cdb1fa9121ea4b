//! `/api/v1/forum/drafts`: topic drafts with partial fields, and publishing them.

use chrono::{DateTime, Utc};
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};

use crate::api::{
    auth::NoContent,
    error::{ApiResult, Success, ok},
    forum::TopicCreated,
    json_body::JsonBody,
    security::{Auth, State},
    tags::ApiTags,
};
use crate::{
    domain::{engagement::Draft, forum::TopicDraft as Fields, ids::DraftId},
    dto::ts,
    service::{engagement, forum::topics},
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

impl From<Draft<Fields>> for TopicDraft {
    fn from(d: Draft<Fields>) -> Self {
        let f = d.fields;
        Self {
            id: d.id.to_string(),
            title: f.title,
            body: f.body,
            category: f.category,
            tags: f.tags,
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
    /// How many (every one is listed).
    pub total: u64,
}

/// Draft created.
#[derive(ApiResponse)]
pub enum DraftCreated {
    /// The new draft.
    #[oai(status = 201)]
    Created(Json<TopicDraft>),
}

impl DraftRequest {
    /// Writes the given fields over a draft's.
    fn apply(self, f: &mut Fields) {
        f.title = self.title.unwrap_or(std::mem::take(&mut f.title));
        f.body = self.body.unwrap_or(std::mem::take(&mut f.body));
        f.category = self.category.unwrap_or(std::mem::take(&mut f.category));
        f.tags = self.tags.unwrap_or(std::mem::take(&mut f.tags));
    }
}

#[OpenApi(prefix_path = "/api/v1/forum", tag = "ApiTags::Forum")]
impl ForumDraftsApi {
    /// The caller's topic drafts
    #[oai(path = "/drafts", method = "get", operation_id = "listDrafts")]
    async fn list(&self, state: State<'_>, auth: Auth) -> ApiResult<Success<DraftList>> {
        let items: Vec<TopicDraft> =
            engagement::drafts::<Fields>(&state, auth.ctx()).await?.into_iter().map(Into::into).collect();
        ok(DraftList { total: items.len() as u64, items })
    }

    /// Save a new draft (any field may be incomplete)
    #[oai(path = "/drafts", method = "post", operation_id = "createDraft")]
    async fn create(&self, state: State<'_>, auth: Auth, body: JsonBody<DraftRequest>) -> ApiResult<DraftCreated> {
        Ok(DraftCreated::Created(Json(
            engagement::save_draft(&state, auth.ctx(), None, move |f| body.0.apply(f)).await?.into(),
        )))
    }

    /// One of the caller's drafts
    #[oai(path = "/drafts/:id", method = "get", operation_id = "getDraft")]
    async fn get(&self, state: State<'_>, auth: Auth, id: Path<DraftId>) -> ApiResult<Success<TopicDraft>> {
        ok(engagement::draft::<Fields>(&state, auth.ctx(), id.0).await?.into())
    }

    /// Update a draft
    #[oai(path = "/drafts/:id", method = "put", operation_id = "updateDraft")]
    async fn update(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<DraftId>,
        body: JsonBody<DraftRequest>,
    ) -> ApiResult<Success<TopicDraft>> {
        ok(engagement::save_draft(&state, auth.ctx(), Some(id.0), move |f| body.0.apply(f)).await?.into())
    }

    /// Delete a draft
    #[oai(path = "/drafts/:id", method = "delete", operation_id = "deleteDraft")]
    async fn delete(&self, state: State<'_>, auth: Auth, id: Path<DraftId>) -> ApiResult<NoContent> {
        engagement::delete_draft::<Fields>(&state, auth.ctx(), id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// Publish a draft as a topic
    ///
    /// Validates every field (422 names each missing or invalid one), then deletes the draft.
    #[oai(path = "/drafts/:id/publish", method = "post", operation_id = "publishDraft")]
    async fn publish(&self, state: State<'_>, auth: Auth, id: Path<DraftId>) -> ApiResult<TopicCreated> {
        Ok(TopicCreated::Created(Json(topics::publish_draft(&state, auth.ctx(), id.0).await?.into())))
    }
}
