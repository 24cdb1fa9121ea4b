//! `/api/v1/users/me`: the signed-in user's profile, password, email and deletion.

pub mod me;
pub mod people;

use poem_openapi::{Object, OpenApi, payload::Json};

use crate::api::{
    auth::{Accepted, NoContent},
    dto::{Language, Me},
    error::{ApiResult, Success},
    json_body::JsonBody,
    security::{Auth, State},
    tags::ApiTags,
};
use crate::service::{password, profile};

/// Own-account endpoints.
#[derive(Default)]
pub struct UsersApi;

/// Profile changes; omitted fields stay as they are.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct ProfileUpdateRequest {
    /// First name (≤ 50; Latin or Arabic letters, spaces, `-`, `'`).
    pub first_name: Option<String>,
    /// Last name (same rules).
    pub last_name: Option<String>,
    /// Job title (≤ 100).
    pub title: Option<String>,
    /// City or site (≤ 100).
    pub location: Option<String>,
    /// Short biography in Markdown (≤ 2000).
    pub bio: Option<String>,
    /// Areas of expertise: ≤ 10 tags of 2–30 letters, digits, spaces or hyphens.
    pub expertise_tags: Option<Vec<String>>,
    /// Preferred language.
    pub language: Option<Language>,
}

/// Password change.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct PasswordChangeRequest {
    /// The current password.
    pub current_password: String,
    /// The new password (signup policy).
    pub new_password: String,
}

/// Start of an email change.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct EmailChangeRequest {
    /// New address, in the organization's domain.
    pub new_email: String,
    /// The current password.
    pub password: String,
}

/// Code confirming an email change.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct EmailChangeConfirmRequest {
    /// The 6-digit code sent to the new address.
    pub code: String,
}

/// Password confirmation for account deletion.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct DeleteAccountRequest {
    /// The current password.
    pub password: String,
}

fn me((user, org): (crate::domain::user::User, Option<crate::domain::org::Organization>)) -> Success<Me> {
    Success::Ok(Json(Me { user: user.into(), organization: org.map(Into::into) }))
}

#[OpenApi(prefix_path = "/api/v1/users", tag = "ApiTags::Users")]
impl UsersApi {
    /// The signed-in user and their organization
    #[oai(path = "/me", method = "get", operation_id = "getMe")]
    async fn get_me(&self, state: State<'_>, auth: Auth) -> ApiResult<Success<Me>> {
        Ok(me(profile::me(&state, auth.ctx()).await?))
    }

    /// Update the signed-in user's profile
    #[oai(path = "/me", method = "patch", operation_id = "updateMe")]
    async fn update_me(
        &self,
        state: State<'_>,
        auth: Auth,
        body: JsonBody<ProfileUpdateRequest>,
    ) -> ApiResult<Success<Me>> {
        let b = body.0;
        let patch = profile::ProfilePatch {
            first_name: b.first_name,
            last_name: b.last_name,
            title: b.title,
            location: b.location,
            bio: b.bio,
            expertise_tags: b.expertise_tags,
            language: b.language.map(Into::into),
        };
        Ok(me(profile::update(&state, auth.ctx(), patch).await?))
    }

    /// Change the password
    ///
    /// Every other session of the account ends; this one stays signed in.
    #[oai(path = "/me/password", method = "post", operation_id = "changePassword")]
    async fn change_password(
        &self,
        state: State<'_>,
        auth: Auth,
        body: JsonBody<PasswordChangeRequest>,
    ) -> ApiResult<NoContent> {
        let b = body.0;
        password::change(&state, auth.ctx(), b.current_password, b.new_password).await?;
        Ok(NoContent::NoContent)
    }

    /// Start changing the email address
    ///
    /// The new address must be in the organization's domain; a code is sent to it.
    #[oai(path = "/me/email", method = "post", operation_id = "requestEmailChange")]
    async fn change_email(
        &self,
        state: State<'_>,
        auth: Auth,
        body: JsonBody<EmailChangeRequest>,
    ) -> ApiResult<Accepted> {
        let b = body.0;
        profile::request_email_change(&state, auth.ctx(), &b.new_email, b.password).await?;
        Ok(Accepted::Accepted)
    }

    /// Confirm the new email address with its code
    #[oai(path = "/me/email/verify", method = "post", operation_id = "confirmEmailChange")]
    async fn confirm_email(
        &self,
        state: State<'_>,
        auth: Auth,
        body: JsonBody<EmailChangeConfirmRequest>,
    ) -> ApiResult<Success<Me>> {
        Ok(me(profile::confirm_email_change(&state, auth.ctx(), &body.code).await?))
    }

    /// Delete the account
    ///
    /// Personal data is erased and every session ends; content stays, attributed to
    /// "Deleted user". The last admin of an organization with other members gets 409.
    #[oai(path = "/me", method = "delete", operation_id = "deleteMe")]
    async fn delete_me(
        &self,
        state: State<'_>,
        auth: Auth,
        body: JsonBody<DeleteAccountRequest>,
    ) -> ApiResult<NoContent> {
        profile::delete_account(&state, auth.ctx(), body.0.password).await?;
        Ok(NoContent::NoContent)
    }
}
