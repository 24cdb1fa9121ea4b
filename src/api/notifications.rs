//! `/api/v1/notifications`: the caller's notifications, the bell's count, and marking read;
//! `/api/v1/forum/topics/{id}/watch`: watching a topic (its replies notify the watchers);
//! `/api/v1/users/me/notification-settings`: which notifications reach the caller, and how.

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
    domain::{
        ids::{NotificationId, TopicId},
        notifications::{Channels, NotificationKind},
    },
    dto::notifications::NotificationDto,
    error::AppError,
    service::{
        self,
        notifications::{self, settings, watchers},
    },
};

/// Notification endpoints.
#[derive(Default)]
pub struct NotificationsApi;

/// Topic watching endpoints.
#[derive(Default)]
pub struct WatchApi;

/// Notification settings endpoints.
#[derive(Default)]
pub struct NotificationSettingsApi;

/// How one kind of notification reaches the person.
#[derive(Object, Debug, Clone)]
pub struct NotificationSetting {
    /// The kind of notification.
    pub kind: NotificationKind,
    /// Shown in the app (the bell and the list) and pushed to open sockets.
    pub in_app: bool,
    /// Emailed: in the coalesced email (at most one per 15 minutes); a message while away
    /// and a join request have emails of their own.
    pub email: bool,
}

/// The caller's notification settings, one entry per kind.
#[derive(Object, Debug)]
pub struct NotificationSettings {
    /// Every kind (on reading); the kinds to change (on writing — the others keep theirs).
    #[oai(validator(max_items = 32))]
    pub settings: Vec<NotificationSetting>,
}

impl NotificationSettings {
    fn of(all: Vec<(NotificationKind, Channels)>) -> Self {
        let settings =
            all.into_iter().map(|(kind, c)| NotificationSetting { kind, in_app: c.in_app, email: c.email }).collect();
        Self { settings }
    }
}

/// Whether the caller watches a topic.
#[derive(Object, Debug)]
pub struct WatchState {
    /// Replies to the topic notify the caller.
    pub watching: bool,
}

/// A page of notifications, newest first.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct NotificationPage {
    /// Notifications (those about deleted content are left out).
    pub items: Vec<NotificationDto>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// Unread notifications in all (with `unread_only`; 0 otherwise).
    pub total: u64,
}

/// Unread notifications.
#[derive(Object, Debug)]
pub struct UnreadNotifications {
    /// For the bell.
    pub unread_count: u64,
}

/// Which notifications to mark read.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct MarkReadRequest {
    /// These (≤ 100); absent means every unread one.
    pub ids: Option<Vec<String>>,
}

#[OpenApi(prefix_path = "/api/v1/notifications", tag = "ApiTags::Notifications")]
impl NotificationsApi {
    /// The caller's notifications, newest first
    #[oai(path = "/", method = "get", operation_id = "listNotifications")]
    async fn list(
        &self,
        state: State<'_>,
        auth: Auth,
        /// Only the unread ones.
        unread_only: Query<Option<bool>>,
        /// Cursor from the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1–100 (default 20).
        limit: Query<Option<u32>>,
    ) -> ApiResult<Success<NotificationPage>> {
        let (unread, size) = (unread_only.0.unwrap_or(false), service::page_size(limit.0));
        let page = notifications::list(&state, auth.ctx(), unread, cursor.0.as_deref(), size).await?;
        ok(NotificationPage {
            items: page.items.into_iter().map(Into::into).collect(),
            next_cursor: page.next_cursor,
            total: page.total,
        })
    }

    /// The caller's unread notifications (for the bell)
    #[oai(path = "/unread", method = "get", operation_id = "unreadNotificationCount")]
    async fn unread(&self, state: State<'_>, auth: Auth) -> ApiResult<Success<UnreadNotifications>> {
        ok(UnreadNotifications { unread_count: notifications::unread(&state, auth.ctx()).await? })
    }

    /// Mark notifications read, some or all
    ///
    /// The caller's sockets receive `notification.read`, so other tabs clear their badge.
    /// Answers what is still unread.
    #[oai(path = "/read", method = "post", operation_id = "markNotificationsRead")]
    async fn read(
        &self,
        state: State<'_>,
        auth: Auth,
        body: JsonBody<MarkReadRequest>,
    ) -> ApiResult<Success<UnreadNotifications>> {
        let ids = match &body.ids {
            Some(ids) => Some(
                ids.iter()
                    .map(|i| {
                        i.parse::<NotificationId>().map_err(|_| AppError::field("ids", "is not a notification id"))
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            None => None,
        };
        ok(UnreadNotifications { unread_count: notifications::mark_read(&state, auth.ctx(), ids).await? })
    }
}

#[OpenApi(prefix_path = "/api/v1/forum/topics", tag = "ApiTags::Forum")]
impl WatchApi {
    /// Whether the caller watches a topic
    ///
    /// People watch the topics they create or reply to, unless they unwatched one.
    #[oai(path = "/:id/watch", method = "get", operation_id = "getTopicWatch")]
    async fn get(&self, state: State<'_>, auth: Auth, id: Path<TopicId>) -> ApiResult<Success<WatchState>> {
        ok(WatchState { watching: watchers::get(&state, auth.ctx(), id.0).await? })
    }

    /// Watch a topic: its replies notify the caller (idempotent)
    #[oai(path = "/:id/watch", method = "put", operation_id = "watchTopic")]
    async fn watch(&self, state: State<'_>, auth: Auth, id: Path<TopicId>) -> ApiResult<Success<WatchState>> {
        ok(WatchState { watching: watchers::set(&state, auth.ctx(), id.0, true).await? })
    }

    /// Stop watching a topic (replying again does not watch it again; idempotent)
    #[oai(path = "/:id/watch", method = "delete", operation_id = "unwatchTopic")]
    async fn unwatch(&self, state: State<'_>, auth: Auth, id: Path<TopicId>) -> ApiResult<Success<WatchState>> {
        ok(WatchState { watching: watchers::set(&state, auth.ctx(), id.0, false).await? })
    }
}

#[OpenApi(prefix_path = "/api/v1/users/me/notification-settings", tag = "ApiTags::Notifications")]
impl NotificationSettingsApi {
    /// The caller's notification settings
    ///
    /// By default every kind is shown in the app, and a message while away, a join request
    /// and a best answer are emailed too.
    #[oai(path = "/", method = "get", operation_id = "getNotificationSettings")]
    async fn get(&self, state: State<'_>, auth: Auth) -> ApiResult<Success<NotificationSettings>> {
        ok(NotificationSettings::of(settings::get(&state, auth.ctx()).await?))
    }

    /// Change how some kinds of notification reach the caller
    ///
    /// Kinds left out keep their settings; answers every kind's.
    #[oai(path = "/", method = "put", operation_id = "setNotificationSettings")]
    async fn set(
        &self,
        state: State<'_>,
        auth: Auth,
        body: JsonBody<NotificationSettings>,
    ) -> ApiResult<Success<NotificationSettings>> {
        let changes =
            body.0.settings.into_iter().map(|s| (s.kind, Channels { in_app: s.in_app, email: s.email })).collect();
        ok(NotificationSettings::of(settings::set(&state, auth.ctx(), changes).await?))
    }
}
