//! The forum: categories, topics, replies and drafts, with their limits and who may do what.

use serde::{Deserialize, Serialize};

use super::{
    FieldErrors,
    engagement::{DraftFields, TargetKind},
    ids::{MediaId, OrgId, ReplyId, TopicId, UserId},
    text::{self, Validator},
    user::User,
};

/// A forum category (configured; English and Arabic names).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Stable slug, e.g. `predictive-maintenance`.
    pub id: String,
    pub name_en: String,
    pub name_ar: String,
}

/// A stored topic. Counters are kept on every write, never computed by scanning.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Topic {
    pub id: TopicId,
    pub author: UserId,
    #[serde(default)]
    pub org: Option<OrgId>,
    pub category: String,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub last_activity_at: i64,
    pub pinned: bool,
    pub locked: bool,
    pub reply_count: u64,
    pub like_count: u64,
    pub view_count: u64,
    pub best_reply: Option<ReplyId>,
    /// Attached media (≤ `MAX_ATTACHMENTS`).
    #[serde(default)]
    pub attachments: Vec<MediaId>,
}

/// A stored reply (one nesting level: `parent` is a top-level reply of the same topic).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Reply {
    pub id: ReplyId,
    pub topic: TopicId,
    pub parent: Option<ReplyId>,
    pub author: UserId,
    pub body: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub like_count: u64,
    /// Attached media (≤ `MAX_ATTACHMENTS`).
    #[serde(default)]
    pub attachments: Vec<MediaId>,
}

/// What a topic draft holds so far: any field may be missing or incomplete.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TopicDraft {
    pub title: String,
    pub body: String,
    pub category: String,
    pub tags: Vec<String>,
}

impl DraftFields for TopicDraft {
    const KIND: TargetKind = TargetKind::Topic;

    fn bounds(&self) -> Result<(), FieldErrors> {
        let mut v = Validator::default();
        v.check("title", text::line(&self.title, 0, 150));
        v.check("body", text::paragraph(&self.body, 10_000));
        v.check("category", text::line(&self.category, 0, 100));
        v.check("tags", text::tags(&self.tags, 5));
        v.finish()
    }
}

/// A topic with what the caller needs to render it.
#[derive(Debug, Clone)]
pub struct TopicView {
    pub topic: Topic,
    pub author: Option<User>,
    pub liked: bool,
    pub bookmarked: bool,
    pub attachments: Vec<super::media::Media>,
}

/// A reply with its author and the caller's like.
#[derive(Debug, Clone)]
pub struct ReplyView {
    pub reply: Reply,
    pub author: Option<User>,
    pub liked: bool,
    pub best: bool,
    pub attachments: Vec<super::media::Media>,
}

/// The order of a topic listing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// Newest first (pinned topics head the first page).
    #[default]
    Newest,
    /// Most recent reply first.
    Active,
    /// Most liked first.
    Top,
}

/// Attachments a topic or reply may carry.
pub const MAX_ATTACHMENTS: usize = 5;

/// Validated topic content.
#[derive(Clone, Debug)]
pub struct TopicContent {
    pub title: String,
    pub body: String,
    pub category: String,
    pub tags: Vec<String>,
}

/// Checks title (8–150), body (20–10000), a known category and ≤ 5 tags, naming every
/// invalid field.
pub fn topic_content(
    title: &str,
    body: &str,
    category: &str,
    tags: &[String],
    categories: &[Category],
) -> Result<TopicContent, FieldErrors> {
    let mut v = Validator::default();
    let title = v.check("title", text::line(title, 8, 150));
    let body = v.check("body", text::paragraph(body, 10_000).and_then(|b| min_len(b, 20)));
    let category = category.trim();
    if !categories.iter().any(|c| c.id == category) {
        v.fail("category", "is not a forum category");
    }
    let tags = v.check("tags", text::tags(tags, 5));
    v.finish()?;
    match (title, body, tags) {
        (Some(title), Some(body), Some(tags)) => Ok(TopicContent { title, body, category: category.to_owned(), tags }),
        _ => Err(FieldErrors::from([("body".into(), "is invalid".into())])),
    }
}

/// Checks a reply body (3–5000 characters).
pub fn reply_body(body: &str) -> Result<String, String> {
    text::paragraph(body, 5000).and_then(|b| min_len(b, 3))
}

fn min_len(text: String, min: usize) -> Result<String, String> {
    if text.chars().count() < min { Err(format!("must be at least {min} characters")) } else { Ok(text) }
}

/// Moderators: platform admins.
pub fn is_moderator(user: &User) -> bool {
    user.platform_admin
}

/// Who may edit: the author only.
pub fn may_edit(user: &User, author: UserId) -> bool {
    user.id == author
}

/// Who may delete: the author or a moderator.
pub fn may_delete(user: &User, author: UserId) -> bool {
    user.id == author || is_moderator(user)
}

/// Who may mark the best answer: the topic's author or a moderator.
pub fn may_choose_best(user: &User, topic: &Topic) -> bool {
    user.id == topic.author || is_moderator(user)
}

/// Reputation points per event (SPEC §4).
pub mod points {
    pub const TOPIC: u64 = 5;
    pub const REPLY: u64 = 2;
    pub const LIKE: u64 = 1;
    pub const BEST_ANSWER: u64 = 15;
    pub const USE_CASE: u64 = 10;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_limits_name_each_field() {
        let cats =
            vec![Category { id: "automation".into(), name_en: "Automation".into(), name_ar: "الأتمتة".into() }];
        let err = topic_content("short", "too short", "nope", &vec!["ok".to_string(); 6], &cats).unwrap_err();
        for f in ["title", "body", "category", "tags"] {
            assert!(err.contains_key(f), "{f}");
        }
        let ok = topic_content(
            "How to tune PID loops?",
            "We see oscillation on line 3 after the retrofit.",
            "automation",
            &[],
            &cats,
        );
        assert!(ok.is_ok());
        assert!(reply_body("ok").is_err());
        assert!(reply_body("Try lowering the gain").is_ok());
    }
}
