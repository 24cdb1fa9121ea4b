//! Use cases: structured case studies (problem, solution, implementation, results) with the
//! limits of the reference contract. The simplified form needs only a few fields; the full
//! form adds the structured sections, each bounded.

use serde::{Deserialize, Serialize};

mod draft;
mod input;

pub use draft::{MAX_CLIENT_STATE, MAX_STEP, UseCaseDraft};
pub use input::{UseCaseInput, validate};

use super::ids::{MediaId, OrgId, UseCaseId, UserId};

/// A use-case category: a stable id and its names in both languages. Use cases store the
/// English name; requests may name a category by id or by English name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Category {
    pub id: &'static str,
    pub name_en: &'static str,
    pub name_ar: &'static str,
}

/// Every category (the reference list), in display order.
pub const CATEGORY_LIST: &[Category] = &[
    Category { id: "quality-control", name_en: "Quality Control", name_ar: "مراقبة الجودة" },
    Category {
        id: "predictive-maintenance", name_en: "Predictive Maintenance", name_ar: "الصيانة التنبؤية"
    },
    Category { id: "factory-automation", name_en: "Factory Automation", name_ar: "أتمتة المصانع" },
    Category {
        id: "artificial-intelligence", name_en: "Artificial Intelligence", name_ar: "الذكاء الاصطناعي"
    },
    Category { id: "sustainability", name_en: "Sustainability", name_ar: "الاستدامة" },
    Category { id: "process-optimization", name_en: "Process Optimization", name_ar: "تحسين العمليات" },
    Category { id: "supply-chain", name_en: "Supply Chain", name_ar: "سلسلة الإمداد" },
    Category {
        id: "innovation-rd", name_en: "Innovation & R&D", name_ar: "الابتكار والبحث والتطوير"
    },
    Category { id: "training-safety", name_en: "Training & Safety", name_ar: "التدريب والسلامة" },
    Category { id: "energy-efficiency", name_en: "Energy Efficiency", name_ar: "كفاءة الطاقة" },
];

/// The category a stored name or id stands for (any case).
pub fn category(named: &str) -> Option<&'static Category> {
    let named = named.trim();
    CATEGORY_LIST.iter().find(|c| c.id.eq_ignore_ascii_case(named) || c.name_en.eq_ignore_ascii_case(named))
}

impl Category {
    /// The category of stored content (validated on every write, so always known; an
    /// unknown name reads as the first category rather than failing a whole page).
    pub fn of_stored(named: &str) -> Self {
        category(named).copied().unwrap_or(CATEGORY_LIST[0])
    }
}

impl super::closed::ClosedSet for Category {
    const ALL: &'static [Self] = CATEGORY_LIST;
    const SCHEMA: &'static str = "UseCaseCategoryId";
    const DESCRIPTION: &'static str =
        "A use-case category by its stable id (`GET /use-cases/categories` names each in English and Arabic).";

    fn name(self) -> &'static str {
        self.id
    }
}

impl Serialize for Category {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id)
    }
}

/// A measured result.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    pub metric: String,
    pub baseline: String,
    pub current: String,
    pub improvement: String,
}

/// A challenge met: what it was, how it showed, how it was solved and what came of it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Challenge {
    pub challenge: String,
    pub description: String,
    pub solution: String,
    pub outcome: String,
}

/// Return on investment, in the terms the reference form's ROI analysis used. Amounts are
/// free text ("SAR 1.2M a year") because currencies and periods vary per factory.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Roi {
    /// The return in a line, e.g. "Payback in 20 months".
    pub headline: String,
    pub annual_savings: String,
    pub total_investment: String,
    pub payback_period: String,
}

impl Roi {
    /// Whether nothing was said about the return.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// Everything a person writes about a use case: validated with coordinates (`C = f64`, the
/// stored form), or as typed so far with coordinates perhaps missing (`UseCaseInput`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UseCaseContent<C = f64> {
    pub title: String,
    pub subtitle: String,
    /// The case in the author's words (Markdown): the executive summary of the full form.
    #[serde(alias = "summary")]
    pub body: String,
    pub category: String,
    pub industry: String,
    pub factory_name: String,
    pub city: String,
    pub latitude: C,
    pub longitude: C,
    pub problem_context: String,
    pub specific_problems: Vec<String>,
    pub financial_impact: String,
    pub technology_components: Vec<String>,
    pub vendor: String,
    pub vendor_selection: String,
    pub methodology: String,
    pub budget_range: String,
    pub duration: String,
    pub phases: Vec<String>,
    pub team: Vec<String>,
    pub metrics: Vec<Metric>,
    pub qualitative_impacts: Vec<String>,
    #[serde(deserialize_with = "roi_or_line")]
    pub roi: Roi,
    pub challenges: Vec<Challenge>,
    pub lessons: Vec<String>,
    pub tags: Vec<String>,
    pub contact_person: String,
    pub contact_title: String,
}

/// Reads a stored ROI: the structured form, or the single line records held before ROI had
/// parts (it becomes the headline), so older records and drafts read without a rewrite.
fn roi_or_line<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Roi, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored {
        Line(String),
        Parts(Roi),
    }
    Ok(match Stored::deserialize(d)? {
        Stored::Line(headline) => Roi { headline, ..Roi::default() },
        Stored::Parts(roi) => roi,
    })
}

