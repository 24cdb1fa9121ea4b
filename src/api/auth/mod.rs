//! `/api/v1/auth`: signup, email verification, login with new-device verification, token
//! refresh, and password reset.

pub mod cookies;
pub mod result;
pub mod sessions;

use poem::{Request, web::cookie::CookieJar};
use poem_openapi::{ApiResponse, Object, OpenApi, param::Header, payload::Json};

use self::result::AuthResult;
use crate::api::{
    dto::{Language, OrganizationSummary, UserProfile},
    error::{ApiError, ApiResult, Success, ok},
    json_body::JsonBody,
    security::{State, client_meta},
    tags::ApiTags,
};
use crate::domain::closed::{ClosedSet, CompanySize, Industry};
use crate::error::ErrorCode;
use crate::{
    error::AppError,
    service::{accounts, login, password},
};

/// Signup, verification, login and token endpoints.
#[derive(Default)]
pub struct AuthApi;

/// Signup form.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct SignupRequest {
    /// Company email address (personal providers are refused).
    pub email: String,
    /// 8–128 characters with letters and digits; not the email; not a common password.
    pub password: String,
    /// First name (≤ 50; Latin or Arabic letters, spaces, `-`, `'`).
    pub first_name: String,
    /// Last name (same rules as the first name).
    pub last_name: String,
    /// Organization name (used when this signup creates the organization).
    pub organization_name: String,
    /// Industry sector.
    pub industry_sector: Industry,
    /// Company size band.
    pub company_size: CompanySize,
    /// City.
    pub city: String,
    /// Country; defaults to Saudi Arabia.
    pub country: Option<String>,
    /// Job title.
    pub title: Option<String>,
    /// Invitation token from an invitation email.
    pub invitation_token: Option<String>,
    /// Preferred language for emails; defaults to `en`.
    pub language: Option<Language>,
}

/// A created account.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct SignupResult {
    /// The new account; `status` is `pending_approval` when the domain's organization must approve it.
    pub user: UserProfile,
    /// The organization created or joined; absent while approval is pending.
    pub organization: Option<OrganizationSummary>,
    /// Always true: a 6-digit code was emailed and must be sent to `/auth/verify-email`.
    pub verification_required: bool,
}

/// Email-verification code.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct VerifyEmailRequest {
    /// The address that signed up.
    pub email: String,
    /// The 6-digit code from the email.
    pub code: String,
}

/// An email address.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct EmailRequest {
    /// Email address.
    pub email: String,
}

/// Credentials.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct LoginRequest {
    /// Email address.
    pub email: String,
    /// Password.
    pub password: String,
}

/// Answer to a new-device challenge.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct LoginVerifyRequest {
    /// `challenge_id` from the login answer.
    pub challenge_id: String,
    /// The 6-digit code from the email.
    pub code: String,
}

/// Refresh request; browsers may send `{}` and rely on the `p2p_refresh` cookie.
#[derive(Object, Debug, Default)]
#[oai(skip_serializing_if_is_none)]
pub struct RefreshRequest {
    /// The refresh token from the last sign-in or refresh.
    pub refresh_token: Option<String>,
}

/// Password reset.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct ResetPasswordRequest {
    /// Token from the reset link.
    pub token: String,
    /// The new password (same policy as signup).
    pub new_password: String,
}

/// Signup answer.
#[derive(ApiResponse)]
pub enum SignupResponse {
    /// Account created; verify the email with the code sent.
    #[oai(status = 201)]
    Created(Json<SignupResult>),
}

/// Accepted for background processing.
#[derive(ApiResponse)]
pub enum Accepted {
    /// Accepted; if the address can receive an email, one is on its way.
    #[oai(status = 202)]
    Accepted,
}

/// Done, nothing to return.
#[derive(ApiResponse)]
pub enum NoContent {
    /// Done.
    #[oai(status = 204)]
    NoContent,
}

#[OpenApi(prefix_path = "/api/v1/auth", tag = "ApiTags::Auth")]
impl AuthApi {
    /// Sign up with a company email
    ///
    /// The first signup for an email domain creates its organization and becomes its admin;
    /// later signups for that domain are *pending* until an admin approves them. A 6-digit
    /// code is emailed; no session exists until it is verified.
    #[oai(path = "/signup", method = "post", operation_id = "signup")]
    async fn signup(
        &self,
        state: State<'_>,
        req: &Request,
        body: JsonBody<SignupRequest>,
    ) -> ApiResult<SignupResponse> {
        let b = body.0;
        let form = accounts::SignupForm {
            email: b.email,
            password: b.password,
            first_name: b.first_name,
            last_name: b.last_name,
            organization_name: b.organization_name,
            industry_sector: b.industry_sector.name().to_owned(),
            company_size: b.company_size.name().to_owned(),
            city: b.city,
            country: b.country,
            title: b.title,
            invitation_token: b.invitation_token,
            language: b.language.map(Into::into),
        };
        let r = accounts::signup(&state, &client_meta(req), form).await?;
        Ok(SignupResponse::Created(Json(SignupResult {
            user: r.user.into(),
            organization: r.organization.map(Into::into),
            verification_required: true,
        })))
    }

