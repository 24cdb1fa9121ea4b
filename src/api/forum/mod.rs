//! `/api/v1/forum`: categories, topics (list, create, read, edit, delete, moderate), likes,
//! bookmarks, best answers, stats and top contributors.

pub mod attachments;
pub mod drafts;
pub mod replies;

use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi,
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
    domain::{
        forum::Sort,
        ids::{ReplyId, TopicId, UserId},
    },
    dto::{
        forum::{BookmarkState, ForumTopic, LikeState},
        media_url,
    },
    service::{
        self,
        forum::{reactions, stats, topics},
    },
};

/// Forum topic endpoints.
#[derive(Default)]
pub struct ForumApi;

/// A category with its topic count.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct ForumCategory {
    /// Category id (use it in `category=` and when creating topics).
    pub id: String,
    /// English name.
    pub name_en: String,
    /// Arabic name.
    pub name_ar: String,
    /// Topics in it.
    pub topic_count: u64,
}

/// Every category.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct CategoryList {
    /// Categories in display order.
    pub items: Vec<ForumCategory>,
}

/// A new topic.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct TopicCreateRequest {
    /// Title (8–150).
    pub title: String,
    /// Body in Markdown (20–10000).
    pub body: String,
    /// Category id.
    pub category: String,
    /// Tags (≤ 5, 2–30 characters each).
    pub tags: Option<Vec<String>>,
    /// People mentioned in the body, by user id as picked from `GET /api/v1/users?q=` (≤ 20);
    /// each is notified.
    pub mentions: Option<Vec<String>>,
}

/// Topic changes (its author); omitted fields stay.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct TopicUpdateRequest {
    /// Title (8–150).
    pub title: Option<String>,
    /// Body in Markdown (20–10000).
    pub body: Option<String>,
    /// Category id.
    pub category: Option<String>,
    /// Tags (≤ 5).
    pub tags: Option<Vec<String>>,
}

/// Moderation flags; omitted ones stay.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct ModerationRequest {
    /// Pin to the top of the newest listing.
    pub pinned: Option<bool>,
    /// Lock against new replies.
    pub locked: Option<bool>,
}

/// The best answer to mark.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct BestAnswerRequest {
    /// A reply of this topic.
    pub reply_id: String,
}

/// A page of topics.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct TopicPage {
    /// Topics in the requested order.
    pub items: Vec<ForumTopic>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// How many topics match the filters.
    pub total: u64,
}

/// Forum-wide figures.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct ForumStats {
    /// Topics.
    pub topic_count: u64,
    /// Replies.
    pub reply_count: u64,
    /// People who have posted at least once.
    pub active_member_count: u64,
    /// Share of topics with at least one reply, 0–1.
    pub answered_share: f64,
}

/// A top contributor.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct Contributor {
    /// User id.
    pub user_id: String,
    /// "First Last".
    pub name: String,
    /// Job title.
    pub title: String,
    /// Avatar image URL.
    pub avatar_url: Option<String>,
    /// Reputation points.
    pub reputation: u64,
    /// Topics started.
    pub topic_count: u64,
    /// Replies written.
    pub reply_count: u64,
    /// Best answers.
    pub best_answer_count: u64,
}

/// Top contributors, best first.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct ContributorList {
    /// Contributors.
    pub items: Vec<Contributor>,
}

/// Topic created.
#[derive(ApiResponse)]
pub enum TopicCreated {
    /// The new topic.
    #[oai(status = 201)]
    Created(Json<ForumTopic>),
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Forum")]
impl ForumApi {
    /// Forum categories with topic counts
    #[oai(path = "/forum/categories", method = "get", operation_id = "listForumCategories")]
    async fn categories(&self, state: State<'_>, _auth: Auth) -> ApiResult<Success<CategoryList>> {
        let items = topics::categories(&state)
            .await?
            .into_iter()
            .map(|(c, n)| ForumCategory { id: c.id, name_en: c.name_en, name_ar: c.name_ar, topic_count: n })
            .collect();
        ok(CategoryList { items })
    }

