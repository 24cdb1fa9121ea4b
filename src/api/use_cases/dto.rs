//! Use-case DTOs: the input of both forms, the full view, and the list, map and stats shapes.

use chrono::{DateTime, Utc};
use poem_openapi::Object;

use crate::dto::{AuthorRef, ts};
use crate::{
    domain::use_case::UseCaseView,
    domain::use_case::{Challenge, Metric, UseCaseInput as Input},
};

/// A measured result.
#[derive(Object, Debug, Clone)]
#[oai(rename = "UseCaseMetric", skip_serializing_if_is_none)]
pub struct MetricDto {
    /// What was measured (2–200).
    pub metric: String,
    /// Before (1–200).
    pub baseline: String,
    /// After (1–200).
    pub current: String,
    /// The change, e.g. "-35%" (1–200).
    pub improvement: String,
}

/// A challenge and its solution.
#[derive(Object, Debug, Clone)]
#[oai(rename = "UseCaseChallenge", skip_serializing_if_is_none)]
pub struct ChallengeDto {
    /// The challenge (5–300).
    pub challenge: String,
    /// How it was solved (5–1000).
    pub solution: String,
}

/// Use-case fields. Creating needs `title`, `summary`, `category`, `factory_name`, `city`,
/// `latitude` and `longitude` (the simplified form); every other field is optional. When
/// editing, omitted fields stay as they are.
#[derive(Object, Debug, Default)]
#[oai(skip_serializing_if_is_none)]
pub struct UseCaseInput {
    /// Title (10–100).
    pub title: Option<String>,
    /// Subtitle (≤ 150).
    pub subtitle: Option<String>,
    /// Executive summary in Markdown (50–5000).
    pub summary: Option<String>,
    /// One of the use-case categories (`GET /use-cases/categories`).
    pub category: Option<String>,
    /// Industry (≤ 100).
    pub industry: Option<String>,
    /// Factory or site name (2–80).
    pub factory_name: Option<String>,
    /// City (2–50).
    pub city: Option<String>,
    /// Latitude, −90..90.
    pub latitude: Option<f64>,
    /// Longitude, −180..180.
    pub longitude: Option<f64>,
    /// Problem: industry context (≤ 5000).
    pub problem_context: Option<String>,
    /// Problem: specific problems (≤ 5 × 10–500).
    pub specific_problems: Option<Vec<String>>,
    /// Problem: financial impact (≤ 500).
    pub financial_impact: Option<String>,
    /// Solution: technology components (≤ 15 × 3–500).
    pub technology_components: Option<Vec<String>>,
    /// Solution: vendor (≤ 120).
    pub vendor: Option<String>,
    /// Solution: how the vendor was chosen (≤ 2000).
    pub vendor_selection: Option<String>,
    /// Implementation: methodology (≤ 5000).
    pub methodology: Option<String>,
    /// Implementation: budget range, e.g. "SAR 50,000–250,000" (≤ 120).
    pub budget_range: Option<String>,
    /// Implementation: duration (≤ 120).
    pub duration: Option<String>,
    /// Implementation: phases (≤ 10).
    pub phases: Option<Vec<String>>,
    /// Implementation: team roles (≤ 20).
    pub team: Option<Vec<String>>,
    /// Results: measured metrics (≤ 4).
    pub metrics: Option<Vec<MetricDto>>,
    /// Results: qualitative impacts (≤ 10).
    pub qualitative_impacts: Option<Vec<String>>,
    /// Results: return on investment (≤ 100).
    pub roi: Option<String>,
    /// Challenges and how they were solved (≤ 4).
    pub challenges: Option<Vec<ChallengeDto>>,
    /// Lessons learned (≤ 10).
    pub lessons: Option<Vec<String>>,
    /// Tags (≤ 10).
    pub tags: Option<Vec<String>>,
    /// Contact person (≤ 120).
    pub contact_person: Option<String>,
    /// Contact person's title (≤ 120).
    pub contact_title: Option<String>,
}

impl UseCaseInput {
    /// Writes the given fields over `raw`.
    pub fn apply(self, raw: &mut Input) {
        macro_rules! set {
            ($($f:ident),*) => {$( if let Some(v) = self.$f { raw.$f = v; } )*};
        }
        set!(title, subtitle, summary, category, industry, factory_name, city, problem_context);
        raw.latitude = self.latitude.or(raw.latitude);
        raw.longitude = self.longitude.or(raw.longitude);
        set!(specific_problems, financial_impact, technology_components, vendor, vendor_selection, methodology);
        set!(
            budget_range,
            duration,
            phases,
            team,
            qualitative_impacts,
            roi,
            lessons,
            tags,
            contact_person,
            contact_title
        );
        if let Some(m) = self.metrics {
            raw.metrics = m
                .into_iter()
                .map(|m| Metric {
                    metric: m.metric,
                    baseline: m.baseline,
                    current: m.current,
                    improvement: m.improvement,
                })
                .collect();
        }
        if let Some(c) = self.challenges {
            raw.challenges =
                c.into_iter().map(|c| Challenge { challenge: c.challenge, solution: c.solution }).collect();
        }
    }
}

