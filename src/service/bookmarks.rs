//! The caller's bookmarks across kinds of content, one page at a time: newest content first
//! within a kind, with each item's view and an exact total from the kept per-person counts.

use crate::{
    domain::{
        engagement::{Counter, Target, TargetKind},
        forum::{Topic, TopicView},
        use_case::{UseCase, UseCaseView},
    },
    error::AppResult,
    service::{decode_key_cursor, encode_cursor, engagement::Engaged, sessions::AuthContext},
    state::AppState,
    store::{engagement as store, key2},
};

/// What a bookmark marks, as its reader sees it.
#[derive(Debug, Clone)]
pub enum Bookmarked {
    Topic(Box<TopicView>),
    UseCase(Box<UseCaseView>),
}

/// One bookmark.
#[derive(Debug, Clone)]
pub struct Bookmark {
    /// When it was made (Unix ms).
    pub at: i64,
    pub item: Bookmarked,
}

/// A page of bookmarks.
#[derive(Debug, Clone)]
pub struct BookmarkPage {
    pub items: Vec<Bookmark>,
    pub next_cursor: Option<String>,
    pub total: u64,
}

/// The kinds of content a person can bookmark.
pub const BOOKMARKABLE: [TargetKind; 2] = [TargetKind::Topic, TargetKind::UseCase];

/// The caller's bookmarks of `kind` (every kind when `None`), after `cursor`.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, kind = ?kind))]
pub async fn page(
    state: &AppState,
    ctx: AuthContext,
    kind: Option<TargetKind>,
    cursor: Option<&str>,
    limit: usize,
) -> AppResult<BookmarkPage> {
    let user = ctx.user_id;
    let prefix = match kind {
        Some(k) => key2(&user.key(), &[k.byte()]),
        None => user.key().to_vec(),
    };
    let before = decode_key_cursor(cursor, &prefix)?;
    state
        .store
        .read(move |tx| -> AppResult<_> {
            let entries = store::bookmark_page(tx, user, kind, before.as_deref(), limit + 1)?;
            let more = entries.len() > limit;
            let mut items = Vec::new();
            for e in entries.iter().take(limit) {
                let item = match e.target {
                    Target::Topic(_) => match Topic::of_target(tx, e.target)? {
                        Some(t) => Bookmarked::Topic(Box::new(Topic::view(tx, t, user)?)),
                        None => continue,
                    },
                    Target::UseCase(_) => match UseCase::of_target(tx, e.target)? {
                        Some(u) => Bookmarked::UseCase(Box::new(UseCase::view(tx, u, user)?)),
                        None => continue,
                    },
                    Target::Reply(_) => continue,
                };
                items.push(Bookmark { at: e.at, item });
            }
            let next_cursor = more.then(|| entries.get(limit - 1).map(|e| encode_cursor(&e.key))).flatten();
            let mut total = 0;
            for k in BOOKMARKABLE.iter().filter(|k| kind.is_none_or(|want| want == **k)) {
                total += store::counter(tx, &Counter::BookmarksOf(user, *k))?;
            }
            Ok(BookmarkPage { items, next_cursor, total })
        })
        .await
}
