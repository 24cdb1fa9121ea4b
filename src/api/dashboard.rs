//! `/api/v1/dashboard/stats`: the home screen's figures in one response.

use chrono::{DateTime, Utc};
use poem_openapi::{Object, OpenApi};

use crate::api::{
    activity::ActivityItem,
    error::{ApiResult, Success, ok},
    security::{Auth, State},
    tags::ApiTags,
};
use crate::{
    domain::forum::Topic,
    dto::ts,
    service::dashboard::{self, OrgFigures, UserFigures},
};

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

/// A topic with much engagement lately.
#[derive(Object, Debug)]
pub struct TrendingTopic {
    /// Topic id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Category id.
    pub category: String,
    /// Replies.
    pub reply_count: u64,
    /// Likes.
    pub like_count: u64,
    /// Distinct viewers.
    pub view_count: u64,
    /// Last reply (or creation).
    pub last_activity_at: DateTime<Utc>,
}

impl From<Topic> for TrendingTopic {
    fn from(t: Topic) -> Self {
        Self {
            id: t.id.to_string(),
            title: t.title,
            category: t.category,
            reply_count: t.reply_count,
            like_count: t.like_count,
            view_count: t.view_count,
            last_activity_at: ts(t.last_activity_at),
        }
    }
}

/// The figures of the caller's organization: what its people wrote and earned while in it.
#[derive(Object, Debug)]
pub struct OrganizationStats {
    /// Organization id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Active members.
    pub members: u64,
    /// Forum topics its people started.
    pub topics: u64,
    /// Forum replies its people wrote.
    pub replies: u64,
    /// Use cases its people published.
    pub use_cases: u64,
    /// Likes its people's topics, replies and use cases received.
    pub likes_received: u64,
    /// Views of its use cases (each person counted once per use case).
    pub use_case_views: u64,
    /// Reputation its people earned while in it.
    pub reputation: u64,
    /// Its place among all organizations by that reputation (1 is first; ties share a place).
    pub rank: u64,
}

impl From<OrgFigures> for OrganizationStats {
    fn from(o: OrgFigures) -> Self {
        Self {
            id: o.id.to_string(),
            name: o.name,
            members: o.members,
            topics: o.stats.topics,
            replies: o.stats.replies,
            use_cases: o.stats.use_cases,
            likes_received: o.stats.likes_received,
            use_case_views: o.stats.use_case_views,
            reputation: o.stats.reputation,
            rank: o.rank,
        }
    }
}

/// The home screen.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct DashboardStats {
    /// The caller's figures.
    pub user_stats: UserStats,
    /// The caller's organization's figures (absent for someone in none).
    pub organization_stats: Option<OrganizationStats>,
    /// The latest 10 entries of the community's activity feed.
    pub recent_activity: Vec<ActivityItem>,
    /// The 10 topics with the most engagement lately: replies, likes and first views, each
    /// counting half as much per day of age.
    pub trending_topics: Vec<TrendingTopic>,
}

#[OpenApi(prefix_path = "/api/v1/dashboard", tag = "ApiTags::Notifications")]
impl DashboardApi {
    /// The caller's figures, the latest community activity and trending topics, in one response
    ///
    /// Every figure is a counter kept by the writes themselves, read in one transaction.
    #[oai(path = "/stats", method = "get", operation_id = "dashboardStats")]
    async fn stats(&self, state: State<'_>, auth: Auth) -> ApiResult<Success<DashboardStats>> {
        let d = dashboard::stats(&state, auth.ctx()).await?;
        ok(DashboardStats {
            user_stats: d.figures.into(),
            organization_stats: d.organization.map(Into::into),
            recent_activity: d.recent.into_iter().map(Into::into).collect(),
            trending_topics: d.trending.into_iter().map(Into::into).collect(),
        })
    }
}
