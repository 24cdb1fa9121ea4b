//! `/api/v1/use-cases`: publish, read (by id or slug), edit, delete, list with filters and
//! sorts, map points, categories, stats, top organizations, flags, likes and bookmarks.

pub mod drafts;
pub mod dto;
pub mod input;
pub mod map;
pub mod media;
pub mod pages;
pub mod summary;

use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi,
    param::{Header, Path, Query},
    payload::Json,
};

use crate::api::{
    auth::NoContent,
    dto::OrganizationSummary,
    error::{ApiResult, Success, ok},
    json_body::JsonBody,
    json_bytes::{JsonBytes, SuccessBytes},
    security::{Auth, State},
    tags::ApiTags,
    use_cases::dto::UseCaseDto,
    use_cases::input::{UseCaseCreate, UseCaseFields},
    use_cases::map::MapResponse,
};
use crate::{
    domain::{
        closed::Industry,
        ids::{OrgId, UseCaseId},
        use_case::{Category, Order, UseCase},
    },
    dto::forum::LikeState,
    service::{
        self, engagement,
        use_cases::{self as uc, ReadKey, queries},
    },
};

/// Use-case endpoints.
#[derive(Default)]
pub struct UseCasesApi;

/// Use-case listing order.
#[derive(Enum, Debug, Clone, Copy)]
#[oai(rename_all = "snake_case")]
pub enum UseCaseSort {
    /// Newest first.
    Newest,
    /// Most viewed first.
    MostViewed,
    /// Most liked first.
    MostLiked,
}

/// A page of use cases.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct UseCasePage {
    /// Use cases, as cards (`GET /use-cases/{id}` has every field).
    pub items: Vec<crate::api::use_cases::summary::UseCaseSummary>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// How many use cases match the filters.
    pub total: u64,
}

/// A category with its count.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct UseCaseCategory {
    /// Stable id (use it as `category` when creating or filtering).
    pub id: String,
    /// English name (what use cases show as their `category`; also accepted as `category`).
    pub name: String,
    /// Arabic name.
    pub name_ar: String,
    /// Use cases in it.
    pub use_case_count: u64,
}

/// Every category.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct UseCaseCategories {
    /// Categories.
    pub items: Vec<UseCaseCategory>,
}

/// Use-case figures.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct UseCaseStats {
    /// Published use cases.
    pub use_case_count: u64,
    /// Organizations with at least one.
    pub contributing_organization_count: u64,
    /// Featured ones.
    pub featured_count: u64,
}

/// An organization and how many use cases it published.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct TopOrganization {
    /// The organization.
    pub organization: OrganizationSummary,
    /// Its use cases.
    pub use_case_count: u64,
}

/// Organizations with the most use cases.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct TopOrganizations {
    /// Best first.
    pub items: Vec<TopOrganization>,
}

/// Flags set by platform admins; omitted ones stay.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct UseCaseFlags {
    /// Featured.
    pub featured: Option<bool>,
    /// Verified.
    pub verified: Option<bool>,
}

/// A use-case bookmark after a change.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct UseCaseBookmarkState {
    /// Whether the caller bookmarked it now.
    pub bookmarked: bool,
    /// Bookmarks now.
    pub bookmark_count: u64,
}

/// Use case published.
#[derive(ApiResponse)]
pub enum UseCaseCreated {
    /// The new use case.
    #[oai(status = 201)]
    Created(Json<UseCaseDto>),
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::UseCases")]
impl UseCasesApi {
    /// List use cases
    ///
    /// Pages are cached until a use case, or the name of an author or organization, changes;
    /// the caller's likes and bookmarks are always current.
    #[oai(path = "/use-cases", method = "get", operation_id = "listUseCases")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: State<'_>,
        auth: Auth,
        /// Category.
        category: Query<Option<Category>>,
        /// Industry.
        industry: Query<Option<Industry>>,
        /// City.
        city: Query<Option<String>>,
        /// Organization id.
        organization_id: Query<Option<OrgId>>,
        /// Tag.
        tag: Query<Option<String>>,
        /// Only featured (true) or not featured (false).
        featured: Query<Option<bool>>,
        /// Words in the title, subtitle, summary, factory or organization.
        q: Query<Option<String>>,
        /// Order (default `newest`).
        sort: Query<Option<UseCaseSort>>,
        /// Cursor from the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1–100 (default 20).
        limit: Query<Option<u32>>,
    ) -> ApiResult<SuccessBytes<UseCasePage>> {
        let filter = queries::UseCaseFilter {
            category: category.0.map(|c| c.name_en.to_owned()),
            industry: industry.0.map(|i| crate::domain::closed::ClosedSet::name(i).to_owned()),
            city: city.0,
            organization: organization_id.0,
            tag: tag.0,
            featured: featured.0,
            q: q.0,
        };
        let order = match sort.0.unwrap_or(UseCaseSort::Newest) {
            UseCaseSort::Newest => Order::Newest,
            UseCaseSort::MostViewed => Order::MostViewed,
            UseCaseSort::MostLiked => Order::MostLiked,
        };
        let body = pages::serve(&state, auth.ctx(), filter, order, cursor.0, service::page_size(limit.0)).await?;
        Ok(SuccessBytes::Ok(JsonBytes::prebuilt(body)))
    }

