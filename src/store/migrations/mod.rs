//! Named schema migrations, run in order at start-up, each in its own write transaction and
//! recorded in `MIGRATIONS` so it runs once. Add a migration by appending to `MIGRATIONS_LIST`;
//! never edit one that has shipped.

mod engagement;
mod organizations;

use redb::Database;

use crate::domain::now_ms;
use crate::store::{self, StoreResult, Tx, put_raw, tables};

type Migration = fn(&Tx) -> StoreResult<()>;

/// Every migration, in order.
const MIGRATIONS_LIST: &[(&str, Migration)] = &[
    ("001_create_tables", migration_001_create_tables),
    ("002_directory_and_invitations", migration_002_directory_and_invitations),
    ("003_media", migration_003_media),
    ("004_forum", migration_004_forum),
    ("005_use_cases", migration_005_use_cases),
    ("006_use_case_drafts", migration_006_use_case_drafts),
    ("007_listing_projections", migration_007_listing_projections),
    ("008_engagement", engagement::migration_008_engagement),
    ("009_use_cases_per_author", migration_009_use_cases_per_author),
    ("010_topics_per_tag", migration_010_topics_per_tag),
    ("011_map_popups", migration_011_map_popups),
    ("012_bookmark_index", migration_012_bookmark_index),
    ("013_use_case_filter_counts", migration_013_use_case_filter_counts),
    ("014_compact_use_case_filters", migration_014_compact_use_case_filters),
    ("015_messaging", migration_015_messaging),
    ("016_notifications", migration_016_notifications),
    ("017_organization_stats", organizations::migration_017_organization_stats),
    ("018_search_queue", migration_018_search_queue),
];

/// Names migrations had in development builds before they were renamed: a store that
/// recorded one is not newer for it.
const RETIRED: &[&str] = &["007_use_case_filters", "007_use_case_listing_indexes"];

/// The schema version this binary writes: how many migrations it knows.
pub fn known_version() -> u64 {
    MIGRATIONS_LIST.len() as u64
}

/// The schema version a store was last migrated to (0 for a new one).
pub fn schema_version(r: &impl store::Reader) -> StoreResult<u64> {
    let raw = r.get_raw(tables::META, b"schema_version")?;
    Ok(raw.and_then(|v| Some(u64::from_be_bytes(v.get(..8)?.try_into().ok()?))).unwrap_or(0))
}

/// Migrations a store has that this binary does not know: a newer binary wrote it.
pub fn unknown(r: &impl store::Reader) -> StoreResult<Vec<String>> {
    let applied = r.range_raw(tables::MIGRATIONS, &[], &[0xff; 64], usize::MAX)?;
    Ok(applied
        .into_iter()
        .map(|(name, _)| String::from_utf8_lossy(&name).into_owned())
        .filter(|name| !MIGRATIONS_LIST.iter().any(|(known, _)| known == name) && !RETIRED.contains(&name.as_str()))
        .collect())
}

/// Runs every migration not yet recorded; logs what ran and what was skipped. A store a
/// newer binary has migrated further is refused, untouched: this binary would not keep the
/// tables it does not know about up to date.
pub fn run(db: &Database) -> StoreResult<()> {
    // The catalogue of applied migrations must exist before it can be consulted.
    let tx = db.begin_write()?;
    Tx::new(&tx).create(tables::MIGRATIONS)?;
    tx.commit()?;
    let tx = db.begin_write()?;
    let (found, newer) = {
        let open = Tx::new(&tx);
        (schema_version(&open)?, unknown(&open)?)
    };
    drop(tx);
    if found > known_version() || !newer.is_empty() {
        return Err(store::StoreError::NewerSchema { found, known: known_version(), migrations: newer.join(", ") });
    }
    for (version, (name, migrate)) in MIGRATIONS_LIST.iter().enumerate() {
        let tx = db.begin_write()?;
        {
            // The migration's tables close before the commit.
            let open = Tx::new(&tx);
            if store::Reader::get_raw(&open, tables::MIGRATIONS, name.as_bytes())?.is_some() {
                tracing::debug!(migration = name, "migration already applied");
                continue;
            }
            migrate(&open)?;
            put_raw(&open, tables::MIGRATIONS, name.as_bytes(), &now_ms().to_be_bytes())?;
            put_raw(&open, tables::META, b"schema_version", &((version + 1) as u64).to_be_bytes())?;
        }
        tx.commit()?;
        tracing::info!(migration = name, "migration applied");
    }
    Ok(())
}

