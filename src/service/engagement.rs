//! One flow for what people do to content besides writing it, used by every feature:
//! likes (idempotent, counted, credited to the author's reputation), bookmarks, views
//! (counted once per person) and drafts (saved partial, listed, resumed, deleted, and
//! published in the transaction that creates the content).
//!
//! A feature takes part by implementing `Engaged` for its record type: how to find it, its
//! target, its kept counts and how to write it back with its indexes.

use crate::store::Tx;

use crate::{
    domain::{
        engagement::{Draft, DraftFields, Target, TargetKind},
        forum::points,
        ids::{DraftId, OrgId, UserId},
        trending::Engagement,
    },
    error::{AppError, AppResult, OptionExt},
    service::{notifications, now, sessions::AuthContext},
    state::AppState,
    store::{Reader, StoreResult, engagement as store, org_stats, stats, trending},
};

/// A count that content keeps in its record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Count {
    Likes,
    Views,
    Bookmarks,
}

/// Content people can like, bookmark and view.
pub trait Engaged: Clone + Send + Sync + 'static {
    /// How callers address it (an id, or a slug).
    type Key: Clone + Send + 'static;
    /// What a reader gets back.
    type View: Send + 'static;
    /// Its kind, which engagement keys start with.
    const KIND: TargetKind;
    /// Its name in a 404.
    const WHAT: &'static str;
    /// The record at `key`.
    fn find<R: Reader>(r: &R, key: &Self::Key) -> StoreResult<Option<Self>>;
    /// The record of a target of `KIND`.
    fn of_target<R: Reader>(r: &R, target: Target) -> StoreResult<Option<Self>>;
    /// Its target.
    fn target(&self) -> Target;
    /// Who wrote it (credited for likes).
    fn author(&self) -> UserId;
    /// The organization whose figures count its views (use cases), if any.
    fn views_count_for(&self) -> Option<OrgId> {
        None
    }
    /// The kept count of `which`, when it keeps one.
    fn count_mut(&mut self, which: Count) -> Option<&mut u64>;
    /// Writes `new` over `old`, moving index entries whose keys changed.
    fn update(tx: &Tx, old: &Self, new: &Self) -> StoreResult<()>;
    /// The record as `viewer` sees it.
    fn view<R: Reader>(r: &R, record: Self, viewer: UserId) -> StoreResult<Self::View>;
}

/// `record` with its `which` count moved by `delta` (never below zero), written back.
fn bump<C: Engaged>(tx: &Tx, record: C, which: Count, delta: i64) -> StoreResult<C> {
    let mut new = record.clone();
    let Some(n) = new.count_mut(which) else { return Ok(record) };
    *n = (*n as i64 + delta).max(0) as u64;
    C::update(tx, &record, &new)?;
    Ok(new)
}

/// Credits (or withdraws) a like received by `author`: the count and the reputation.
fn credit_like(tx: &Tx, author: UserId, liked: bool) -> StoreResult<()> {
    stats::adjust_stats(tx, author, |s| {
        if liked {
            s.likes_received += 1;
            s.reputation += points::LIKE;
        } else {
            s.likes_received = s.likes_received.saturating_sub(1);
            s.reputation = s.reputation.saturating_sub(points::LIKE);
        }
    })
    .map(drop)
}

/// Likes (`on`) or unlikes content; returns it with its like count as it is now. Liking
/// twice, or unliking what was not liked, changes nothing.
#[tracing::instrument(level = "debug", skip_all, fields(kind = ?C::KIND, user = %ctx.user_id, on = on))]
pub async fn like<C: Engaged>(state: &AppState, ctx: AuthContext, key: C::Key, on: bool) -> AppResult<C> {
    let user = ctx.user_id;
    let published = state.clone();
    // The owner's grouped notification changes with every like: its events go out from the
    // commit hook, so they reach the sockets in the order the likes committed.
    let (record, _) = state
        .store
        .write_then(
            move |tx| -> AppResult<_> {
                let record = C::find(tx, &key)?.or_not_found(C::WHAT)?;
                if !store::set_like(tx, record.target(), user, on)? {
                    return Ok((record, None));
                }
                credit_like(tx, record.author(), on)?;
                if on {
                    trending::engaged(tx, record.target(), Engagement::Liked, now())?;
                }
                let told = notifications::liked(tx, record.author(), record.target(), user, on)?;
                Ok((bump(tx, record, Count::Likes, if on { 1 } else { -1 })?, told))
            },
            move |(_, told): &(C, Option<notifications::Change>)| notifications::publish(&published, told.as_slice()),
        )
        .await?;
    Ok(record)
}

/// Bookmarks (`on`) or un-bookmarks content for the caller; returns it as it is now.
#[tracing::instrument(level = "debug", skip_all, fields(kind = ?C::KIND, user = %ctx.user_id, on = on))]
pub async fn bookmark<C: Engaged>(state: &AppState, ctx: AuthContext, key: C::Key, on: bool) -> AppResult<C> {
    let user = ctx.user_id;
    state
        .store
        .write(move |tx| -> AppResult<C> {
            let record = C::find(tx, &key)?.or_not_found(C::WHAT)?;
            if !store::set_bookmark(tx, user, record.target(), on, now())? {
                return Ok(record);
            }
            Ok(bump(tx, record, Count::Bookmarks, if on { 1 } else { -1 })?)
        })
        .await
}

