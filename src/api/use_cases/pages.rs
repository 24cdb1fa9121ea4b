//! Rendering use-case listing pages for the feature's page cache
//! (`service::use_cases::cache`): each card without the viewer's marks, which the cache
//! splices in per request.

use bytes::Bytes;

use crate::{
    api::{error::ApiResult, use_cases::UseCasePage},
    domain::use_case::Order,
    service::{
        Page,
        sessions::AuthContext,
        use_cases::{
            cache::{self, Rendered},
            queries::{UseCaseFilter, UseCaseListItem},
        },
    },
    state::AppState,
};

#[derive(serde::Serialize)]
struct Tail<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<&'a str>,
    total: u64,
}

/// Renders `page` (its cards' marks are ignored: they are the viewer's).
pub fn render(page: &UseCasePage) -> serde_json::Result<Rendered> {
    let cards = page.items.iter().map(serde_json::to_vec).collect::<serde_json::Result<Vec<_>>>()?;
    let tail = serde_json::to_vec(&Tail { next_cursor: page.next_cursor.as_deref(), total: page.total })?;
    Ok(Rendered { cards, tail })
}

/// The body of a listing page for the caller.
pub async fn serve(
    state: &AppState,
    ctx: AuthContext,
    filter: UseCaseFilter,
    order: Order,
    cursor: Option<String>,
    limit: usize,
) -> ApiResult<Bytes> {
    let render_page = |page: Page<UseCaseListItem>| {
        render(&UseCasePage {
            items: page.items.into_iter().map(Into::into).collect(),
            next_cursor: page.next_cursor,
            total: page.total,
        })
    };
    Ok(cache::listing_page(state, ctx, filter, order, cursor, limit, render_page).await?)
}
