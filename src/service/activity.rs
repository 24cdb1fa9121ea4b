//! The activity feed (SPEC §7): entries recorded by the actions themselves, in their own
//! transaction, listed newest first for the community or one organization; entries whose
//! content is gone are dropped with it (and skipped if a read races the deletion).

use crate::{
    domain::{
        activity::{Activity, ActivityKind, ActivityView},
        engagement::Target,
        ids::{ActivityId, OrgId, TopicId, UserId},
    },
    error::{AppResult, OptionExt},
    service::{Page, decode_cursor, encode_cursor, notifications, now, sessions::AuthContext},
    state::AppState,
    store::{Reader, StoreResult, Tx, activity as store, orgs, users},
};

/// Records that `actor` (of `org`) did `kind` to `target`, in the action's transaction.
pub fn record(
    tx: &Tx,
    actor: UserId,
    org: Option<OrgId>,
    kind: ActivityKind,
    target: Option<Target>,
    topic: Option<TopicId>,
) -> StoreResult<()> {
    store::record(tx, &Activity::new(actor, org, kind, target, topic, now()))
}

fn view(r: &impl Reader, activity: Activity) -> StoreResult<Option<ActivityView>> {
    let title = match activity.target {
        Some(t) => notifications::title(r, t)?,
        None => match activity.org {
            Some(org) => orgs::card(r, org)?.map(|o| o.name),
            None => None,
        },
    };
    let Some(title) = title else { return Ok(None) };
    let actor = users::author_card(r, activity.actor)?;
    Ok(Some(ActivityView { activity, actor, title }))
}

/// A page of the feed of the community, or of one organization, newest first, read in the
/// caller's transaction (the dashboard reads it with its figures).
pub fn page(
    r: &impl Reader,
    org: Option<OrgId>,
    before: Option<ActivityId>,
    limit: usize,
) -> AppResult<Page<ActivityView>> {
    if let Some(o) = org {
        orgs::get(r, o)?.or_not_found("Organization")?;
    }
    let batch = store::page(r, org, before, limit + 1)?;
    let more = batch.len() > limit;
    let next_cursor = if more { batch.get(limit - 1).map(|a| encode_cursor(&a.id.key())) } else { None };
    let mut items = Vec::with_capacity(limit);
    for a in batch.into_iter().take(limit) {
        items.extend(view(r, a)?);
    }
    Ok(Page { items, next_cursor, total: 0 })
}

/// The feed of the community, or of one organization, newest first.
#[tracing::instrument(level = "debug", skip_all, fields(user = %_ctx.user_id))]
pub async fn list(
    state: &AppState,
    _ctx: AuthContext,
    org: Option<OrgId>,
    cursor: Option<&str>,
    limit: usize,
) -> AppResult<Page<ActivityView>> {
    let before = decode_cursor(cursor)?.and_then(|k| ActivityId::from_key(&k));
    state.store.read(move |tx| page(tx, org, before, limit)).await
}
