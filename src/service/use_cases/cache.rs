//! The use-case listing's caches and their staleness rules, in one place.
//!
//! **Listing pages.** A page's JSON is the same for everyone except each card's
//! `liked_by_me` and `bookmarked_by_me`: the cache keeps each card rendered without those two
//! and splices the viewer's marks in. An entry is valid for the listing version it was read
//! at — a counter the store bumps in every transaction that changes a use case or the card
//! of an author or an organization — and a request reads the current version and its marks
//! in one snapshot, so it never serves a page older than that snapshot.
//!
//! Pages filtered by words are not kept: the words are looked up in the search index, which
//! the listing version does not follow.
//!
//! **The map.** One body (plain and gzip, with an ETag) serves every request until the map
//! points' version moves; one request at a time rebuilds it.
//!
//! The caches are the feature's own (`AppState::local`); the API renders what they keep.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use bytes::Bytes;

use super::queries::{self, Listing, UseCaseFilter, UseCaseListItem};
use crate::{
    domain::{
        ids::UseCaseId,
        use_case::{MapPoint, Order},
    },
    error::{AppError, AppResult},
    service::{Page, sessions::AuthContext},
    state::AppState,
};

/// A listing page rendered as JSON: each card's object without the viewer's marks, and the
/// page's other fields as one object (`{"next_cursor":…,"total":…}`).
pub struct Rendered {
    pub cards: Vec<Vec<u8>>,
    pub tail: Vec<u8>,
}

/// The body of a listing page for the caller: the cached page when it is current, else
/// read, rendered with `render` and cached.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn listing_page(
    state: &AppState,
    ctx: AuthContext,
    filter: UseCaseFilter,
    order: Order,
    cursor: Option<String>,
    limit: usize,
    render: impl FnOnce(Page<UseCaseListItem>) -> serde_json::Result<Rendered>,
) -> AppResult<Bytes> {
    if filter.q.is_some() {
        // Words go through the search index, which sees a write up to a second after the
        // store (and the listing version) does: such a page is never kept.
        let Listing { page, marks, .. } = queries::list(state, ctx, filter, order, cursor.as_deref(), limit).await?;
        let ids: Vec<_> = page.items.iter().map(|i| i.card.id).collect();
        return Ok(CachedPage::new(0, ids, render(page).map_err(AppError::internal)?).body(&marks));
    }
    let pages = state.local::<PageCache>();
    let key = format!("{order:?}|{filter:?}|{cursor:?}|{limit}");
    let mut seen = None;
    if let Some(page) = pages.get(&key) {
        let (version, marks) = queries::marks(state, ctx, page.ids.clone()).await?;
        if version == page.version {
            return Ok(page.body(&marks));
        }
        seen = Some((version, page, marks));
    }
    // One request per query rebuilds; the others wait for it rather than all reading the
    // same page at once after every write (and reuse it when it is at least as new as the
    // version they saw).
    let building = pages.builder(&key);
    let _turn = building.lock().await;
    if let (Some((version, stale, marks)), Some(page)) = (seen, pages.get(&key))
        && page.version >= version
    {
        // The caller's marks were read during this request; they still hold for the same ids.
        if page.ids == stale.ids {
            return Ok(page.body(&marks));
        }
        let (_, marks) = queries::marks(state, ctx, page.ids.clone()).await?;
        return Ok(page.body(&marks));
    }
    let Listing { version, page, marks } = queries::list(state, ctx, filter, order, cursor.as_deref(), limit).await?;
    let ids: Vec<_> = page.items.iter().map(|i| i.card.id).collect();
    let cached = Arc::new(CachedPage::new(version, ids, render(page).map_err(AppError::internal)?));
    pages.put(key, cached.clone());
    Ok(cached.body(&marks))
}

/// Pages kept at most, and their bytes at most; past either the cache starts over (deep
/// cursors and many filters make many keys).
const MAX_PAGES: usize = 4096;
const MAX_BYTES: usize = 32 << 20;

/// Listing pages by query.
#[derive(Default)]
pub struct PageCache {
    pages: Mutex<Pages>,
    builders: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

#[derive(Default)]
struct Pages {
    by_key: HashMap<String, Arc<CachedPage>>,
    bytes: usize,
}

impl PageCache {
    /// The page cached for `key`, whatever its version.
    fn get(&self, key: &str) -> Option<Arc<CachedPage>> {
        self.pages.lock().ok()?.by_key.get(key).cloned()
    }

    /// The lock held while the page for `key` is rebuilt.
    fn builder(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let Ok(mut builders) = self.builders.lock() else { return Arc::default() };
        if builders.len() >= MAX_PAGES && !builders.contains_key(key) {
            builders.clear();
        }
        builders.entry(key.to_owned()).or_default().clone()
    }

