//! Typed access to users and the email → user index.

use crate::store::Tx;

use super::{
    Reader, StoreError, StoreResult, codec, delete_raw, put_raw, scan_after,
    tables::{EMAIL_USER, LISTED_USERS, USER_CARDS, USERS},
};
use crate::domain::{
    ids::UserId,
    search::Searchable,
    user::{AuthorCard, User},
};

fn email_taken() -> StoreError {
    StoreError::Duplicate { key: "email" }
}

/// The user with `id`.
pub fn get(r: &impl Reader, id: UserId) -> StoreResult<Option<User>> {
    codec::get(r, USERS, &id.key())
}

/// The user registered with `email` (lower case).
pub fn by_email(r: &impl Reader, email: &str) -> StoreResult<Option<User>> {
    match codec::get_id(r, EMAIL_USER, email.as_bytes())? {
        Some(id) => get(r, UserId::from_key(&id).unwrap_or_default()),
        None => Ok(None),
    }
}

/// Inserts a new user and its email index entry; 409 when the email is taken.
pub fn insert(tx: &Tx, user: &User) -> StoreResult<()> {
    if tx.get_raw(EMAIL_USER, user.email.as_bytes())?.is_some() {
        return Err(email_taken());
    }
    put_raw(tx, EMAIL_USER, user.email.as_bytes(), &user.id.key())?;
    sync_listed(tx, user)?;
    super::search_queue::touch(tx, Searchable::User(user.id))?;
    codec::put(tx, USER_CARDS, &user.id.key(), &user.author_card())?;
    codec::put(tx, USERS, &user.id.key(), user)
}

/// What content shows of the user with `id`.
pub fn author_card(r: &impl Reader, id: UserId) -> StoreResult<Option<AuthorCard>> {
    codec::get(r, USER_CARDS, &id.key())
}

/// Rewrites an existing user, moving the email index entry when the email changed.
pub fn update(tx: &Tx, user: &User) -> StoreResult<()> {
    let old = get(tx, user.id)?;
    if old.as_ref().is_none_or(|o| searched(o) != searched(user)) {
        super::search_queue::touch(tx, Searchable::User(user.id))?;
    }
    if let Some(old) = old
        && old.email != user.email
    {
        if !user.email.is_empty() && tx.get_raw(EMAIL_USER, user.email.as_bytes())?.is_some() {
            return Err(email_taken());
        }
        if !old.email.is_empty() {
            delete_raw(tx, EMAIL_USER, old.email.as_bytes())?;
        }
        if !user.email.is_empty() {
            put_raw(tx, EMAIL_USER, user.email.as_bytes(), &user.id.key())?;
        }
    }
    sync_listed(tx, user)?;
    let card = user.author_card();
    if author_card(tx, user.id)?.as_ref() != Some(&card) {
        codec::put(tx, USER_CARDS, &user.id.key(), &card)?;
        super::use_cases::bump_listing_version(tx)?;
    }
    codec::put(tx, USERS, &user.id.key(), user)
}

/// What search shows of a user (a sign-in does not change it).
fn searched(u: &User) -> impl PartialEq + '_ {
    (u.can_sign_in(), &u.first_name, &u.last_name, &u.title, &u.location, &u.bio, &u.expertise_tags, u.org_id)
}

/// Keeps the directory index in step with the user: listed exactly while they can sign in.
pub fn sync_listed(tx: &Tx, user: &User) -> StoreResult<()> {
    if user.can_sign_in() {
        put_raw(tx, LISTED_USERS, &user.id.key(), &[])
    } else {
        delete_raw(tx, LISTED_USERS, &user.id.key()).map(drop)
    }
}

/// Listed users after `after` (exclusive) in creation order, at most `limit`.
pub fn listed(r: &impl Reader, after: Option<UserId>, limit: usize) -> StoreResult<Vec<UserId>> {
    Ok(scan_after(r, LISTED_USERS, after.map(|a| a.key().to_vec()), limit)?
        .iter()
        .filter_map(|(k, _)| UserId::from_key(k))
        .collect())
}

/// Number of listed users (O(1) in redb).
pub fn listed_count(r: &impl Reader) -> StoreResult<u64> {
    r.len_raw(LISTED_USERS)
}

/// Removes a user record and its email index entry (used when an unverified signup is
/// replaced by a new one for the same email).
pub fn remove(tx: &Tx, user: &User) -> StoreResult<()> {
    delete_raw(tx, EMAIL_USER, user.email.as_bytes())?;
    delete_raw(tx, LISTED_USERS, &user.id.key())?;
    delete_raw(tx, USER_CARDS, &user.id.key())?;
    delete_raw(tx, USERS, &user.id.key())?;
    super::search_queue::touch(tx, Searchable::User(user.id))?;
    Ok(())
}
