//! `/api/v1/users/{id}/block` and `/api/v1/users/me/blocks`.

use chrono::{DateTime, Utc};
use poem_openapi::{Object, OpenApi, param::Path};

use crate::api::{
    auth::NoContent,
    error::{ApiResult, Success, ok},
    security::{Auth, State},
    tags::ApiTags,
};
use crate::{
    domain::ids::UserId,
    dto::{AuthorRef, author_from_card, ts},
    service::messages::blocks,
};

/// Block endpoints.
#[derive(Default)]
pub struct BlocksApi;

/// Someone the caller blocked.
#[derive(Object, Debug)]
pub struct BlockedUser {
    /// Who.
    pub user: AuthorRef,
    /// When they were blocked.
    pub blocked_at: DateTime<Utc>,
}

/// The people the caller blocked, most recent first.
#[derive(Object, Debug)]
pub struct BlockList {
    /// Blocked people (at most `messages.max_blocks`).
    pub items: Vec<BlockedUser>,
}

#[OpenApi(prefix_path = "/api/v1/users", tag = "ApiTags::Messages")]
impl BlocksApi {
    /// Block a person: they can no longer message the caller
    ///
    /// Idempotent. They are not told; their messages are refused with `cannot_message`.
    #[oai(path = "/:id/block", method = "post", operation_id = "blockUser")]
    async fn block(&self, state: State<'_>, auth: Auth, id: Path<UserId>) -> ApiResult<NoContent> {
        blocks::block(&state, auth.ctx(), id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// Unblock a person (idempotent)
    #[oai(path = "/:id/block", method = "delete", operation_id = "unblockUser")]
    async fn unblock(&self, state: State<'_>, auth: Auth, id: Path<UserId>) -> ApiResult<NoContent> {
        blocks::unblock(&state, auth.ctx(), id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// The people the caller blocked
    #[oai(path = "/me/blocks", method = "get", operation_id = "listBlocks")]
    async fn list(&self, state: State<'_>, auth: Auth) -> ApiResult<Success<BlockList>> {
        let items = blocks::list(&state, auth.ctx())
            .await?
            .into_iter()
            .map(|b| BlockedUser { user: author_from_card(b.user, b.card), blocked_at: ts(b.at) })
            .collect();
        ok(BlockList { items })
    }
}