/// The caller's bookmarks of content `C` (at most 1,000), oldest content first.
#[tracing::instrument(level = "debug", skip_all, fields(kind = ?C::KIND, user = %ctx.user_id))]
pub async fn bookmarks<C: Engaged>(state: &AppState, ctx: AuthContext) -> AppResult<Vec<C::View>> {
    let user = ctx.user_id;
    state
        .store
        .read(move |tx| -> AppResult<_> {
            let mut out = Vec::new();
            for target in store::bookmarks(tx, user, C::KIND, 1000)? {
                // Bookmarks of deleted content are skipped.
                if let Some(record) = C::of_target(tx, target)? {
                    out.push(C::view(tx, record, user)?);
                }
            }
            Ok(out)
        })
        .await
}

/// Reads content for `viewer`; the first read by each person counts as a view. Only a
/// first view writes, so later reads stay read transactions and the count stays exact.
#[tracing::instrument(level = "debug", skip_all, fields(kind = ?C::KIND, viewer = %viewer))]
pub async fn read_counting_view<C: Engaged>(state: &AppState, viewer: UserId, key: C::Key) -> AppResult<C::View> {
    let lookup = key.clone();
    let seen = state
        .store
        .read(move |tx| -> StoreResult<_> {
            match C::find(tx, &lookup)? {
                Some(record) if store::viewed(tx, record.target(), viewer)? => C::view(tx, record, viewer).map(Some),
                _ => Ok(None),
            }
        })
        .await?;
    if let Some(view) = seen {
        return Ok(view);
    }
    let again = key.clone();
    let counted = state
        .store
        .write(move |tx| -> AppResult<_> {
            let mut record = C::find(tx, &key)?.or_not_found(C::WHAT)?;
            if store::mark_viewed(tx, record.target(), viewer)? {
                record = bump(tx, record, Count::Views, 1)?;
                if let Some(org) = record.views_count_for() {
                    org_stats::adjust(tx, org, org_stats::Delta { use_case_views: 1, ..Default::default() })?;
                }
                trending::engaged(tx, record.target(), Engagement::Viewed, now())?;
            }
            Ok(C::view(tx, record, viewer)?)
        })
        .await;
    match counted {
        // While the disk is full the view goes uncounted; the reader still gets the page.
        Err(e) if e.is_storage_full() => {
            state
                .store
                .read(move |tx| -> AppResult<_> {
                    Ok(C::view(tx, C::find(tx, &again)?.or_not_found(C::WHAT)?, viewer)?)
                })
                .await
        }
        other => other,
    }
}

/// Creates (`id` = `None`) or updates one of the caller's drafts with `edit`; the result
/// must keep within the upper limits of its fields (publishing checks the rest).
#[tracing::instrument(level = "debug", skip_all, fields(kind = ?F::KIND, user = %ctx.user_id, new = id.is_none()))]
pub async fn save_draft<F: DraftFields>(
    state: &AppState,
    ctx: AuthContext,
    id: Option<DraftId>,
    edit: impl FnOnce(&mut F) + Send + 'static,
) -> AppResult<Draft<F>> {
    let author = ctx.user_id;
    state
        .store
        .write(move |tx| -> AppResult<_> {
            let t = now();
            let mut d = match id {
                Some(id) => own_draft(tx, id, author)?,
                None => Draft::new(author, t),
            };
            edit(&mut d.fields);
            d.fields.bounds().map_err(AppError::validation)?;
            d.updated_at = t;
            store::put_draft(tx, &d)?;
            Ok(d)
        })
        .await
}

/// `author`'s draft `id` (404 for anyone else's, or a draft of another kind).
pub fn own_draft<F: DraftFields>(r: &impl Reader, id: DraftId, author: UserId) -> AppResult<Draft<F>> {
    store::draft::<F>(r, id)?.filter(|d| d.author == author).or_not_found("Draft")
}

/// The caller's drafts of kind `F`, oldest first.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn drafts<F: DraftFields>(state: &AppState, ctx: AuthContext) -> AppResult<Vec<Draft<F>>> {
    let author = ctx.user_id;
    Ok(state.store.read(move |tx| store::drafts::<F>(tx, author)).await?)
}

/// One of the caller's drafts.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn draft<F: DraftFields>(state: &AppState, ctx: AuthContext, id: DraftId) -> AppResult<Draft<F>> {
    let author = ctx.user_id;
    state.store.read(move |tx| own_draft(tx, id, author)).await
}

/// Deletes one of the caller's drafts with the media uploaded to it.
#[tracing::instrument(level = "debug", skip_all, fields(kind = ?F::KIND, user = %ctx.user_id, id = %id))]
pub async fn delete_draft<F: DraftFields>(state: &AppState, ctx: AuthContext, id: DraftId) -> AppResult<()> {
    let author = ctx.user_id;
    let gone = state
        .store
        .write(move |tx| -> AppResult<_> {
            let d = own_draft::<F>(tx, id, author)?;
            store::remove_draft(tx, &d)?;
            Ok(crate::service::forum::attachments::drop_records(tx, d.fields.media())?)
        })
        .await?;
    for m in &gone {
        crate::service::media::remove_objects(state, m).await;
    }
    Ok(())
}

/// What publishing runs inside the transaction that creates the content: removes the
/// draft, or aborts the whole publication with a 404 when it is gone (deleted or
/// published meanwhile), so a draft never publishes twice.
pub fn discard_draft<F: DraftFields>(
    id: DraftId,
    author: UserId,
) -> impl FnOnce(&Tx) -> AppResult<()> + Send + 'static {
    move |tx| Ok(store::remove_draft(tx, &own_draft::<F>(tx, id, author)?)?)
}
