//! Use cases: create (simplified or full form), read by id or slug (views once per user),
//! edit by the author or their organization's admins, delete, and flags by platform admins.
//! Counters (category counts, per-organization counts, featured, reputation) change in the
//! same transaction as the write.

pub mod cache;
pub mod drafts;
mod engaged;
pub mod media;
pub mod queries;

use crate::domain::activity::ActivityKind;
use crate::store::Tx;

use crate::error::ErrorCode;
use crate::{
    domain::{
        authz,
        engagement::{Counter, Target},
        forum::points,
        ids::{UseCaseId, UserId},
        use_case::{self, UseCase, UseCaseInput, UseCaseView, slugify},
    },
    error::{AppError, AppResult, OptionExt},
    service::{caller, denied, engagement, now, sessions::AuthContext},
    state::AppState,
    store::{Reader, StoreResult, engagement as counters, org_stats, orgs, stats, use_cases as store},
};

/// Loads the parts of a view for `viewer`.
pub fn view(r: &impl Reader, u: UseCase, viewer: UserId) -> StoreResult<UseCaseView> {
    let author = crate::store::users::get(r, u.author)?;
    let org = orgs::get(r, u.org)?;
    let liked = counters::liked(r, Target::UseCase(u.id), viewer)?;
    let bookmarked = counters::bookmarked(r, viewer, Target::UseCase(u.id))?;
    let media = crate::service::forum::attachments::load(r, &u.media)?;
    Ok(UseCaseView {
        media,
        organization_name: org.as_ref().map(|o| o.name.clone()).unwrap_or_default(),
        organization_verified: org.is_some_and(|o| o.verified),
        use_case: u,
        author,
        liked,
        bookmarked,
    })
}

fn counted(tx: &Tx, u: &UseCase, delta: i64) -> StoreResult<()> {
    counters::add(tx, &Counter::UseCases, delta)?;
    counters::add(tx, &Counter::UseCasesInCategory(u.content.category.clone()), delta)?;
    let of_org = Counter::UseCasesOfOrg(u.org);
    let before = counters::counter(tx, &of_org)?;
    let after = counters::add(tx, &of_org, delta)?;
    if before == 0 && after > 0 {
        counters::add(tx, &Counter::OrgsWithUseCases, 1)?;
    } else if before > 0 && after == 0 {
        counters::add(tx, &Counter::OrgsWithUseCases, -1)?;
    }
    if u.featured {
        counters::add(tx, &Counter::FeaturedUseCases, delta)?;
    }
    // A deleted use case takes back what it earned, its likes included (as topics and
    // replies do), and its views leave its organization's figures.
    let likes = if delta < 0 { u.like_count } else { 0 };
    stats::adjust_stats(tx, u.author, |s| {
        s.reputation = if delta > 0 {
            s.reputation + points::USE_CASE
        } else {
            s.reputation.saturating_sub(points::USE_CASE + likes * points::LIKE)
        };
        s.likes_received = s.likes_received.saturating_sub(likes);
        s.use_cases = (s.use_cases as i64 + delta).max(0) as u64;
    })?;
    let views = org_stats::Delta { use_case_views: delta.min(0) * u.view_count as i64, ..Default::default() };
    org_stats::adjust(tx, u.org, views)
}

/// Publishes a use case for the caller's organization.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn create(state: &AppState, ctx: AuthContext, input: UseCaseInput) -> AppResult<UseCaseView> {
    create_with(state, ctx, input, |_, _| Ok(())).await
}

/// Publishes a use case and runs `also` in the same transaction on the use case about to be
/// stored (a draft published as the use case is removed there, so two publishes of one
/// draft cannot both succeed, and hands over its media).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn create_with(
    state: &AppState,
    ctx: AuthContext,
    input: UseCaseInput,
    also: impl FnOnce(&Tx, &mut UseCase) -> AppResult<()> + Send + 'static,
) -> AppResult<UseCaseView> {
    let user = caller(state, ctx).await?;
    let org_id = authz::member_of(&user).map_err(denied)?;
    let content = use_case::validate(&input).map_err(AppError::validation)?;
    state
        .store
        .write(move |tx| -> AppResult<_> {
            let org = orgs::get(tx, org_id)?.or_not_found("Organization")?;
            let org_slug = slugify(&org.name);
            let slug = store::free_slug(tx, &org_slug, &slugify(&content.title))?;
            let t = now();
            let mut u = UseCase::new(UseCaseId::new(), user.id, org_id, org_slug, slug, content, t);
            also(tx, &mut u)?;
            store::insert(tx, &u)?;
            counted(tx, &u, 1)?;
            let kind = ActivityKind::PublishedUseCase;
            super::activity::record(tx, u.author, Some(u.org), kind, Some(Target::UseCase(u.id)), None)?;
            Ok(view(tx, u, user.id)?)
        })
        .await
}

