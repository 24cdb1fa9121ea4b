//! `/api/v1/users/me/*` beyond the profile: the avatar and the caller's bookmarks.

use poem_openapi::{Object, OpenApi};

use crate::{
    api::{
        dto::Me,
        error::{ApiResult, Success, ok},
        media::upload::FileUpload,
        security::{Auth, State},
        tags::ApiTags,
        use_cases::dto::UseCaseDto,
    },
    domain::{forum::Topic, use_case::UseCase},
    dto::forum::ForumTopic,
    service::{engagement, images},
};

/// The signed-in user's avatar and bookmarks.
#[derive(Default)]
pub struct MyThingsApi;

/// The caller's bookmarks.
#[derive(Object, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct BookmarkList {
    /// Bookmarked forum topics.
    pub topics: Vec<ForumTopic>,
    /// Bookmarked use cases.
    pub use_cases: Vec<UseCaseDto>,
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

    /// The caller's bookmarks (forum topics and use cases)
    #[oai(path = "/bookmarks", method = "get", operation_id = "listBookmarks")]
    async fn bookmarks(&self, state: State<'_>, auth: Auth) -> ApiResult<Success<BookmarkList>> {
        let topics = engagement::bookmarks::<Topic>(&state, auth.ctx()).await?;
        let use_cases = engagement::bookmarks::<UseCase>(&state, auth.ctx()).await?;
        ok(BookmarkList {
            topics: topics.into_iter().map(Into::into).collect(),
            use_cases: use_cases.into_iter().map(Into::into).collect(),
        })
    }
}
