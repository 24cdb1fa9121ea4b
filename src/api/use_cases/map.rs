//! The use-case map: its points, and the one body every request shares until a point changes
//! (plain and gzip, with an ETag), rebuilt once per change of the points version.

use poem_openapi::{ApiResponse, Object};

use crate::{
    api::{error::ApiResult, json_bytes::JsonBytes},
    domain::use_case::{self as store, Category},
    service::use_cases::cache::{self, SharedBody},
};

/// A point on the map, with what its popup shows.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct MapPoint {
    /// Use-case id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Category.
    pub category: Category,
    /// The publishing organization's name.
    pub organization_name: String,
    /// City.
    pub city: String,
    /// The benefit the popup names first, e.g. "-35% unplanned downtime" ("" when none was given).
    pub headline_benefit: String,
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

/// The current map body (see `service::use_cases::cache::map_body`).
pub async fn map_body(state: &crate::state::AppState) -> ApiResult<SharedBody> {
    let render = |points: Vec<store::MapPoint>| {
        let items = points
            .into_iter()
            .map(|p| MapPoint {
                id: p.id.to_string(),
                title: p.title,
                category: Category::of_stored(&p.category),
                organization_name: p.organization_name,
                city: p.city,
                headline_benefit: p.headline_benefit,
                latitude: p.latitude,
                longitude: p.longitude,
                slug: p.slug,
                org_slug: p.org_slug,
                cover_url: p.cover.map(crate::dto::media_url),
            })
            .collect();
        JsonBytes::encode(&MapPoints { items }).into_bytes()
    };
    Ok(cache::map_body(state, render).await?)
}
