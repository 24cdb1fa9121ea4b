//! The HTTP API: poem-openapi endpoint groups, the OpenAPI document, Swagger UI, metrics,
//! and the middleware stack. Handlers parse input, call one service function, and map the
//! result; they never touch storage.

pub mod activity;
pub mod auth;
pub mod backups;
pub mod closed;
pub mod compression;
pub mod dashboard;
pub mod dto;
pub mod error;
pub mod forum;
pub mod health;
pub mod json_body;
pub mod json_bytes;
pub mod media;
pub mod messages;
pub mod metrics;
pub mod middleware;
pub mod notifications;
pub mod orgs;
pub mod origin;
pub mod params;
pub mod responses;
pub mod search;
pub mod security;
pub mod tags;
pub mod use_cases;
pub mod users;
pub mod ws;

use std::sync::Arc;

use poem::{
    Endpoint, EndpointExt, IntoResponse, Route,
    http::Method,
    middleware::{CatchPanic, CookieJarManager, Cors, NormalizePath, TrailingSlash},
};
use poem_openapi::OpenApiService;

use crate::state::AppState;

/// Every endpoint group (each holds no state: handlers take `Data<&AppState>`, so the
/// document can be generated without opening a database).
pub type Api = (
    (
        health::HealthApi,
        auth::AuthApi,
        auth::sessions::SessionsApi,
        users::UsersApi,
        users::me::MyThingsApi,
        users::people::PeopleApi,
        orgs::OrgsApi,
        orgs::members::MembersApi,
        orgs::invitations::InvitationsApi,
        media::MediaApi,
    ),
    (
        forum::ForumApi,
        forum::replies::ForumRepliesApi,
        forum::attachments::ForumAttachmentsApi,
        forum::drafts::ForumDraftsApi,
    ),
    (use_cases::UseCasesApi, use_cases::media::UseCaseMediaApi, use_cases::drafts::UseCaseDraftsApi),
    (
        messages::MessagesApi,
        messages::conversations::ConversationsApi,
        messages::blocks::BlocksApi,
        notifications::NotificationsApi,
        notifications::WatchApi,
        notifications::NotificationSettingsApi,
        activity::ActivityApi,
        dashboard::DashboardApi,
        search::SearchApi,
        backups::BackupsApi,
    ),
);

/// The OpenAPI service (paths are absolute, so it is mounted at the root). Its operations
/// document only the error statuses they can answer (see `responses`); the document it
/// serves, Swagger UI's and `spec_json` are all built from that one narrowed metadata.
pub fn service() -> OpenApiService<responses::Documented<Api>, ()> {
    OpenApiService::new(responses::Documented(Api::default()), "P2P Sandbox API", env!("CARGO_PKG_VERSION"))
        .description(
            "Peer collaboration platform for industrial SMEs. Errors always use the body \
             `{code, message, fields?}`. Authenticate with `Authorization: Bearer <access_token>` \
             (from login) or the HttpOnly `p2p_access` cookie set at sign-in.",
        )
}

/// The OpenAPI document as JSON, as committed in `openapi/openapi.json`.
pub fn spec_json() -> String {
    service().spec()
}

/// The whole application: API, docs, metrics and middleware (answers compressed as the
/// client allows, see `compression`), bound to `state`, recording its requests in `metrics`.
pub fn routes(state: AppState, metrics: Arc<metrics::HttpMetrics>) -> impl Endpoint {
    let api = service();
    let spec = api.spec_endpoint();
    let docs = api.swagger_ui();
    let cors = Cors::new()
        .allow_origins(state.config.cors_origins.iter().map(String::as_str))
        .allow_credentials(true)
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE, Method::OPTIONS])
        .allow_headers(["content-type", "authorization", "x-request-id", "x-device-token"])
        .expose_headers(["x-request-id", "retry-after"]);
    let json_limit = state.config.http.json_body_limit;
    let app = Route::new()
        .at("/api/v1/openapi.json", spec)
        .nest("/docs", compression::precompressed(docs))
        .at("/metrics", metrics::metrics)
        .at("/ws", poem::get(ws::main_socket))
        .at("/ws/forum/:topic_id", poem::get(ws::topic_socket))
        .nest("/", api)
        .with(NormalizePath::new(TrailingSlash::Trim))
        .with(CookieJarManager::new())
        .with(cors)
        // A panic is a bug, but it must still answer with the uniform 500, not a dropped
        // connection.
        .with(CatchPanic::new().with_handler(|_| {
            error::ApiError::from(crate::error::AppError::internal(anyhow::anyhow!("handler panicked"))).into_response()
        }))
        .data(state)
        .data(metrics.clone());
    middleware::wrap(compression::compress(app), metrics, json_limit)
}