/// Creates the tables of the first release so read transactions never meet a missing table.
fn migration_001_create_tables(tx: &Tx) -> StoreResult<()> {
    use tables::*;
    let first = [
        META,
        MIGRATIONS,
        USERS,
        EMAIL_USER,
        ORGS,
        DOMAIN_ORG,
        ORG_MEMBERS,
        JOIN_REQUESTS,
        ORG_JOIN_REQUESTS,
        SESSIONS,
        USER_SESSIONS,
        CODES,
        LOGIN_FAILURES,
        TRUSTED_DEVICES,
        RESET_TOKENS,
        JOBS,
        JOBS_DUE,
        DEAD_JOBS,
    ];
    for table in first {
        tx.create(table)?;
    }
    Ok(())
}

/// Adds the invitation tables and the directory index, filled from the existing users.
fn migration_002_directory_and_invitations(tx: &Tx) -> StoreResult<()> {
    use tables::*;
    for table in [LISTED_USERS, INVITATIONS, INVITATION_TOKENS, ORG_INVITATIONS] {
        tx.create(table)?;
    }
    let mut after = Vec::new();
    loop {
        let batch = store::Reader::range_raw(tx, USERS, &after, &[0xff; 17], 1000)?;
        let Some((last, _)) = batch.last() else { break };
        after = store::key2(last, &[0]);
        for (key, bytes) in &batch {
            let user: crate::domain::user::User = store::codec::decode(USERS, key, bytes)?;
            store::users::sync_listed(tx, &user)?;
        }
    }
    Ok(())
}

/// Adds the messaging tables: conversations, their messages, blocks, and people's
/// notification preferences; and rewrites every author card with its organization (which
/// conversation lists show beside the other person's name).
fn migration_015_messaging(tx: &Tx) -> StoreResult<()> {
    use tables::*;
    for table in [
        CONVERSATIONS,
        PAIR_CONVERSATIONS,
        USER_CONVERSATIONS,
        MESSAGES,
        MESSAGE_CONVERSATIONS,
        BLOCKS,
        retired::PREFERENCES,
    ] {
        tx.create(table)?;
    }
    for_each(tx, USERS, |key, user: crate::domain::user::User| {
        store::codec::put(tx, USER_CARDS, key, &user.author_card())
    })
}

/// Adds the search index's queue (the index itself is built from the store when it is
/// missing, so nothing needs queueing here).
fn migration_018_search_queue(tx: &Tx) -> StoreResult<()> {
    tx.create(tables::SEARCH_QUEUE)
}

/// Adds the notification tables, topic watchers, the activity feed and trending scores
/// (topics gain a score with their next event).
fn migration_016_notifications(tx: &Tx) -> StoreResult<()> {
    use tables::*;
    let tables = [
        NOTIFICATIONS,
        UNREAD_NOTIFICATIONS,
        NOTIFICATION_GROUPS,
        TARGET_NOTIFICATIONS,
        WATCHERS,
        ACTIVITY,
        ORG_ACTIVITY,
        TARGET_ACTIVITY,
        TOPIC_TRENDING,
        TRENDING_TOPICS,
    ];
    for table in tables {
        tx.create(table)?;
    }
    Ok(())
}

/// Adds the media metadata table.
fn migration_003_media(tx: &Tx) -> StoreResult<()> {
    tx.create(tables::MEDIA)?;
    Ok(())
}

/// Adds the forum tables: topics, replies, their indexes, likes, bookmarks, stats, drafts.
fn migration_004_forum(tx: &Tx) -> StoreResult<()> {
    use tables::*;
    let forum = [
        TOPICS,
        REPLIES,
        TOPIC_REPLIES,
        CATEGORY_TOPICS,
        TAG_TOPICS,
        AUTHOR_TOPICS,
        ACTIVE_TOPICS,
        TOP_TOPICS,
        PINNED_TOPICS,
        retired::TOPIC_VIEWERS,
        retired::LIKES,
        retired::BOOKMARKS,
        USER_STATS,
        REPUTATION,
        retired::FORUM_COUNTERS,
        retired::DRAFTS,
        retired::USER_DRAFTS,
    ];
    for table in forum {
        tx.create(table)?;
    }
    Ok(())
}

