//! `/api/v1/search` and `/api/v1/search/suggest`: one search over people, organizations,
//! use cases and the forum, in Arabic and English.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use poem_openapi::{Object, OpenApi, param::Query};

use crate::api::{
    error::{ApiResult, Success, ok},
    security::{Auth, State},
    tags::ApiTags,
};
use crate::{
    domain::{
        ids::OrgId,
        search::{Hit, SearchKind, SearchRequest, Searchable},
    },
    error::AppError,
    service::search,
};

/// Search endpoints.
#[derive(Default)]
pub struct SearchApi;

/// One result.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct SearchResult {
    /// What it is.
    #[oai(rename = "type")]
    pub kind: SearchKind,
    /// Its id (a person's, an organization's, a use case's, a topic's or a reply's).
    pub id: String,
    /// A person's or organization's name; a use case's, topic's or (for a reply) its topic's title.
    pub title: String,
    /// A passage of its text, HTML-escaped, with the matched words in `<mark>`.
    pub snippet: String,
    /// Relevance (higher is better; only comparable within one search).
    pub score: f32,
    /// The topic, for a topic or a reply (the link).
    pub topic_id: Option<String>,
    /// The organization it belongs to, if any.
    pub organization_id: Option<String>,
    /// A use case's slug and its organization's (the link `/use-cases/{org_slug}/{slug}`).
    pub slug: Option<String>,
    /// See `slug`.
    pub org_slug: Option<String>,
}

impl From<Hit> for SearchResult {
    fn from(h: Hit) -> Self {
        let id = Searchable::from_key(&h.key).map(|s| s.key()).unwrap_or_default();
        let id = id.split_once(':').map(|(_, id)| id.to_owned()).unwrap_or_default();
        let some = |s: String| Some(s).filter(|s| !s.is_empty());
        Self {
            kind: h.kind,
            id,
            title: h.title,
            snippet: h.snippet,
            score: h.score,
            topic_id: h.topic,
            organization_id: h.org,
            slug: some(h.slug),
            org_slug: some(h.org_slug),
        }
    }
}

/// Counts of every match by value.
#[derive(Object, Debug, Default)]
pub struct SearchFacets {
    /// By result type (`user`, `organization`, `use_case`, `topic`, `reply`); they add up to `total`.
    #[oai(rename = "type")]
    pub kind: BTreeMap<String, u64>,
    /// By category (use cases and forum).
    pub category: BTreeMap<String, u64>,
    /// By city (people, organizations, use cases).
    pub city: BTreeMap<String, u64>,
}

/// A page of results.
#[derive(Object, Debug)]
pub struct SearchResults {
    /// Best first.
    pub results: Vec<SearchResult>,
    /// Counts of every match (not only this page's).
    pub facets: SearchFacets,
    /// Matches in all.
    pub total: u64,
}

/// Suggestions for search-as-you-type.
#[derive(Object, Debug)]
pub struct Suggestions {
    /// Titles and names starting like the query (at most 8), best first.
    pub suggestions: Vec<SearchResult>,
}

/// The kinds a `type` filter stands for (`None` for an unknown one).
fn kinds(t: &str) -> Option<Vec<SearchKind>> {
    Some(match t {
        "all" => Vec::new(),
        "users" | "people" => vec![SearchKind::User],
        "organizations" => vec![SearchKind::Organization],
        "use_cases" => vec![SearchKind::UseCase],
        "forum" | "forums" => vec![SearchKind::Topic, SearchKind::Reply],
        _ => return None,
    })
}

#[OpenApi(prefix_path = "/api/v1/search", tag = "ApiTags::Search")]
impl SearchApi {
    /// Search people, organizations, use cases and the forum
    ///
    /// Arabic and English: letter forms, diacritics and ة/ه are normalized, words stemmed,
    /// typos forgiven (one from 5 letters, two from 9) and the last word matched as a prefix;
    /// exact and phrase matches rank first, title matches above body ones. New content is
    /// found within a second.
    #[oai(path = "/", method = "get", operation_id = "search")]
    #[allow(clippy::too_many_arguments)]
    async fn search(
        &self,
        state: State<'_>,
        auth: Auth,
        /// The words to look for (1–200 characters).
        q: Query<String>,
        /// `all` (default), `users`, `organizations`, `use_cases` or `forum` (`forums` too).
        #[oai(name = "type")]
        kind: Query<Option<String>>,
        /// Only this category (use cases, forum).
        category: Query<Option<String>>,
        /// Only this industry (people, organizations, use cases).
        industry: Query<Option<String>>,
        /// Only this city (people, organizations, use cases).
        city: Query<Option<String>>,
        /// Only what belongs to this organization.
        organization: Query<Option<OrgId>>,
        /// Only what was created at or after this time.
        from: Query<Option<DateTime<Utc>>>,
        /// Only what was created before this time.
        to: Query<Option<DateTime<Utc>>>,
        /// Results to skip (≤ 1,000).
        offset: Query<Option<u32>>,
        /// Page size, 1–50 (default 20).
        limit: Query<Option<u32>>,
    ) -> ApiResult<Success<SearchResults>> {
        let t = kind.0.as_deref().unwrap_or("all");
        let kinds = kinds(t).ok_or_else(|| {
            AppError::field("type", "must be one of: all, users, organizations, use_cases, forum, forums")
        })?;
        let request = SearchRequest {
            q: q.0,
            kinds,
            category: category.0,
            industry: industry.0,
            city: city.0,
            org: organization.0,
            from: from.0.map(|t| t.timestamp_millis()),
            to: to.0.map(|t| t.timestamp_millis()),
            offset: offset.0.unwrap_or(0) as usize,
            limit: limit.0.map_or(20, |l| l as usize),
        };
        let page = search::search(&state, auth.ctx(), request).await?;
        let mut facets = SearchFacets::default();
        for (field, counts) in page.facets {
            match field.as_str() {
                "kind" => facets.kind = counts,
                "category" => facets.category = counts,
                "city" => facets.city = counts,
                _ => {}
            }
        }
        ok(SearchResults { results: page.hits.into_iter().map(Into::into).collect(), facets, total: page.total })
    }

    /// Titles and names for search-as-you-type
    ///
    /// Every word as typed and the last as a prefix, in titles and names only (replies are
    /// left out: they carry their topic's title).
    #[oai(path = "/suggest", method = "get", operation_id = "searchSuggest")]
    async fn suggest(
        &self,
        state: State<'_>,
        auth: Auth,
        /// What has been typed so far (1–200 characters).
        q: Query<String>,
    ) -> ApiResult<Success<Suggestions>> {
        let hits = search::suggest(&state, auth.ctx(), q.0).await?;
        ok(Suggestions { suggestions: hits.into_iter().map(Into::into).collect() })
    }
}
