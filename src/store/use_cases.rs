//! Typed access to use cases, their unique slugs, map points and the listing indexes (most
//! viewed, most liked). Index entries move in the record's transaction; likes, views and
//! bookmarks are the engagement store's.

use crate::store::Tx;

use super::{Reader, StoreResult, codec, delete_raw, key2, put_raw, tables::*};
use crate::domain::{
    engagement::Target,
    ids::{MediaId, UseCaseId},
    search::Searchable,
    use_case::{MapPoint, Order, UseCase},
};

/// The map point of `u`, naming its organization as stored now.
pub fn point(r: &impl Reader, u: &UseCase) -> StoreResult<MapPoint> {
    let organization_name = super::orgs::get(r, u.org)?.map(|o| o.name).unwrap_or_default();
    Ok(MapPoint {
        id: u.id,
        title: u.content.title.clone(),
        category: u.content.category.clone(),
        organization_name,
        city: u.content.city.clone(),
        headline_benefit: u.content.headline_benefit(),
        latitude: u.content.latitude,
        longitude: u.content.longitude,
        slug: u.slug.clone(),
        org_slug: u.org_slug.clone(),
        cover: u.cover,
    })
}

const POINTS_VERSION: &[u8] = b"use_case_points_version";
const LISTING_VERSION: &[u8] = b"use_case_listing_version";

/// A change counter in `META`, bumped in the transaction that makes the change, so a reader
/// that sees version `n` sees exactly the data of version `n`.
fn bump(tx: &Tx, name: &[u8]) -> StoreResult<()> {
    let n = version(tx, name)?;
    put_raw(tx, META, name, &(n + 1).to_be_bytes())
}

fn version(r: &impl Reader, name: &[u8]) -> StoreResult<u64> {
    Ok(r.get_raw(META, name)?.and_then(|v| v.try_into().ok()).map(u64::from_be_bytes).unwrap_or(0))
}

fn bump_points_version(tx: &Tx) -> StoreResult<()> {
    bump(tx, POINTS_VERSION)
}

/// The current version of the map points (0 before the first change).
pub fn points_version(r: &impl Reader) -> StoreResult<u64> {
    version(r, POINTS_VERSION)
}

/// Records that something a listing shows changed: a use case, or the card of an author
/// or organization.
pub fn bump_listing_version(tx: &Tx) -> StoreResult<()> {
    bump(tx, LISTING_VERSION)
}

/// The current version of what listings show (0 before the first change).
pub fn listing_version(r: &impl Reader) -> StoreResult<u64> {
    version(r, LISTING_VERSION)
}

/// Every map point.
pub fn points(r: &impl Reader, limit: usize) -> StoreResult<Vec<MapPoint>> {
    r.range_raw(USE_CASE_POINTS, &[], &[0xff; 17], limit)?
        .iter()
        .map(|(k, v)| codec::decode(USE_CASE_POINTS, k, v))
        .collect()
}

fn views_key(u: &UseCase) -> Vec<u8> {
    key2(&u.view_count.to_be_bytes(), &u.id.key())
}

fn likes_key(u: &UseCase) -> Vec<u8> {
    key2(&u.like_count.to_be_bytes(), &u.id.key())
}

/// `card`'s key in the index of `order` (what `scan` pages by), so that a listing read
/// another way continues from the same cursors.
pub fn order_key(card: &crate::domain::use_case::UseCaseCard, order: Order) -> Vec<u8> {
    match order {
        Order::Newest => card.id.key().to_vec(),
        Order::MostViewed => key2(&card.view_count.to_be_bytes(), &card.id.key()),
        Order::MostLiked => key2(&card.like_count.to_be_bytes(), &card.id.key()),
    }
}

/// The use case with `id`.
pub fn get(r: &impl Reader, id: UseCaseId) -> StoreResult<Option<UseCase>> {
    codec::get(r, USE_CASES, &id.key())
}

/// The card of the use case with `id`.
pub fn card(r: &impl Reader, id: UseCaseId) -> StoreResult<Option<crate::domain::use_case::UseCaseCard>> {
    codec::get(r, USE_CASE_CARDS, &id.key())
}

/// The use case at `<org_slug>/<slug>`.
pub fn by_slug(r: &impl Reader, org_slug: &str, slug: &str) -> StoreResult<Option<UseCase>> {
    match codec::get_id(r, USE_CASE_SLUGS, format!("{org_slug}/{slug}").as_bytes())? {
        Some(id) => get(r, UseCaseId::from_key(&id).unwrap_or_default()),
        None => Ok(None),
    }
}

