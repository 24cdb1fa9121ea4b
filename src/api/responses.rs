//! Which error statuses each operation documents.
//!
//! Every handler returns the one `ApiError`, whose derive lists all its statuses on every
//! operation. `Documented` narrows that list in the operations' metadata, before poem-openapi
//! builds the document, so the document served at `/api/v1/openapi.json`, the one embedded
//! in Swagger UI and the `openapi` command's output are one and the same.
//!
//! What an operation can answer is derived from its own shape in that metadata (see
//! `from_shape`): its request body, its parameters and their types, its security. What the
//! shape cannot show — a business rule of the service it calls — is named, with its reason,
//! in `BUSINESS`, keyed by operation id.

use std::collections::{BTreeSet, HashMap};

use poem::{endpoint::BoxEndpoint, http::Method};
use poem_openapi::{
    ApiResponse, OpenApi,
    registry::{MetaApi, MetaOperation, MetaOperationParam, MetaParamIn, MetaSchemaRef, Registry},
};

use super::error::ApiError;

/// An API whose operations document only the error statuses they can answer.
#[derive(Default)]
pub struct Documented<A>(pub A);

impl<A: OpenApi> OpenApi for Documented<A> {
    fn meta() -> Vec<MetaApi> {
        let mut apis = A::meta();
        let narrowed = error_statuses();
        for op in apis.iter_mut().flat_map(|a| a.paths.iter_mut()).flat_map(|p| p.operations.iter_mut()) {
            let keep = answerable(op);
            op.responses.responses.retain(|r| r.status.is_none_or(|s| !narrowed.contains(&s) || keep.contains(&s)));
        }
        apis
    }

    fn register(registry: &mut Registry) {
        A::register(registry);
    }

    fn add_routes(self, route_table: &mut HashMap<String, HashMap<Method, BoxEndpoint<'static>>>) {
        self.0.add_routes(route_table);
    }
}

/// The statuses `ApiError` declares: the only ones narrowed (an operation's own answers,
/// such as a media range's 416, stay as its response type declares them).
fn error_statuses() -> BTreeSet<u16> {
    ApiError::meta().responses.iter().filter_map(|r| r.status).collect()
}

/// Every error status `op` can answer: its shape's, and its business reasons'.
pub fn answerable(op: &MetaOperation) -> BTreeSet<u16> {
    let mut statuses = from_shape(op);
    let id = op.operation_id.unwrap_or_default();
    for (_, reasons) in BUSINESS.iter().filter(|(op_id, _)| *op_id == id) {
        statuses.extend(reasons.iter().map(|r| r.status()));
    }
    statuses
}

/// Query parameters whose values the service checks beyond their type, by name: a listing's
/// `cursor` is decoded by `service::decode_cursor` / `decode_key_cursor`, which refuse one
/// the listing did not issue with 422 naming `cursor`. (`limit` is clamped, not refused; the
/// other filters match or do not.)
const VALIDATED_QUERY: &[&str] = &["cursor"];

/// The error statuses an operation's shape shows it can answer.
///
/// - 500 and 503: every operation (a bug; draining or a dependency down).
/// - 403: every operation. CORS refuses any request whose `Origin` is not allowed, whatever
///   its method, with 403 `bad_origin` (`ApiError::from_poem`); writes authenticated by
///   cookie also need an allowed origin (`security::check_origin`).
/// - 405: none. It answers a method a *path* lacks, so it belongs to no operation.
/// - 400, 413, 415, 422: a request body (unreadable, too large, wrong type, invalid fields).
/// - 400: a query, header or cookie parameter that can fail to parse (a number, a boolean,
///   a closed set) or is required; a free string cannot fail.
/// - 404: a path parameter (what it names may not exist, and a malformed id answers like a
///   missing one, see `params`), and a query parameter that is a typed id (the same).
/// - 422: a query parameter in `VALIDATED_QUERY`.
/// - 401: a required security scheme. An optional one (an empty alternative in `security`)
///   takes a refused token for no token at all, so it answers no 401 of its own.
pub fn from_shape(op: &MetaOperation) -> BTreeSet<u16> {
    let mut s = BTreeSet::from([403, 500, 503]);
    if op.request.is_some() {
        s.extend([400, 413, 415, 422]);
    }
    for p in &op.params {
        match p.in_type {
            MetaParamIn::Path => {
                s.insert(404);
            }
            _ if is_id(p) => {
                s.insert(404);
            }
            _ if p.required || !is_free_string(p) => {
                s.insert(400);
            }
            _ => {}
        }
        if p.in_type == MetaParamIn::Query && VALIDATED_QUERY.contains(&p.name.as_str()) {
            s.insert(422);
        }
    }
    if !op.security.is_empty() && op.security.iter().all(|alternative| !alternative.is_empty()) {
        s.insert(401);
    }
    s
}

