//! `/api/v1/dashboard/stats`: the home screen's figures in one response.

use poem_openapi::{Object, OpenApi};

use crate::api::{
    activity::ActivityItem,
    error::{ApiResult, Success, ok},
    security::{Auth, State},
    tags::ApiTags,
};
use crate::service::dashboard::{self, UserFigures};

/// Dashboard endpoints.
#[derive(Default)]
pub struct DashboardApi;

/// The caller's own figures.
#[derive(Object, Debug)]
pub struct UserStats {
    /// Topics they started.
    pub questions_asked: u64,
    /// Replies they wrote.
    pub answers_given: u64,
    /// Their replies chosen as best answer.
    pub best_answers: u64,
    /// Likes of their topics, replies and use cases.
    pub likes_received: u64,
    /// Reputation points.
    pub reputation: u64,
    /// Use cases they published.
    pub use_cases_published: u64,
    /// Topics and use cases they bookmarked.
    pub bookmarks: u64,
    /// Unpublished drafts of topics and use cases.
    pub drafts: u64,
    /// Unread notifications (the bell).
    pub unread_notifications: u64,
    /// Unread private messages.
    pub unread_messages: u64,
    /// 0.0–10.0 (one decimal): reputation on a log scale, 10 from 1,023 points.
    pub activity_level: f64,
}

impl From<UserFigures> for UserStats {
    fn from(f: UserFigures) -> Self {
        Self {
            activity_level: f.activity_level(),
            questions_asked: f.questions_asked,
            answers_given: f.answers_given,
            best_answers: f.best_answers,
            likes_received: f.likes_received,
            reputation: f.reputation,
            use_cases_published: f.use_cases_published,
            bookmarks: f.bookmarks,
            drafts: f.drafts,
            unread_notifications: f.unread_notifications,
            unread_messages: f.unread_messages,
        }
    }
}

/// The home screen.
#[derive(Object, Debug)]
pub struct DashboardStats {
    /// The caller's figures.
    pub user_stats: UserStats,
    /// The latest 10 entries of the community's activity feed.
    pub recent_activity: Vec<ActivityItem>,
}

#[OpenApi(prefix_path = "/api/v1/dashboard", tag = "ApiTags::Notifications")]
impl DashboardApi {
    /// The caller's figures and the latest community activity, in one response
    ///
    /// Every figure is a counter kept by the writes themselves, read in one transaction.
    #[oai(path = "/stats", method = "get", operation_id = "dashboardStats")]
    async fn stats(&self, state: State<'_>, auth: Auth) -> ApiResult<Success<DashboardStats>> {
        let (figures, recent) = dashboard::stats(&state, auth.ctx()).await?;
        ok(DashboardStats { user_stats: figures.into(), recent_activity: recent.into_iter().map(Into::into).collect() })
    }
}