/// Adds the use-case tables.
fn migration_005_use_cases(tx: &Tx) -> StoreResult<()> {
    use tables::*;
    for table in [
        USE_CASES,
        USE_CASE_SLUGS,
        USE_CASE_VIEWS,
        USE_CASE_LIKES,
        retired::USE_CASE_VIEWERS,
        retired::USE_CASE_BOOKMARKS,
        USE_CASE_POINTS,
    ] {
        tx.create(table)?;
    }
    Ok(())
}

/// Adds the use-case drafts.
fn migration_006_use_case_drafts(tx: &Tx) -> StoreResult<()> {
    tx.create(tables::retired::USE_CASE_DRAFTS)?;
    tx.create(tables::retired::USER_USE_CASE_DRAFTS)?;
    Ok(())
}

/// Adds what listings read instead of whole records — the use-case filter index and the
/// use-case, author and organization cards — filled from the records already stored.
fn migration_007_listing_projections(tx: &Tx) -> StoreResult<()> {
    use crate::domain::{org::Organization, use_case::UseCase, user::User};
    use tables::*;
    for table in [USE_CASE_FILTERS, USE_CASE_CARDS, USER_CARDS, ORG_CARDS] {
        tx.create(table)?;
    }
    for_each(tx, USE_CASES, |k, u: UseCase| {
        store::use_case_filters::sync(tx, None, Some(&u))?;
        store::codec::put(tx, USE_CASE_CARDS, k, &u.card())
    })?;
    for_each(tx, USERS, |k, u: User| store::codec::put(tx, USER_CARDS, k, &u.author_card()))?;
    for_each(tx, ORGS, |k, o: Organization| store::codec::put(tx, ORG_CARDS, k, &o.card()))
}

/// Counts each author's published use cases into their stats (kept on every write since).
fn migration_009_use_cases_per_author(tx: &Tx) -> StoreResult<()> {
    let mut per_author = std::collections::HashMap::new();
    for_each(tx, tables::USE_CASES, |_, u: crate::domain::use_case::UseCase| {
        *per_author.entry(u.author).or_insert(0u64) += 1;
        Ok(())
    })?;
    for (author, n) in per_author {
        store::stats::adjust_stats(tx, author, |s| s.use_cases = n)?;
    }
    Ok(())
}

/// Counts the topics of each tag (kept on every write since), so a tag's listing has a total.
fn migration_010_topics_per_tag(tx: &Tx) -> StoreResult<()> {
    let mut per_tag = std::collections::HashMap::new();
    for_each(tx, tables::TOPICS, |_, t: crate::domain::forum::Topic| {
        for tag in t.tags {
            *per_tag.entry(tag.to_lowercase()).or_insert(0i64) += 1;
        }
        Ok(())
    })?;
    for (tag, n) in per_tag {
        store::engagement::add(tx, &crate::domain::engagement::Counter::TopicsWithTag(tag), n)?;
    }
    Ok(())
}

/// Fills what a map point's popup shows (organization name, city, headline benefit), which
/// points stored before did not hold.
fn migration_011_map_popups(tx: &Tx) -> StoreResult<()> {
    for_each(tx, tables::USE_CASES, |k, u: crate::domain::use_case::UseCase| {
        store::codec::put(tx, tables::USE_CASE_POINTS, k, &store::use_cases::point(tx, &u)?)
    })
}