    /// Keeps `page` for `key` unless a newer one is there already.
    fn put(&self, key: String, page: Arc<CachedPage>) {
        let Ok(mut pages) = self.pages.lock() else { return };
        if pages.by_key.get(&key).is_some_and(|p| p.version > page.version) {
            return;
        }
        let size = key.len() + page.size();
        if pages.by_key.len() >= MAX_PAGES || pages.bytes + size > MAX_BYTES {
            *pages = Pages::default();
        }
        pages.bytes += size;
        if let Some(old) = pages.by_key.insert(key.clone(), page) {
            pages.bytes = pages.bytes.saturating_sub(key.len() + old.size());
        }
    }
}

/// One rendered page.
#[derive(Debug)]
pub struct CachedPage {
    /// The listing version it was read at.
    version: u64,
    /// Its use cases, in order.
    ids: Vec<UseCaseId>,
    /// Each card's JSON object without the viewer's marks.
    cards: Vec<Vec<u8>>,
    /// `{"next_cursor":…,"total":…}`.
    tail: Vec<u8>,
}

impl CachedPage {
    /// A page rendered at listing `version` (the marks of its cards are spliced per viewer).
    pub fn new(version: u64, ids: Vec<UseCaseId>, rendered: Rendered) -> Self {
        Self { version, ids, cards: rendered.cards, tail: rendered.tail }
    }

    /// Bytes held for this page.
    fn size(&self) -> usize {
        self.cards.iter().map(Vec::len).sum::<usize>() + self.tail.len() + 16 * self.ids.len()
    }

    /// The page's JSON with `marks` — (liked, bookmarked) per card — spliced in.
    pub fn body(&self, marks: &[(bool, bool)]) -> Bytes {
        let size = self.cards.iter().map(|c| c.len() + 48).sum::<usize>() + self.tail.len() + 16;
        let mut out = Vec::with_capacity(size);
        out.extend_from_slice(b"{\"items\":[");
        for (i, card) in self.cards.iter().enumerate() {
            let (liked, bookmarked) = marks.get(i).copied().unwrap_or_default();
            if i > 0 {
                out.push(b',');
            }
            // A card is a non-empty object: drop its closing brace, add the marks, close it.
            out.extend_from_slice(&card[..card.len().saturating_sub(1)]);
            out.extend_from_slice(format!(",\"liked_by_me\":{liked},\"bookmarked_by_me\":{bookmarked}}}").as_bytes());
        }
        out.push(b']');
        // The tail's fields after the items (`{}` when it has none: then just close).
        if self.tail.len() > 2 {
            out.push(b',');
        }
        out.extend_from_slice(self.tail.get(1..).unwrap_or_default());
        Bytes::from(out)
    }
}

/// A body shared by many requests until the data it shows changes: plain and gzip bytes,
/// built once, and an ETag from the content.
#[derive(Clone, Debug)]
pub struct SharedBody {
    /// The version of the data it was built from.
    pub version: u64,
    pub plain: Bytes,
    pub gzip: Bytes,
    /// Quoted strong ETag (a digest of `plain`).
    pub etag: String,
}

impl SharedBody {
    /// Both encodings of the JSON `plain`, built from data at `version`.
    pub fn new(version: u64, plain: Bytes) -> Self {
        let mut gz = flate2::write::GzEncoder::new(Vec::with_capacity(plain.len() / 4), flate2::Compression::fast());
        let gzip = std::io::Write::write_all(&mut gz, &plain).and_then(|()| gz.finish());
        let etag = format!("\"{}\"", hex::encode(&crate::auth::secrets::sha256(&plain)[..16]));
        // Compressing into memory cannot fail short of allocation failure; then send it plain.
        let gzip = gzip.map(Bytes::from).unwrap_or_default();
        Self { version, plain, gzip, etag }
    }
}

/// The last map body and the points version it shows.
#[derive(Default)]
struct MapCache(tokio::sync::Mutex<Option<SharedBody>>);

/// The current map body: the cached one while the points have not changed, else rendered
/// with `render` (once: the lock is held while building, so a burst after a change waits for
/// one build; serializing, hashing and compressing megabytes runs off the async workers).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn map_body(
    state: &AppState,
    render: impl FnOnce(Vec<MapPoint>) -> Bytes + Send + 'static,
) -> AppResult<SharedBody> {
    let current = queries::map_version(state).await?;
    let map = state.local::<MapCache>();
    let mut cached = map.0.lock().await;
    if let Some(body) = cached.as_ref()
        && body.version >= current
    {
        return Ok(body.clone());
    }
    let (version, points) = queries::map(state).await?;
    let body = tokio::task::spawn_blocking(move || SharedBody::new(version, render(points))).await?;
    *cached = Some(body.clone());
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(version: u64, bytes: usize) -> Arc<CachedPage> {
        Arc::new(CachedPage { version, ids: vec![], cards: vec![vec![b'x'; bytes]], tail: b"{}".to_vec() })
    }

    #[test]
    fn newer_pages_win_and_memory_stays_bounded() {
        let cache = PageCache::default();
        cache.put("a".into(), page(2, 10));
        cache.put("a".into(), page(1, 10));
        assert_eq!(cache.get("a").unwrap().version, 2, "an older page never replaces a newer one");
        cache.put("a".into(), page(3, 10));
        assert_eq!(cache.get("a").unwrap().version, 3);
        for i in 0..40 {
            cache.put(format!("k{i}"), page(1, 1 << 20));
        }
        let held = cache.pages.lock().unwrap().bytes;
        assert!(held <= MAX_BYTES, "{held} bytes held");
        assert!(cache.get("k39").is_some(), "the newest page is kept");
    }

    #[test]
    fn the_shared_body_compresses_once() {
        let body = SharedBody::new(7, Bytes::from(serde_json::to_vec(&vec!["point"; 1000]).unwrap()));
        assert!(body.gzip.len() < body.plain.len() / 10);
        assert_eq!(body.etag.len(), 34);
    }
}
