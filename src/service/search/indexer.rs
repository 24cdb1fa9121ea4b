//! The one task that writes the search index: it takes what the writes queued
//! (`store::search_queue`), reads each record as the store has it now, and applies the
//! documents in one commit — at most every `COMMIT_EVERY`, so new content is searchable
//! well within a second — then takes the entries off the queue. A crash between the commit
//! and that leaves them queued, and they are indexed again: the queue is replayed at start.
//!
//! `rebuild` fills an empty index from the whole store (a new, damaged or older index, or
//! `p2p-sandbox reindex`), with its progress in the log; the server runs it in the indexer
//! task, so it serves (and readiness reports the rebuild) meanwhile.

use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::failed;
use crate::{
    domain::search::{SearchDoc, Searchable},
    error::AppResult,
    search::Change,
    state::AppState,
    store::{Reader, StoreResult, forum, orgs, scan_after, search_queue, tables, use_case_filters, use_cases, users},
};

/// Commits at most this often.
const COMMIT_EVERY: Duration = Duration::from_millis(500);
/// How often an idle indexer looks at the queue.
const POLL: Duration = Duration::from_millis(100);
/// Records read and indexed per round.
const BATCH: usize = 2_000;

/// Replies of a topic re-indexed per read (its title and category are theirs too).
const REPLY_PAGE: usize = 500;

/// What `item` is in the index now: its document, or its removal. With `dependents`, the
/// documents that show part of it follow: a topic's replies (its title and category), an
/// organization's people (its name and industry) and its use cases (its name).
fn changes_of(r: &impl Reader, item: Searchable, dependents: bool) -> StoreResult<Vec<Change>> {
    let put = |d: SearchDoc| vec![Change::Put(Box::new(d))];
    let gone = || vec![Change::Delete(item.key())];
    Ok(match item {
        Searchable::User(id) => match users::get(r, id)? {
            Some(u) => {
                let org = u.org_id.map(|o| orgs::get(r, o)).transpose()?.flatten();
                SearchDoc::of_user(&u, org.as_ref()).map_or_else(gone, put)
            }
            None => gone(),
        },
        Searchable::Organization(id) => match orgs::get(r, id)? {
            Some(o) => {
                let mut changes = put(SearchDoc::of_org(&o));
                if dependents {
                    for member in orgs::member_ids(r, id, usize::MAX)? {
                        if let Some(u) = users::get(r, member)? {
                            changes.extend(SearchDoc::of_user(&u, Some(&o)).map(|d| Change::Put(Box::new(d))));
                        }
                    }
                    let own = use_case_filters::prefix(use_case_filters::Field::Organization, &id.key());
                    for (_, use_case) in use_case_filters::scan(r, &own, None, usize::MAX)? {
                        if let Some(u) = use_cases::get(r, use_case)? {
                            changes.push(Change::Put(Box::new(SearchDoc::of_use_case(&u, Some(&o)))));
                        }
                    }
                }
                changes
            }
            None => gone(),
        },
        Searchable::UseCase(id) => match use_cases::get(r, id)? {
            Some(u) => put(SearchDoc::of_use_case(&u, orgs::get(r, u.org)?.as_ref())),
            None => gone(),
        },
        Searchable::Topic(id) => match forum::topic(r, id)? {
            Some(t) => {
                let mut changes = put(SearchDoc::of_topic(&t));
                let mut after = None;
                let mut more = dependents;
                while more {
                    let replies = forum::replies(r, id, after, REPLY_PAGE)?;
                    after = replies.last().map(|reply| reply.id);
                    more = replies.len() == REPLY_PAGE;
                    changes.extend(replies.iter().map(|reply| Change::Put(Box::new(SearchDoc::of_reply(reply, &t)))));
                }
                changes
            }
            None => vec![Change::Delete(item.key()), Change::DeleteRepliesOf(id)],
        },
        Searchable::Reply(id) => match forum::reply(r, id)? {
            Some(reply) => match forum::topic(r, reply.topic)? {
                Some(t) => put(SearchDoc::of_reply(&reply, &t)),
                None => gone(),
            },
            None => gone(),
        },
    })
}

/// Indexes what is queued (one round of at most `BATCH`); returns how many records it took.
pub async fn index_queued(state: &AppState) -> AppResult<usize> {
    let (batch, changes) = state
        .store
        .read(|r| -> AppResult<_> {
            let batch = search_queue::batch(r, BATCH)?;
            let mut changes = Vec::with_capacity(batch.len());
            for (item, _) in &batch {
                changes.extend(changes_of(r, *item, true)?);
            }
            Ok((batch, changes))
        })
        .await?;
    if batch.is_empty() {
        return Ok(0);
    }
    let index = state.search.clone();
    tokio::task::spawn_blocking(move || index.apply(&changes)).await.map_err(failed)?.map_err(failed)?;
    let n = batch.len();
    state.store.write(move |tx| search_queue::done(tx, &batch)).await?;
    Ok(n)
}

