//! Each person's choice, per notification kind, of the app and email (the `message` kind's
//! email is messaging's away email, which reads the same setting).

use crate::{
    domain::{
        closed::ClosedSet,
        ids::UserId,
        notifications::{Channels, NotificationKind},
    },
    error::AppResult,
    service::sessions::AuthContext,
    state::AppState,
    store::{Reader, StoreResult, notifications as store},
};

/// Every kind with how it reaches `user`, in the kinds' order.
fn all(r: &impl Reader, user: UserId) -> StoreResult<Vec<(NotificationKind, Channels)>> {
    let settings = store::settings(r, user)?;
    Ok(NotificationKind::ALL.iter().map(|k| (*k, settings.channels(*k))).collect())
}

/// The caller's settings for every kind.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn get(state: &AppState, ctx: AuthContext) -> AppResult<Vec<(NotificationKind, Channels)>> {
    let user = ctx.user_id;
    Ok(state.store.read(move |tx| all(tx, user)).await?)
}

/// Sets the caller's channels for the kinds named (the others keep theirs); returns all.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn set(
    state: &AppState,
    ctx: AuthContext,
    changes: Vec<(NotificationKind, Channels)>,
) -> AppResult<Vec<(NotificationKind, Channels)>> {
    let user = ctx.user_id;
    state
        .store
        .write(move |tx| -> AppResult<_> {
            let mut settings = store::settings(tx, user)?;
            for (kind, channels) in changes {
                settings.set(kind, channels);
            }
            store::put_settings(tx, user, &settings)?;
            Ok(all(tx, user)?)
        })
        .await
}
