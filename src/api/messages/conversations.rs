//! `/api/v1/conversations`: the caller's conversations, one conversation's messages, the
//! read marker, mute and archive, and the unread badge.

use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
};

use crate::api::{
    error::{ApiResult, Success, ok},
    json_body::JsonBody,
    security::{Auth, State},
    tags::ApiTags,
};
use crate::{
    domain::ids::{ConversationId, MessageId},
    dto::messages::{Conversation, PrivateMessage},
    error::AppError,
    service::{self, messages::conversations},
};

/// Conversation endpoints.
#[derive(Default)]
pub struct ConversationsApi;

/// A page of conversations, most recent activity first.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct ConversationPage {
    /// Conversations.
    pub items: Vec<Conversation>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// Conversations in this folder (inbox or archived).
    pub total: u64,
}

/// A page of messages, newest first.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct MessagePage {
    /// Messages (deleted ones as tombstones).
    pub items: Vec<PrivateMessage>,
    /// Pass as `cursor` for the next (older) page; absent on the last page.
    pub next_cursor: Option<String>,
    /// Messages in the conversation.
    pub total: u64,
}

/// Unread private messages.
#[derive(Object, Debug)]
pub struct UnreadMessages {
    /// Over all the caller's conversations.
    pub unread_count: u64,
}

/// How far the caller has read.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct ReadRequest {
    /// The newest message read; absent means the whole conversation.
    pub message_id: Option<String>,
}

#[OpenApi(prefix_path = "/api/v1/conversations", tag = "ApiTags::Messages")]
impl ConversationsApi {
    /// The caller's conversations, most recent activity first
    ///
    /// The inbox, or with `archived=true` the archived ones. Each carries the other person's
    /// card, the last message's preview and the caller's unread count.
    #[oai(path = "/", method = "get", operation_id = "listConversations")]
    async fn list(
        &self,
        state: State<'_>,
        auth: Auth,
        /// List the archived conversations instead of the inbox.
        archived: Query<Option<bool>>,
        /// Cursor from the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1–100 (default 20).
        limit: Query<Option<u32>>,
    ) -> ApiResult<Success<ConversationPage>> {
        let archived = archived.0.unwrap_or(false);
        let size = service::page_size(limit.0);
        let page = conversations::list(&state, auth.ctx(), archived, cursor.0.as_deref(), size).await?;
        ok(ConversationPage {
            items: page.items.into_iter().map(Into::into).collect(),
            next_cursor: page.next_cursor,
            total: page.total,
        })
    }

    /// The caller's unread messages over all conversations (for a badge)
    #[oai(path = "/unread", method = "get", operation_id = "unreadMessageCount")]
    async fn unread(&self, state: State<'_>, auth: Auth) -> ApiResult<Success<UnreadMessages>> {
        ok(UnreadMessages { unread_count: conversations::unread(&state, auth.ctx()).await? })
    }

    /// One conversation (its two people only)
    #[oai(path = "/:id", method = "get", operation_id = "getConversation")]
    async fn get(&self, state: State<'_>, auth: Auth, id: Path<ConversationId>) -> ApiResult<Success<Conversation>> {
        ok(conversations::get(&state, auth.ctx(), id.0).await?.into())
    }

    /// A conversation's messages, newest first (its two people only)
    #[oai(path = "/:id/messages", method = "get", operation_id = "listMessages")]
    async fn messages(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<ConversationId>,
        /// Cursor from the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1–100 (default 20).
        limit: Query<Option<u32>>,
    ) -> ApiResult<Success<MessagePage>> {
        let size = service::page_size(limit.0);
        let page = conversations::messages(&state, auth.ctx(), id.0, cursor.0.as_deref(), size).await?;
        ok(MessagePage {
            items: page.items.into_iter().map(Into::into).collect(),
            next_cursor: page.next_cursor,
            total: page.total,
        })
    }

    /// Mark a conversation read, up to a message or all of it
    ///
    /// The marker never moves back. The other person sees it as `read_up_to`, and both
    /// people's sockets receive `conversation.read`.
    #[oai(path = "/:id/read", method = "post", operation_id = "markConversationRead")]
    async fn read(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<ConversationId>,
        body: JsonBody<ReadRequest>,
    ) -> ApiResult<Success<Conversation>> {
        let up_to = match &body.message_id {
            Some(m) => Some(m.parse::<MessageId>().map_err(|_| AppError::field("message_id", "is not a message id"))?),
            None => None,
        };
        ok(conversations::read(&state, auth.ctx(), id.0, up_to).await?.into())
    }

    /// Mute a conversation (no emails; live events continue)
    #[oai(path = "/:id/mute", method = "put", operation_id = "muteConversation")]
    async fn mute(&self, state: State<'_>, auth: Auth, id: Path<ConversationId>) -> ApiResult<Success<Conversation>> {
        ok(conversations::mute(&state, auth.ctx(), id.0, true).await?.into())
    }

    /// Unmute a conversation
    #[oai(path = "/:id/mute", method = "delete", operation_id = "unmuteConversation")]
    async fn unmute(&self, state: State<'_>, auth: Auth, id: Path<ConversationId>) -> ApiResult<Success<Conversation>> {
        ok(conversations::mute(&state, auth.ctx(), id.0, false).await?.into())
    }

    /// Archive a conversation (back to the inbox with the next message)
    #[oai(path = "/:id/archive", method = "put", operation_id = "archiveConversation")]
    async fn archive(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<ConversationId>,
    ) -> ApiResult<Success<Conversation>> {
        ok(conversations::archive(&state, auth.ctx(), id.0, true).await?.into())
    }

    /// Move a conversation back to the inbox
    #[oai(path = "/:id/archive", method = "delete", operation_id = "unarchiveConversation")]
    async fn unarchive(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<ConversationId>,
    ) -> ApiResult<Success<Conversation>> {
        ok(conversations::archive(&state, auth.ctx(), id.0, false).await?.into())
    }
}
