//! Typed access to use cases, their unique slugs and the listing indexes (most viewed, most
//! liked), views once per user and bookmarks. Index entries move in the record's transaction.

use redb::WriteTransaction;

use super::{Reader, StoreResult, codec, delete_raw, key2, put_raw, scan_prefix, tables::*};
use crate::domain::{
    ids::{UseCaseId, UserId},
    use_case::UseCase,
};

/// What the map shows of a use case, kept beside it so the map never decodes full records.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MapPoint {
    pub id: UseCaseId,
    pub title: String,
    pub category: String,
    pub latitude: f64,
    pub longitude: f64,
    pub slug: String,
    pub org_slug: String,
    #[serde(default)]
    pub cover: Option<crate::domain::ids::MediaId>,
}

fn point(u: &UseCase) -> MapPoint {
    MapPoint {
        id: u.id,
        title: u.content.title.clone(),
        category: u.content.category.clone(),
        latitude: u.content.latitude,
        longitude: u.content.longitude,
        slug: u.slug.clone(),
        org_slug: u.org_slug.clone(),
        cover: u.cover,
    }
}

const POINTS_VERSION: &[u8] = b"use_case_points_version";
const LISTING_VERSION: &[u8] = b"use_case_listing_version";

/// A change counter in `META`, bumped in the transaction that makes the change, so a reader
/// that sees version `n` sees exactly the data of version `n`.
fn bump(tx: &WriteTransaction, name: &[u8]) -> StoreResult<()> {
    let n = version(tx, name)?;
    put_raw(tx, META, name, &(n + 1).to_be_bytes())
}

fn version(r: &impl Reader, name: &[u8]) -> StoreResult<u64> {
    Ok(r.get_raw(META, name)?.and_then(|v| v.try_into().ok()).map(u64::from_be_bytes).unwrap_or(0))
}

fn bump_points_version(tx: &WriteTransaction) -> StoreResult<()> {
    bump(tx, POINTS_VERSION)
}

/// The current version of the map points (0 before the first change).
pub fn points_version(r: &impl Reader) -> StoreResult<u64> {
    version(r, POINTS_VERSION)
}