/// Whether `p` is one of the typed ids (`params`), documented as a `uuid` string.
fn is_id(p: &MetaOperationParam) -> bool {
    matches!(&p.schema, MetaSchemaRef::Inline(s) if s.format == Some("uuid"))
}

/// Whether any value of `p` parses: a plain string, not a closed set or a format.
fn is_free_string(p: &MetaOperationParam) -> bool {
    matches!(&p.schema, MetaSchemaRef::Inline(s) if s.ty == "string" && s.format.is_none() && s.enum_items.is_empty())
}

/// Why an operation answers a status its shape does not show: each names the error code a
/// service function raises, and so the status it carries (see `ErrorKind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// 401 `invalid_credentials`: the operation checks an email and password itself (and a
    /// new-device challenge whose account is gone answers the same), `service::login`.
    Credentials,
    /// 401 `invalid_refresh_token`, `refresh_token_reused` or the session's end: the refresh
    /// token in the body or cookie is the credential, `service::sessions::refresh`.
    RefreshToken,
    /// 409 `email_taken`: the address belongs to another account, `service::accounts` and
    /// `service::profile` (and the store's email index).
    EmailTaken,
    /// 409 `last_admin`: an organization keeps at least one admin, `service::members` and
    /// `service::profile::delete_account`.
    LastAdmin,
    /// 409 `already_decided`: a join request is decided once, `service::join_requests`.
    AlreadyDecided,
    /// 409 `already_registered`: the invited address has an account, `service::invitations`.
    AlreadyRegistered,
    /// 409 `invitation_closed`: the invitation was used or has expired, `service::invitations`.
    InvitationClosed,
    /// 409 `topic_locked`: a locked topic takes no replies, `service::forum::replies`.
    TopicLocked,
    /// 422 `validation_failed`: a stored draft is validated when it is published, though
    /// the request has no body, `service::forum::topics` and `service::use_cases`.
    DraftContent,
    /// 429 `rate_limited`: the sign-in endpoints' per-IP limit, `service::limit_ip`.
    IpLimit,
    /// 429 `login_locked`: repeated wrong passwords lock the account, `service::login`.
    LoginLocked,
    /// 429 `resend_cooldown` / `too_many_attempts`: one-time codes' resend cooldown and
    /// attempt limit, `service::codes`.
    CodeLimits,
    /// 404 `not_found`: the user a body names does not exist, `service::messages::send`.
    UnknownRecipient,
    /// 422 `validation_failed`: the path names the caller, who cannot (un)block themselves,
    /// `service::messages::blocks`.
    BlockYourself,
    /// 409 `conflict`: a person blocks at most `messages.max_blocks` people,
    /// `service::messages::blocks`.
    BlockLimit,
    /// 429 `rate_limited`: messages a person may send per minute, `service::messages::send`.
    SendLimit,
    /// 422 `validation_failed`: a query without words, too long, an unknown `type` or too deep
    /// an `offset` (query parameters, which the shape does not check), `service::search`.
    SearchQuery,
    /// 409 `backup_running`: one backup at a time, `service::backup::start`.
    BackupRunning,
}

