//! `/api/v1/users/me/*` beyond the profile: the avatar and the caller's bookmarks (one
//! paged listing of every kind).

use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object, OpenApi, Union, param::Query};

use crate::{
    api::{
        dto::Me,
        error::{ApiResult, Success, ok},
        media::upload::FileUpload,
        security::{Auth, State},
        tags::ApiTags,
        use_cases::dto::UseCaseDto,
    },
    domain::engagement::TargetKind,
    dto::{forum::ForumTopic, ts},
    service::{
        self,
        bookmarks::{self, Bookmarked},
        images,
    },
};

/// The signed-in user's avatar and bookmarks.
#[derive(Default)]
pub struct MyThingsApi;

/// A kind of content a person bookmarks.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum BookmarkType {
    /// Forum topics.
    Topic,
    /// Use cases.
    UseCase,
}

/// A bookmarked forum topic.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct TopicBookmark {
    /// When it was bookmarked.
    pub bookmarked_at: DateTime<Utc>,
    /// The topic.
    pub topic: ForumTopic,
}

/// A bookmarked use case.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct UseCaseBookmark {
    /// When it was bookmarked.
    pub bookmarked_at: DateTime<Utc>,
    /// The use case.
    pub use_case: UseCaseDto,
}

/// A bookmark, by the `type` of what it marks.
#[derive(Union, Debug)]
#[oai(discriminator_name = "type", one_of)]
#[allow(clippy::large_enum_variant)] // built once per answer and serialized at once
pub enum Bookmark {
    /// A forum topic.
    #[oai(mapping = "topic")]
    Topic(TopicBookmark),
    /// A use case.
    #[oai(mapping = "use_case")]
    UseCase(UseCaseBookmark),
}

/// A page of the caller's bookmarks.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct BookmarkPage {
    /// Bookmarks: use cases, then topics; newest content first within each.
    pub items: Vec<Bookmark>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// How many bookmarks of the requested type the caller has.
    pub total: u64,
}

#[OpenApi(prefix_path = "/api/v1/users/me", tag = "ApiTags::Users")]
impl MyThingsApi {
    /// Upload or replace the signed-in user's avatar
    ///
    /// JPEG, PNG or WebP up to the image limit (5 MiB by default); the type is taken from the
    /// bytes. A thumbnail is made in the background.
    #[oai(path = "/avatar", method = "put", operation_id = "uploadAvatar")]
    async fn put_avatar(&self, state: State<'_>, auth: Auth, mut upload: FileUpload) -> ApiResult<Success<Me>> {
        upload.check_declared_length(state.config.media.image_max_bytes)?;
        let file = upload.file(&state).await?;
        let (user, org) = images::set_avatar(&state, auth.ctx(), file).await?;
        ok(Me { user: user.into(), organization: org.map(Into::into) })
    }

    /// Remove the signed-in user's avatar
    #[oai(path = "/avatar", method = "delete", operation_id = "deleteAvatar")]
    async fn delete_avatar(&self, state: State<'_>, auth: Auth) -> ApiResult<Success<Me>> {
        let (user, org) = images::remove_avatar(&state, auth.ctx()).await?;
        ok(Me { user: user.into(), organization: org.map(Into::into) })
    }

    /// The caller's bookmarks
    ///
    /// Forum topics and use cases, or one `type`; paged with `cursor`.
    #[oai(path = "/bookmarks", method = "get", operation_id = "listBookmarks")]
    async fn bookmarks(
        &self,
        state: State<'_>,
        auth: Auth,
        /// Only bookmarks of this type.
        #[oai(name = "type")]
        kind: Query<Option<BookmarkType>>,
        /// Cursor from the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1–100 (default 20).
        limit: Query<Option<u32>>,
    ) -> ApiResult<Success<BookmarkPage>> {
        let kind = kind.0.map(|k| match k {
            BookmarkType::Topic => TargetKind::Topic,
            BookmarkType::UseCase => TargetKind::UseCase,
        });
        let page = bookmarks::page(&state, auth.ctx(), kind, cursor.0.as_deref(), service::page_size(limit.0)).await?;
        ok(BookmarkPage {
            items: page
                .items
                .into_iter()
                .map(|b| match b.item {
                    Bookmarked::Topic(t) => {
                        Bookmark::Topic(TopicBookmark { bookmarked_at: ts(b.at), topic: (*t).into() })
                    }
                    Bookmarked::UseCase(u) => {
                        Bookmark::UseCase(UseCaseBookmark { bookmarked_at: ts(b.at), use_case: (*u).into() })
                    }
                })
                .collect(),
            next_cursor: page.next_cursor,
            total: page.total,
        })
    }
}
