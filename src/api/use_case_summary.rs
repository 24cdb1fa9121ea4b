//! The use-case card of a listing: what a list screen shows (the reference's list item), so a
//! page carries twenty cards rather than twenty full case studies.

use chrono::{DateTime, Utc};
use poem_openapi::Object;

use super::{dto::ts, forum_dto::AuthorRef};
use crate::service::use_cases::UseCaseView;

/// A use case as a listing shows it; `GET /use-cases/{id}` has every field.
#[derive(Object, Debug)]
pub struct UseCaseSummary {
    /// Use-case id.
    pub id: String,
    /// Slug, unique within the organization.
    pub slug: String,
    /// The organization's slug (with `slug`, the address `/use-cases/by-slug/{org_slug}/{slug}`).
    pub org_slug: String,
    /// Organization id.
    pub organization_id: String,
    /// Organization name.
    pub organization_name: String,
    /// Whether the organization is verified.
    pub organization_verified: bool,
    /// Who published it.
    pub author: AuthorRef,
    /// Title.
    pub title: String,
    /// Subtitle.
    pub subtitle: String,
    /// Executive summary.
    pub summary: String,
    /// Category.
    pub category: String,
    /// Industry.
    pub industry: String,
    /// Factory name.
    pub factory_name: String,
    /// City.
    pub city: String,
    /// Latitude.
    pub latitude: f64,
    /// Longitude.
    pub longitude: f64,
    /// Implementation duration.
    pub duration: String,
    /// Qualitative impacts (the card's list of benefits).
    pub qualitative_impacts: Vec<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Featured by the platform.
    pub featured: bool,
    /// Verified by the platform.
    pub verified: bool,
    /// Views (once per user).
    pub view_count: u64,
    /// Likes.
    pub like_count: u64,
    /// Bookmarks.
    pub bookmark_count: u64,
    /// Whether the caller likes it.
    pub liked_by_me: bool,
    /// Whether the caller bookmarked it.
    pub bookmarked_by_me: bool,
    /// Cover image URL.
    pub cover_url: Option<String>,
    /// Published.
    pub created_at: DateTime<Utc>,
    /// Last edited.
    pub updated_at: DateTime<Utc>,
}

impl From<UseCaseView> for UseCaseSummary {
    fn from(v: UseCaseView) -> Self {
        let u = v.use_case;
        let c = u.content;
        Self {
            id: u.id.to_string(),
            slug: u.slug,
            org_slug: u.org_slug,
            organization_id: u.org.to_string(),
            organization_name: v.organization_name,
            organization_verified: v.organization_verified,
            author: super::forum_dto::author(u.author, v.author),
            title: c.title,
            subtitle: c.subtitle,
            summary: c.summary,
            category: c.category,
            industry: c.industry,
            factory_name: c.factory_name,
            city: c.city,
            latitude: c.latitude,
            longitude: c.longitude,
            duration: c.duration,
            qualitative_impacts: c.qualitative_impacts,
            tags: c.tags,
            featured: u.featured,
            verified: u.verified,
            view_count: u.view_count,
            like_count: u.like_count,
            bookmark_count: u.bookmark_count,
            liked_by_me: v.liked,
            bookmarked_by_me: v.bookmarked,
            cover_url: u.cover.map(super::dto::media_url),
            created_at: ts(u.created_at),
            updated_at: ts(u.updated_at),
        }
    }
}
