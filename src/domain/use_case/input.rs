//! Use-case input: what a person has written so far (a draft, a create or edit request),
//! and its validation into content, naming every missing or invalid field at once.

use super::UseCaseContent;
use crate::domain::{
    FieldErrors,
    closed::{ClosedSet, Industry},
    text::{self, Validator},
};

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

impl<C> UseCaseContent<C> {
    /// The same fields with coordinates mapped by `f`.
    pub fn map_coordinates<D>(self, f: impl Fn(C) -> D) -> UseCaseContent<D> {
        UseCaseContent {
            title: self.title,
            subtitle: self.subtitle,
            body: self.body,
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
/// (10–100), body (50–5000), category, factory name, city, coordinates; everything else
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
    c.industry = raw.industry.trim().to_owned();
    if !c.industry.is_empty() && Industry::from_name(&c.industry).is_none() {
        v.fail("industry", "must be one of the industries (the `Industry` enum)");
    }
    c.financial_impact = req(&mut v, "financial_impact", &raw.financial_impact, 0, 500);
    c.vendor = req(&mut v, "vendor", &raw.vendor, 0, 120);
    c.budget_range = req(&mut v, "budget_range", &raw.budget_range, 0, 120);
    c.duration = req(&mut v, "duration", &raw.duration, 0, 120);
    c.roi.headline = req(&mut v, "roi.headline", &raw.roi.headline, 0, 100);
    c.roi.annual_savings = req(&mut v, "roi.annual_savings", &raw.roi.annual_savings, 0, 100);
    c.roi.total_investment = req(&mut v, "roi.total_investment", &raw.roi.total_investment, 0, 100);
    c.roi.payback_period = req(&mut v, "roi.payback_period", &raw.roi.payback_period, 0, 100);
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
    c.body = para(&mut v, "body", &raw.body, 50, 5000);
    c.problem_context = para(&mut v, "problem_context", &raw.problem_context, 0, 5000);
    c.vendor_selection = para(&mut v, "vendor_selection", &raw.vendor_selection, 0, 2000);
    c.methodology = para(&mut v, "methodology", &raw.methodology, 0, 5000);
    match super::category(&raw.category) {
        Some(cat) => c.category = cat.name_en.to_owned(),
        None => {
            let ids: Vec<&str> = super::CATEGORY_LIST.iter().map(|c| c.id).collect();
            v.fail("category", format!("must be one of: {}", ids.join(", ")));
        }
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
        let within = |s: &str, min: usize, max: usize| (min..=max).contains(&s.trim().chars().count());
        if within(&ch.challenge, 5, 300)
            && within(&ch.description, 0, 1000)
            && within(&ch.solution, 5, 1000)
            && within(&ch.outcome, 0, 500)
        {
            c.challenges.push(ch.clone());
        } else {
            v.fail(
                "challenges",
                "each challenge needs a challenge (5–300) and a solution (5–1000); description ≤ 1000, outcome ≤ 500",
            );
        }
    }
    c.tags = v.check("tags", text::tags(&raw.tags, 10)).unwrap_or_default();
    v.finish().map(|()| c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::use_case::slugify;

    fn simplified() -> UseCaseInput {
        UseCaseInput {
            title: "Vision inspection on the bottling line".into(),
            body: "Cameras and a small model now catch cap defects before palletizing, cutting returns.".into(),
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
        for f in ["title", "body", "category", "factory_name", "city", "latitude"] {
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
