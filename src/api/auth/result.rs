//! What a sign-in step answers, as a union on `status`: signed in (tokens), a new-device
//! challenge, or an account waiting for approval — so a generated client narrows on `status`
//! and never reads a token that is not there.

use poem_openapi::{Object, Union};

use crate::{api::dto::UserProfile, service::sessions::IssuedSession};

/// Signed in: the tokens are here and in HttpOnly cookies.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct SignedIn {
    /// Access token (JWT) for `Authorization: Bearer`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Access-token lifetime in seconds.
    pub expires_in: i64,
    /// Opaque refresh token; single use, rotated by `/auth/refresh`.
    pub refresh_token: String,
    /// The session these tokens belong to.
    pub session_id: String,
    /// The signed-in user.
    pub user: UserProfile,
    /// When this sign-in trusted the device (email or new-device verification): its token,
    /// for clients without a cookie jar. Send it as `X-Device-Token` on later logins to skip
    /// the emailed code for 30 days; browsers get the same token as an HttpOnly cookie.
    pub device_token: Option<String>,
}

/// A new device: a code was emailed.
#[derive(Object, Debug)]
pub struct DeviceChallenge {
    /// Send it with the code to `/auth/login/verify`.
    pub challenge_id: String,
}

/// Email verified, but the organization's admins must approve the account first.
#[derive(Object, Debug)]
pub struct PendingApproval {
    /// What happens next, for people.
    pub message: String,
}

/// The outcome of a sign-in step, by `status`.
#[derive(Union, Debug)]
#[oai(discriminator_name = "status", one_of)]
#[allow(clippy::large_enum_variant)] // built once per answer and serialized at once
pub enum AuthResult {
    /// Signed in.
    #[oai(mapping = "authenticated")]
    Authenticated(SignedIn),
    /// New device: answer the emailed code.
    #[oai(mapping = "mfa_required")]
    MfaRequired(DeviceChallenge),
    /// Waiting for the organization's approval.
    #[oai(mapping = "pending_approval")]
    PendingApproval(PendingApproval),
}

impl AuthResult {
    /// A new-device challenge.
    pub fn mfa(challenge_id: String) -> Self {
        Self::MfaRequired(DeviceChallenge { challenge_id })
    }

    /// Waiting for approval.
    pub fn pending() -> Self {
        Self::PendingApproval(PendingApproval {
            message: "Your organization's admins must approve your account; we email you when they do".into(),
        })
    }

    /// Signed in.
    pub fn signed_in(s: IssuedSession) -> Self {
        Self::Authenticated(SignedIn::new(s, None))
    }

    /// Signed in, trusting the device with `device_token`.
    pub fn signed_in_trusting(s: IssuedSession, device_token: String) -> Self {
        Self::Authenticated(SignedIn::new(s, Some(device_token)))
    }
}

impl SignedIn {
    fn new(s: IssuedSession, device_token: Option<String>) -> Self {
        Self {
            access_token: s.access_token,
            token_type: "Bearer".into(),
            expires_in: s.expires_in,
            refresh_token: s.refresh_token,
            session_id: s.session_id.to_string(),
            user: s.user.into(),
            device_token,
        }
    }
}
