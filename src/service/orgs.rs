//! Organizations: the caller's own, the public directory, edits by admins, and
//! verification by platform admins.

use super::{Page, caller, decode_cursor, denied, encode_cursor, notifications, now, sessions::AuthContext};
use crate::{
    domain::{
        authz,
        ids::OrgId,
        notifications::{NotificationKind, Subject},
        org::Organization,
        search::{SearchKind, Searchable},
        text::{self, Validator},
        user::OrgRole,
    },
    error::{AppError, AppResult, OptionExt},
    state::AppState,
    store::{orgs, users},
};

/// Fields of `PATCH /organizations/me`; `None` leaves a field unchanged.
#[derive(Debug, Default)]
pub struct OrgPatch {
    pub name: Option<String>,
    pub industry: Option<String>,
    pub size: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub description: Option<String>,
    pub website: Option<String>,
}

/// Filters of the organization directory.
#[derive(Debug, Default)]
pub struct OrgFilter {
    pub q: Option<String>,
    pub industry: Option<String>,
    pub city: Option<String>,
    pub verified: Option<bool>,
}

/// The caller's organization.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn mine(state: &AppState, ctx: AuthContext) -> AppResult<Organization> {
    let user = caller(state, ctx).await?;
    let org_id = authz::member_of(&user).map_err(denied)?;
    get(state, org_id).await
}

/// Any organization by id.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id))]
pub async fn get(state: &AppState, id: OrgId) -> AppResult<Organization> {
    state.store.read(move |tx| orgs::get(tx, id)).await?.or_not_found("Organization")
}

fn website(raw: &str) -> Result<String, String> {
    let w = text::line(raw, 0, 200)?;
    if w.is_empty() || w.starts_with("https://") || w.starts_with("http://") {
        Ok(w)
    } else {
        Err("must start with http:// or https://".into())
    }
}

/// Applies an admin's edit to the caller's organization.
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id))]
pub async fn update_mine(state: &AppState, ctx: AuthContext, p: OrgPatch) -> AppResult<Organization> {
    let user = caller(state, ctx).await?;
    let org_id = authz::admin_of(&user).map_err(denied)?;
    let mut v = Validator::default();
    let name = p.name.as_deref().map(|x| text::line(x, 2, 100)).and_then(|r| v.check("name", r));
    let industry = p.industry.as_deref().map(|x| text::line(x, 1, 100)).and_then(|r| v.check("industry", r));
    let size = p.size.as_deref().map(|x| text::line(x, 1, 50)).and_then(|r| v.check("size", r));
    let city = p.city.as_deref().map(|x| text::line(x, 1, 100)).and_then(|r| v.check("city", r));
    let country = p.country.as_deref().map(|x| text::line(x, 1, 100)).and_then(|r| v.check("country", r));
    let description =
        p.description.as_deref().map(|x| text::paragraph(x, 5000)).and_then(|r| v.check("description", r));
    let site = p.website.as_deref().map(website).and_then(|r| v.check("website", r));
    v.finish().map_err(AppError::validation)?;
    state
        .store
        .write(move |tx| -> AppResult<_> {
            let mut org = orgs::get(tx, org_id)?.or_not_found("Organization")?;
            let fields = [
                (&mut org.name, name),
                (&mut org.industry, industry),
                (&mut org.size, size),
                (&mut org.city, city),
                (&mut org.country, country),
                (&mut org.description, description),
                (&mut org.website, site),
            ];
            for (slot, value) in fields {
                if let Some(value) = value {
                    *slot = value;
                }
            }
            org.updated_at = now();
            orgs::put(tx, &org)?;
            Ok(org)
        })
        .await
}

/// The public directory: organizations with at least one member, oldest first, filtered.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(
    state: &AppState,
    filter: OrgFilter,
    cursor: Option<&str>,
    limit: usize,
) -> AppResult<Page<Organization>> {
    let mut after = decode_cursor(cursor)?.and_then(|k| OrgId::from_key(&k));
    // Words go through the search index (names, industry, city, description, analyzed as
    // search analyzes them).
    let found: Option<std::collections::HashSet<OrgId>> = match filter.q.clone().filter(|q| !q.trim().is_empty()) {
        Some(q) => super::search::matching(state, q, SearchKind::Organization).await?.map(|found| {
            found
                .into_iter()
                .filter_map(|s| if let Searchable::Organization(id) = s { Some(id) } else { None })
                .collect()
        }),
        None => None,
    };
    let matches = move |o: &Organization| {
        o.member_count > 0
            && found.as_ref().is_none_or(|f| f.contains(&o.id))
            && filter.industry.as_deref().is_none_or(|i| o.industry.eq_ignore_ascii_case(i))
            && filter.city.as_deref().is_none_or(|c| o.city.eq_ignore_ascii_case(c))
            && filter.verified.is_none_or(|v| o.verified == v)
    };
    state
        .store
        .read(move |tx| -> AppResult<_> {
            let (mut items, mut total, mut next_cursor) = (Vec::new(), 0, None);
            // Scan in bounded batches to the end (organizations are few): the page is the first
            // `limit` matches, the total every match.
            loop {
                let batch = orgs::page(tx, after, 200)?;
                let exhausted = batch.len() < 200;
                for org in batch {
                    after = Some(org.id);
                    if matches(&org) {
                        total += 1;
                        if items.len() < limit {
                            items.push(org);
                        } else if next_cursor.is_none() {
                            next_cursor = items.last().map(|o: &Organization| encode_cursor(&o.id.key()));
                        }
                    }
                }
                if exhausted {
                    return Ok(Page { items, next_cursor, total });
                }
            }
        })
        .await
}

/// Marks an organization verified or not (platform admins).
#[tracing::instrument(level = "debug", skip_all, fields(user = %ctx.user_id, id = %id))]
pub async fn set_verified(state: &AppState, ctx: AuthContext, id: OrgId, verified: bool) -> AppResult<Organization> {
    let user = caller(state, ctx).await?;
    authz::platform_admin(&user).map_err(denied)?;
    let by = user.id;
    let (org, told) = state
        .store
        .write(move |tx| -> AppResult<_> {
            let mut org = orgs::get(tx, id)?.or_not_found("Organization")?;
            let newly = verified && !org.verified;
            org.verified = verified;
            org.updated_at = now();
            orgs::put(tx, &org)?;
            // Its admins hear of it (once, when it becomes verified).
            let mut told = Vec::new();
            for member in orgs::member_ids(tx, id, 10_000)?.into_iter().filter(|_| newly) {
                if users::get(tx, member)?.is_some_and(|u| u.org_role == Some(OrgRole::Admin) && u.can_sign_in()) {
                    let kind = NotificationKind::OrgVerified;
                    told.extend(notifications::notify(tx, member, kind, Subject::Organization(id), None, by)?);
                }
            }
            Ok((org, told))
        })
        .await?;
    notifications::publish(state, &told);
    tracing::info!(org = %id, verified, by = %user.id, "organization verification changed");
    Ok(org)
}
