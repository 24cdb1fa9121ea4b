//! Use-case listings: filtered and sorted pages, map points, categories with counts, stats
//! and top contributing organizations — all from indexes and kept counters.

use std::collections::{HashMap, hash_map::Entry};

use crate::{
    domain::search::{SearchKind, Searchable},
    domain::{
        engagement::{Counter, Target},
        ids::{OrgId, UseCaseId, UserId},
        org::{OrgCard, Organization},
        use_case::{CATEGORY_LIST, Category, Order, UseCaseCard, category},
        user::AuthorCard,
    },
    error::AppResult,
    service::{Page, decode_key_cursor, encode_cursor, search, sessions::AuthContext},
    state::AppState,
    store::{
        Reader, Snapshot, StoreResult, engagement, orgs,
        use_case_filters::{self as filters, Field},
        use_cases as store, users,
    },
};

/// Listing filters.
#[derive(Debug, Default)]
pub struct UseCaseFilter {
    /// A category id or English name (use cases and the index hold the name).
    pub category: Option<String>,
    pub industry: Option<String>,
    pub city: Option<String>,
    pub organization: Option<OrgId>,
    pub tag: Option<String>,
    pub featured: Option<bool>,
    pub q: Option<String>,
}

impl UseCaseFilter {
    /// Whether `c` passes the structured filters (the words are the index's: `found`).
    fn matches(&self, c: &UseCaseCard) -> bool {
        let lc = |s: &str| s.trim().to_lowercase();
        self.category.as_deref().is_none_or(|x| lc(x) == lc(&c.category))
            && self.industry.as_deref().is_none_or(|x| lc(x) == lc(&c.industry))
            && self.city.as_deref().is_none_or(|x| lc(x) == lc(&c.city))
            && self.organization.is_none_or(|o| o == c.org)
            && self.tag.as_deref().is_none_or(|t| c.tags.iter().any(|x| lc(x) == lc(t)))
            && self.featured.is_none_or(|f| f == c.featured)
    }
}

/// The version of what listings show, and `viewer`'s (liked, bookmarked) marks on `ids`,
/// from one snapshot: what a cached listing page needs to be served to `viewer`.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn marks(state: &AppState, ctx: AuthContext, ids: Vec<UseCaseId>) -> AppResult<(u64, Vec<(bool, bool)>)> {
    let viewer = ctx.user_id;
    let read =
        move |tx: &Snapshot| -> StoreResult<_> { Ok((store::listing_version(tx)?, marks_in(tx, viewer, &ids)?)) };
    Ok(state.store.read(read).await?)
}

/// `viewer`'s (liked, bookmarked) marks on `ids`: a lookup per like, one range read for the
/// bookmarks.
fn marks_in(r: &impl Reader, viewer: UserId, ids: &[UseCaseId]) -> StoreResult<Vec<(bool, bool)>> {
    let targets: Vec<Target> = ids.iter().map(|id| Target::UseCase(*id)).collect();
    let bookmarked = engagement::bookmarked_among(r, viewer, &targets)?;
    targets.iter().map(|t| Ok((engagement::liked(r, *t, viewer)?, bookmarked.contains(t)))).collect()
}

/// A page of listing cards, the listing version it was read at, and the caller's marks on
/// its cards (they are per viewer, so they travel beside the cards).
#[derive(Debug)]
pub struct Listing {
    pub version: u64,
    pub page: Page<UseCaseListItem>,
    pub marks: Vec<(bool, bool)>,
}

