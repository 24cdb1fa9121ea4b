//! Invitations: sent, listed and cancelled by admins; a public check of a token.

use chrono::{DateTime, Utc};
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};

use crate::api::{
    auth::NoContent,
    dto::{MemberRole, OrganizationSummary},
    error::{ApiResult, Success, ok},
    json_body::JsonBody,
    security::{Auth, State},
    tags::ApiTags,
};
use crate::{
    domain::{
        ids::InvitationId,
        invitation::{Invitation, InvitationState},
        now_ms,
        user::{AuthorCard, OrgRole},
    },
    dto::{AuthorRef, author_from_card, ts},
    service::invitations,
};

/// Invitation endpoints.
#[derive(Default)]
pub struct InvitationsApi;

/// An invitation as its organization's admins see it (the token is only in the email).
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct InvitationInfo {
    /// Invitation id.
    pub id: String,
    /// Invited address.
    pub email: String,
    /// Role given on joining.
    pub role: MemberRole,
    /// `pending`, `used`, `cancelled` or `expired`.
    pub status: String,
    /// Who sent it (user id).
    pub invited_by: String,
    /// Who sent it, as content shows a person.
    pub inviter: AuthorRef,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was used, if it was.
    pub used_at: Option<DateTime<Utc>>,
}

impl From<(Invitation, Option<AuthorCard>)> for InvitationInfo {
    fn from((i, inviter): (Invitation, Option<AuthorCard>)) -> Self {
        let status = match i.state(now_ms()) {
            InvitationState::Pending => "pending",
            InvitationState::Used => "used",
            InvitationState::Cancelled => "cancelled",
            InvitationState::Expired => "expired",
        };
        Self {
            id: i.id.to_string(),
            email: i.email,
            role: i.role.into(),
            status: status.into(),
            inviter: author_from_card(i.invited_by, inviter),
            invited_by: i.invited_by.to_string(),
            created_at: ts(i.created_at),
            expires_at: ts(i.expires_at),
            used_at: i.used_at.map(ts),
        }
    }
}

/// Invitations of the caller's organization.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct InvitationList {
    /// Invitations, newest first.
    pub items: Vec<InvitationInfo>,
    /// How many (every one is listed).
    pub total: u64,
}

/// A new invitation.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct InvitationCreateRequest {
    /// Address to invite; must be of the organization's email domain.
    pub email: String,
    /// Role given on joining (default `member`).
    pub role: Option<MemberRole>,
}

/// What a valid invitation link shows before signing up.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct InvitationPreview {
    /// The invited address; the signup must use it.
    pub email: String,
    /// Role given on joining.
    pub role: MemberRole,
    /// Who invited.
    pub inviter_name: String,
    /// The inviting organization.
    pub organization: OrganizationSummary,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
}

/// Invitation created.
#[derive(ApiResponse)]
pub enum InvitationCreated {
    /// Sent; the link is in the email.
    #[oai(status = 201)]
    Created(Json<InvitationInfo>),
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Organizations")]
impl InvitationsApi {
    /// Invite someone to the caller's organization (admins)
    ///
    /// A 7-day single-use link is emailed; a pending invitation for the same address is replaced.
    #[oai(path = "/organizations/me/invitations", method = "post", operation_id = "createInvitation")]
    async fn create(
        &self,
        state: State<'_>,
        auth: Auth,
        body: JsonBody<InvitationCreateRequest>,
    ) -> ApiResult<InvitationCreated> {
        let r = match body.role.unwrap_or(MemberRole::Member) {
            MemberRole::Admin => OrgRole::Admin,
            MemberRole::Member => OrgRole::Member,
        };
        let inv = invitations::send(&state, auth.ctx(), &body.email, r).await?;
        Ok(InvitationCreated::Created(Json(inv.into())))
    }

    /// Invitations of the caller's organization (admins)
    #[oai(path = "/organizations/me/invitations", method = "get", operation_id = "listInvitations")]
    async fn list(&self, state: State<'_>, auth: Auth) -> ApiResult<Success<InvitationList>> {
        let items: Vec<InvitationInfo> =
            invitations::list(&state, auth.ctx()).await?.into_iter().map(Into::into).collect();
        ok(InvitationList { total: items.len() as u64, items })
    }

    /// Cancel a pending invitation (admins)
    #[oai(path = "/organizations/me/invitations/:id", method = "delete", operation_id = "cancelInvitation")]
    async fn cancel(&self, state: State<'_>, auth: Auth, id: Path<InvitationId>) -> ApiResult<NoContent> {
        invitations::cancel(&state, auth.ctx(), id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// Check an invitation link (public)
    ///
    /// Shows the organization and inviter of a pending invitation; 404 for unknown, used,
    /// cancelled or expired tokens alike.
    #[oai(path = "/invitations/:token", method = "get", operation_id = "previewInvitation")]
    async fn preview(&self, state: State<'_>, token: Path<String>) -> ApiResult<Success<InvitationPreview>> {
        let p = invitations::preview(&state, &token.0).await?;
        ok(InvitationPreview {
            email: p.invitation.email,
            role: p.invitation.role.into(),
            inviter_name: p.inviter_name,
            expires_at: ts(p.invitation.expires_at),
            organization: p.organization.into(),
        })
    }
}
