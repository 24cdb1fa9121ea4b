//! Who may follow which hub channel, checked when a socket subscribes.

use crate::error::ErrorCode;
use crate::{
    error::{AppError, AppResult},
    realtime::Channel,
    service::sessions::AuthContext,
    state::AppState,
    store::forum,
};

/// Whether the caller may follow `channel`: their own user channel, an existing topic, or a
/// configured category. Another user's channel is 403; a topic or category that does not
/// exist is 404.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn may_follow(state: &AppState, ctx: AuthContext, channel: &Channel) -> AppResult<()> {
    match channel {
        Channel::User(id) if *id == ctx.user_id => Ok(()),
        Channel::User(_) => Err(AppError::forbidden(ErrorCode::Forbidden, "You may not subscribe to this channel")),
        Channel::Topic(id) => {
            let id = *id;
            match state.store.read(move |tx| forum::topic(tx, id)).await? {
                Some(_) => Ok(()),
                None => Err(AppError::not_found("Topic")),
            }
        }
        Channel::Category(c) if state.config.forum.categories.iter().any(|x| &x.id == c) => Ok(()),
        Channel::Category(_) => Err(AppError::not_found("Channel")),
    }
}