/// Adds who-bookmarked-what (so deleting content removes its bookmarks) and each person's
/// bookmark counts, rebuilt from the bookmarks stored (whatever earlier migrations wrote of
/// them); bookmarks of content already deleted go.
fn migration_012_bookmark_index(tx: &Tx) -> StoreResult<()> {
    use crate::domain::{engagement::Counter, engagement::Target, ids::UserId};
    for table in [tables::BOOKMARKERS, tables::COUNTERS] {
        let prefix: &[u8] = if table == tables::COUNTERS { b"bookmarks.user:" } else { b"" };
        for (k, _) in store::scan_prefix(tx, table, prefix, usize::MAX)? {
            store::delete_raw(tx, table, &k)?;
        }
    }
    let mut found = Vec::new();
    each_entry(tx, tables::BOOKMARKS, |k, _| {
        found.push(k.to_vec());
        Ok(())
    })?;
    for k in found {
        let (Some(user), Some(target)) = (UserId::from_key(&k[..16]), Target::from_key(&k[16..])) else { continue };
        let (table, id) = match target {
            Target::Topic(t) => (tables::TOPICS, t.key()),
            Target::Reply(r) => (tables::REPLIES, r.key()),
            Target::UseCase(u) => (tables::USE_CASES, u.key()),
        };
        if store::Reader::get_raw(tx, table, &id)?.is_some() {
            put_raw(tx, tables::BOOKMARKERS, &store::key2(&target.key(), &user.key()), &[])?;
            store::engagement::add(tx, &Counter::BookmarksOf(user, target.kind()), 1)?;
        } else {
            store::delete_raw(tx, tables::BOOKMARKS, &k)?;
        }
    }
    Ok(())
}

/// Counts the use cases of every filter value (kept on every write since), so a filtered
/// listing has its total; the index entries themselves are rewritten unchanged.
fn migration_013_use_case_filter_counts(tx: &Tx) -> StoreResult<()> {
    for_each(tx, tables::USE_CASES, |_, u: crate::domain::use_case::UseCase| {
        store::use_case_filters::sync(tx, None, Some(&u))
    })
}

/// Rewrites the use-case filter index in its compact form (one entry per value with the
/// counts as its value, `featured` for `true` only) and recounts the use cases per value.
fn migration_014_compact_use_case_filters(tx: &Tx) -> StoreResult<()> {
    use crate::domain::engagement::USE_CASES_FILTERED_PREFIX;
    for (table, prefix) in
        [(tables::USE_CASE_FILTERS, &b""[..]), (tables::COUNTERS, USE_CASES_FILTERED_PREFIX.as_bytes())]
    {
        for (k, _) in store::scan_prefix(tx, table, prefix, usize::MAX)? {
            store::delete_raw(tx, table, &k)?;
        }
    }
    for_each(tx, tables::USE_CASES, |_, u: crate::domain::use_case::UseCase| {
        store::use_case_filters::sync(tx, None, Some(&u))
    })
}

/// Calls `f` with every record of `table`, decoded.
fn for_each<T: serde::de::DeserializeOwned>(
    tx: &Tx,
    table: tables::Table,
    mut f: impl FnMut(&[u8], T) -> StoreResult<()>,
) -> StoreResult<()> {
    each_entry(tx, table, |k, v| f(k, store::codec::decode(table, k, v)?))
}

/// Calls `f` with every entry of `table` as stored, 500 at a time.
fn each_entry(tx: &Tx, table: tables::Table, mut f: impl FnMut(&[u8], &[u8]) -> StoreResult<()>) -> StoreResult<()> {
    let mut after = None;
    loop {
        let batch = store::scan_after(tx, table, after.take(), 500)?;
        let Some((last, _)) = batch.last() else { return Ok(()) };
        after = Some(last.clone());
        for (k, v) in &batch {
            f(k, v)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::store::{Store, put_raw, tables};

    /// A migration this binary does not know makes a store newer; one that was only renamed
    /// in development does not.
    #[test]
    fn unknown_migrations_are_newer_unless_retired() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.redb");
        let store = Store::open(&path).unwrap();
        let mark = |name: &'static str| {
            store.write_blocking(|tx| put_raw(tx, tables::MIGRATIONS, name.as_bytes(), &0i64.to_be_bytes())).unwrap();
        };
        mark("007_use_case_filters");
        assert!(store.write_blocking(|tx| super::unknown(tx)).unwrap().is_empty(), "retired names are known");
        mark("999_from_the_future");
        assert_eq!(store.write_blocking(|tx| super::unknown(tx)).unwrap(), vec!["999_from_the_future".to_owned()]);
        drop(store);
        let refused = Store::open(&path).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(refused.contains("written by a newer version") && refused.contains("999_from_the_future"), "{refused}");
    }
}
