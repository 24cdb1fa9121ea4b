//! Forum content as clients read it: topics, replies, and the state of a like or bookmark.

use chrono::{DateTime, Utc};
use poem_openapi::Object;

use super::{AuthorRef, ForumAttachment, author, ts};
use crate::domain::forum::{ReplyView, TopicView};

/// A forum topic.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct ForumTopic {
    /// Topic id.
    pub id: String,
    /// Title (8–150 characters).
    pub title: String,
    /// Body in Markdown (20–10000 characters).
    pub body: String,
    /// Category id.
    pub category: String,
    /// Tags (≤ 5).
    pub tags: Vec<String>,
    /// The author.
    pub author: AuthorRef,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last edit by the author.
    pub edited_at: Option<DateTime<Utc>>,
    /// Last reply (or creation).
    pub last_activity_at: DateTime<Utc>,
    /// Pinned by a moderator.
    pub pinned: bool,
    /// Locked by a moderator: no new replies.
    pub locked: bool,
    /// Replies.
    pub reply_count: u64,
    /// Likes.
    pub like_count: u64,
    /// Distinct viewers.
    pub view_count: u64,
    /// The reply marked as best answer.
    pub best_reply_id: Option<String>,
    /// Whether the caller likes it.
    pub liked_by_me: bool,
    /// Whether the caller bookmarked it.
    pub bookmarked_by_me: bool,
    /// Attached files (≤ 5).
    pub attachments: Vec<ForumAttachment>,
}

impl From<TopicView> for ForumTopic {
    fn from(v: TopicView) -> Self {
        let t = v.topic;
        Self {
            id: t.id.to_string(),
            title: t.title,
            body: t.body,
            category: t.category,
            tags: t.tags,
            author: author(t.author, v.author),
            created_at: ts(t.created_at),
            edited_at: t.edited_at.map(ts),
            last_activity_at: ts(t.last_activity_at),
            pinned: t.pinned,
            locked: t.locked,
            reply_count: t.reply_count,
            like_count: t.like_count,
            view_count: t.view_count,
            best_reply_id: t.best_reply.map(|r| r.to_string()),
            liked_by_me: v.liked,
            bookmarked_by_me: v.bookmarked,
            attachments: v.attachments.into_iter().map(Into::into).collect(),
        }
    }
}

/// A reply to a topic.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct ForumReply {
    /// Reply id.
    pub id: String,
    /// The topic.
    pub topic_id: String,
    /// The top-level reply this one answers, if any.
    pub parent_reply_id: Option<String>,
    /// Body in Markdown (3–5000 characters).
    pub body: String,
    /// The author.
    pub author: AuthorRef,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last edit.
    pub edited_at: Option<DateTime<Utc>>,
    /// Likes.
    pub like_count: u64,
    /// Whether the caller likes it.
    pub liked_by_me: bool,
    /// Marked as the topic's best answer.
    pub is_best_answer: bool,
    /// Attached files (≤ 5).
    pub attachments: Vec<ForumAttachment>,
}

impl From<ReplyView> for ForumReply {
    fn from(v: ReplyView) -> Self {
        let r = v.reply;
        Self {
            id: r.id.to_string(),
            topic_id: r.topic.to_string(),
            parent_reply_id: r.parent.map(|p| p.to_string()),
            body: r.body,
            author: author(r.author, v.author),
            created_at: ts(r.created_at),
            edited_at: r.edited_at.map(ts),
            like_count: r.like_count,
            liked_by_me: v.liked,
            is_best_answer: v.best,
            attachments: v.attachments.into_iter().map(Into::into).collect(),
        }
    }
}

/// A like's state after a change.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct LikeState {
    /// Whether the caller likes it now.
    pub liked: bool,
    /// Likes now.
    pub like_count: u64,
}

/// A bookmark's state after a change.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct BookmarkState {
    /// Whether the caller bookmarked it now.
    pub bookmarked: bool,
}