/// A page of use cases in `order`. A structured filter reads its own index (the most
/// selective one present); other filters are checked on the cards that index yields.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn list(
    state: &AppState,
    ctx: AuthContext,
    filter: UseCaseFilter,
    order: Order,
    cursor: Option<&str>,
    limit: usize,
) -> AppResult<Listing> {
    let mut filter = UseCaseFilter {
        category: filter.category.map(|c| category(&c).map_or(c, |cat| cat.name_en.to_owned())),
        ..filter
    };
    // Words are looked up in the search index; words it has none of keep everything.
    if let Some(q) = filter.q.take()
        && let Some(found) = search::matching(state, q, SearchKind::UseCase).await?
    {
        let ids = found.into_iter().filter_map(|s| if let Searchable::UseCase(id) = s { Some(id) } else { None });
        return found_page(state, ctx, filter, ids.collect(), order, cursor, limit).await;
    }
    let index = index_for(&filter);
    // Newest under a filter continues from an index key of its value; the other orders from
    // a rank key (count ++ id), whichever way the page is read.
    let cursor_prefix = match (&index, order) {
        (Some((prefix, _)), Order::Newest) => prefix.as_slice(),
        _ => &[],
    };
    let before = decode_key_cursor(cursor, cursor_prefix)?;
    let viewer = ctx.user_id;
    state
        .store
        .read(move |tx| -> AppResult<_> {
            let version = store::listing_version(tx)?;
            let source = Source::choose(tx, index.as_ref(), order, limit)?;
            // When the index answers the whole filter every entry is kept: read just one page.
            // (A walk of the whole catalogue checks every filter on each card.)
            let answering = index.as_ref().filter(|_| !matches!(source, Source::Walk(_)));
            let exact = answering.map_or(filter_is_empty(&filter), |(_, rest)| *rest == 0);
            let batch_size = if exact { limit + 1 } else { 256 };
            let mut items = Vec::new();
            let mut cursor_key = before;
            let mut joins = Joins::default();
            let next_cursor = 'scan: loop {
                let (batch, exhausted) = source.read(tx, cursor_key.as_deref(), batch_size)?;
                for (key, id) in batch {
                    cursor_key = Some(key.clone());
                    let Some(card) = store::card(tx, id)? else { continue };
                    if exact || filter.matches(&card) {
                        items.push(joins.item(tx, card)?);
                        if items.len() >= limit {
                            break 'scan Some(encode_cursor(&key));
                        }
                    }
                }
                if exhausted {
                    break None;
                }
            };
            let ids: Vec<_> = items.iter().map(|i| i.card.id).collect();
            let marks = marks_in(tx, viewer, &ids)?;
            let total = match &index {
                None if filter_is_empty(&filter) => engagement::counter(tx, &Counter::UseCases)?,
                Some((prefix, 0)) => engagement::counter(tx, &Counter::UseCasesFiltered(prefix.clone()))?,
                // Combined filters, or words: count the matches of the most selective index
                // (the cards are what the page was checked on; pages are cached).
                _ => count_matches(tx, &filter, index.as_ref().map(|(p, _)| p.as_slice()))?,
            };
            Ok(Listing { version, page: Page { items, next_cursor, total }, marks })
        })
        .await
}

/// A page, in `order`, of the use cases `found` by the search index that pass the structured
/// filters: the matches (at most `search::MAX_FILTER_MATCHES`) are read whole and sorted by
/// the keys of the order's index, so the cursors are those of the other listings.
async fn found_page(
    state: &AppState,
    ctx: AuthContext,
    filter: UseCaseFilter,
    found: Vec<UseCaseId>,
    order: Order,
    cursor: Option<&str>,
    limit: usize,
) -> AppResult<Listing> {
    let before = decode_key_cursor(cursor, &[])?;
    let viewer = ctx.user_id;
    state
        .store
        .read(move |tx| -> AppResult<_> {
            let version = store::listing_version(tx)?;
            let mut matching = Vec::new();
            for id in found {
                if let Some(card) = store::card(tx, id)?
                    && filter.matches(&card)
                {
                    matching.push((store::order_key(&card, order), card));
                }
            }
            let total = matching.len() as u64;
            matching.retain(|(key, _)| before.as_deref().is_none_or(|b| key.as_slice() < b));
            matching.sort_unstable_by(|a, b| b.0.cmp(&a.0));
            let next_cursor =
                matching.get(limit).and(matching.get(limit.saturating_sub(1))).map(|(key, _)| encode_cursor(key));
            let mut joins = Joins::default();
            let mut items = Vec::with_capacity(limit);
            for (_, card) in matching.into_iter().take(limit) {
                items.push(joins.item(tx, card)?);
            }
            let ids: Vec<_> = items.iter().map(|i| i.card.id).collect();
            let marks = marks_in(tx, viewer, &ids)?;
            Ok(Listing { version, page: Page { items, next_cursor, total }, marks })
        })
        .await
}

