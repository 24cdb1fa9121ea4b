//! `/api/v1/activity` and `/api/v1/organizations/{id}/activity`: who did what, newest first.

use chrono::{DateTime, Utc};
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
};

use crate::api::{
    error::{ApiResult, Success, ok},
    security::{Auth, State},
    tags::ApiTags,
};
use crate::{
    domain::{
        activity::{ActivityKind, ActivityView},
        engagement::Target,
        ids::OrgId,
    },
    dto::{AuthorRef, author_from_card, ts},
    service::{self, activity},
};

/// Activity feed endpoints.
#[derive(Default)]
pub struct ActivityApi;

/// One entry of the feed.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct ActivityItem {
    /// Entry id.
    pub id: String,
    /// What they did.
    pub kind: ActivityKind,
    /// Who did it.
    pub actor: AuthorRef,
    /// Their organization's id (the one they joined, for `joined`).
    pub organization_id: Option<String>,
    /// What it is about: `topic`, `reply` or `use_case` (absent for `joined`).
    pub target_type: Option<String>,
    /// The id of what it is about.
    pub target_id: Option<String>,
    /// The topic of a reply (for the link).
    pub topic_id: Option<String>,
    /// The topic's or use case's title (the organization's name for `joined`).
    pub title: String,
    /// When.
    pub at: DateTime<Utc>,
}

impl From<ActivityView> for ActivityItem {
    fn from(v: ActivityView) -> Self {
        let a = v.activity;
        let (target_type, target_id) = match a.target {
            Some(Target::Topic(id)) => (Some("topic"), Some(id.to_string())),
            Some(Target::Reply(id)) => (Some("reply"), Some(id.to_string())),
            Some(Target::UseCase(id)) => (Some("use_case"), Some(id.to_string())),
            None => (None, None),
        };
        Self {
            id: a.id.to_string(),
            kind: a.kind,
            actor: author_from_card(a.actor, v.actor),
            organization_id: a.org.map(|o| o.to_string()),
            target_type: target_type.map(Into::into),
            target_id,
            topic_id: a.topic.map(|t| t.to_string()),
            title: v.title,
            at: ts(a.at),
        }
    }
}

/// A page of the feed, newest first.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct ActivityPage {
    /// Entries.
    pub items: Vec<ActivityItem>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Notifications")]
impl ActivityApi {
    /// The community's activity, newest first
    ///
    /// Asked, answered, best answers, published use cases, joined organizations; never views.
    #[oai(path = "/activity", method = "get", operation_id = "listActivity")]
    async fn community(
        &self,
        state: State<'_>,
        auth: Auth,
        /// Cursor from the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1–100 (default 20).
        limit: Query<Option<u32>>,
    ) -> ApiResult<Success<ActivityPage>> {
        let page = activity::list(&state, auth.ctx(), None, cursor.0.as_deref(), service::page_size(limit.0)).await?;
        ok(ActivityPage { items: page.items.into_iter().map(Into::into).collect(), next_cursor: page.next_cursor })
    }

    /// One organization's activity (its people's), newest first
    #[oai(path = "/organizations/:id/activity", method = "get", operation_id = "listOrganizationActivity")]
    async fn organization(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<OrgId>,
        /// Cursor from the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1–100 (default 20).
        limit: Query<Option<u32>>,
    ) -> ApiResult<Success<ActivityPage>> {
        let size = service::page_size(limit.0);
        let page = activity::list(&state, auth.ctx(), Some(id.0), cursor.0.as_deref(), size).await?;
        ok(ActivityPage { items: page.items.into_iter().map(Into::into).collect(), next_cursor: page.next_cursor })
    }
}
