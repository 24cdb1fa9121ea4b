//! What a client sends to write a use case: `UseCaseCreate` (the simplified form's seven
//! fields required, so a generated client cannot leave one out), `UseCaseFields` (every field
//! optional: an edit or a draft), both sharing the optional sections of `UseCaseDetails`.

use poem_openapi::Object;

use crate::api::use_cases::dto::{ChallengeDto, MetricDto, RoiDto};
use crate::domain::{
    closed::{ClosedSet, Industry},
    use_case::{Category, UseCaseInput as Input},
};

/// The optional sections of a use case (the full form). Omitted fields stay as they are.
#[derive(Object, Debug, Default, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct UseCaseDetails {
    /// Subtitle (≤ 150).
    pub subtitle: Option<String>,
    /// Industry.
    pub industry: Option<Industry>,
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
    /// Implementation: phases (≤ 10 × 3–1000).
    pub phases: Option<Vec<String>>,
    /// Implementation: team roles (≤ 20 × 2–200).
    pub team: Option<Vec<String>>,
    /// Results: measured metrics (≤ 4).
    pub metrics: Option<Vec<MetricDto>>,
    /// Results: qualitative impacts (≤ 10 × 5–500).
    pub qualitative_impacts: Option<Vec<String>>,
    /// Results: return on investment.
    pub roi: Option<RoiDto>,
    /// Challenges met and how they were solved (≤ 4).
    pub challenges: Option<Vec<ChallengeDto>>,
    /// Lessons learned (≤ 10 × 10–1000).
    pub lessons: Option<Vec<String>>,
    /// Tags (≤ 10).
    pub tags: Option<Vec<String>>,
    /// Contact person (≤ 120).
    pub contact_person: Option<String>,
    /// Contact person's title (≤ 120).
    pub contact_title: Option<String>,
}

/// A new use case: the simplified form's fields are required, every section optional.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct UseCaseCreate {
    /// Title (10–100).
    pub title: String,
    /// The case in your words, in Markdown: the executive summary (50–5000).
    pub body: String,
    /// Category.
    pub category: Category,
    /// Factory or site name (2–80).
    pub factory_name: String,
    /// City (2–50).
    pub city: String,
    /// Latitude, −90..90.
    pub latitude: f64,
    /// Longitude, −180..180.
    pub longitude: f64,
    #[oai(flatten)]
    pub details: UseCaseDetails,
}

/// Use-case fields, every one optional: an edit (omitted fields stay as they are; the
/// result is validated as a whole) or what a draft holds so far.
#[derive(Object, Debug, Default, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct UseCaseFields {
    /// Title (10–100).
    pub title: Option<String>,
    /// The case in your words, in Markdown: the executive summary (50–5000).
    pub body: Option<String>,
    /// Category.
    pub category: Option<Category>,
    /// Factory or site name (2–80).
    pub factory_name: Option<String>,
    /// City (2–50).
    pub city: Option<String>,
    /// Latitude, −90..90.
    pub latitude: Option<f64>,
    /// Longitude, −180..180.
    pub longitude: Option<f64>,
    #[oai(flatten)]
    pub details: UseCaseDetails,
}

impl UseCaseDetails {
    /// Writes the given fields over `raw`.
    pub fn apply(self, raw: &mut Input) {
        macro_rules! set {
            ($($f:ident),*) => {$( if let Some(v) = self.$f { raw.$f = v; } )*};
        }
        set!(subtitle, problem_context, specific_problems, financial_impact, technology_components, vendor);
        set!(vendor_selection, methodology, budget_range, duration, phases, team, qualitative_impacts);
        set!(lessons, tags, contact_person, contact_title);
        if let Some(i) = self.industry {
            raw.industry = i.name().to_owned();
        }
        if let Some(m) = self.metrics {
            raw.metrics = m.into_iter().map(Into::into).collect();
        }
        if let Some(c) = self.challenges {
            raw.challenges = c.into_iter().map(Into::into).collect();
        }
        if let Some(r) = self.roi {
            raw.roi = r.into();
        }
    }

    /// The sections of `raw` that hold something.
    fn of(raw: &Input) -> Self {
        let text = |s: &String| (!s.is_empty()).then(|| s.clone());
        let list = |l: &Vec<String>| (!l.is_empty()).then(|| l.clone());
        Self {
            subtitle: text(&raw.subtitle),
            industry: (!raw.industry.is_empty()).then(|| Industry::of_stored(&raw.industry)),
            problem_context: text(&raw.problem_context),
            specific_problems: list(&raw.specific_problems),
            financial_impact: text(&raw.financial_impact),
            technology_components: list(&raw.technology_components),
            vendor: text(&raw.vendor),
            vendor_selection: text(&raw.vendor_selection),
            methodology: text(&raw.methodology),
            budget_range: text(&raw.budget_range),
            duration: text(&raw.duration),
            phases: list(&raw.phases),
            team: list(&raw.team),
            metrics: (!raw.metrics.is_empty()).then(|| raw.metrics.iter().cloned().map(Into::into).collect()),
            qualitative_impacts: list(&raw.qualitative_impacts),
            roi: (!raw.roi.is_empty()).then(|| raw.roi.clone().into()),
            challenges: (!raw.challenges.is_empty()).then(|| raw.challenges.iter().cloned().map(Into::into).collect()),
            lessons: list(&raw.lessons),
            tags: list(&raw.tags),
            contact_person: text(&raw.contact_person),
            contact_title: text(&raw.contact_title),
        }
    }
}

impl UseCaseFields {
    /// Writes the given fields over `raw`.
    pub fn apply(self, raw: &mut Input) {
        macro_rules! set {
            ($($f:ident),*) => {$( if let Some(v) = self.$f { raw.$f = v; } )*};
        }
        set!(title, body, factory_name, city);
        if let Some(c) = self.category {
            raw.category = c.name_en.to_owned();
        }
        raw.latitude = self.latitude.or(raw.latitude);
        raw.longitude = self.longitude.or(raw.longitude);
        self.details.apply(raw);
    }

    /// What `raw` holds, field by field (empty fields absent).
    pub fn of(raw: &Input) -> Self {
        let text = |s: &String| (!s.is_empty()).then(|| s.clone());
        Self {
            title: text(&raw.title),
            body: text(&raw.body),
            category: crate::domain::use_case::category(&raw.category).copied(),
            factory_name: text(&raw.factory_name),
            city: text(&raw.city),
            latitude: raw.latitude,
            longitude: raw.longitude,
            details: UseCaseDetails::of(raw),
        }
    }
}

impl UseCaseCreate {
    /// The request as use-case input.
    pub fn into_input(self) -> Input {
        let mut raw = Input {
            title: self.title,
            body: self.body,
            category: self.category.name_en.to_owned(),
            factory_name: self.factory_name,
            city: self.city,
            latitude: Some(self.latitude),
            longitude: Some(self.longitude),
            ..Input::default()
        };
        self.details.apply(&mut raw);
        raw
    }
}