    /// Publish a use case (simplified or full form)
    ///
    /// 422 names every missing or invalid field at once. The slug is unique within the
    /// organization; a collision gets a numeric suffix.
    #[oai(path = "/use-cases", method = "post", operation_id = "createUseCase")]
    async fn create(&self, state: State<'_>, auth: Auth, body: JsonBody<UseCaseCreate>) -> ApiResult<UseCaseCreated> {
        let input = body.0.into_input();
        Ok(UseCaseCreated::Created(Json(uc::create(&state, auth.ctx(), input).await?.into())))
    }

    /// Every published use case as a map point
    ///
    /// One body (gzip-encoded when the client accepts it) is shared by every request until a
    /// use case is added, moved, retitled, removed or gets a new cover; send its `ETag` back
    /// in `If-None-Match` to get a 304 while it has not changed.
    #[oai(path = "/use-cases/map", method = "get", operation_id = "useCaseMap")]
    async fn map(
        &self,
        state: State<'_>,
        _auth: Auth,
        /// The `ETag` of a map the client already has.
        #[oai(name = "If-None-Match")]
        if_none_match: Header<Option<String>>,
        /// Encodings the client accepts (`gzip` gets the compressed body).
        #[oai(name = "Accept-Encoding")]
        accept_encoding: Header<Option<String>>,
    ) -> ApiResult<MapResponse> {
        let body = crate::api::use_cases::map::map_body(&state).await?;
        if if_none_match.0.as_deref().is_some_and(|tags| tags.split(',').any(|t| t.trim() == body.etag)) {
            return Ok(MapResponse::NotModified(body.etag));
        }
        Ok(MapResponse::Ok(
            crate::api::json_bytes::shared(&body, accept_encoding.0.as_deref()),
            body.etag,
            "Accept-Encoding".into(),
        ))
    }

    /// Categories with counts
    #[oai(path = "/use-cases/categories", method = "get", operation_id = "useCaseCategories")]
    async fn categories(&self, state: State<'_>, _auth: Auth) -> ApiResult<Success<UseCaseCategories>> {
        let items = queries::categories(&state)
            .await?
            .into_iter()
            .map(|(c, n)| UseCaseCategory {
                id: c.id.into(),
                name: c.name_en.into(),
                name_ar: c.name_ar.into(),
                use_case_count: n,
            })
            .collect();
        ok(UseCaseCategories { items })
    }

    /// Use-case statistics
    #[oai(path = "/use-cases/stats", method = "get", operation_id = "useCaseStats")]
    async fn stats(&self, state: State<'_>, _auth: Auth) -> ApiResult<Success<UseCaseStats>> {
        let (use_case_count, contributing_organization_count, featured_count) = queries::stats(&state).await?;
        ok(UseCaseStats { use_case_count, contributing_organization_count, featured_count })
    }

    /// Organizations with the most use cases
    #[oai(path = "/use-cases/top-organizations", method = "get", operation_id = "topUseCaseOrganizations")]
    async fn top(
        &self,
        state: State<'_>,
        _auth: Auth,
        /// How many (1–50, default 5).
        limit: Query<Option<u32>>,
    ) -> ApiResult<Success<TopOrganizations>> {
        let n = limit.0.map(|l| (l as usize).clamp(1, 50)).unwrap_or(5);
        let items = queries::top_organizations(&state, n)
            .await?
            .into_iter()
            .map(|(o, n)| TopOrganization { organization: o.into(), use_case_count: n })
            .collect();
        ok(TopOrganizations { items })
    }

