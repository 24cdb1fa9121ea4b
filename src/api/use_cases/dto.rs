//! Use-case DTOs: the full view and the structured parts (metrics, challenges, ROI) it
//! shares with the inputs (`input.rs`).

use chrono::{DateTime, Utc};
use poem_openapi::Object;

use crate::domain::{
    closed::Industry,
    use_case::{Category, Challenge, Metric, Roi, UseCaseView},
};
use crate::dto::{AuthorRef, ts};

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

impl From<MetricDto> for Metric {
    fn from(m: MetricDto) -> Self {
        Self { metric: m.metric, baseline: m.baseline, current: m.current, improvement: m.improvement }
    }
}

impl From<Metric> for MetricDto {
    fn from(m: Metric) -> Self {
        Self { metric: m.metric, baseline: m.baseline, current: m.current, improvement: m.improvement }
    }
}

/// A challenge met: what it was, how it showed, how it was solved, what came of it.
#[derive(Object, Debug, Clone)]
#[oai(rename = "UseCaseChallenge", skip_serializing_if_is_none)]
pub struct ChallengeDto {
    /// The challenge in a line (5–300).
    pub challenge: String,
    /// How it showed (≤ 1000).
    #[oai(default)]
    pub description: String,
    /// How it was solved (5–1000).
    pub solution: String,
    /// What came of it (≤ 500).
    #[oai(default)]
    pub outcome: String,
}

impl From<ChallengeDto> for Challenge {
    fn from(c: ChallengeDto) -> Self {
        Self { challenge: c.challenge, description: c.description, solution: c.solution, outcome: c.outcome }
    }
}

impl From<Challenge> for ChallengeDto {
    fn from(c: Challenge) -> Self {
        Self { challenge: c.challenge, description: c.description, solution: c.solution, outcome: c.outcome }
    }
}

/// Return on investment; amounts are free text ("SAR 1.2M a year"), each ≤ 100.
#[derive(Object, Debug, Clone, Default)]
#[oai(rename = "UseCaseRoi", skip_serializing_if_is_none)]
pub struct RoiDto {
    /// The return in a line, e.g. "Payback in 20 months".
    #[oai(default)]
    pub headline: String,
    /// Savings per year.
    #[oai(default)]
    pub annual_savings: String,
    /// What was invested in total.
    #[oai(default)]
    pub total_investment: String,
    /// How long until the investment paid back.
    #[oai(default)]
    pub payback_period: String,
}

impl From<RoiDto> for Roi {
    fn from(r: RoiDto) -> Self {
        Self {
            headline: r.headline,
            annual_savings: r.annual_savings,
            total_investment: r.total_investment,
            payback_period: r.payback_period,
        }
    }
}

impl From<Roi> for RoiDto {
    fn from(r: Roi) -> Self {
        Self {
            headline: r.headline,
            annual_savings: r.annual_savings,
            total_investment: r.total_investment,
            payback_period: r.payback_period,
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
    /// The case in the author's words (Markdown).
    pub body: String,
    /// Category.
    pub category: Category,
    /// Industry, when given.
    pub industry: Option<Industry>,
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
    pub roi: RoiDto,
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
            body: c.body,
            category: Category::of_stored(&c.category),
            industry: (!c.industry.is_empty()).then(|| Industry::of_stored(&c.industry)),
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
            metrics: c.metrics.into_iter().map(Into::into).collect(),
            qualitative_impacts: c.qualitative_impacts,
            roi: c.roi.into(),
            challenges: c.challenges.into_iter().map(Into::into).collect(),
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