/// Indexes until the queue is empty (after `seed`, and in tests that need it now).
pub async fn drain(state: &AppState) -> AppResult<()> {
    while index_queued(state).await? > 0 {}
    Ok(())
}

/// Runs until `stop` turns true: first fills a new index from the store, then indexes what
/// is queued, committing at most every `COMMIT_EVERY`.
pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    while state.search.unbuilt() {
        if let Err(e) = rebuild(&state).await {
            tracing::error!(error = %e.message, "building the search index failed; retrying");
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                _ = stop.changed() => return,
            }
        }
    }
    let mut last_commit = Instant::now() - COMMIT_EVERY;
    loop {
        if *stop.borrow() {
            return;
        }
        let wait = COMMIT_EVERY.saturating_sub(last_commit.elapsed()).max(POLL);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => {}
        }
        match index_queued(&state).await {
            Ok(0) => {}
            Ok(n) => {
                last_commit = Instant::now();
                tracing::debug!(records = n, "search index updated");
            }
            Err(e) => tracing::error!(error = %e.message, "search indexing failed; retrying"),
        }
    }
}

/// What a table's key names.
type KeyOf = fn(&[u8]) -> Option<Searchable>;

/// Adds every record of `table` to the index, a thousand per read; returns how many. The
/// analysis runs on the read's blocking thread, never on the runtime's.
async fn add_all(state: &AppState, table: tables::Table, what: KeyOf) -> AppResult<u64> {
    let mut after: Option<Vec<u8>> = None;
    let mut n = 0;
    loop {
        let (from, index) = (after.clone(), state.search.clone());
        let (last, count) = state
            .store
            .read(move |r| -> AppResult<_> {
                let keys = scan_after(r, table, from, 1_000)?;
                let mut changes = Vec::with_capacity(keys.len());
                for (k, _) in &keys {
                    if let Some(item) = what(k) {
                        // Every record is read once, so nothing needs to follow its dependents.
                        let found = changes_of(r, item, false)?;
                        changes.extend(found.into_iter().filter(|c| matches!(c, Change::Put(_))));
                    }
                }
                index.add(&changes).map_err(failed)?;
                Ok((keys.last().map(|(k, _)| k.clone()), keys.len()))
            })
            .await?;
        let Some(last) = last else { return Ok(n) };
        n += count as u64;
        after = Some(last);
    }
}

/// Queue entries taken off per write transaction once a rebuild has covered them.
const COVERED_PER_TX: usize = 10_000;

/// Fills the (empty) index from the whole store, logging its progress. What was queued
/// before it began is covered by it (every record is read after that) and taken off the
/// queue — after a bulk load that is every record, which would otherwise be indexed twice;
/// what was queued since is then indexed as usual.
pub async fn rebuild(state: &AppState) -> AppResult<()> {
    let started = Instant::now();
    tracing::info!("building the search index from the store");
    let covered = state.store.read(|r| search_queue::batch(r, usize::MAX)).await?;
    let index = state.search.clone();
    let cleared = index.clone();
    tokio::task::spawn_blocking(move || cleared.clear()).await.map_err(failed)?.map_err(failed)?;
    let sources: [(&str, tables::Table, KeyOf); 5] = [
        ("people", tables::USERS, |k| crate::domain::ids::UserId::from_key(k).map(Searchable::User)),
        ("organizations", tables::ORGS, |k| crate::domain::ids::OrgId::from_key(k).map(Searchable::Organization)),
        ("use cases", tables::USE_CASES, |k| crate::domain::ids::UseCaseId::from_key(k).map(Searchable::UseCase)),
        ("topics", tables::TOPICS, |k| crate::domain::ids::TopicId::from_key(k).map(Searchable::Topic)),
        ("replies", tables::REPLIES, |k| crate::domain::ids::ReplyId::from_key(k).map(Searchable::Reply)),
    ];
    for (name, table, what) in sources {
        let n = add_all(state, table, what).await?;
        tracing::info!(
            records = n,
            kind = name,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "search index: indexed"
        );
    }
    let commit = index.clone();
    tokio::task::spawn_blocking(move || {
        commit.commit()?;
        commit.mark_built()
    })
    .await
    .map_err(failed)?
    .map_err(failed)?;
    for chunk in covered.chunks(COVERED_PER_TX) {
        let chunk = chunk.to_vec();
        state.store.write(move |tx| search_queue::done(tx, &chunk)).await?;
    }
    drain(state).await?;
    let docs = index.num_docs();
    tracing::info!(documents = docs, elapsed_ms = started.elapsed().as_millis() as u64, "search index built");
    Ok(())
}