/// Reads a use case by id or by slug; the first read by each user counts as a view.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn read(state: &AppState, ctx: AuthContext, key: ReadKey) -> AppResult<UseCaseView> {
    engagement::read_counting_view::<UseCase>(state, ctx.user_id, key).await
}

fn find_use_case(r: &impl Reader, key: &ReadKey) -> StoreResult<Option<UseCase>> {
    match key {
        ReadKey::Id(id) => store::get(r, *id),
        ReadKey::Slug(org, slug) => store::by_slug(r, org, slug),
    }
}

/// How a use case is addressed.
#[derive(Debug, Clone)]
pub enum ReadKey {
    Id(UseCaseId),
    Slug(String, String),
}

/// Edits a use case (the author or their organization's admins). `patch` holds the fields to
/// change; the merged result is validated as a whole.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn edit(
    state: &AppState,
    ctx: AuthContext,
    id: UseCaseId,
    merge: impl FnOnce(&mut UseCaseInput) + Send + 'static,
) -> AppResult<UseCaseView> {
    let user = caller(state, ctx).await?;
    let current = state.store.read(move |tx| store::get(tx, id)).await?.or_not_found("Use case")?;
    if !use_case::may_edit(&user, &current) {
        return Err(AppError::forbidden(
            ErrorCode::NotAuthor,
            "Only the author or their organization's admins may edit this use case",
        ));
    }
    let mut input = current.content.to_input();
    merge(&mut input);
    let content = use_case::validate(&input).map_err(AppError::validation)?;
    state
        .store
        .write(move |tx| -> AppResult<_> {
            let old = store::get(tx, id)?.or_not_found("Use case")?;
            let mut u = old.clone();
            if old.content.category != content.category {
                counters::add(tx, &Counter::UseCasesInCategory(old.content.category.clone()), -1)?;
                counters::add(tx, &Counter::UseCasesInCategory(content.category.clone()), 1)?;
            }
            u.content = content;
            u.updated_at = now();
            store::update(tx, &old, &u)?;
            Ok(view(tx, u, user.id)?)
        })
        .await
}

/// Deletes a use case (its author, their organization's admins, or a platform admin).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn delete(state: &AppState, ctx: AuthContext, id: UseCaseId) -> AppResult<()> {
    let user = caller(state, ctx).await?;
    let gone = state
        .store
        .write(move |tx| -> AppResult<_> {
            let u = store::get(tx, id)?.or_not_found("Use case")?;
            if !use_case::may_delete(&user, &u) {
                return Err(AppError::forbidden(
                    ErrorCode::NotAuthor,
                    "Only the author or their organization's admins may delete this use case",
                ));
            }
            counted(tx, &u, -1)?;
            store::remove(tx, &u)?;
            Ok(crate::service::forum::attachments::drop_records(tx, &u.media)?)
        })
        .await?;
    // Its media go with it, after the commit.
    for m in &gone {
        crate::service::media::remove_objects(state, m).await;
    }
    Ok(())
}

/// Sets the featured and verified flags (platform admins).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn set_flags(
    state: &AppState,
    ctx: AuthContext,
    id: UseCaseId,
    featured: Option<bool>,
    verified: Option<bool>,
) -> AppResult<UseCaseView> {
    let user = caller(state, ctx).await?;
    authz::platform_admin(&user).map_err(denied)?;
    state
        .store
        .write(move |tx| -> AppResult<_> {
            let old = store::get(tx, id)?.or_not_found("Use case")?;
            let mut u = old.clone();
            u.featured = featured.unwrap_or(old.featured);
            u.verified = verified.unwrap_or(old.verified);
            if u.featured != old.featured {
                counters::add(tx, &Counter::FeaturedUseCases, if u.featured { 1 } else { -1 })?;
            }
            store::update(tx, &old, &u)?;
            Ok(view(tx, u, user.id)?)
        })
        .await
}
