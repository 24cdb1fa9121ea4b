//! The use cases of a data set: each published by its organization's admin, with the
//! counters `service::use_cases` keeps (per category, per organization, organizations with
//! use cases), the author's points and a feed entry each.

use std::collections::HashMap;

use rand::{SeedableRng, rngs::StdRng};

use super::{PER_ORG, People, fixtures, forum::record, people::CITIES, text::Text};
use crate::{
    domain::{
        activity::{Activity, ActivityKind},
        engagement::{Counter, Target},
        forum::points,
        ids::{OrgId, UseCaseId, UserId},
        use_case::{CATEGORY_LIST, Metric, UseCase, UseCaseContent, UseCaseInput, slugify, validate},
    },
    service::{now, progress::Progress},
    store::{Store, StoreError, StoreResult, engagement, stats, use_cases},
};

/// Use cases per write transaction.
const USE_CASES_PER_TX: usize = 1_000;

/// The fields of use case `i`, validated as the service validates them.
fn content(i: usize, org: &str, text: &Text) -> StoreResult<UseCaseContent> {
    let city = CITIES[i % CITIES.len()];
    let (title, subtitle, body) = (text.use_case)(i, city);
    let raw = UseCaseInput {
        title,
        subtitle,
        body,
        category: CATEGORY_LIST[i % CATEGORY_LIST.len()].name_en.to_owned(),
        industry: fixtures::industry(i).to_owned(),
        factory_name: format!("{org} Plant {}", i % 3 + 1),
        city: city.to_owned(),
        latitude: Some(24.7 + (i % 100) as f64 / 100.0),
        longitude: Some(46.6 + (i % 70) as f64 / 100.0),
        technology_components: vec!["Vibration sensors".into(), "Edge gateway".into()],
        metrics: vec![Metric {
            metric: "Unplanned stops".into(),
            baseline: "12 / month".into(),
            current: "8 / month".into(),
            improvement: "-33%".into(),
        }],
        ..UseCaseInput::default()
    };
    validate(&raw).map_err(|e| StoreError::Encode { table: "use_cases", reason: format!("use case {i}: {e:?}") })
}

/// Writes `n` use cases, one organization after another, each by its organization's admin,
/// with the counters `service::use_cases` keeps and a feed entry each.
pub fn use_cases(store: &Store, people: &People, n: usize, text: &Text, progress: &dyn Progress) -> StoreResult<usize> {
    let now = now();
    progress.stage("use cases", n as u64);
    let n_orgs = people.ids.len() / PER_ORG;
    let mut rng = StdRng::seed_from_u64(14);
    let mut transactions = 0;
    for start in (0..n).step_by(USE_CASES_PER_TX) {
        store.write_blocking(|tx| {
            let (mut per_category, mut per_org, mut per_author) =
                (HashMap::<String, i64>::new(), HashMap::<OrgId, i64>::new(), HashMap::<UserId, u64>::new());
            for i in start..(start + USE_CASES_PER_TX).min(n) {
                let admin = (i % n_orgs) * PER_ORG;
                let (org, name) = (people.orgs[admin], &people.org_names[admin]);
                let content = content(i, name, text)?;
                let org_slug = slugify(name);
                let created = now - (n - i) as i64 * 60_000;
                let (id, slug) = (
                    UseCaseId(fixtures::uuid_at(created, &mut rng)),
                    use_cases::free_slug(tx, &org_slug, &slugify(&content.title))?,
                );
                let u = UseCase::new(id, people.ids[admin], org, org_slug, slug, content, created);
                use_cases::insert(tx, &u)?;
                let kind = ActivityKind::PublishedUseCase;
                let published = Activity::new(u.author, Some(org), kind, Some(Target::UseCase(u.id)), None, created);
                record(tx, &mut rng, published)?;
                *per_category.entry(u.content.category.clone()).or_default() += 1;
                *per_org.entry(org).or_default() += 1;
                *per_author.entry(u.author).or_default() += 1;
            }
            engagement::add(tx, &Counter::UseCases, per_category.values().sum())?;
            for (category, k) in per_category {
                engagement::add(tx, &Counter::UseCasesInCategory(category), k)?;
            }
            for (org, k) in per_org {
                let key = Counter::UseCasesOfOrg(org);
                if engagement::counter(tx, &key)? == 0 {
                    engagement::add(tx, &Counter::OrgsWithUseCases, 1)?;
                }
                engagement::add(tx, &key, k)?;
            }
            for (author, k) in per_author {
                stats::adjust_stats(tx, author, |s| {
                    s.reputation += k * points::USE_CASE;
                    s.use_cases += k;
                })?;
            }
            Ok(())
        })?;
        progress.advance((start + USE_CASES_PER_TX).min(n) as u64 - start as u64);
        transactions += 1;
    }
    Ok(transactions)
}
