//! Use cases: structured case studies (problem, solution, implementation, results) with the
//! limits of the reference contract. The simplified form needs only a few fields; the full
//! form adds the structured sections, each bounded.

use serde::{Deserialize, Serialize};

use super::{
    FieldErrors,
    engagement::{DraftFields, TargetKind},
    ids::{MediaId, OrgId, UseCaseId, UserId},
    text::{self, Validator},
};

/// The configured use-case categories (reference list).
pub const CATEGORIES: &[&str] = &[
    "Quality Control",
    "Predictive Maintenance",
    "Factory Automation",
    "Artificial Intelligence",
    "Sustainability",
    "Process Optimization",
    "Supply Chain",
    "Innovation & R&D",
    "Training & Safety",
    "Energy Efficiency",
];

/// A measured result.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    pub metric: String,
    pub baseline: String,
    pub current: String,
    pub improvement: String,
}

/// A challenge met and how it was solved.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Challenge {
    pub challenge: String,
    pub solution: String,
}

/// Everything a person writes about a use case: validated with coordinates (`C = f64`, the
/// stored form), or as typed so far with coordinates perhaps missing (`UseCaseInput`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UseCaseContent<C = f64> {
    pub title: String,
    pub subtitle: String,
    pub summary: String,
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
    pub roi: String,
    pub challenges: Vec<Challenge>,
    pub lessons: Vec<String>,
    pub tags: Vec<String>,
    pub contact_person: String,
    pub contact_title: String,
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
    pub summary: String,
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
            summary: c.summary.clone(),
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

/// What the map shows of a use case, kept beside it so the map never decodes full records.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MapPoint {
    pub id: UseCaseId,
    pub title: String,
    pub category: String,
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

fn list(v: &mut Validator, field: &str, items: &[String], max_items: usize, min: usize, max: usize) -> Vec<String> {
    if items.len() > max_items {
        v.fail(field, format!("at most {max_items} items"));
        return Vec::new();
    }
    let mut out = Vec::new();
    for item in items {
        match text::paragraph(item, max).and_then(|t| {
            if t.chars().count() < min { Err(format!("each item needs at least {min} characters")) } else { Ok(t) }
        }) {
            Ok(t) => out.push(t),
            Err(why) => {
                v.fail(field, why);
                break;
            }
        }
    }
    out
}

/// A use case as a person has written it so far (a draft, or a create or edit request):
/// every field may be empty and the coordinates missing; `validate` makes it content.
pub type UseCaseInput = UseCaseContent<Option<f64>>;

impl DraftFields for UseCaseInput {
    const KIND: TargetKind = TargetKind::UseCase;
}

impl<C> UseCaseContent<C> {
    /// The same fields with coordinates mapped by `f`.
    pub fn map_coordinates<D>(self, f: impl Fn(C) -> D) -> UseCaseContent<D> {
        UseCaseContent {
            title: self.title,
            subtitle: self.subtitle,
            summary: self.summary,
            category: self.category,
            industry: self.industry,
            factory_name: self.factory_name,
            city: self.city,
            latitude: f(self.latitude),
            longitude: f(self.longitude),
            problem_context: self.problem_context,
            specific_problems: self.specific_problems,
            financial_impact: self.financial_impact,
            technology_components: self.technology_components,
            vendor: self.vendor,
            vendor_selection: self.vendor_selection,
            methodology: self.methodology,
            budget_range: self.budget_range,
            duration: self.duration,
            phases: self.phases,
            team: self.team,
            metrics: self.metrics,
            qualitative_impacts: self.qualitative_impacts,
            roi: self.roi,
            challenges: self.challenges,
            lessons: self.lessons,
            tags: self.tags,
            contact_person: self.contact_person,
            contact_title: self.contact_title,
        }
    }
}

impl UseCaseContent {
    /// The content as an input to edit (coordinates present).
    pub fn to_input(&self) -> UseCaseInput {
        self.clone().map_coordinates(Some)
    }
}

