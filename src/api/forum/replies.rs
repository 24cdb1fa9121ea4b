//! `/api/v1/forum` replies: list, create, edit, delete and like.

use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use crate::api::{
    auth::NoContent,
    error::{ApiResult, Success, ok},
    json_body::JsonBody,
    security::{Auth, State},
    tags::ApiTags,
};
use crate::{
    domain::ids::{ReplyId, TopicId},
    dto::forum::{ForumReply, LikeState},
    service::{
        self,
        forum::{reactions, replies},
    },
};

/// Forum reply endpoints.
#[derive(Default)]
pub struct ForumRepliesApi;

/// A new reply.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct ReplyCreateRequest {
    /// Body in Markdown (3–5000).
    pub body: String,
    /// Answer to this top-level reply of the same topic (one nesting level).
    pub parent_reply_id: Option<String>,
    /// People mentioned in the body, by user id as picked from `GET /api/v1/users?q=` (≤ 20);
    /// each is notified.
    pub mentions: Option<Vec<String>>,
}

/// A reply edit.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct ReplyUpdateRequest {
    /// Body in Markdown (3–5000).
    pub body: String,
}

/// A page of replies, oldest first.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct ReplyPage {
    /// Replies.
    pub items: Vec<ForumReply>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// Replies of the topic.
    pub total: u64,
}

/// Reply created.
#[derive(ApiResponse)]
pub enum ReplyCreated {
    /// The new reply.
    #[oai(status = 201)]
    Created(Json<ForumReply>),
}

#[OpenApi(prefix_path = "/api/v1/forum", tag = "ApiTags::Forum")]
impl ForumRepliesApi {
    /// Replies of a topic, oldest first
    #[oai(path = "/topics/:id/replies", method = "get", operation_id = "listReplies")]
    async fn list(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<TopicId>,
        /// Cursor from the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1–100 (default 20).
        limit: Query<Option<u32>>,
    ) -> ApiResult<Success<ReplyPage>> {
        let topic = id.0;
        let page = replies::list(&state, auth.ctx(), topic, cursor.0.as_deref(), service::page_size(limit.0)).await?;
        ok(ReplyPage {
            items: page.items.into_iter().map(Into::into).collect(),
            next_cursor: page.next_cursor,
            total: page.total,
        })
    }

    /// Reply to a topic
    ///
    /// 409 `topic_locked` when a moderator locked the topic.
    #[oai(path = "/topics/:id/replies", method = "post", operation_id = "createReply")]
    async fn create(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<TopicId>,
        body: JsonBody<ReplyCreateRequest>,
    ) -> ApiResult<ReplyCreated> {
        let topic = id.0;
        let parent = match &body.parent_reply_id {
            Some(p) => Some(
                p.parse::<ReplyId>()
                    .map_err(|_| crate::error::AppError::field("parent_reply_id", "is not a reply id"))?,
            ),
            None => None,
        };
        let mentions = super::mention_ids(body.0.mentions.clone())?;
        let view = replies::create(&state, auth.ctx(), topic, &body.body, parent, mentions).await?;
        Ok(ReplyCreated::Created(Json(view.into())))
    }

    /// Edit a reply (its author)
    #[oai(path = "/replies/:id", method = "patch", operation_id = "updateReply")]
    async fn update(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<ReplyId>,
        body: JsonBody<ReplyUpdateRequest>,
    ) -> ApiResult<Success<ForumReply>> {
        ok(replies::edit(&state, auth.ctx(), id.0, &body.body).await?.into())
    }

    /// Delete a reply and the answers to it (its author or a moderator)
    #[oai(path = "/replies/:id", method = "delete", operation_id = "deleteReply")]
    async fn delete(&self, state: State<'_>, auth: Auth, id: Path<ReplyId>) -> ApiResult<NoContent> {
        replies::delete(&state, auth.ctx(), id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// Like a reply (idempotent)
    #[oai(path = "/replies/:id/like", method = "put", operation_id = "likeReply")]
    async fn like(&self, state: State<'_>, auth: Auth, id: Path<ReplyId>) -> ApiResult<Success<LikeState>> {
        let (liked, likes) = reactions::like_reply(&state, auth.ctx(), id.0, true).await?;
        ok(LikeState { liked, like_count: likes })
    }

    /// Remove a like from a reply (idempotent)
    #[oai(path = "/replies/:id/like", method = "delete", operation_id = "unlikeReply")]
    async fn unlike(&self, state: State<'_>, auth: Auth, id: Path<ReplyId>) -> ApiResult<Success<LikeState>> {
        let (liked, likes) = reactions::like_reply(&state, auth.ctx(), id.0, false).await?;
        ok(LikeState { liked, like_count: likes })
    }
}