impl Reason {
    /// The status this reason answers with.
    pub fn status(self) -> u16 {
        match self {
            Self::Credentials | Self::RefreshToken => 401,
            Self::EmailTaken
            | Self::LastAdmin
            | Self::AlreadyDecided
            | Self::AlreadyRegistered
            | Self::InvitationClosed
            | Self::TopicLocked
            | Self::BlockLimit
            | Self::BackupRunning => 409,
            Self::DraftContent | Self::BlockYourself | Self::SearchQuery => 422,
            Self::UnknownRecipient => 404,
            Self::IpLimit | Self::LoginLocked | Self::CodeLimits | Self::SendLimit => 429,
        }
    }
}

/// The business reasons of each operation that has any, found by following its handler into
/// the service (every `AppError::conflict`, `rate_limited` and `unauthenticated` there, and
/// every validation of something other than the request). Only statuses the shape does not
/// already give belong here (a test keeps it so); a missing one shows up as an undocumented
/// status in the integration tests or Schemathesis.
pub const BUSINESS: &[(&str, &[Reason])] = {
    use Reason::*;
    &[
        ("signup", &[IpLimit, EmailTaken]),
        ("verifyEmail", &[IpLimit, CodeLimits]),
        ("resendVerification", &[IpLimit, CodeLimits]),
        ("login", &[IpLimit, LoginLocked, Credentials]),
        ("verifyLogin", &[IpLimit, CodeLimits, Credentials]),
        ("refreshSession", &[RefreshToken]),
        ("forgotPassword", &[IpLimit]),
        ("resetPassword", &[IpLimit]),
        ("requestEmailChange", &[CodeLimits, EmailTaken]),
        ("confirmEmailChange", &[CodeLimits, EmailTaken]),
        ("deleteMe", &[LastAdmin]),
        ("setMemberRole", &[LastAdmin]),
        ("deactivateMember", &[LastAdmin]),
        ("approveJoinRequest", &[AlreadyDecided]),
        ("rejectJoinRequest", &[AlreadyDecided]),
        ("createInvitation", &[AlreadyRegistered]),
        ("cancelInvitation", &[InvitationClosed]),
        ("createReply", &[TopicLocked]),
        ("publishDraft", &[DraftContent]),
        ("publishUseCaseDraft", &[DraftContent]),
        ("sendMessage", &[UnknownRecipient, SendLimit]),
        ("search", &[SearchQuery]),
        ("searchSuggest", &[SearchQuery]),
        ("startBackup", &[BackupRunning]),
        ("blockUser", &[BlockYourself, BlockLimit]),
        ("unblockUser", &[BlockYourself]),
    ]
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Api;

    fn operations() -> Vec<MetaOperation> {
        Api::meta().into_iter().flat_map(|a| a.paths).flat_map(|p| p.operations).collect()
    }

    #[test]
    fn every_business_reason_names_an_operation_and_adds_a_status() {
        let ops = operations();
        for (id, reasons) in BUSINESS {
            let op = ops.iter().find(|o| o.operation_id == Some(id)).unwrap_or_else(|| panic!("no operation {id}"));
            let shape = from_shape(op);
            for r in *reasons {
                assert!(!shape.contains(&r.status()), "{id}: {r:?} adds nothing: its shape already gives it");
            }
        }
        let mut ids: Vec<_> = BUSINESS.iter().map(|(id, _)| id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), BUSINESS.len(), "one entry per operation");
    }

    #[test]
    fn the_shape_gives_what_the_request_can_fail_on() {
        let ops = operations();
        let of = |id: &str| {
            let op = ops.iter().find(|o| o.operation_id == Some(id)).unwrap();
            answerable(op).into_iter().collect::<Vec<_>>()
        };
        // A signed-in GET without parameters: only the scheme, CORS and the server.
        assert_eq!(of("getMe"), [401, 403, 500, 503]);
        // A typed id in the path, a boolean in the query.
        assert_eq!(of("getMedia"), [400, 401, 403, 404, 500, 503]);
        // A listing: numbers and closed sets in the query, a typed id filter, a cursor.
        assert_eq!(of("listTopics"), [400, 401, 403, 404, 422, 500, 503]);
        // A public write with a body and its business reasons.
        assert_eq!(of("signup"), [400, 403, 409, 413, 415, 422, 429, 500, 503]);
        // A path parameter that is a free string.
        assert_eq!(of("previewInvitation"), [403, 404, 500, 503]);
    }
}
