//! `/api/v1/organizations`: the caller's organization, the public directory, and
//! verification by platform admins.

pub mod invitations;
pub mod members;

use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
};

use crate::api::{
    dto::OrganizationSummary,
    error::{ApiResult, Success, ok},
    json_body::JsonBody,
    security::{Auth, State},
    tags::ApiTags,
};
use crate::domain::closed::{ClosedSet, CompanySize, Industry};
use crate::{
    domain::ids::OrgId,
    service::{self, orgs},
};

/// Organization endpoints.
#[derive(Default)]
pub struct OrgsApi;

/// Organization changes (admins); omitted fields stay as they are.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct OrganizationUpdateRequest {
    /// Display name (2–100).
    pub name: Option<String>,
    /// Industry sector.
    pub industry: Option<Industry>,
    /// Company size band.
    pub size: Option<CompanySize>,
    /// City (≤ 100).
    pub city: Option<String>,
    /// Country (≤ 100).
    pub country: Option<String>,
    /// Description in Markdown (≤ 5000).
    pub description: Option<String>,
    /// Website, `http://` or `https://` (≤ 200).
    pub website: Option<String>,
}

/// A page of organizations.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct OrganizationPage {
    /// Organizations, oldest first.
    pub items: Vec<OrganizationSummary>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// How many organizations match the filters.
    pub total: u64,
}

/// Verification flag.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct VerificationRequest {
    /// Whether the organization is verified.
    pub verified: bool,
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Organizations")]
impl OrgsApi {
    /// The caller's organization
    #[oai(path = "/organizations/me", method = "get", operation_id = "getMyOrganization")]
    async fn mine(&self, state: State<'_>, auth: Auth) -> ApiResult<Success<OrganizationSummary>> {
        ok(orgs::mine(&state, auth.ctx()).await?.into())
    }

    /// Edit the caller's organization (its admins)
    #[oai(path = "/organizations/me", method = "patch", operation_id = "updateMyOrganization")]
    async fn update(
        &self,
        state: State<'_>,
        auth: Auth,
        body: JsonBody<OrganizationUpdateRequest>,
    ) -> ApiResult<Success<OrganizationSummary>> {
        let b = body.0;
        let patch = orgs::OrgPatch {
            name: b.name,
            industry: b.industry.map(|i| i.name().to_owned()),
            size: b.size.map(|s| s.name().to_owned()),
            city: b.city,
            country: b.country,
            description: b.description,
            website: b.website,
        };
        ok(orgs::update_mine(&state, auth.ctx(), patch).await?.into())
    }

    /// The organization directory
    ///
    /// Organizations with at least one active member, oldest first, with optional filters.
    #[oai(path = "/organizations", method = "get", operation_id = "listOrganizations")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: State<'_>,
        _auth: Auth,
        /// Words in the name or description.
        q: Query<Option<String>>,
        /// Industry sector.
        industry: Query<Option<Industry>>,
        /// City (exact, case-insensitive).
        city: Query<Option<String>>,
        /// Only verified (true) or unverified (false) organizations.
        verified: Query<Option<bool>>,
        /// Cursor from the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1–100 (default 20).
        limit: Query<Option<u32>>,
    ) -> ApiResult<Success<OrganizationPage>> {
        let industry = industry.0.map(|i| i.name().to_owned());
        let filter = orgs::OrgFilter { q: q.0, industry, city: city.0, verified: verified.0 };
        let page = orgs::list(&state, filter, cursor.0.as_deref(), service::page_size(limit.0)).await?;
        ok(OrganizationPage {
            items: page.items.into_iter().map(Into::into).collect(),
            next_cursor: page.next_cursor,
            total: page.total,
        })
    }

    /// One organization's public profile
    #[oai(path = "/organizations/:id", method = "get", operation_id = "getOrganization")]
    async fn get(&self, state: State<'_>, _auth: Auth, id: Path<OrgId>) -> ApiResult<Success<OrganizationSummary>> {
        ok(orgs::get(&state, id.0).await?.into())
    }

    /// Mark an organization verified or not (platform admins)
    #[oai(path = "/organizations/:id/verification", method = "put", operation_id = "setOrganizationVerification")]
    async fn verify(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<OrgId>,
        body: JsonBody<VerificationRequest>,
    ) -> ApiResult<Success<OrganizationSummary>> {
        ok(orgs::set_verified(&state, auth.ctx(), id.0, body.verified).await?.into())
    }
}