    /// List topics
    #[oai(path = "/forum/topics", method = "get", operation_id = "listTopics")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: State<'_>,
        auth: Auth,
        /// Only this category.
        category: Query<Option<String>>,
        /// Only topics with this tag.
        tag: Query<Option<String>>,
        /// Only topics by this user.
        author_id: Query<Option<UserId>>,
        /// Only topics without replies.
        unanswered: Query<Option<bool>>,
        /// Order (default `newest`).
        sort: Query<Option<TopicSort>>,
        /// Cursor from the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1–100 (default 20).
        limit: Query<Option<u32>>,
    ) -> ApiResult<Success<TopicPage>> {
        let filter = topics::TopicFilter {
            category: category.0,
            tag: tag.0,
            author: author_id.0,
            unanswered: unanswered.0.unwrap_or(false),
        };
        let sort = match sort.0.unwrap_or(TopicSort::Newest) {
            TopicSort::Newest => Sort::Newest,
            TopicSort::Active => Sort::Active,
            TopicSort::Top => Sort::Top,
        };
        let page =
            topics::list(&state, auth.ctx(), filter, sort, cursor.0.as_deref(), service::page_size(limit.0)).await?;
        let items = page.items.into_iter().map(Into::into).collect();
        ok(TopicPage { items, next_cursor: page.next_cursor, total: page.total })
    }

    /// Start a topic
    #[oai(path = "/forum/topics", method = "post", operation_id = "createTopic")]
    async fn create(
        &self,
        state: State<'_>,
        auth: Auth,
        body: JsonBody<TopicCreateRequest>,
    ) -> ApiResult<TopicCreated> {
        let b = body.0;
        let form = topics::TopicForm {
            title: Some(b.title),
            body: Some(b.body),
            category: Some(b.category),
            tags: b.tags,
            mentions: mention_ids(b.mentions)?,
        };
        Ok(TopicCreated::Created(Json(topics::create(&state, auth.ctx(), form).await?.into())))
    }

    /// Read a topic (the first read by each user counts as a view)
    #[oai(path = "/forum/topics/:id", method = "get", operation_id = "getTopic")]
    async fn get(&self, state: State<'_>, auth: Auth, id: Path<TopicId>) -> ApiResult<Success<ForumTopic>> {
        ok(topics::get(&state, auth.ctx(), id.0).await?.into())
    }

    /// Edit a topic (its author)
    #[oai(path = "/forum/topics/:id", method = "patch", operation_id = "updateTopic")]
    async fn update(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<TopicId>,
        body: JsonBody<TopicUpdateRequest>,
    ) -> ApiResult<Success<ForumTopic>> {
        let b = body.0;
        let form = topics::TopicForm {
            title: b.title,
            body: b.body,
            category: b.category,
            tags: b.tags,
            mentions: Vec::new(),
        };
        ok(topics::edit(&state, auth.ctx(), id.0, form).await?.into())
    }

