//! redb storage: the `Store` handle, its read/write funnels and the raw byte-level access
//! every typed accessor module builds on.
//!
//! No transaction runs on the async runtime: reads run on a blocking thread
//! (`spawn_blocking`), writes on the writer thread (`writer`, group commit). A write closure
//! does all its table work synchronously and returns; `write` resolves only once the
//! transaction is durable on disk, so no write transaction ever lives across an `.await`,
//! and side effects that callers perform after `write` returns happen only for committed,
//! durable data.

pub mod activity;
pub mod backup;
pub mod codec;
pub mod engagement;
pub mod forum;
pub mod invitations;
pub mod jobs;
pub mod media;
pub mod messages;
pub mod migrations;
pub mod notifications;
pub mod org_stats;
pub mod orgs;
pub mod search_queue;
pub mod security;
pub mod sessions;
pub mod space;
pub mod stats;
pub mod tables;
pub mod trending;
mod tx;
pub mod use_case_filters;
pub mod use_cases;
pub mod users;
mod writer;

pub use tx::Tx;
pub use writer::{TableTime, WriteStats, WriteTotals};

use std::{cell::RefCell, path::Path, rc::Rc, sync::Arc};

use redb::{Database, ReadOnlyTable, ReadTransaction, ReadableDatabase, ReadableTable, ReadableTableMetadata};

pub use tables::Table;

/// Errors from the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// redb failed (I/O, corruption detected by redb, …).
    #[error("database error: {0}")]
    Db(#[from] redb::Error),
    /// A record did not decode; names the table and key so the log points at it.
    #[error("corrupt record in table `{table}` at key {key}")]
    Corrupt { table: &'static str, key: String },
    /// A record could not be encoded.
    #[error("cannot encode record for table `{table}`: {reason}")]
    Encode { table: &'static str, reason: String },
    /// The blocking task running the transaction failed.
    #[error("storage task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    /// The writer thread failed a write (panic in the closure, failed sync, stopped).
    #[error("storage writer: {0}")]
    Writer(String),
    /// A unique key (e.g. `email`) is already taken; nothing was written.
    #[error("duplicate {key}")]
    Duplicate { key: &'static str },
    /// The store was migrated by a newer binary; it is left untouched.
    #[error(
        "the store was written by a newer version of p2p-sandbox (schema {found}, this binary knows {known}; \
         unknown migrations: {migrations}): run that version or a later one, or restore a backup made by this one"
    )]
    NewerSchema { found: u64, known: u64, migrations: String },
    /// Too little room is left for the store to grow; nothing was written.
    #[error("storage full: {headroom} bytes left for the store, writes need {reserve}")]
    Full { headroom: u64, reserve: u64 },
}

impl StoreError {
    /// Whether this is the disk (or the file-size limit) running out, whether the guard saw it
    /// coming (`Full`) or redb met it.
    pub fn is_full(&self) -> bool {
        match self {
            Self::Full { .. } => true,
            Self::Db(redb::Error::Io(e)) => matches!(
                e.kind(),
                std::io::ErrorKind::StorageFull | std::io::ErrorKind::FileTooLarge | std::io::ErrorKind::QuotaExceeded
            ),
            _ => false,
        }
    }
}

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                Self::Db(e.into())
            }
        }
    )*};
}
from_redb!(redb::DatabaseError, redb::TransactionError, redb::TableError, redb::StorageError, redb::CommitError);

/// Result of storage operations.
pub type StoreResult<T> = Result<T, StoreError>;

/// The page cache of a store opened without a configured size (tools, benchmarks): 64 MiB.
pub const DEFAULT_CACHE_BYTES: usize = 64 << 20;
/// The room a store opened without a configured reserve keeps (see `space`).
pub const DEFAULT_RESERVE_BYTES: u64 = 64 << 20;

/// Cheap clonable handle to the database.
#[derive(Clone)]
pub struct Store {
    db: Arc<Database>,
    writer: Arc<writer::Writer>,
    /// Read transactions running at once. Reads are CPU work on cached pages: more of them
    /// than cores only makes the OS time-slice between them, which stretches every one; the
    /// semaphore queues the rest in arrival order instead.
    reads: Arc<tokio::sync::Semaphore>,
    /// Writes are refused while the room left to grow is below the reserve.
    space: Arc<space::SpaceGuard>,
}

impl Store {
    /// Opens (or creates) the database file and runs pending migrations.
    pub fn open(path: &Path) -> StoreResult<Self> {
        Self::open_with_cache(path, DEFAULT_CACHE_BYTES)
    }

    /// Opens (or creates) the store at `path` with a page cache of `cache_bytes`, refusing
    /// writes while less than `DEFAULT_RESERVE_BYTES` is left to grow.
    pub fn open_with_cache(path: &Path, cache_bytes: usize) -> StoreResult<Self> {
        Self::open_with(path, cache_bytes, DEFAULT_RESERVE_BYTES)
    }

