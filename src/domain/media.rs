//! Media rules: the accepted file types recognised from their first bytes, size classes,
//! what each context accepts, and safe file names.

use serde::{Deserialize, Serialize};

use super::ids::{DraftId, MediaId, MessageId, OrgId, ReplyId, TopicId, UseCaseId, UserId};

/// A file type we accept, identified by content, never by name or declared type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaType {
    Jpeg,
    Png,
    Webp,
    Gif,
    Mp4,
    Webm,
    Pdf,
}

impl MediaType {
    /// Every type we accept and serve.
    pub const ALL: [Self; 7] = [Self::Jpeg, Self::Png, Self::Webp, Self::Gif, Self::Mp4, Self::Webm, Self::Pdf];
}

/// Size class of a type; each has its own limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaKind {
    Image,
    Video,
    Document,
}

/// Bytes needed to recognise every type.
pub const SNIFF_LEN: usize = 16;

impl MediaType {
    /// Recognises a type from the first bytes of a file (at least `SNIFF_LEN` when the file
    /// is that long). SVG, HTML and anything else is refused.
    pub fn sniff(head: &[u8]) -> Option<Self> {
        let starts = |sig: &[u8]| head.starts_with(sig);
        if starts(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if starts(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if head.len() >= 12 && &head[0..4] == b"RIFF" && &head[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else if starts(b"GIF87a") || starts(b"GIF89a") {
            Some(Self::Gif)
        } else if head.len() >= 12 && &head[4..8] == b"ftyp" && is_mp4_brand(&head[8..12]) {
            Some(Self::Mp4)
        } else if starts(&[0x1A, 0x45, 0xDF, 0xA3]) {
            Some(Self::Webm)
        } else if starts(b"%PDF-") {
            Some(Self::Pdf)
        } else {
            None
        }
    }

    /// The MIME type served.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
            Self::Gif => "image/gif",
            Self::Mp4 => "video/mp4",
            Self::Webm => "video/webm",
            Self::Pdf => "application/pdf",
        }
    }

    /// File-name extensions that agree with the type.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::Jpeg => &["jpg", "jpeg"],
            Self::Png => &["png"],
            Self::Webp => &["webp"],
            Self::Gif => &["gif"],
            Self::Mp4 => &["mp4", "m4v"],
            Self::Webm => &["webm"],
            Self::Pdf => &["pdf"],
        }
    }

    /// The size class.
    pub fn kind(self) -> MediaKind {
        match self {
            Self::Jpeg | Self::Png | Self::Webp | Self::Gif => MediaKind::Image,
            Self::Mp4 | Self::Webm => MediaKind::Video,
            Self::Pdf => MediaKind::Document,
        }
    }
}

fn is_mp4_brand(brand: &[u8]) -> bool {
    [b"isom", b"iso2", b"mp41", b"mp42", b"avc1", b"M4V ", b"M4A ", b"MSNV", b"dash"].iter().any(|b| brand == *b)
}

/// What an upload is attached to; decides who may see it and which types it accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum MediaContext {
    /// A user's avatar.
    Avatar(UserId),
    /// An organization's logo.
    Logo(OrgId),
    /// An attachment of a forum topic.
    Topic(TopicId),
    /// An attachment of a forum reply.
    Reply(ReplyId),
    /// A photo, video or document of a use case.
    UseCase(UseCaseId),
    /// A photo, video or document of a use-case draft, adopted by the use case it becomes.
    UseCaseDraft(DraftId),
    /// Uploaded by this person for a private message not sent yet (only they may see it).
    MessageUpload(UserId),
    /// An attachment of a private message (its two participants may see it).
    Message(MessageId),
}

impl MediaContext {
    /// Types this context accepts.
    pub fn accepts(self, t: MediaType) -> bool {
        match self {
            Self::Avatar(_) | Self::Logo(_) => matches!(t, MediaType::Jpeg | MediaType::Png | MediaType::Webp),
            // Forum posts take every accepted type: images, videos and PDFs.
            Self::Topic(_)
            | Self::Reply(_)
            | Self::UseCase(_)
            | Self::UseCaseDraft(_)
            | Self::MessageUpload(_)
            | Self::Message(_) => true,
        }
    }
}

/// A stored media object's metadata.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Media {
    pub id: MediaId,
    pub owner: UserId,
    pub context: MediaContext,
    pub media_type: MediaType,
    pub size: u64,
    /// Hex SHA-256 of the content; also the ETag.
    pub sha256: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Sanitized original name, for `Content-Disposition`.
    pub filename: String,
    pub created_at: i64,
    /// Whether a thumbnail object exists.
    #[serde(default)]
    pub has_thumbnail: bool,
}

impl Media {
    /// Object key of the content.
    pub fn key(&self) -> String {
        format!("media/{}", self.id)
    }

    /// Object key of the thumbnail.
    pub fn thumbnail_key(&self) -> String {
        format!("media/{}.thumb.png", self.id)
    }
}

/// A file name safe to echo in a header: the last path segment, letters, digits, `.`, `-`,
/// `_` and spaces only, at most 80 characters, never empty.
pub fn sanitize_filename(raw: &str, t: MediaType) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String =
        last.chars().map(|c| if c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') { c } else { '_' }).collect();
    let trimmed = cleaned.trim_matches(|c: char| c == '.' || c == ' ').chars().take(80).collect::<String>();
    if trimmed.is_empty() { format!("file.{}", t.extensions()[0]) } else { trimmed }
}

/// The extension of a file name, lower case.
pub fn extension(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next()?;
    let (stem, ext) = last.rsplit_once('.')?;
    (!stem.is_empty()).then(|| ext.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_content() {
        assert_eq!(MediaType::sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF\0"), Some(MediaType::Jpeg));
        assert_eq!(MediaType::sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(MediaType::Png));
        assert_eq!(MediaType::sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(MediaType::Webp));
        assert_eq!(MediaType::sniff(b"\0\0\0\x18ftypmp42\0\0\0\0"), Some(MediaType::Mp4));
        assert_eq!(MediaType::sniff(b"%PDF-1.7\n"), Some(MediaType::Pdf));
        assert_eq!(MediaType::sniff(b"<svg xmlns="), None);
        assert_eq!(MediaType::sniff(b"<!DOCTYPE html>"), None);
        assert_eq!(MediaType::sniff(b""), None);
    }

    #[test]
    fn names_are_sanitized() {
        assert_eq!(sanitize_filename("../../etc/passwd", MediaType::Png), "passwd");
        assert_eq!(sanitize_filename("a\"b;\r\nc.png", MediaType::Png), "a_b___c.png");
        assert_eq!(sanitize_filename("...", MediaType::Jpeg), "file.jpg");
        assert_eq!(sanitize_filename("صورة.png", MediaType::Png), "صورة.png");
        assert_eq!(extension("photo.JPG"), Some("jpg".into()));
        assert_eq!(extension(".hidden"), None);
    }
}