/// A use case.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct UseCaseDto {
    /// Use-case id.
    pub id: String,
    /// Slug, unique within the organization.
    pub slug: String,
    /// The organization's slug (`/use-cases/by-slug/{org_slug}/{slug}`).
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
    /// Factory or site.
    pub factory_name: String,
    /// City.
    pub city: String,
    /// Latitude.
    pub latitude: f64,
    /// Longitude.
    pub longitude: f64,
    /// Industry context.
    pub problem_context: String,
    /// Specific problems.
    pub specific_problems: Vec<String>,
    /// Financial impact.
    pub financial_impact: String,
    /// Technology components.
    pub technology_components: Vec<String>,
    /// Vendor.
    pub vendor: String,
    /// How the vendor was chosen.
    pub vendor_selection: String,
    /// Methodology.
    pub methodology: String,
    /// Budget range.
    pub budget_range: String,
    /// Duration.
    pub duration: String,
    /// Phases.
    pub phases: Vec<String>,
    /// Team roles.
    pub team: Vec<String>,
    /// Measured metrics.
    pub metrics: Vec<MetricDto>,
    /// Qualitative impacts.
    pub qualitative_impacts: Vec<String>,
    /// Return on investment.
    pub roi: String,
    /// Challenges and solutions.
    pub challenges: Vec<ChallengeDto>,
    /// Lessons learned.
    pub lessons: Vec<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Contact person.
    pub contact_person: String,
    /// Contact person's title.
    pub contact_title: String,
    /// Featured by a platform admin.
    pub featured: bool,
    /// Verified by a platform admin.
    pub verified: bool,
    /// Distinct viewers.
    pub view_count: u64,
    /// Likes.
    pub like_count: u64,
    /// Bookmarks.
    pub bookmark_count: u64,
    /// Whether the caller likes it.
    pub liked_by_me: bool,
    /// Whether the caller bookmarked it.
    pub bookmarked_by_me: bool,
    /// Photos, videos and documents, in display order.
    pub media: Vec<crate::dto::ForumAttachment>,
    /// Cover image URL.
    pub cover_url: Option<String>,
    /// Published.
    pub created_at: DateTime<Utc>,
    /// Last edited.
    pub updated_at: DateTime<Utc>,
}

impl From<UseCaseView> for UseCaseDto {
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
            author: crate::dto::author(u.author, v.author),
            title: c.title,
            subtitle: c.subtitle,
            summary: c.summary,
            category: c.category,
            industry: c.industry,
            factory_name: c.factory_name,
            city: c.city,
            latitude: c.latitude,
            longitude: c.longitude,
            problem_context: c.problem_context,
            specific_problems: c.specific_problems,
            financial_impact: c.financial_impact,
            technology_components: c.technology_components,
            vendor: c.vendor,
            vendor_selection: c.vendor_selection,
            methodology: c.methodology,
            budget_range: c.budget_range,
            duration: c.duration,
            phases: c.phases,
            team: c.team,
            metrics: c
                .metrics
                .into_iter()
                .map(|m| MetricDto {
                    metric: m.metric,
                    baseline: m.baseline,
                    current: m.current,
                    improvement: m.improvement,
                })
                .collect(),
            qualitative_impacts: c.qualitative_impacts,
            roi: c.roi,
            challenges: c
                .challenges
                .into_iter()
                .map(|x| ChallengeDto { challenge: x.challenge, solution: x.solution })
                .collect(),
            lessons: c.lessons,
            tags: c.tags,
            contact_person: c.contact_person,
            contact_title: c.contact_title,
            featured: u.featured,
            verified: u.verified,
            view_count: u.view_count,
            like_count: u.like_count,
            bookmark_count: u.bookmark_count,
            liked_by_me: v.liked,
            bookmarked_by_me: v.bookmarked,
            media: v.media.into_iter().map(Into::into).collect(),
            cover_url: u.cover.map(crate::dto::media_url),
            created_at: ts(u.created_at),
            updated_at: ts(u.updated_at),
        }
    }
}