    /// Opens (or creates) the store at `path` with a page cache of `cache_bytes`, refusing
    /// writes while less than `reserve` bytes are left to grow (0: never).
    pub fn open_with(path: &Path, cache_bytes: usize, reserve: u64) -> StoreResult<Self> {
        let db = Arc::new(Database::builder().set_cache_size(cache_bytes).create(path)?);
        migrations::run(&db)?;
        let writer = Arc::new(writer::Writer::start(db.clone())?);
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let space = Arc::new(space::SpaceGuard::new(path, reserve));
        Ok(Self { db, writer, reads: Arc::new(tokio::sync::Semaphore::new(2 * cores)), space })
    }

    /// Runs `f` on a read snapshot on a blocking thread; `f`'s error type is the caller's
    /// (the store only needs to turn its own errors into it).
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&Snapshot) -> Result<T, E> + Send + 'static,
    {
        let db = self.db.clone();
        let span = tracing::Span::current();
        // The semaphore is never closed, so a permit always comes.
        let _permit = self.reads.acquire().await.ok();
        tokio::task::spawn_blocking(move || {
            let _entered = span.enter();
            f(&Snapshot::new(db.begin_read().map_err(StoreError::from)?))
        })
        .await
        .map_err(StoreError::from)?
    }

    /// Runs `f` in a write transaction on the writer thread and commits when it returns
    /// `Ok`, resolving once the commit is durable; an `Err` drops the transaction, so
    /// nothing it wrote is kept. Concurrent writes share one disk sync (see `writer`).
    /// `f`'s error type is the caller's: a business rule aborts the transaction with its own
    /// error, which the store passes through without knowing it.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&Tx) -> Result<T, E> + Send + 'static,
    {
        self.space.check()?;
        self.writer.write(f).await
    }

    /// As `write`, then `after` runs with the result on the writer thread once the commit is
    /// durable, in commit order across writes (events that must reach subscribers in the
    /// order their writes committed are published from it). Keep it short: it holds the
    /// writer thread.
    pub async fn write_then<T, E, F, A>(&self, f: F, after: A) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&Tx) -> Result<T, E> + Send + 'static,
        A: FnOnce(&T) + Send + 'static,
    {
        self.space.check()?;
        self.writer.write_then(f, after).await
    }

    /// The room left for the store to grow, and the reserve below which writes are refused.
    pub fn space(&self) -> &space::SpaceGuard {
        &self.space
    }

    /// The writer thread's running totals (closures, batches, time in each).
    pub fn write_stats(&self) -> &WriteStats {
        &self.writer.stats
    }

    /// Runs a write synchronously (start-up and CLI paths only, never on the runtime).
    pub fn write_blocking<T>(&self, f: impl FnOnce(&Tx) -> StoreResult<T>) -> StoreResult<T> {
        let tx = self.db.begin_write()?;
        let out = f(&Tx::new(&tx))?;
        tx.commit()?;
        Ok(out)
    }
}

/// A read transaction that keeps the tables it opened: a listing reads a few tables many
/// times each, and opening a table is itself a lookup in redb's table tree.
pub struct Snapshot {
    tx: ReadTransaction,
    open: RefCell<Vec<(&'static str, Rc<BytesTable>)>>,
}

/// An open read-only table of the catalogue (bytes → bytes).
type BytesTable = ReadOnlyTable<&'static [u8], &'static [u8]>;

impl Snapshot {
    fn new(tx: ReadTransaction) -> Self {
        Self { tx, open: RefCell::new(Vec::new()) }
    }