    /// Delete a topic and its replies (its author or a moderator)
    #[oai(path = "/forum/topics/:id", method = "delete", operation_id = "deleteTopic")]
    async fn delete(&self, state: State<'_>, auth: Auth, id: Path<TopicId>) -> ApiResult<NoContent> {
        topics::delete(&state, auth.ctx(), id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// Pin or lock a topic (moderators)
    #[oai(path = "/forum/topics/:id/moderation", method = "put", operation_id = "moderateTopic")]
    async fn moderate(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<TopicId>,
        body: JsonBody<ModerationRequest>,
    ) -> ApiResult<Success<ForumTopic>> {
        ok(topics::moderate(&state, auth.ctx(), id.0, body.pinned, body.locked).await?.into())
    }

    /// Like a topic (idempotent)
    #[oai(path = "/forum/topics/:id/like", method = "put", operation_id = "likeTopic")]
    async fn like(&self, state: State<'_>, auth: Auth, id: Path<TopicId>) -> ApiResult<Success<LikeState>> {
        let (liked, likes) = reactions::like_topic(&state, auth.ctx(), id.0, true).await?;
        ok(LikeState { liked, like_count: likes })
    }

    /// Remove a like from a topic (idempotent)
    #[oai(path = "/forum/topics/:id/like", method = "delete", operation_id = "unlikeTopic")]
    async fn unlike(&self, state: State<'_>, auth: Auth, id: Path<TopicId>) -> ApiResult<Success<LikeState>> {
        let (liked, likes) = reactions::like_topic(&state, auth.ctx(), id.0, false).await?;
        ok(LikeState { liked, like_count: likes })
    }

    /// Bookmark a topic (idempotent)
    #[oai(path = "/forum/topics/:id/bookmark", method = "put", operation_id = "bookmarkTopic")]
    async fn bookmark(&self, state: State<'_>, auth: Auth, id: Path<TopicId>) -> ApiResult<Success<BookmarkState>> {
        ok(BookmarkState { bookmarked: reactions::bookmark(&state, auth.ctx(), id.0, true).await? })
    }

    /// Remove a bookmark (idempotent)
    #[oai(path = "/forum/topics/:id/bookmark", method = "delete", operation_id = "unbookmarkTopic")]
    async fn unbookmark(&self, state: State<'_>, auth: Auth, id: Path<TopicId>) -> ApiResult<Success<BookmarkState>> {
        ok(BookmarkState { bookmarked: reactions::bookmark(&state, auth.ctx(), id.0, false).await? })
    }

    /// Mark the best answer (the topic's author or a moderator)
    #[oai(path = "/forum/topics/:id/best-answer", method = "put", operation_id = "markBestAnswer")]
    async fn best(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<TopicId>,
        body: JsonBody<BestAnswerRequest>,
    ) -> ApiResult<Success<ForumTopic>> {
        let reply: ReplyId = body.reply_id.parse().map_err(|_| crate::error::AppError::not_found("Reply"))?;
        ok(reactions::best_answer(&state, auth.ctx(), id.0, Some(reply)).await?.into())
    }

    /// Unmark the best answer (the topic's author or a moderator)
    #[oai(path = "/forum/topics/:id/best-answer", method = "delete", operation_id = "unmarkBestAnswer")]
    async fn unbest(&self, state: State<'_>, auth: Auth, id: Path<TopicId>) -> ApiResult<Success<ForumTopic>> {
        ok(reactions::best_answer(&state, auth.ctx(), id.0, None).await?.into())
    }

    /// Forum statistics
    #[oai(path = "/forum/stats", method = "get", operation_id = "forumStats")]
    async fn stats(&self, state: State<'_>, _auth: Auth) -> ApiResult<Success<ForumStats>> {
        let s = stats::stats(&state).await?;
        let answered_share = if s.topics == 0 { 0.0 } else { s.answered as f64 / s.topics as f64 };
        ok(ForumStats {
            topic_count: s.topics,
            reply_count: s.replies,
            active_member_count: s.active_members,
            answered_share,
        })
    }

    /// Top contributors by reputation
    #[oai(path = "/forum/contributors", method = "get", operation_id = "topContributors")]
    async fn contributors(
        &self,
        state: State<'_>,
        _auth: Auth,
        /// How many (1–100, default 10).
        limit: Query<Option<u32>>,
    ) -> ApiResult<Success<ContributorList>> {
        let n = limit.0.map(|l| (l as usize).clamp(1, 100)).unwrap_or(10);
        let items = stats::contributors(&state, n)
            .await?
            .into_iter()
            .map(|(u, s)| Contributor {
                user_id: u.id.to_string(),
                name: u.display_name(),
                title: u.title,
                avatar_url: u.avatar.map(media_url),
                reputation: s.reputation,
                topic_count: s.topics,
                reply_count: s.replies,
                best_answer_count: s.best_answers,
            })
            .collect();
        ok(ContributorList { items })
    }
}
/// Topic listing order.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum TopicSort {
    /// Newest first (pinned topics head the first page).
    Newest,
    /// Most recent reply first.
    Active,
    /// Most liked first.
    Top,
}

/// The user ids of a request's `mentions` (422 on one that is not an id).
fn mention_ids(ids: Option<Vec<String>>) -> Result<Vec<UserId>, crate::error::AppError> {
    ids.unwrap_or_default()
        .iter()
        .map(|i| {
            i.parse::<UserId>().map_err(|_| crate::error::AppError::field("mentions", format!("{i} is not a user id")))
        })
        .collect()
}
