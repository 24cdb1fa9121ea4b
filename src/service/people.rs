//! People: public profiles and the directory of active, verified members.

use std::collections::HashMap;

use super::{Page, decode_cursor, encode_cursor, search};
use crate::{
    domain::{
        ids::{OrgId, UserId},
        org::Organization,
        search::{SearchKind, Searchable},
        user::User,
    },
    error::{AppResult, OptionExt},
    state::AppState,
    store::{
        orgs,
        stats::{self, UserStats},
        users,
    },
};

/// Filters of the people directory.
#[derive(Debug, Default)]
pub struct PeopleFilter {
    /// Words found by the search index in name, title, organization, expertise, place and bio.
    pub q: Option<String>,
    pub industry: Option<String>,
    pub city: Option<String>,
    pub organization: Option<OrgId>,
    pub expertise: Option<String>,
}

impl PeopleFilter {
    fn is_empty(&self) -> bool {
        self.q.is_none()
            && self.industry.is_none()
            && self.city.is_none()
            && self.organization.is_none()
            && self.expertise.is_none()
    }

    /// Whether `u` passes the filters other than `q` (which the search index applies).
    fn matches(&self, u: &User, org: Option<&Organization>) -> bool {
        // Case-insensitive for every script (Arabic has no case; Latin does).
        let eq = |a: &str, b: &str| a.trim().to_lowercase() == b.trim().to_lowercase();
        self.industry.as_deref().is_none_or(|i| org.is_some_and(|o| eq(&o.industry, i)))
            && self.city.as_deref().is_none_or(|c| eq(&u.location, c) || org.is_some_and(|o| eq(&o.city, c)))
            && self.organization.is_none_or(|o| u.org_id == Some(o))
            && self.expertise.as_deref().is_none_or(|e| u.expertise_tags.iter().any(|t| eq(t, e)))
    }
}

/// A listed user's public profile with their organization and activity counters.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id))]
pub async fn profile(state: &AppState, id: UserId) -> AppResult<Person> {
    state
        .store
        .read(move |tx| -> AppResult<_> {
            let user = users::get(tx, id)?.filter(User::can_sign_in).or_not_found("User")?;
            let org = user.org_id.map(|o| orgs::get(tx, o)).transpose()?.flatten();
            Ok(Person { stats: stats::stats(tx, id)?, user, org })
        })
        .await
}

/// A person as the directory and profiles show them.
#[derive(Debug, Clone)]
pub struct Person {
    pub user: User,
    pub org: Option<Organization>,
    pub stats: UserStats,
}

/// The directory page after `cursor`, oldest members first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn directory(
    state: &AppState,
    filter: PeopleFilter,
    cursor: Option<&str>,
    limit: usize,
) -> AppResult<Page<Person>> {
    let mut after = decode_cursor(cursor)?.and_then(|k| UserId::from_key(&k));
    // Words go through the search index (analyzed as search analyzes them): the pages then
    // walk its matches, in directory order, instead of every member.
    let found = match filter.q.clone() {
        Some(q) => search::matching(state, q, SearchKind::User).await?.map(|found| {
            let mut ids: Vec<UserId> =
                found.into_iter().filter_map(|s| if let Searchable::User(id) = s { Some(id) } else { None }).collect();
            ids.sort_unstable_by_key(|id| id.key());
            ids
        }),
        None => None,
    };
    state
        .store
        .read(move |tx| -> AppResult<_> {
            // Without filters the kept count is the total; with them, the scan goes on past the
            // page to count every match.
            let counted = if filter.is_empty() { Some(users::listed_count(tx)?) } else { None };
            let (mut matched, mut next_cursor) = (0, None);
            let mut org_cache: HashMap<OrgId, Option<Organization>> = HashMap::new();
            let mut items = Vec::new();
            loop {
                let ids = match &found {
                    Some(found) => {
                        let from = after.map_or(0, |a| found.partition_point(|id| id.key() <= a.key()));
                        found.get(from..).unwrap_or_default().iter().take(256).copied().collect()
                    }
                    None => users::listed(tx, after, 256)?,
                };
                let exhausted = ids.len() < 256;
                for id in ids {
                    after = Some(id);
                    let Some(user) = users::get(tx, id)?.filter(User::can_sign_in) else {
                        continue;
                    };
                    let org = match user.org_id {
                        Some(o) => match org_cache.get(&o) {
                            Some(cached) => cached.clone(),
                            None => {
                                let loaded = orgs::get(tx, o)?;
                                org_cache.insert(o, loaded.clone());
                                loaded
                            }
                        },
                        None => None,
                    };
                    if filter.matches(&user, org.as_ref()) {
                        matched += 1;
                        if items.len() < limit {
                            items.push(Person { stats: stats::stats(tx, id)?, user, org });
                            continue;
                        }
                        next_cursor = next_cursor.or_else(|| items.last().map(|p| encode_cursor(&p.user.id.key())));
                        if let Some(total) = counted {
                            return Ok(Page { items, next_cursor, total });
                        }
                    }
                }
                if exhausted {
                    return Ok(Page { items, next_cursor, total: counted.unwrap_or(matched) });
                }
            }
        })
        .await
}