/// Use cases to check for a page, each with the key to continue after it.
type Candidates = Vec<(Vec<u8>, UseCaseId)>;

/// Where a listing's candidates come from, in its order.
enum Source<'a> {
    /// The filter index of one value, newest first.
    Index(&'a [u8]),
    /// The filter index of one value, every entry ranked by its count in the order.
    Ranked(&'a [u8], Order),
    /// The whole catalogue in the order (the filter, if any, checked on each card).
    Walk(Order),
}

impl<'a> Source<'a> {
    /// Reads a value's entries and ranks them when that is cheaper than walking the whole
    /// catalogue in the order until a page of matches turns up: ranking reads all `c`
    /// entries of the value (a fraction of a microsecond each, no record), the walk about
    /// `limit × n / c` cards (a few microseconds each) for `n` use cases.
    fn choose(r: &impl Reader, index: Option<&'a (Vec<u8>, usize)>, order: Order, limit: usize) -> StoreResult<Self> {
        Ok(match (index, order) {
            (None, order) => Self::Walk(order),
            (Some((prefix, _)), Order::Newest) => Self::Index(prefix),
            (Some((prefix, _)), order) => {
                let c = engagement::counter(r, &Counter::UseCasesFiltered(prefix.clone()))?;
                let n = engagement::counter(r, &Counter::UseCases)?;
                if c.saturating_mul(c) <= 10u64.saturating_mul(limit as u64).saturating_mul(n) {
                    Self::Ranked(prefix, order)
                } else {
                    Self::Walk(order)
                }
            }
        })
    }

    /// Up to `size` candidates after `before` (more for a ranked value, read whole), each
    /// with the key to continue from, and whether none are left.
    fn read(&self, r: &impl Reader, before: Option<&[u8]>, size: usize) -> StoreResult<(Candidates, bool)> {
        let batch = match self {
            Self::Index(prefix) => filters::scan(r, prefix, before, size)?,
            Self::Ranked(prefix, order) => return Ok((filters::ranked(r, prefix, *order, before)?, true)),
            Self::Walk(order) => store::scan(r, *order, before, size)?,
        };
        let exhausted = batch.len() < size;
        Ok((batch, exhausted))
    }
}

/// How many use cases match `filter`, reading the entries of the index under `prefix` (all
/// use cases when `None`) and checking each card.
fn count_matches(tx: &impl Reader, filter: &UseCaseFilter, prefix: Option<&[u8]>) -> StoreResult<u64> {
    let mut total = 0;
    let mut after: Option<Vec<u8>> = None;
    loop {
        let batch = match prefix {
            Some(p) => filters::scan(tx, p, after.as_deref(), 512)?,
            None => store::scan(tx, Order::Newest, after.as_deref(), 512)?,
        };
        let exhausted = batch.len() < 512;
        for (key, id) in batch {
            after = Some(key);
            if let Some(card) = store::card(tx, id)?
                && filter.matches(&card)
            {
                total += 1;
            }
        }
        if exhausted {
            return Ok(total);
        }
    }
}

/// The index prefix for the most selective structured filter, with how many other filters
/// remain to be checked on each record.
fn index_for(f: &UseCaseFilter) -> Option<(Vec<u8>, usize)> {
    let norm = |s: &Option<String>| s.as_deref().map(|v| filters::normalise(v).into_bytes());
    let candidates = [
        (Field::Organization, f.organization.map(|o| o.key().to_vec())),
        (Field::Tag, norm(&f.tag)),
        (Field::City, norm(&f.city)),
        (Field::Category, norm(&f.category)),
        (Field::Industry, norm(&f.industry)),
        // Only featured use cases have entries; `featured=false` is checked on the cards.
        (Field::Featured, f.featured.filter(|b| *b).map(|_| vec![1])),
    ];
    let present = candidates.iter().filter(|(_, v)| v.is_some()).count() + usize::from(f.q.is_some());
    let (field, value) = candidates.into_iter().find_map(|(field, v)| v.map(|v| (field, v)))?;
    Some((filters::prefix(field, &value), present - 1))
}

/// A use case as a listing shows it.
#[derive(Debug, Clone)]
pub struct UseCaseListItem {
    pub card: UseCaseCard,
    pub author: Option<AuthorCard>,
    pub organization: Option<OrgCard>,
}

/// Authors and organizations already loaded for this page (a page often repeats them).
#[derive(Default)]
struct Joins {
    authors: HashMap<UserId, Option<AuthorCard>>,
    orgs: HashMap<OrgId, Option<OrgCard>>,
}

impl Joins {
    fn org(&mut self, r: &impl Reader, id: OrgId) -> StoreResult<Option<OrgCard>> {
        let org = match self.orgs.entry(id) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(orgs::card(r, id)?),
        };
        Ok(org.clone())
    }

    /// `card` with its author and organization, as a listing shows it.
    fn item(&mut self, r: &impl Reader, card: UseCaseCard) -> StoreResult<UseCaseListItem> {
        Ok(UseCaseListItem { author: self.author(r, card.author)?, organization: self.org(r, card.org)?, card })
    }

    fn author(&mut self, r: &impl Reader, id: UserId) -> StoreResult<Option<AuthorCard>> {
        let author = match self.authors.entry(id) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(users::author_card(r, id)?),
        };
        Ok(author.clone())
    }
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