impl<C> UseCaseContent<C> {
    /// The benefit a map popup or card names first: the first measured result ("-35%
    /// downtime"), else the first qualitative impact, else the ROI headline; at most 120
    /// characters.
    pub fn headline_benefit(&self) -> String {
        let line = match (self.metrics.first(), self.qualitative_impacts.first()) {
            (Some(m), _) => format!("{} {}", m.improvement, m.metric),
            (None, Some(q)) => q.clone(),
            (None, None) => self.roi.headline.clone(),
        };
        line.chars().take(120).collect()
    }
}

/// A stored use case. Counters are kept on every write.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UseCase {
    pub id: UseCaseId,
    pub author: UserId,
    pub org: OrgId,
    /// Unique within the organization; a collision gets a numeric suffix.
    pub slug: String,
    pub org_slug: String,
    pub content: UseCaseContent,
    pub featured: bool,
    pub verified: bool,
    pub view_count: u64,
    pub like_count: u64,
    pub bookmark_count: u64,
    pub created_at: i64,
    pub updated_at: i64,
    /// Photos, videos and documents, in display order (≤ `MAX_MEDIA`).
    #[serde(default)]
    pub media: Vec<MediaId>,
    /// The cover image (one of `media`).
    #[serde(default)]
    pub cover: Option<MediaId>,
}

/// What a listing reads of a use case: the card's fields and what filters match, without
/// the long-form fields and media — a fraction of the record to decode.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UseCaseCard {
    pub id: UseCaseId,
    pub author: UserId,
    pub org: OrgId,
    pub slug: String,
    pub org_slug: String,
    pub title: String,
    pub subtitle: String,
    #[serde(alias = "summary")]
    pub body: String,
    pub category: String,
    pub industry: String,
    pub factory_name: String,
    pub city: String,
    pub latitude: f64,
    pub longitude: f64,
    pub duration: String,
    pub qualitative_impacts: Vec<String>,
    pub tags: Vec<String>,
    pub featured: bool,
    pub verified: bool,
    pub view_count: u64,
    pub like_count: u64,
    pub bookmark_count: u64,
    pub created_at: i64,
    pub updated_at: i64,
    pub cover: Option<MediaId>,
}

impl UseCase {
    /// A use case just published at `at` by `author` of `org`: not featured or verified, no
    /// views, likes, bookmarks or media yet.
    pub fn new(
        id: UseCaseId,
        author: UserId,
        org: OrgId,
        org_slug: String,
        slug: String,
        content: UseCaseContent,
        at: i64,
    ) -> Self {
        Self {
            id,
            author,
            org,
            slug,
            org_slug,
            content,
            featured: false,
            verified: false,
            view_count: 0,
            like_count: 0,
            bookmark_count: 0,
            created_at: at,
            updated_at: at,
            media: Vec::new(),
            cover: None,
        }
    }

    /// The card of this use case.
    pub fn card(&self) -> UseCaseCard {
        let c = &self.content;
        UseCaseCard {
            id: self.id,
            author: self.author,
            org: self.org,
            slug: self.slug.clone(),
            org_slug: self.org_slug.clone(),
            title: c.title.clone(),
            subtitle: c.subtitle.clone(),
            body: c.body.clone(),
            category: c.category.clone(),
            industry: c.industry.clone(),
            factory_name: c.factory_name.clone(),
            city: c.city.clone(),
            latitude: c.latitude,
            longitude: c.longitude,
            duration: c.duration.clone(),
            qualitative_impacts: c.qualitative_impacts.clone(),
            tags: c.tags.clone(),
            featured: self.featured,
            verified: self.verified,
            view_count: self.view_count,
            like_count: self.like_count,
            bookmark_count: self.bookmark_count,
            created_at: self.created_at,
            updated_at: self.updated_at,
            cover: self.cover,
        }
    }
}

/// A use case with what the caller needs to render it.
#[derive(Debug, Clone)]
pub struct UseCaseView {
    pub use_case: UseCase,
    pub author: Option<super::user::User>,
    pub organization_name: String,
    pub organization_verified: bool,
    pub liked: bool,
    pub bookmarked: bool,
    pub media: Vec<super::media::Media>,
}

/// What the map shows of a use case (its marker and popup), kept beside it so the map never
/// decodes full records.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MapPoint {
    pub id: UseCaseId,
    pub title: String,
    pub category: String,
    #[serde(default)]
    pub organization_name: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub headline_benefit: String,
    pub latitude: f64,
    pub longitude: f64,
    pub slug: String,
    pub org_slug: String,
    #[serde(default)]
    pub cover: Option<MediaId>,
}

/// The order of a use-case listing, highest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    Newest,
    MostViewed,
    MostLiked,
}

/// Media a use case may carry, and files one upload request may send.
pub const MAX_MEDIA: usize = 20;
pub const MAX_FILES_PER_REQUEST: usize = 10;

/// Who may edit a use case and manage its media: its author or an active admin of its
/// organization.
pub fn may_edit(user: &super::user::User, u: &UseCase) -> bool {
    user.id == u.author
        || user.org_id == Some(u.org)
            && user.org_role == Some(super::user::OrgRole::Admin)
            && super::authz::member_of(user).is_ok()
}

/// Who may delete a use case: whoever may edit it, or a platform admin.
pub fn may_delete(user: &super::user::User, u: &UseCase) -> bool {
    may_edit(user, u) || user.platform_admin
}

/// Lower-case words joined by `-` (Latin and Arabic letters and digits kept).
pub fn slugify(text: &str) -> String {
    let mut out = String::new();
    for c in text.to_lowercase().chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let slug = out.trim_end_matches('-').chars().take(80).collect::<String>();
    if slug.is_empty() { "use-case".into() } else { slug }
}
