//! Use-case listings: filtered and sorted pages, map points, categories with counts, stats
//! and top contributing organizations — all from indexes and kept counters.

use super::{UseCaseView, view};
use crate::{
    domain::{
        ids::OrgId,
        org::Organization,
        use_case::{CATEGORIES, UseCase},
    },
    error::AppResult,
    service::{Page, decode_key_cursor, encode_cursor, sessions::AuthContext},
    state::AppState,
    store::{StoreResult, forum, orgs, use_cases as store},
};

/// Listing filters.
#[derive(Debug, Default)]
pub struct UseCaseFilter {
    pub category: Option<String>,
    pub industry: Option<String>,
    pub city: Option<String>,
    pub organization: Option<OrgId>,
    pub tag: Option<String>,
    pub featured: Option<bool>,
    pub q: Option<String>,
}

impl UseCaseFilter {
    fn matches(&self, u: &UseCase, org_name: &str) -> bool {
        let lc = |s: &str| s.trim().to_lowercase();
        let c = &u.content;
        self.category.as_deref().is_none_or(|x| lc(x) == lc(&c.category))
            && self.industry.as_deref().is_none_or(|x| lc(x) == lc(&c.industry))
            && self.city.as_deref().is_none_or(|x| lc(x) == lc(&c.city))
            && self.organization.is_none_or(|o| o == u.org)
            && self.tag.as_deref().is_none_or(|t| c.tags.iter().any(|x| lc(x) == lc(t)))
            && self.featured.is_none_or(|f| f == u.featured)
            && self.q.as_deref().map(lc).is_none_or(|q| {
                let hay = lc(&format!("{} {} {} {} {}", c.title, c.subtitle, c.summary, c.factory_name, org_name));
                q.split_whitespace().all(|w| hay.contains(w))
            })
    }
}

/// A page of use cases in `order`.
pub async fn list(
    state: &AppState,
    ctx: AuthContext,
    filter: UseCaseFilter,
    order: store::Order,
    cursor: Option<&str>,
    limit: usize,
) -> AppResult<Page<UseCaseView>> {
    let before = decode_key_cursor(cursor)?;
    let viewer = ctx.user_id;
    Ok(state
        .store
        .read(move |tx| {
            let mut items = Vec::new();
            let mut cursor_key = before;
            let mut org_names: std::collections::HashMap<OrgId, String> = Default::default();
            // Without filters every scanned entry is kept: read just one page. With filters, scan
            // in larger batches until a page fills.
            let batch_size = if filter_is_empty(&filter) { limit + 1 } else { 256 };
            loop {
                let batch = store::scan(tx, order, cursor_key.as_deref(), batch_size)?;
                let exhausted = batch.len() < batch_size;
                for (key, id) in batch {
                    cursor_key = Some(key.clone());
                    let Some(u) = store::get(tx, id)? else { continue };
                    let name = match org_names.get(&u.org) {
                        Some(n) => n.clone(),
                        None => {
                            let n = orgs::get(tx, u.org)?.map(|o| o.name).unwrap_or_default();
                            org_names.insert(u.org, n.clone());
                            n
                        }
                    };
                    if filter.matches(&u, &name) {
                        items.push(view(tx, u, viewer)?);
                        if items.len() >= limit {
                            let total = filter_is_empty(&filter).then(|| forum::counter(tx, "uc_total")).transpose()?;
                            return Ok(Page { items, next_cursor: Some(encode_cursor(&key)), total });
                        }
                    }
                }
                if exhausted {
                    let total = (filter_is_empty(&filter)).then(|| forum::counter(tx, "uc_total")).transpose()?;
                    return Ok(Page { items, next_cursor: None, total });
                }
            }
        })
        .await?)
}

fn filter_is_empty(f: &UseCaseFilter) -> bool {
    f.category.is_none()
        && f.industry.is_none()
        && f.city.is_none()
        && f.organization.is_none()
        && f.tag.is_none()
        && f.featured.is_none()
        && f.q.is_none()
}

/// Every map point (a compact table, no full records decoded).
pub async fn map(state: &AppState) -> AppResult<Vec<store::MapPoint>> {
    Ok(state.store.read(|tx| store::points(tx, 100_000)).await?)
}

/// The categories with their counts.
pub async fn categories(state: &AppState) -> AppResult<Vec<(&'static str, u64)>> {
    Ok(state
        .store
        .read(|tx| {
            CATEGORIES
                .iter()
                .map(|c| Ok((*c, forum::counter(tx, &format!("uc_category:{c}"))?)))
                .collect::<StoreResult<Vec<_>>>()
        })
        .await?)
}

/// Use cases, contributing organizations and featured stories.
pub async fn stats(state: &AppState) -> AppResult<(u64, u64, u64)> {
    Ok(state
        .store
        .read(|tx| {
            Ok((forum::counter(tx, "uc_total")?, forum::counter(tx, "uc_orgs")?, forum::counter(tx, "uc_featured")?))
        })
        .await?)
}

/// The organizations with the most use cases (from their counters).
pub async fn top_organizations(state: &AppState, limit: usize) -> AppResult<Vec<(Organization, u64)>> {
    Ok(state
        .store
        .read(move |tx| {
            let mut counts = forum::counters_with_prefix(tx, "uc_org:")?;
            counts.sort_by_key(|c| std::cmp::Reverse(c.1));
            let mut out = Vec::new();
            for (name, n) in counts.into_iter().filter(|(_, n)| *n > 0).take(limit) {
                if let Some(org) = name.parse::<OrgId>().ok().map(|id| orgs::get(tx, id)).transpose()?.flatten() {
                    out.push((org, n));
                }
            }
            Ok(out)
        })
        .await?)
}