/// Validates a use case, naming every missing or invalid field at once. Required: title
/// (10–100), summary (50–5000), category, factory name, city, coordinates; everything else
/// is optional and bounded.
pub fn validate(raw: &UseCaseInput) -> Result<UseCaseContent, FieldErrors> {
    let mut v = Validator::default();
    let mut c = UseCaseContent::default();
    let req = |v: &mut Validator, field: &str, value: &str, min: usize, max: usize| {
        v.check(field, text::line(value, min, max)).unwrap_or_default()
    };
    c.title = req(&mut v, "title", &raw.title, 10, 100);
    c.subtitle = req(&mut v, "subtitle", &raw.subtitle, 0, 150);
    c.factory_name = req(&mut v, "factory_name", &raw.factory_name, 2, 80);
    c.city = req(&mut v, "city", &raw.city, 2, 50);
    c.industry = req(&mut v, "industry", &raw.industry, 0, 100);
    c.financial_impact = req(&mut v, "financial_impact", &raw.financial_impact, 0, 500);
    c.vendor = req(&mut v, "vendor", &raw.vendor, 0, 120);
    c.budget_range = req(&mut v, "budget_range", &raw.budget_range, 0, 120);
    c.duration = req(&mut v, "duration", &raw.duration, 0, 120);
    c.roi = req(&mut v, "roi", &raw.roi, 0, 100);
    c.contact_person = req(&mut v, "contact_person", &raw.contact_person, 0, 120);
    c.contact_title = req(&mut v, "contact_title", &raw.contact_title, 0, 120);
    let para = |v: &mut Validator, field: &str, value: &str, min: usize, max: usize| {
        v.check(
            field,
            text::paragraph(value, max).and_then(|t| {
                let n = t.chars().count();
                if n > 0 && n < min || min > 0 && n == 0 {
                    Err(format!("must be {min}–{max} characters"))
                } else {
                    Ok(t)
                }
            }),
        )
        .unwrap_or_default()
    };
    c.summary = para(&mut v, "summary", &raw.summary, 50, 5000);
    c.problem_context = para(&mut v, "problem_context", &raw.problem_context, 0, 5000);
    c.vendor_selection = para(&mut v, "vendor_selection", &raw.vendor_selection, 0, 2000);
    c.methodology = para(&mut v, "methodology", &raw.methodology, 0, 5000);
    if !CATEGORIES.contains(&raw.category.trim()) {
        v.fail("category", format!("must be one of: {}", CATEGORIES.join(", ")));
    } else {
        c.category = raw.category.trim().to_owned();
    }
    // A missing coordinate fails like an out-of-range one (NaN is in no range either).
    match raw.latitude.filter(|l| (-90.0..=90.0).contains(l)) {
        Some(l) => c.latitude = l,
        None => v.fail("latitude", "must be between -90 and 90"),
    }
    match raw.longitude.filter(|l| (-180.0..=180.0).contains(l)) {
        Some(l) => c.longitude = l,
        None => v.fail("longitude", "must be between -180 and 180"),
    }
    c.specific_problems = list(&mut v, "specific_problems", &raw.specific_problems, 5, 10, 500);
    c.technology_components = list(&mut v, "technology_components", &raw.technology_components, 15, 3, 500);
    c.phases = list(&mut v, "phases", &raw.phases, 10, 3, 1000);
    c.team = list(&mut v, "team", &raw.team, 20, 2, 200);
    c.qualitative_impacts = list(&mut v, "qualitative_impacts", &raw.qualitative_impacts, 10, 5, 500);
    c.lessons = list(&mut v, "lessons", &raw.lessons, 10, 10, 1000);
    if raw.metrics.len() > 4 {
        v.fail("metrics", "at most 4 metrics");
    }
    for m in raw.metrics.iter().take(4) {
        let ok = [(&m.metric, 2, 200), (&m.baseline, 1, 200), (&m.current, 1, 200), (&m.improvement, 1, 200)]
            .iter()
            .all(|(s, min, max)| (*min..=*max).contains(&s.trim().chars().count()));
        if ok {
            c.metrics.push(m.clone())
        } else {
            v.fail("metrics", "each metric needs metric, baseline, current and improvement (≤ 200)")
        }
    }
    if raw.challenges.len() > 4 {
        v.fail("challenges", "at most 4 challenges");
    }
    for ch in raw.challenges.iter().take(4) {
        if (5..=300).contains(&ch.challenge.trim().chars().count())
            && (5..=1000).contains(&ch.solution.trim().chars().count())
        {
            c.challenges.push(ch.clone());
        } else {
            v.fail("challenges", "each challenge needs a challenge (5–300) and a solution (5–1000)");
        }
    }
    c.tags = v.check("tags", text::tags(&raw.tags, 10)).unwrap_or_default();
    v.finish().map(|()| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn simplified() -> UseCaseInput {
        UseCaseInput {
            title: "Vision inspection on the bottling line".into(),
            summary: "Cameras and a small model now catch cap defects before palletizing, cutting returns.".into(),
            category: "Quality Control".into(),
            factory_name: "Jeddah Bottling".into(),
            city: "Jeddah".into(),
            latitude: Some(21.5),
            longitude: Some(39.2),
            ..UseCaseInput::default()
        }
    }

    #[test]
    fn the_simplified_form_is_enough_and_every_error_is_named() {
        assert!(validate(&simplified()).is_ok());
        let err = validate(&UseCaseInput { latitude: Some(100.0), ..UseCaseInput::default() }).unwrap_err();
        for f in ["title", "summary", "category", "factory_name", "city", "latitude"] {
            assert!(err.contains_key(f), "{f}: {err:?}");
        }
    }

    #[test]
    fn slugs_keep_words() {
        assert_eq!(slugify("Vision (AI) inspection — line 3!"), "vision-ai-inspection-line-3");
        assert_eq!(slugify("مصنع الجبيل"), "مصنع-الجبيل");
        assert_eq!(slugify("!!!"), "use-case");
    }
}