/// Every map point (a compact table, no full records decoded) with the version they are at.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn map(state: &AppState) -> AppResult<(u64, Vec<crate::domain::use_case::MapPoint>)> {
    state.store.read(|tx| -> AppResult<_> { Ok((store::points_version(tx)?, store::points(tx, 100_000)?)) }).await
}

/// The version of the map points: it changes in every transaction that changes a point.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn map_version(state: &AppState) -> AppResult<u64> {
    Ok(state.store.read(store::points_version).await?)
}

/// The categories with their counts.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn categories(state: &AppState) -> AppResult<Vec<(&'static Category, u64)>> {
    Ok(state
        .store
        .read(|tx| {
            CATEGORY_LIST
                .iter()
                .map(|c| Ok((c, engagement::counter(tx, &Counter::UseCasesInCategory(c.name_en.to_owned()))?)))
                .collect::<StoreResult<Vec<_>>>()
        })
        .await?)
}

/// Use cases, contributing organizations and featured stories.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn stats(state: &AppState) -> AppResult<(u64, u64, u64)> {
    state
        .store
        .read(|tx| -> AppResult<_> {
            let count = |c| engagement::counter(tx, &c);
            Ok((count(Counter::UseCases)?, count(Counter::OrgsWithUseCases)?, count(Counter::FeaturedUseCases)?))
        })
        .await
}

/// The organizations with the most use cases (from their counters).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn top_organizations(state: &AppState, limit: usize) -> AppResult<Vec<(Organization, u64)>> {
    state
        .store
        .read(move |tx| -> AppResult<_> {
            let mut counts = engagement::use_cases_per_org(tx)?;
            counts.sort_by_key(|c| std::cmp::Reverse(c.1));
            let mut out = Vec::new();
            for (id, n) in counts.into_iter().filter(|(_, n)| *n > 0).take(limit) {
                if let Some(org) = orgs::get(tx, id)? {
                    out.push((org, n));
                }
            }
            Ok(out)
        })
        .await
}
