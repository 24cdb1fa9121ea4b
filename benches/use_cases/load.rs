//! The data set of the use-case benchmark, written straight into a fresh redb file through the
//! library: organizations with their users, and use cases spread over categories, cities, tags
//! and view counts, with the counters the services keep.

use std::{collections::HashMap, path::Path};

use p2p_sandbox::{
    domain::{
        engagement::Counter,
        forum::points,
        ids::{OrgId, UseCaseId, UserId},
        org::Organization,
        use_case::{CATEGORY_LIST, Metric, Roi, UseCase, UseCaseInput, slugify, validate},
        user::User,
    },
    store::{Store, engagement, orgs, stats, use_cases, users},
};

use super::{ORGS, PER_ORG, PER_TX, USE_CASES, email};
use crate::common::fixtures;

const CITIES: [(&str, f64, f64); 12] = [
    ("Riyadh", 24.7136, 46.6753),
    ("Jeddah", 21.4858, 39.1925),
    ("Dammam", 26.4207, 50.0888),
    ("Jubail", 27.0046, 49.6460),
    ("Yanbu", 24.0895, 38.0618),
    ("Mecca", 21.3891, 39.8579),
    ("Medina", 24.5247, 39.5692),
    ("Khobar", 26.2172, 50.1971),
    ("Tabuk", 28.3835, 36.5662),
    ("Abha", 18.2164, 42.5053),
    ("Buraydah", 26.3592, 43.9818),
    ("Hail", 27.5114, 41.7208),
];
const ADJECTIVES: [&str; 8] =
    ["Automated", "Predictive", "Smart", "Lean", "Digital", "Modular", "Robotic", "Integrated"];
const SUBJECTS: [&str; 10] = [
    "weld inspection",
    "bearing monitoring",
    "palletizing",
    "energy metering",
    "batch scheduling",
    "packaging line",
    "boiler tuning",
    "forklift routing",
    "spare parts planning",
    "operator training",
];
const TAGS: [&str; 8] = ["iot", "vision", "lean", "scada", "plc", "analytics", "iso 50001", "robotics"];

fn organization(j: usize, now: i64) -> Organization {
    let city = CITIES[j % CITIES.len()].0;
    let (name, domain) = (format!("{city} Industrial Works {j}"), format!("org{j}.example.com"));
    Organization {
        verified: j.is_multiple_of(5),
        ..fixtures::organization(name, domain, fixtures::industry(j), city, PER_ORG, now)
    }
}

fn user(i: usize, org: &Organization, hash: &str, now: i64) -> User {
    User {
        first_name: format!("Engineer{i}"),
        ..fixtures::user(email(i), Some((org, i.is_multiple_of(PER_ORG))), hash, now)
    }
}

/// The fields of use case `i`, validated as the service validates them.
fn content(i: usize, factory: &str) -> p2p_sandbox::domain::use_case::UseCaseContent {
    let (city, lat, lon) = CITIES[(i / 10) % CITIES.len()];
    let adjective = if i % 100 == 42 { "Cryogenic" } else { ADJECTIVES[(i / 7) % ADJECTIVES.len()] };
    let subject = SUBJECTS[(i / 3) % SUBJECTS.len()];
    let jitter = |k: usize| ((i * k) % 200) as f64 / 1000.0 - 0.1;
    let raw = UseCaseInput {
        title: format!("{adjective} {subject} in the {city} plant, line {}", i % 40 + 1),
        subtitle: format!("How a {} team rolled out {subject}", fixtures::industry(i).to_lowercase()),
        body: format!(
            "The plant ran {subject} by hand on three shifts, with paper logs and late reports. A pilot on one \
             line connected the machines to a small edge server, the team trained eight operators, and after six \
             months scrap fell by {}% and unplanned stops by {}%. The approach now runs on every line of the site.",
            5 + i % 20,
            10 + i % 30
        ),
        category: CATEGORY_LIST[i % CATEGORY_LIST.len()].name_en.to_owned(),
        industry: fixtures::industry(i).to_owned(),
        factory_name: factory.to_owned(),
        city: city.to_owned(),
        latitude: Some(lat + jitter(7)),
        longitude: Some(lon + jitter(13)),
        problem_context: "Downtime and scrap were tracked weekly, too late to act within a shift.".into(),
        technology_components: vec!["Edge gateway".into(), "PLC connectors".into(), "Dashboards".into()],
        vendor: "Local integrator".into(),
        budget_range: "SAR 200k–500k".into(),
        duration: "6 months".into(),
        metrics: vec![Metric {
            metric: "Scrap rate".into(),
            baseline: "4.1%".into(),
            current: "3.0%".into(),
            improvement: "-27%".into(),
        }],
        roi: Roi { payback_period: "14 months".into(), ..Roi::default() },
        tags: vec![TAGS[i % TAGS.len()].to_owned(), TAGS[(i / 8 + 3) % TAGS.len()].to_owned()],
        ..UseCaseInput::default()
    };
    validate(&raw).unwrap_or_else(|e| panic!("use case {i}: {e:?}"))
}

