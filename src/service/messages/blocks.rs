//! Blocking (a blocked person cannot message the blocker, and neither side's typing reaches
//! the other).

use crate::{
    domain::{
        ids::UserId,
        user::{AuthorCard, UserStatus},
    },
    error::{AppError, AppResult, ErrorCode, OptionExt},
    service::{now, sessions::AuthContext},
    state::AppState,
    store::{messages as store, users},
};

/// Someone the caller blocked, with when.
#[derive(Clone, Debug)]
pub struct Blocked {
    pub user: UserId,
    /// `None` for an account deleted since.
    pub card: Option<AuthorCard>,
    pub at: i64,
}

/// Blocks `whom` for the caller (blocking twice is fine).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, whom = %whom))]
pub async fn block(state: &AppState, ctx: AuthContext, whom: UserId) -> AppResult<()> {
    let user = ctx.user_id;
    if whom == user {
        return Err(AppError::field("id", "you cannot block yourself"));
    }
    let max = state.config.messages.max_blocks;
    state
        .store
        .write(move |tx| -> AppResult<_> {
            users::get(tx, whom)?.filter(|u| u.status != UserStatus::Deleted).or_not_found("User")?;
            if !store::blocked(tx, user, whom)? && store::blocks(tx, user, max)?.len() >= max {
                return Err(AppError::conflict(ErrorCode::Conflict, format!("You may block at most {max} people")));
            }
            store::set_block(tx, user, whom, true, now())?;
            Ok(())
        })
        .await
}

/// Unblocks `whom` for the caller (unblocking someone not blocked is fine).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, whom = %whom))]
pub async fn unblock(state: &AppState, ctx: AuthContext, whom: UserId) -> AppResult<()> {
    let user = ctx.user_id;
    if whom == user {
        return Err(AppError::field("id", "you cannot unblock yourself"));
    }
    state
        .store
        .write(move |tx| -> AppResult<_> {
            users::get(tx, whom)?.or_not_found("User")?;
            store::set_block(tx, user, whom, false, 0)?;
            Ok(())
        })
        .await
}

/// The people the caller blocked (all of them: the list is bounded by `messages.max_blocks`).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn list(state: &AppState, ctx: AuthContext) -> AppResult<Vec<Blocked>> {
    let user = ctx.user_id;
    let max = state.config.messages.max_blocks;
    state
        .store
        .read(move |tx| -> AppResult<_> {
            let mut out = Vec::new();
            for (whom, at) in store::blocks(tx, user, max)? {
                out.push(Blocked { user: whom, card: users::author_card(tx, whom)?, at });
            }
            out.sort_by_key(|b| std::cmp::Reverse(b.at));
            Ok(out)
        })
        .await
}
