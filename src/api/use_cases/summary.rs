//! The use-case card of a listing: what a list screen shows (the reference's list item), so a
//! page carries twenty cards rather than twenty full case studies. Listing pages are rendered
//! with serde and cached (`use_case_pages`); a test keeps that identical to the OpenAPI form.

use chrono::{DateTime, Utc};
use poem_openapi::Object;

use crate::domain::{closed::Industry, use_case::Category};
use crate::dto::{AuthorRef, ts};
use crate::service::use_cases::queries::UseCaseListItem;

/// A use case as a listing shows it; `GET /use-cases/{id}` has every field.
#[derive(Object, Debug, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
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
    /// The case in the author's words (Markdown).
    pub body: String,
    /// Category.
    pub category: Category,
    /// Industry, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub industry: Option<Industry>,
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
    #[serde(skip)] // per viewer: spliced into the rendered card (`use_case_pages`)
    pub liked_by_me: bool,
    /// Whether the caller bookmarked it.
    #[serde(skip)]
    pub bookmarked_by_me: bool,
    /// Cover image URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cover_url: Option<String>,
    /// Published.
    #[serde(serialize_with = "crate::dto::rfc3339")]
    pub created_at: DateTime<Utc>,
    /// Last edited.
    #[serde(serialize_with = "crate::dto::rfc3339")]
    pub updated_at: DateTime<Utc>,
}

impl From<UseCaseListItem> for UseCaseSummary {
    fn from(v: UseCaseListItem) -> Self {
        let c = v.card;
        let (organization_name, organization_verified) =
            v.organization.map(|o| (o.name, o.verified)).unwrap_or_default();
        Self {
            id: c.id.to_string(),
            slug: c.slug,
            org_slug: c.org_slug,
            organization_id: c.org.to_string(),
            organization_name,
            organization_verified,
            author: crate::dto::author_from_card(c.author, v.author),
            title: c.title,
            subtitle: c.subtitle,
            body: c.body,
            category: Category::of_stored(&c.category),
            industry: (!c.industry.is_empty()).then(|| Industry::of_stored(&c.industry)),
            factory_name: c.factory_name,
            city: c.city,
            latitude: c.latitude,
            longitude: c.longitude,
            duration: c.duration,
            qualitative_impacts: c.qualitative_impacts,
            tags: c.tags,
            featured: c.featured,
            verified: c.verified,
            view_count: c.view_count,
            like_count: c.like_count,
            bookmark_count: c.bookmark_count,
            // The caller's marks are spliced into the rendered page (`use_case_pages`).
            liked_by_me: false,
            bookmarked_by_me: false,
            cover_url: c.cover.map(crate::dto::media_url),
            created_at: ts(c.created_at),
            updated_at: ts(c.updated_at),
        }
    }
}

#[cfg(test)]
mod tests {
    use poem_openapi::types::ToJSON;

    use super::*;
    use crate::{
        api::use_cases::{UseCasePage, pages::render},
        service::use_cases::cache::CachedPage,
    };

    fn card(cover_url: Option<String>, avatar_url: Option<String>) -> UseCaseSummary {
        UseCaseSummary {
            id: "01a2178e-ff08-7774-9ed5-7439cfc9e562".into(),
            slug: "vision-inspection".into(),
            org_slug: "jeddah-bottling".into(),
            organization_id: "01a2178e-ff08-7774-9ed5-7439cfc9e563".into(),
            organization_name: "تعبئة جدة \"Jeddah\"".into(),
            organization_verified: true,
            author: AuthorRef { id: "u".into(), name: "Sara Al-Harbi".into(), title: String::new(), avatar_url },
            title: "Vision inspection\non line one".into(),
            subtitle: String::new(),
            body: "Cameras catch cap defects.".into(),
            category: Category::of_stored("Quality Control"),
            industry: cover_url.is_some().then_some(Industry::FoodBeverage),
            factory_name: "Plant".into(),
            city: "Jeddah".into(),
            latitude: 21.5433,
            longitude: -39.0,
            duration: "3 months".into(),
            qualitative_impacts: vec!["Fewer returns".into()],
            tags: vec![],
            featured: false,
            verified: true,
            view_count: 12,
            like_count: 0,
            bookmark_count: u64::MAX,
            liked_by_me: true,
            bookmarked_by_me: false,
            cover_url,
            created_at: ts(1_764_150_000_123),
            updated_at: ts(0),
        }
    }

    #[test]
    fn the_rendered_page_is_the_openapi_form() {
        for (next_cursor, total) in [(Some("abc".to_owned()), 41), (None, 3)] {
            let mut page = UseCasePage {
                items: vec![card(Some("/api/v1/media/x".into()), None), card(None, Some("/a".into()))],
                next_cursor,
                total,
            };
            let cached = CachedPage::new(1, vec![], render(&page).unwrap());
            for marks in [[(false, false), (false, false)], [(true, false), (false, true)]] {
                for (item, (liked, bookmarked)) in page.items.iter_mut().zip(marks) {
                    (item.liked_by_me, item.bookmarked_by_me) = (liked, bookmarked);
                }
                let rendered: serde_json::Value = serde_json::from_slice(&cached.body(&marks)).unwrap();
                assert_eq!(rendered, page.to_json().unwrap());
            }
        }
        let empty = UseCasePage { items: vec![], next_cursor: None, total: 0 };
        let rendered: serde_json::Value =
            serde_json::from_slice(&CachedPage::new(1, vec![], render(&empty).unwrap()).body(&[])).unwrap();
        assert_eq!(rendered, empty.to_json().unwrap());
    }
}
