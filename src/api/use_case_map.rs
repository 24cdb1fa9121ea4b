//! The use-case map: its points, and the one body every request shares until a point changes
//! (plain and gzip, with an ETag), rebuilt once per change of the points version.

use poem_openapi::{ApiResponse, Object};

use super::{
    error::ApiResult,
    json_bytes::{CachedBody, JsonBytes},
};
use crate::service::use_cases::queries;

/// A point on the map.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct MapPoint {
    /// Use-case id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Category.
    pub category: String,
    /// Latitude.
    pub latitude: f64,
    /// Longitude.
    pub longitude: f64,
    /// Slug.
    pub slug: String,
    /// Organization slug.
    pub org_slug: String,
    /// Cover image URL, once media are attached.
    pub cover_url: Option<String>,
}

/// Every published use case on the map.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct MapPoints {
    /// Points.
    pub items: Vec<MapPoint>,
}

/// The map answer.
#[derive(ApiResponse)]
pub enum MapResponse {
    /// Every point.
    #[oai(status = 200)]
    Ok(
        JsonBytes<MapPoints>,
        /// Identifies this version of the map.
        #[oai(header = "ETag")]
        String,
        /// The body depends on `Accept-Encoding`.
        #[oai(header = "Vary")]
        String,
    ),
    /// The map has not changed since the `If-None-Match` ETag.
    #[oai(status = 304)]
    NotModified(
        /// Identifies this version of the map.
        #[oai(header = "ETag")]
        String,
    ),
}

/// The current map body: the cached one while the points have not changed, else rebuilt
/// (once: the lock is held while building, so a burst after a change waits for one build).
pub async fn map_body(state: &crate::state::AppState) -> ApiResult<CachedBody> {
    let current = queries::map_version(state).await?;
    let mut cached = state.map_body.lock().await;
    if let Some(body) = cached.as_ref()
        && body.version >= current
    {
        return Ok(body.clone());
    }
    let (version, points) = queries::map(state).await?;
    let items = points
        .into_iter()
        .map(|p| MapPoint {
            id: p.id.to_string(),
            title: p.title,
            category: p.category,
            latitude: p.latitude,
            longitude: p.longitude,
            slug: p.slug,
            org_slug: p.org_slug,
            cover_url: p.cover.map(super::dto::media_url),
        })
        .collect();
    // Serializing, hashing and compressing megabytes is CPU work: off the async workers.
    let body = tokio::task::spawn_blocking(move || CachedBody::build(version, &MapPoints { items }))
        .await
        .map_err(crate::error::AppError::internal)?;
    *cached = Some(body.clone());
    Ok(body)
}
