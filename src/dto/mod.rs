//! The wire shapes shared by the REST API and the WebSocket events: what a client reads of
//! content, serialized the same way whichever way it arrives.
//!
//! Below `service` (which builds events from them) and above `domain` (which they convert
//! from); `api` imports them for its responses. Shapes used by one endpoint group only stay
//! in that group's `api` module.

pub mod events;
pub mod forum;
pub mod messages;
pub mod notifications;

use chrono::{DateTime, Utc};
use poem_openapi::Object;

use crate::domain::{
    ids::UserId,
    media::Media,
    user::{AuthorCard, User},
};

/// Where a media object is served.
pub fn media_url(id: crate::domain::ids::MediaId) -> String {
    format!("/api/v1/media/{id}")
}

/// Milliseconds since the epoch as an RFC 3339 UTC timestamp.
pub fn ts(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// Serializes a time exactly as poem-openapi does (`to_rfc3339`), for DTOs that are also
/// serialized directly with serde (see `json_bytes`).
pub fn rfc3339<S: serde::Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339())
}

/// Who wrote something (absent fields for deleted accounts read "Deleted user").
#[derive(Object, Debug, Clone, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
pub struct AuthorRef {
    /// User id.
    pub id: String,
    /// "First Last".
    pub name: String,
    /// Job title.
    pub title: String,
    /// Avatar image URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
}

/// The author of a post, from their account.
pub fn author(id: UserId, user: Option<User>) -> AuthorRef {
    match user {
        Some(u) => AuthorRef {
            id: u.id.to_string(),
            name: u.display_name(),
            title: u.title,
            avatar_url: u.avatar.map(media_url),
        },
        None => AuthorRef { id: id.to_string(), name: "Deleted user".into(), title: String::new(), avatar_url: None },
    }
}

/// The author of a post, from their card (see `store::users::author_card`).
pub fn author_from_card(id: UserId, card: Option<AuthorCard>) -> AuthorRef {
    match card {
        Some(c) => AuthorRef { id: id.to_string(), name: c.name, title: c.title, avatar_url: c.avatar.map(media_url) },
        None => author(id, None),
    }
}

/// A file attached to a topic or reply.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct ForumAttachment {
    /// Media id.
    pub id: String,
    /// Download URL.
    pub url: String,
    /// Thumbnail URL (images, once made).
    pub thumbnail_url: Option<String>,
    /// MIME type, from the file's content.
    pub content_type: String,
    /// Size in bytes.
    pub size: u64,
    /// Sanitized file name.
    pub filename: String,
    /// Image width in pixels.
    pub width: Option<u32>,
    /// Image height in pixels.
    pub height: Option<u32>,
}

impl From<Media> for ForumAttachment {
    fn from(m: Media) -> Self {
        let url = media_url(m.id);
        Self {
            id: m.id.to_string(),
            thumbnail_url: m.has_thumbnail.then(|| format!("{url}?thumbnail=true")),
            url,
            content_type: m.media_type.mime().into(),
            size: m.size,
            filename: m.filename,
            width: m.width,
            height: m.height,
        }
    }
}
