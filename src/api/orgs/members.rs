//! `/api/v1/organizations/me/members` and `/join-requests`: the caller's colleagues, role
//! changes and (de)activation, and join requests — changes by admins only.

use chrono::{DateTime, Utc};
use poem_openapi::{Object, OpenApi, param::Path};

use crate::api::{
    dto::{AccountStatus, MemberRole, UserProfile},
    error::{ApiResult, Success, ok},
    json_body::JsonBody,
    security::{Auth, State},
    tags::ApiTags,
};
use crate::{
    domain::{
        ids::{JoinRequestId, UserId},
        org::{JoinRequest, JoinRequestStatus},
        user::{OrgRole, User},
    },
    dto::ts,
    service::{join_requests, members},
};

/// Members and join-request endpoints.
#[derive(Default)]
pub struct MembersApi;

/// A colleague as seen by members of the same organization.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct Member {
    /// User id.
    pub id: String,
    /// "First Last".
    pub name: String,
    /// Email address (visible to colleagues only).
    pub email: String,
    /// Job title.
    pub title: String,
    /// Avatar image URL, once uploaded.
    pub avatar_url: Option<String>,
    /// City or site.
    pub location: String,
    /// Areas of expertise.
    pub expertise_tags: Vec<String>,
    /// Role in the organization.
    pub role: Option<MemberRole>,
    /// `active` or `deactivated`.
    pub status: AccountStatus,
    /// Joined the platform.
    pub created_at: DateTime<Utc>,
}

impl From<User> for Member {
    fn from(u: User) -> Self {
        // The role stays visible while a member is deactivated.
        let role = u.org_role.map(MemberRole::from);
        let p = UserProfile::from(u);
        Self {
            id: p.id,
            name: p.name,
            email: p.email,
            title: p.title,
            avatar_url: p.profile_picture_url,
            location: p.location,
            expertise_tags: p.expertise_tags,
            role,
            status: p.status,
            created_at: p.created_at,
        }
    }
}

/// Members of the caller's organization.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct MemberList {
    /// Members, oldest first.
    pub items: Vec<Member>,
    /// How many (every one is listed).
    pub total: u64,
}

/// A role change.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct RoleChangeRequest {
    /// The new role.
    pub role: MemberRole,
}

/// A pending request to join.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct JoinRequestInfo {
    /// Request id.
    pub id: String,
    /// The requester's user id.
    pub user_id: String,
    /// The requester's name.
    pub name: String,
    /// The requester's email (an address of the organization's domain).
    pub email: String,
    /// The requester's job title.
    pub title: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    /// When the request was made.
    pub created_at: DateTime<Utc>,
}

fn request_info(req: JoinRequest, user: User) -> JoinRequestInfo {
    JoinRequestInfo {
        id: req.id.to_string(),
        user_id: req.user_id.to_string(),
        name: user.display_name(),
        email: user.email,
        title: user.title,
        status: match req.status {
            JoinRequestStatus::Pending => "pending",
            JoinRequestStatus::Approved => "approved",
            JoinRequestStatus::Rejected => "rejected",
        }
        .into(),
        created_at: ts(req.created_at),
    }
}

/// Pending join requests.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct JoinRequestList {
    /// Requests, oldest first.
    pub items: Vec<JoinRequestInfo>,
    /// How many (every one is listed).
    pub total: u64,
}

#[OpenApi(prefix_path = "/api/v1/organizations/me", tag = "ApiTags::Organizations")]
impl MembersApi {
    /// Members of the caller's organization
    #[oai(path = "/members", method = "get", operation_id = "listMembers")]
    async fn list(&self, state: State<'_>, auth: Auth) -> ApiResult<Success<MemberList>> {
        let items: Vec<Member> = members::list(&state, auth.ctx()).await?.into_iter().map(Into::into).collect();
        ok(MemberList { total: items.len() as u64, items })
    }

    /// Change a member's role (admins)
    ///
    /// 409 `last_admin` when it would leave the organization without an admin.
    #[oai(path = "/members/:user_id/role", method = "put", operation_id = "setMemberRole")]
    async fn set_role(
        &self,
        state: State<'_>,
        auth: Auth,
        user_id: Path<UserId>,
        body: JsonBody<RoleChangeRequest>,
    ) -> ApiResult<Success<Member>> {
        let id = user_id.0;
        let role = match body.role {
            MemberRole::Admin => OrgRole::Admin,
            MemberRole::Member => OrgRole::Member,
        };
        ok(members::set_role(&state, auth.ctx(), id, role).await?.into())
    }

    /// Deactivate a member (admins)
    ///
    /// Their sessions end at once and they cannot sign in until reactivated.
    #[oai(path = "/members/:user_id/deactivate", method = "post", operation_id = "deactivateMember")]
    async fn deactivate(&self, state: State<'_>, auth: Auth, user_id: Path<UserId>) -> ApiResult<Success<Member>> {
        let id = user_id.0;
        ok(members::set_active(&state, auth.ctx(), id, false).await?.into())
    }

    /// Reactivate a member (admins)
    #[oai(path = "/members/:user_id/reactivate", method = "post", operation_id = "reactivateMember")]
    async fn reactivate(&self, state: State<'_>, auth: Auth, user_id: Path<UserId>) -> ApiResult<Success<Member>> {
        let id = user_id.0;
        ok(members::set_active(&state, auth.ctx(), id, true).await?.into())
    }

    /// Pending join requests (admins)
    #[oai(path = "/join-requests", method = "get", operation_id = "listJoinRequests")]
    async fn join_requests(&self, state: State<'_>, auth: Auth) -> ApiResult<Success<JoinRequestList>> {
        let items: Vec<JoinRequestInfo> =
            join_requests::list(&state, auth.ctx()).await?.into_iter().map(|(r, u)| request_info(r, u)).collect();
        ok(JoinRequestList { total: items.len() as u64, items })
    }

    /// Approve a join request (admins)
    ///
    /// The requester becomes an active member and is told by email.
    #[oai(path = "/join-requests/:id/approve", method = "post", operation_id = "approveJoinRequest")]
    async fn approve(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<JoinRequestId>,
    ) -> ApiResult<Success<JoinRequestInfo>> {
        let (req, user) = join_requests::decide(&state, auth.ctx(), id.0, true).await?;
        ok(request_info(req, user))
    }

    /// Reject a join request (admins)
    ///
    /// The requester is told by email and the pending account is removed.
    #[oai(path = "/join-requests/:id/reject", method = "post", operation_id = "rejectJoinRequest")]
    async fn reject(
        &self,
        state: State<'_>,
        auth: Auth,
        id: Path<JoinRequestId>,
    ) -> ApiResult<Success<JoinRequestInfo>> {
        let (req, user) = join_requests::decide(&state, auth.ctx(), id.0, false).await?;
        ok(request_info(req, user))
    }
}