/// Records that something a listing shows changed: a use case, or the card of an author
/// or organization.
pub fn bump_listing_version(tx: &WriteTransaction) -> StoreResult<()> {
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
pub fn insert(tx: &WriteTransaction, u: &UseCase) -> StoreResult<()> {
    put_raw(tx, USE_CASE_SLUGS, format!("{}/{}", u.org_slug, u.slug).as_bytes(), &u.id.key())?;
    put_raw(tx, USE_CASE_VIEWS, &views_key(u), &[])?;
    put_raw(tx, USE_CASE_LIKES, &likes_key(u), &[])?;
    codec::put(tx, USE_CASE_POINTS, &u.id.key(), &point(u))?;
    super::use_case_filters::sync(tx, None, Some(u))?;
    bump_points_version(tx)?;
    codec::put(tx, USE_CASE_CARDS, &u.id.key(), &u.card())?;
    bump_listing_version(tx)?;
    codec::put(tx, USE_CASES, &u.id.key(), u)
}

/// Rewrites a use case, moving the index entries whose keys changed.
pub fn update(tx: &WriteTransaction, old: &UseCase, new: &UseCase) -> StoreResult<()> {
    if old.view_count != new.view_count {
        delete_raw(tx, USE_CASE_VIEWS, &views_key(old))?;
        put_raw(tx, USE_CASE_VIEWS, &views_key(new), &[])?;
    }
    if old.like_count != new.like_count {
        delete_raw(tx, USE_CASE_LIKES, &likes_key(old))?;
        put_raw(tx, USE_CASE_LIKES, &likes_key(new), &[])?;
    }
    let (was, is) = (point(old), point(new));
    if was != is {
        codec::put(tx, USE_CASE_POINTS, &new.id.key(), &is)?;
        bump_points_version(tx)?;
    }
    super::use_case_filters::sync(tx, Some(old), Some(new))?;
    codec::put(tx, USE_CASE_CARDS, &new.id.key(), &new.card())?;
    bump_listing_version(tx)?;
    codec::put(tx, USE_CASES, &new.id.key(), new)
}

/// Removes a use case with its slug, indexes, views, likes and bookmarks' targets.
pub fn remove(tx: &WriteTransaction, u: &UseCase) -> StoreResult<()> {
    delete_raw(tx, USE_CASE_SLUGS, format!("{}/{}", u.org_slug, u.slug).as_bytes())?;
    delete_raw(tx, USE_CASE_VIEWS, &views_key(u))?;
    delete_raw(tx, USE_CASE_LIKES, &likes_key(u))?;
    delete_raw(tx, USE_CASE_POINTS, &u.id.key())?;
    bump_points_version(tx)?;
    super::use_case_filters::sync(tx, Some(u), None)?;
    delete_raw(tx, USE_CASE_CARDS, &u.id.key())?;
    bump_listing_version(tx)?;
    for table in [USE_CASE_VIEWERS, LIKES] {
        for (k, _) in scan_prefix(tx, table, &u.id.key(), usize::MAX)? {
            delete_raw(tx, table, &k)?;
        }
    }
    delete_raw(tx, USE_CASES, &u.id.key()).map(drop)
}

/// Which order a listing reads, highest first.
#[derive(Clone, Copy, Debug)]
pub enum Order {
    Newest,
    MostViewed,
    MostLiked,
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

/// Marks a view; true the first time `user` views `id`.
pub fn mark_viewed(tx: &WriteTransaction, id: UseCaseId, user: UserId) -> StoreResult<bool> {
    let key = key2(&id.key(), &user.key());
    if tx.get_raw(USE_CASE_VIEWERS, &key)?.is_some() {
        return Ok(false);
    }
    put_raw(tx, USE_CASE_VIEWERS, &key, &[])?;
    Ok(true)
}

/// Whether `user` viewed `id`.
pub fn viewed(r: &impl Reader, id: UseCaseId, user: UserId) -> StoreResult<bool> {
    Ok(r.get_raw(USE_CASE_VIEWERS, &key2(&id.key(), &user.key()))?.is_some())
}

/// Adds (true) or removes a bookmark; returns whether anything changed.
pub fn set_bookmark(tx: &WriteTransaction, user: UserId, id: UseCaseId, on: bool, at: i64) -> StoreResult<bool> {
    let key = key2(&user.key(), &id.key());
    let had = tx.get_raw(USE_CASE_BOOKMARKS, &key)?.is_some();
    match (on, had) {
        (true, false) => put_raw(tx, USE_CASE_BOOKMARKS, &key, &at.to_be_bytes()).map(|()| true),
        (false, true) => delete_raw(tx, USE_CASE_BOOKMARKS, &key),
        _ => Ok(false),
    }
}

/// Whether `user` bookmarked `id`.
pub fn bookmarked(r: &impl Reader, user: UserId, id: UseCaseId) -> StoreResult<bool> {
    Ok(r.get_raw(USE_CASE_BOOKMARKS, &key2(&user.key(), &id.key()))?.is_some())
}

/// Which of `ids` `user` bookmarked: one range read over the user's bookmarks between the
/// smallest and largest id, or a lookup each when that range holds many more.
pub fn bookmarked_among(
    r: &impl Reader,
    user: UserId,
    ids: &[UseCaseId],
) -> StoreResult<std::collections::HashSet<UseCaseId>> {
    let (Some(lo), Some(hi)) = (ids.iter().min(), ids.iter().max()) else { return Ok(Default::default()) };
    let limit = 4 * ids.len() + 1;
    let mut end = key2(&user.key(), &hi.key());
    end.push(0);
    let found = r.range_raw(USE_CASE_BOOKMARKS, &key2(&user.key(), &lo.key()), &end, limit)?;
    if found.len() < limit {
        let wanted: std::collections::HashSet<_> = ids.iter().collect();
        return Ok(found
            .iter()
            .filter_map(|(k, _)| UseCaseId::from_key(&k[16..]))
            .filter(|id| wanted.contains(id))
            .collect());
    }
    let mut out = std::collections::HashSet::new();
    for id in ids {
        if bookmarked(r, user, *id)? {
            out.insert(*id);
        }
    }
    Ok(out)
}

/// Use cases bookmarked by `user`.
pub fn bookmarks(r: &impl Reader, user: UserId, limit: usize) -> StoreResult<Vec<UseCaseId>> {
    Ok(scan_prefix(r, USE_CASE_BOOKMARKS, &user.key(), limit)?
        .iter()
        .filter_map(|(k, _)| UseCaseId::from_key(&k[16..]))
        .collect())
}

/// The draft with `id`.
pub fn draft(
    r: &impl Reader,
    id: crate::domain::ids::DraftId,
) -> StoreResult<Option<crate::domain::use_case::UseCaseDraft>> {
    codec::get(r, USE_CASE_DRAFTS, &id.key())
}

/// Writes a draft and its per-user index entry.
pub fn put_draft(tx: &WriteTransaction, d: &crate::domain::use_case::UseCaseDraft) -> StoreResult<()> {
    put_raw(tx, USER_USE_CASE_DRAFTS, &key2(&d.author.key(), &d.id.key()), &[])?;
    codec::put(tx, USE_CASE_DRAFTS, &d.id.key(), d)
}

/// Removes a draft.
pub fn remove_draft(tx: &WriteTransaction, d: &crate::domain::use_case::UseCaseDraft) -> StoreResult<()> {
    delete_raw(tx, USER_USE_CASE_DRAFTS, &key2(&d.author.key(), &d.id.key()))?;
    delete_raw(tx, USE_CASE_DRAFTS, &d.id.key()).map(drop)
}

/// Drafts of `user`, oldest first.
pub fn drafts(r: &impl Reader, user: UserId) -> StoreResult<Vec<crate::domain::use_case::UseCaseDraft>> {
    let mut out = Vec::new();
    for (k, _) in scan_prefix(r, USER_USE_CASE_DRAFTS, &user.key(), 1000)? {
        if let Some(d) = crate::domain::ids::DraftId::from_key(&k[16..]).map(|id| draft(r, id)).transpose()?.flatten() {
            out.push(d);
        }
    }
    Ok(out)
}
