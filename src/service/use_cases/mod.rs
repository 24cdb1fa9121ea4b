//! Use cases: create (simplified or full form), read by id or slug (views once per user),
//! edit by the author or their organization's admins, delete, and flags by platform admins.
//! Counters (category counts, per-organization counts, featured, reputation) change in the
//! same transaction as the write.

pub mod drafts;
pub mod media;
pub mod queries;
pub mod reactions;

use redb::WriteTransaction;

use crate::{
    domain::{
        authz,
        forum::points,
        ids::UseCaseId,
        use_case::{self, Raw, UseCase, slugify},
        user::User,
    },
    error::{AppError, AppResult, OptionExt},
    service::{caller, denied, now, sessions::AuthContext},
    state::AppState,
    store::{Reader, StoreResult, forum, orgs, use_cases as store},
};

/// A use case with what the caller needs to render it.
#[derive(Debug, Clone)]
pub struct UseCaseView {
    pub use_case: UseCase,
    pub author: Option<User>,
    pub organization_name: String,
    pub organization_verified: bool,
    pub liked: bool,
    pub bookmarked: bool,
    pub media: Vec<crate::domain::media::Media>,
}

/// Loads the parts of a view for `viewer`.
pub fn view(r: &impl Reader, u: UseCase, viewer: crate::domain::ids::UserId) -> StoreResult<UseCaseView> {
    let author = crate::store::users::get(r, u.author)?;
    let org = orgs::get(r, u.org)?;
    let liked = forum::likes(r, &u.id.key(), viewer)?;
    let bookmarked = store::bookmarked(r, viewer, u.id)?;
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

fn counted(tx: &WriteTransaction, u: &UseCase, delta: i64) -> StoreResult<()> {
    forum::add_counter(tx, "uc_total", delta)?;
    forum::add_counter(tx, &format!("uc_category:{}", u.content.category), delta)?;
    let key = format!("uc_org:{}", u.org);
    let before = forum::counter(tx, &key)?;
    forum::add_counter(tx, &key, delta)?;
    let after = forum::counter(tx, &key)?;
    if before == 0 && after > 0 {
        forum::add_counter(tx, "uc_orgs", 1)?;
    } else if before > 0 && after == 0 {
        forum::add_counter(tx, "uc_orgs", -1)?;
    }
    if u.featured {
        forum::add_counter(tx, "uc_featured", delta)?;
    }
    forum::adjust_stats(tx, u.author, |s| {
        s.reputation =
            if delta > 0 { s.reputation + points::USE_CASE } else { s.reputation.saturating_sub(points::USE_CASE) };
    })
    .map(drop)
}

/// Publishes a use case for the caller's organization.
pub async fn create(state: &AppState, ctx: AuthContext, raw: Raw) -> AppResult<UseCaseView> {
    create_with(state, ctx, raw, |_| Ok(())).await
}

/// Publishes a use case and runs `also` in the same transaction (a draft published as the
/// use case is removed there, so two publishes of one draft cannot both succeed).
pub async fn create_with(
    state: &AppState,
    ctx: AuthContext,
    raw: Raw,
    also: impl FnOnce(&WriteTransaction) -> StoreResult<()> + Send + 'static,
) -> AppResult<UseCaseView> {
    let user = caller(state, ctx).await?;
    let org_id = authz::member_of(&user).map_err(denied)?;
    let content = use_case::validate(&raw).map_err(AppError::validation)?;
    Ok(state
        .store
        .write(move |tx| {
            also(tx)?;
            let org = orgs::get(tx, org_id)?.or_not_found("Organization")?;
            let org_slug = slugify(&org.name);
            let slug = store::free_slug(tx, &org_slug, &slugify(&content.title))?;
            let t = now();
            let u = UseCase {
                id: UseCaseId::new(),
                author: user.id,
                org: org_id,
                slug,
                org_slug,
                content,
                featured: false,
                verified: false,
                view_count: 0,
                like_count: 0,
                bookmark_count: 0,
                created_at: t,
                updated_at: t,
                media: Vec::new(),
                cover: None,
            };
            store::insert(tx, &u)?;
            counted(tx, &u, 1)?;
            view(tx, u, user.id)
        })
        .await?)
}

/// Reads a use case by id or by slug; the first read by each user counts as a view.
pub async fn read(state: &AppState, ctx: AuthContext, key: ReadKey) -> AppResult<UseCaseView> {
    let viewer = ctx.user_id;
    // Only a first view writes: later reads stay read transactions.
    let lookup = key.clone();
    let seen = state
        .store
        .read(move |tx| match find_use_case(tx, &lookup)? {
            Some(u) if store::viewed(tx, u.id, viewer)? => view(tx, u, viewer).map(Some),
            _ => Ok(None),
        })
        .await?;
    if let Some(v) = seen {
        return Ok(v);
    }
    Ok(state
        .store
        .write(move |tx| {
            let mut u = find_use_case(tx, &key)?.or_not_found("Use case")?;
            if store::mark_viewed(tx, u.id, viewer)? {
                let old = u.clone();
                u.view_count += 1;
                store::update(tx, &old, &u)?;
            }
            view(tx, u, viewer)
        })
        .await?)
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
pub async fn edit(
    state: &AppState,
    ctx: AuthContext,
    id: UseCaseId,
    merge: impl FnOnce(&mut Raw) + Send + 'static,
) -> AppResult<UseCaseView> {
    let user = caller(state, ctx).await?;
    let current = state.store.read(move |tx| store::get(tx, id)).await?.or_not_found("Use case")?;
    if !use_case::may_edit(&user, &current) {
        return Err(AppError::forbidden(
            "not_author",
            "Only the author or their organization's admins may edit this use case",
        ));
    }
    let mut raw = current.content.clone();
    merge(&mut raw);
    let content = use_case::validate(&raw).map_err(AppError::validation)?;
    Ok(state
        .store
        .write(move |tx| {
            let old = store::get(tx, id)?.or_not_found("Use case")?;
            let mut u = old.clone();
            if old.content.category != content.category {
                forum::add_counter(tx, &format!("uc_category:{}", old.content.category), -1)?;
                forum::add_counter(tx, &format!("uc_category:{}", content.category), 1)?;
            }
            u.content = content;
            u.updated_at = now();
            store::update(tx, &old, &u)?;
            view(tx, u, user.id)
        })
        .await?)
}

/// Deletes a use case (its author, their organization's admins, or a platform admin).
pub async fn delete(state: &AppState, ctx: AuthContext, id: UseCaseId) -> AppResult<()> {
    let user = caller(state, ctx).await?;
    let gone = state
        .store
        .write(move |tx| {
            let u = store::get(tx, id)?.or_not_found("Use case")?;
            if !use_case::may_delete(&user, &u) {
                return Err(AppError::forbidden(
                    "not_author",
                    "Only the author or their organization's admins may delete this use case",
                )
                .into());
            }
            counted(tx, &u, -1)?;
            store::remove(tx, &u)?;
            crate::service::forum::attachments::drop_records(tx, &u.media)
        })
        .await?;
    // Its media go with it, after the commit.
    for m in &gone {
        crate::service::media::remove_objects(state, m).await;
    }
    Ok(())
}

/// Sets the featured and verified flags (platform admins).
pub async fn set_flags(
    state: &AppState,
    ctx: AuthContext,
    id: UseCaseId,
    featured: Option<bool>,
    verified: Option<bool>,
) -> AppResult<UseCaseView> {
    let user = caller(state, ctx).await?;
    authz::platform_admin(&user).map_err(denied)?;
    Ok(state
        .store
        .write(move |tx| {
            let old = store::get(tx, id)?.or_not_found("Use case")?;
            let mut u = old.clone();
            u.featured = featured.unwrap_or(old.featured);
            u.verified = verified.unwrap_or(old.verified);
            if u.featured != old.featured {
                forum::add_counter(tx, "uc_featured", if u.featured { 1 } else { -1 })?;
            }
            store::update(tx, &old, &u)?;
            view(tx, u, user.id)
        })
        .await?)
}