    /// Read a use case by its slugs (a view counts once per user)
    #[oai(path = "/use-cases/by-slug/:org_slug/:slug", method = "get", operation_id = "getUseCaseBySlug")]
    async fn by_slug(
        &self,
        state: State<'_>,
        auth: Auth,
        org_slug: Path<String>,
        slug: Path<String>,
    ) -> ApiResult<Success<UseCaseDto>> {
        ok(uc::read(&state, auth.ctx(), ReadKey::Slug(org_slug.0, slug.0)).await?.into())
    }

    /// Read a use case (a view counts once per user)
    #[oai(path = "/use-cases/:id", method = "get", operation_id = "getUseCase")]
    async fn get(&self, state: State<'_>, auth: Auth, id: Path<UseCaseId>) -> ApiResult<Success<UseCaseDto>> {
        ok(uc::read(&state, auth.ctx(), ReadKey::Id(id.0)).await?.into())
    }

    /// Edit a use case (its author or their organization's admins)
    #[oai(path = "/use-cases/:id", method = "patch", operation_id = "updateUseCase")]
    async fn update(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<UseCaseId>,
        body: JsonBody<UseCaseFields>,
    ) -> ApiResult<Success<UseCaseDto>> {
        let input = body.0;
        ok(uc::edit(&state, auth.ctx(), id.0, move |raw| input.apply(raw)).await?.into())
    }

    /// Delete a use case (its author, their organization's admins or a platform admin)
    #[oai(path = "/use-cases/:id", method = "delete", operation_id = "deleteUseCase")]
    async fn delete(&self, state: State<'_>, auth: Auth, id: Path<UseCaseId>) -> ApiResult<NoContent> {
        uc::delete(&state, auth.ctx(), id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// Set the featured and verified flags (platform admins)
    #[oai(path = "/use-cases/:id/flags", method = "put", operation_id = "setUseCaseFlags")]
    async fn flags(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<UseCaseId>,
        body: JsonBody<UseCaseFlags>,
    ) -> ApiResult<Success<UseCaseDto>> {
        ok(uc::set_flags(&state, auth.ctx(), id.0, body.featured, body.verified).await?.into())
    }

    /// Like a use case (idempotent)
    #[oai(path = "/use-cases/:id/like", method = "put", operation_id = "likeUseCase")]
    async fn like(&self, state: State<'_>, auth: Auth, id: Path<UseCaseId>) -> ApiResult<Success<LikeState>> {
        let u = engagement::like::<UseCase>(&state, auth.ctx(), ReadKey::Id(id.0), true).await?;
        ok(LikeState { liked: true, like_count: u.like_count })
    }

    /// Remove a like (idempotent)
    #[oai(path = "/use-cases/:id/like", method = "delete", operation_id = "unlikeUseCase")]
    async fn unlike(&self, state: State<'_>, auth: Auth, id: Path<UseCaseId>) -> ApiResult<Success<LikeState>> {
        let u = engagement::like::<UseCase>(&state, auth.ctx(), ReadKey::Id(id.0), false).await?;
        ok(LikeState { liked: false, like_count: u.like_count })
    }

    /// Bookmark a use case (idempotent)
    #[oai(path = "/use-cases/:id/bookmark", method = "put", operation_id = "bookmarkUseCase")]
    async fn bookmark(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<UseCaseId>,
    ) -> ApiResult<Success<UseCaseBookmarkState>> {
        let u = engagement::bookmark::<UseCase>(&state, auth.ctx(), ReadKey::Id(id.0), true).await?;
        ok(UseCaseBookmarkState { bookmarked: true, bookmark_count: u.bookmark_count })
    }

    /// Remove a bookmark (idempotent)
    #[oai(path = "/use-cases/:id/bookmark", method = "delete", operation_id = "unbookmarkUseCase")]
    async fn unbookmark(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<UseCaseId>,
    ) -> ApiResult<Success<UseCaseBookmarkState>> {
        let u = engagement::bookmark::<UseCase>(&state, auth.ctx(), ReadKey::Id(id.0), false).await?;
        ok(UseCaseBookmarkState { bookmarked: false, bookmark_count: u.bookmark_count })
    }
}
