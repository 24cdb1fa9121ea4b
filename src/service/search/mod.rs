//! Search (SPEC §10): one bilingual index over people, organizations, use cases and the
//! forum, kept by the `indexer` from what the writes queue. Only what a signed-in member may
//! see is ever indexed — people who can sign in, published use cases, topics and replies that
//! exist — and nothing on the platform is organization-private, so every member searches the
//! same documents.

pub mod indexer;

use crate::{
    domain::search::{Hit, SearchKind, SearchPage, SearchRequest, Searchable},
    error::{AppError, AppResult},
    service::sessions::AuthContext,
    state::AppState,
};

/// Most results per page.
pub const MAX_LIMIT: usize = 50;
/// Deepest offset a page may start at (deeper paging is not a search, it is a crawl).
pub const MAX_OFFSET: usize = 1_000;
/// Most suggestions.
pub const SUGGESTIONS: usize = 8;
/// Longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

fn checked(q: &str) -> AppResult<()> {
    if q.trim().is_empty() {
        return Err(AppError::field("q", "must not be empty"));
    }
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::field("q", format!("at most {MAX_QUERY_CHARS} characters")));
    }
    Ok(())
}

/// A failure of the index (or of the blocking task that used it), as a 500.
fn failed(e: impl std::fmt::Display) -> AppError {
    AppError::internal(anyhow::anyhow!("search index: {e}"))
}

/// Searches for the caller (422 for an empty `q` or one with no words).
#[tracing::instrument(level = "debug", skip_all, fields(user = %_ctx.user_id))]
pub async fn search(state: &AppState, _ctx: AuthContext, mut request: SearchRequest) -> AppResult<SearchPage> {
    checked(&request.q)?;
    if request.offset > MAX_OFFSET {
        return Err(AppError::field("offset", format!("at most {MAX_OFFSET}")));
    }
    request.limit = request.limit.clamp(1, MAX_LIMIT);
    let index = state.search.clone();
    tokio::task::spawn_blocking(move || index.search(&request))
        .await
        .map_err(failed)?
        .map_err(failed)?
        .ok_or_else(|| AppError::field("q", "has no words to search for"))
}

/// Most records a list's text filter takes from the index.
pub const MAX_FILTER_MATCHES: usize = 10_000;

/// The records of `kind` whose text `q` finds (at most `MAX_FILTER_MATCHES`), for the text
/// filter of a list; `None` when `q` has no words (the filter then keeps everything).
pub async fn matching(state: &AppState, q: String, kind: SearchKind) -> AppResult<Option<Vec<Searchable>>> {
    let index = state.search.clone();
    let keys = tokio::task::spawn_blocking(move || index.matching_keys(&q, kind, MAX_FILTER_MATCHES))
        .await
        .map_err(failed)?
        .map_err(failed)?;
    Ok(keys.map(|keys| keys.iter().filter_map(|k| Searchable::from_key(k)).collect()))
}

/// Up to `SUGGESTIONS` titles and names starting like `q`, for search-as-you-type.
#[tracing::instrument(level = "debug", skip_all, fields(user = %_ctx.user_id))]
pub async fn suggest(state: &AppState, _ctx: AuthContext, q: String) -> AppResult<Vec<Hit>> {
    checked(&q)?;
    let index = state.search.clone();
    tokio::task::spawn_blocking(move || index.suggest(&q, SUGGESTIONS)).await.map_err(failed)?.map_err(failed)
}