    fn table(&self, table: Table) -> StoreResult<Rc<BytesTable>> {
        if let Some((_, t)) = self.open.borrow().iter().find(|(name, _)| *name == table.name) {
            return Ok(t.clone());
        }
        let t = Rc::new(self.tx.open_table(table.def())?);
        self.open.borrow_mut().push((table.name, t.clone()));
        Ok(t)
    }
}

impl OpenTables for Snapshot {
    type Open = BytesTable;
    fn with_open<T>(&self, table: Table, f: impl FnOnce(&BytesTable) -> StoreResult<T>) -> StoreResult<T> {
        f(&*self.table(table)?)
    }
}

/// Where the `Reader` methods find an open table: a read `Snapshot`'s or a write `Tx`'s (each
/// keeps the tables it opened), so the byte-level reads are written once for both.
pub trait OpenTables {
    /// An open table of the catalogue (bytes → bytes).
    type Open: ReadableTable<&'static [u8], &'static [u8]>;
    /// Runs `f` on `table`, opened on first use.
    fn with_open<T>(&self, table: Table, f: impl FnOnce(&Self::Open) -> StoreResult<T>) -> StoreResult<T>;
}

impl<O: OpenTables> Reader for O {
    fn get_with<T>(&self, table: Table, key: &[u8], f: impl FnOnce(&[u8]) -> StoreResult<T>) -> StoreResult<Option<T>> {
        self.with_open(table, |t| get_in(t, key, f))
    }
    fn range_raw(&self, table: Table, start: &[u8], end: &[u8], limit: usize) -> StoreResult<Vec<(Vec<u8>, Vec<u8>)>> {
        self.with_open(table, |t| collect_range(t, start, end, limit, false))
    }
    fn range_rev_raw(
        &self,
        table: Table,
        start: &[u8],
        end: &[u8],
        limit: usize,
    ) -> StoreResult<Vec<(Vec<u8>, Vec<u8>)>> {
        self.with_open(table, |t| collect_range(t, start, end, limit, true))
    }
    fn len_raw(&self, table: Table) -> StoreResult<u64> {
        self.with_open(table, |t| Ok(t.len()?))
    }
}

/// Byte-level reads shared by read snapshots and write transactions, so typed accessors are written
/// once for both.
pub trait Reader {
    /// The value at `key`, if any.
    fn get_raw(&self, table: Table, key: &[u8]) -> StoreResult<Option<Vec<u8>>> {
        self.get_with(table, key, |v| Ok(v.to_vec()))
    }
    /// `f` applied to the value at `key` where it is stored, without copying it out.
    fn get_with<T>(&self, table: Table, key: &[u8], f: impl FnOnce(&[u8]) -> StoreResult<T>) -> StoreResult<Option<T>>;
    /// Up to `limit` entries with `start <= key < end`, in key order.
    fn range_raw(&self, table: Table, start: &[u8], end: &[u8], limit: usize) -> StoreResult<Vec<(Vec<u8>, Vec<u8>)>>;
    /// Up to `limit` entries with `start <= key < end`, in reverse key order.
    fn range_rev_raw(
        &self,
        table: Table,
        start: &[u8],
        end: &[u8],
        limit: usize,
    ) -> StoreResult<Vec<(Vec<u8>, Vec<u8>)>>;
    /// Number of entries in the table.
    fn len_raw(&self, table: Table) -> StoreResult<u64>;
}

fn collect_range(
    t: &impl ReadableTable<&'static [u8], &'static [u8]>,
    start: &[u8],
    end: &[u8],
    limit: usize,
    reverse: bool,
) -> StoreResult<Vec<(Vec<u8>, Vec<u8>)>> {
    let mut out = Vec::new();
    let range = t.range::<&[u8]>(start..end)?;
    type Entry<'a> =
        Result<(redb::AccessGuard<'a, &'static [u8]>, redb::AccessGuard<'a, &'static [u8]>), redb::StorageError>;
    let mut push = |entry: Entry| {
        let (k, v) = entry?;
        out.push((k.value().to_vec(), v.value().to_vec()));
        Ok::<(), StoreError>(())
    };
    if reverse {
        for entry in range.rev().take(limit) {
            push(entry)?;
        }
    } else {
        for entry in range.take(limit) {
            push(entry)?;
        }
    }
    Ok(out)
}

fn get_in<T>(
    t: &impl ReadableTable<&'static [u8], &'static [u8]>,
    key: &[u8],
    f: impl FnOnce(&[u8]) -> StoreResult<T>,
) -> StoreResult<Option<T>> {
    t.get(key)?.map(|v| f(v.value())).transpose()
}

/// Writes `value` at `key`.
pub fn put_raw(tx: &Tx, table: Table, key: &[u8], value: &[u8]) -> StoreResult<()> {
    let started = writer::recording().then(std::time::Instant::now);
    tx.with(table, |t| Ok(t.insert(key, value).map(drop)?))?;
    writer::record_put(table, key, value, started);
    Ok(())
}

/// Removes `key`; true when something was there.
pub fn delete_raw(tx: &Tx, table: Table, key: &[u8]) -> StoreResult<bool> {
    let started = writer::recording().then(std::time::Instant::now);
    let removed = tx.with(table, |t| Ok(t.remove(key)?.is_some()))?;
    writer::record_delete(table, key, started);
    Ok(removed)
}

/// Every key starting with `prefix` (bounded by `limit`), for composite-key indexes.
pub fn scan_prefix(r: &impl Reader, table: Table, prefix: &[u8], limit: usize) -> StoreResult<Vec<(Vec<u8>, Vec<u8>)>> {
    match prefix_end(prefix) {
        Some(end) => r.range_raw(table, prefix, &end, limit),
        None => r.range_raw(table, prefix, &[0xff; 64], limit),
    }
}

/// Up to `limit` entries with keys strictly after `after` (from the start when `None`).
pub fn scan_after(
    r: &impl Reader,
    table: Table,
    after: Option<Vec<u8>>,
    limit: usize,
) -> StoreResult<Vec<(Vec<u8>, Vec<u8>)>> {
    let start = after.map(|mut k| {
        k.push(0);
        k
    });
    r.range_raw(table, start.as_deref().unwrap_or(&[]), &[0xff; 64], limit)
}

/// The smallest key greater than every key starting with `prefix`.
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Concatenates key parts into one composite key.
pub fn key2(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(a.len() + b.len());
    k.extend_from_slice(a);
    k.extend_from_slice(b);
    k
}