/// Writes the organizations and users, then the use cases with the counters the service
/// keeps; the store is closed on return, before the server opens it.
/// Writes the whole data set into a fresh database at `path`.
pub fn load(path: &Path, hash: &str) {
    let store = Store::open(path).unwrap();
    let now = p2p_sandbox::service::now();
    let members: Vec<(Organization, [UserId; PER_ORG])> = store
        .write_blocking(|tx| {
            let mut out = Vec::with_capacity(ORGS);
            for j in 0..ORGS {
                let org = organization(j, now);
                orgs::put(tx, &org)?;
                let ids = std::array::from_fn(|k| user(j * PER_ORG + k, &org, hash, now));
                for u in &ids {
                    users::insert(tx, u)?;
                    orgs::add_member(tx, org.id, u.id)?;
                }
                out.push((org, ids.map(|u| u.id)));
            }
            Ok(out)
        })
        .unwrap();
    for start in (0..USE_CASES).step_by(PER_TX) {
        store
            .write_blocking(|tx| {
                let (mut per_category, mut per_org, mut per_author) =
                    (HashMap::<String, i64>::new(), HashMap::<OrgId, i64>::new(), HashMap::<UserId, u64>::new());
                for i in start..(start + PER_TX).min(USE_CASES) {
                    let (org, authors) = &members[i % ORGS];
                    let content = content(i, &format!("{} Plant {}", org.name, i / ORGS % 4 + 1));
                    let org_slug = slugify(&org.name);
                    let created = now - (USE_CASES - i) as i64 * 3_600_000;
                    let slug = use_cases::free_slug(tx, &org_slug, &slugify(&content.title))?;
                    let (author, org) = (authors[(i / ORGS) % PER_ORG], org.id);
                    let u = UseCase {
                        view_count: (i as u64 * 7919 + 13) % 5000,
                        ..UseCase::new(UseCaseId::new(), author, org, org_slug, slug, content, created)
                    };
                    use_cases::insert(tx, &u)?;
                    *per_category.entry(u.content.category.clone()).or_default() += 1;
                    *per_org.entry(u.org).or_default() += 1;
                    *per_author.entry(u.author).or_default() += 1;
                }
                engagement::add(tx, &Counter::UseCases, per_category.values().sum())?;
                for (category, n) in per_category {
                    engagement::add(tx, &Counter::UseCasesInCategory(category), n)?;
                }
                for (org, n) in per_org {
                    let key = Counter::UseCasesOfOrg(org);
                    if engagement::counter(tx, &key)? == 0 {
                        engagement::add(tx, &Counter::OrgsWithUseCases, 1)?;
                    }
                    engagement::add(tx, &key, n)?;
                }
                for (author, n) in per_author {
                    stats::adjust_stats(tx, author, |s| s.reputation += n * points::USE_CASE)?;
                }
                Ok(())
            })
            .unwrap();
    }
}