/// A slug free within the organization: `base`, else `base-2`, `base-3`, …
pub fn free_slug(r: &impl Reader, org_slug: &str, base: &str) -> StoreResult<String> {
    let mut candidate = base.to_owned();
    let mut n = 1;
    while r.get_raw(USE_CASE_SLUGS, format!("{org_slug}/{candidate}").as_bytes())?.is_some() {
        n += 1;
        candidate = format!("{base}-{n}");
    }
    Ok(candidate)
}

/// Writes a new use case with its slug and indexes.
pub fn insert(tx: &Tx, u: &UseCase) -> StoreResult<()> {
    put_raw(tx, USE_CASE_SLUGS, format!("{}/{}", u.org_slug, u.slug).as_bytes(), &u.id.key())?;
    put_raw(tx, USE_CASE_VIEWS, &views_key(u), &[])?;
    put_raw(tx, USE_CASE_LIKES, &likes_key(u), &[])?;
    codec::put(tx, USE_CASE_POINTS, &u.id.key(), &point(tx, u)?)?;
    super::use_case_filters::sync(tx, None, Some(u))?;
    bump_points_version(tx)?;
    codec::put(tx, USE_CASE_CARDS, &u.id.key(), &u.card())?;
    bump_listing_version(tx)?;
    super::search_queue::touch(tx, Searchable::UseCase(u.id))?;
    codec::put(tx, USE_CASES, &u.id.key(), u)
}

/// Rewrites a use case, moving the index entries whose keys changed.
pub fn update(tx: &Tx, old: &UseCase, new: &UseCase) -> StoreResult<()> {
    if old.view_count != new.view_count {
        delete_raw(tx, USE_CASE_VIEWS, &views_key(old))?;
        put_raw(tx, USE_CASE_VIEWS, &views_key(new), &[])?;
    }
    if old.like_count != new.like_count {
        delete_raw(tx, USE_CASE_LIKES, &likes_key(old))?;
        put_raw(tx, USE_CASE_LIKES, &likes_key(new), &[])?;
    }
    // Only what the map shows decides whether its points change.
    fn shown(u: &UseCase) -> (&str, &str, &str, f64, f64, String, &str, Option<MediaId>) {
        let c = &u.content;
        (&c.title, &c.category, &c.city, c.latitude, c.longitude, c.headline_benefit(), &u.slug, u.cover)
    }
    if shown(old) != shown(new) {
        let is = point(tx, new)?;
        codec::put(tx, USE_CASE_POINTS, &new.id.key(), &is)?;
        bump_points_version(tx)?;
    }
    super::use_case_filters::sync(tx, Some(old), Some(new))?;
    if old.content != new.content || old.slug != new.slug {
        super::search_queue::touch(tx, Searchable::UseCase(new.id))?;
    }
    codec::put(tx, USE_CASE_CARDS, &new.id.key(), &new.card())?;
    bump_listing_version(tx)?;
    codec::put(tx, USE_CASES, &new.id.key(), new)
}

/// Removes a use case with its slug, indexes, views, likes and bookmarks' targets.
pub fn remove(tx: &Tx, u: &UseCase) -> StoreResult<()> {
    delete_raw(tx, USE_CASE_SLUGS, format!("{}/{}", u.org_slug, u.slug).as_bytes())?;
    delete_raw(tx, USE_CASE_VIEWS, &views_key(u))?;
    delete_raw(tx, USE_CASE_LIKES, &likes_key(u))?;
    delete_raw(tx, USE_CASE_POINTS, &u.id.key())?;
    bump_points_version(tx)?;
    super::use_case_filters::sync(tx, Some(u), None)?;
    delete_raw(tx, USE_CASE_CARDS, &u.id.key())?;
    bump_listing_version(tx)?;
    super::engagement::forget(tx, Target::UseCase(u.id))?;
    super::search_queue::touch(tx, Searchable::UseCase(u.id))?;
    delete_raw(tx, USE_CASES, &u.id.key()).map(drop)
}

/// Use-case ids in `order`, strictly before the index key `before`, at most `limit`; each
/// with its index key to continue from.
pub fn scan(
    r: &impl Reader,
    order: Order,
    before: Option<&[u8]>,
    limit: usize,
) -> StoreResult<Vec<(Vec<u8>, UseCaseId)>> {
    let table = match order {
        // Same keys as the records, a fraction of their bytes to copy while scanning.
        Order::Newest => USE_CASE_CARDS,
        Order::MostViewed => USE_CASE_VIEWS,
        Order::MostLiked => USE_CASE_LIKES,
    };
    let end = before.map(<[u8]>::to_vec).unwrap_or_else(|| vec![0xff; 32]);
    Ok(r.range_rev_raw(table, &[], &end, limit)?
        .into_iter()
        .filter_map(|(k, _)| Some((k.clone(), UseCaseId::from_key(k.get(k.len().checked_sub(16)?..)?)?)))
        .collect())
}