    /// Verify the signup email with its 6-digit code
    ///
    /// Signs in (and trusts this device) when the account is active; answers
    /// `pending_approval` when the organization's admins must approve it first.
    #[oai(path = "/verify-email", method = "post", operation_id = "verifyEmail")]
    async fn verify_email(
        &self,
        state: State<'_>,
        req: &Request,
        jar: &CookieJar,
        body: JsonBody<VerifyEmailRequest>,
    ) -> ApiResult<Success<AuthResult>> {
        match accounts::verify_email(&state, &client_meta(req), &body.email, &body.code).await? {
            accounts::Verified::PendingApproval => ok(AuthResult::pending()),
            accounts::Verified::SignedIn(session, device) => {
                cookies::set_session(jar, &state.config, &session);
                cookies::set_device(jar, &state.config, &device);
                ok(AuthResult::signed_in_trusting(*session, device))
            }
        }
    }

    /// Send a new verification code
    ///
    /// Always 202 whether or not the address has an account; at most one code per minute.
    #[oai(path = "/verify-email/resend", method = "post", operation_id = "resendVerification")]
    async fn resend(&self, state: State<'_>, req: &Request, body: JsonBody<EmailRequest>) -> ApiResult<Accepted> {
        accounts::resend_verification(&state, &client_meta(req), &body.email).await?;
        Ok(Accepted::Accepted)
    }

    /// Sign in with email and password
    ///
    /// Unknown email and wrong password get the same 401. Five consecutive failures lock the
    /// account for 15 minutes (429 with `Retry-After`). From a device not trusted yet, the
    /// answer is `mfa_required` and a code is emailed. A device is trusted by its cookie
    /// (browsers) or its `X-Device-Token` header (other clients).
    #[oai(path = "/login", method = "post", operation_id = "login")]
    async fn login(
        &self,
        state: State<'_>,
        req: &Request,
        jar: &CookieJar,
        /// The `device_token` of an earlier verified sign-in on this device (clients
        /// without cookies).
        #[oai(name = "X-Device-Token")]
        device_token: Header<Option<String>>,
        body: JsonBody<LoginRequest>,
    ) -> ApiResult<Success<AuthResult>> {
        let device = device_token.0.or_else(|| jar.get(cookies::DEVICE_COOKIE).map(|c| c.value_str().to_owned()));
        let b = body.0;
        match login::login(&state, &client_meta(req), &b.email, b.password, device).await? {
            login::LoginOutcome::DeviceCheck { challenge_id } => ok(AuthResult::mfa(challenge_id.to_string())),
            login::LoginOutcome::SignedIn(session) => {
                cookies::set_session(jar, &state.config, &session);
                ok(AuthResult::signed_in(*session))
            }
        }
    }

    /// Finish a new-device sign-in with the emailed code
    ///
    /// Signs in and trusts the device for 30 days: a cookie for browsers, and `device_token`
    /// in the body for other clients (send it as `X-Device-Token` on later logins).
    #[oai(path = "/login/verify", method = "post", operation_id = "verifyLogin")]
    async fn login_verify(
        &self,
        state: State<'_>,
        req: &Request,
        jar: &CookieJar,
        body: JsonBody<LoginVerifyRequest>,
    ) -> ApiResult<Success<AuthResult>> {
        let (session, device) = login::verify_device(&state, &client_meta(req), &body.challenge_id, &body.code).await?;
        cookies::set_session(jar, &state.config, &session);
        cookies::set_device(jar, &state.config, &device);
        ok(AuthResult::signed_in_trusting(session, device))
    }

    /// Exchange a refresh token for a new token pair
    ///
    /// The presented token is spent; presenting it again revokes the whole session.
    #[oai(path = "/refresh", method = "post", operation_id = "refreshSession")]
    async fn refresh(
        &self,
        state: State<'_>,
        jar: &CookieJar,
        body: JsonBody<RefreshRequest>,
    ) -> ApiResult<Success<AuthResult>> {
        let token = body
            .0
            .refresh_token
            .or_else(|| jar.get(cookies::REFRESH_COOKIE).map(|c| c.value_str().to_owned()))
            .ok_or_else(|| {
                ApiError::from(AppError::unauthenticated(
                    ErrorCode::InvalidRefreshToken,
                    "No refresh token was presented",
                ))
            })?;
        let session = crate::service::sessions::refresh(&state, &token).await?;
        cookies::set_session(jar, &state.config, &session);
        ok(AuthResult::signed_in(session))
    }

    /// Ask for a password-reset link
    ///
    /// Always 202; an email goes out only when the address has an active account.
    #[oai(path = "/password/forgot", method = "post", operation_id = "forgotPassword")]
    async fn forgot(&self, state: State<'_>, req: &Request, body: JsonBody<EmailRequest>) -> ApiResult<Accepted> {
        password::forgot(&state, &client_meta(req), &body.email).await?;
        Ok(Accepted::Accepted)
    }

    /// Set a new password with a reset token
    ///
    /// The token works once, for one hour; every session of the account ends.
    #[oai(path = "/password/reset", method = "post", operation_id = "resetPassword")]
    async fn reset(
        &self,
        state: State<'_>,
        req: &Request,
        body: JsonBody<ResetPasswordRequest>,
    ) -> ApiResult<NoContent> {
        let b = body.0;
        password::reset(&state, &client_meta(req), &b.token, b.new_password).await?;
        Ok(NoContent::NoContent)
    }
}
