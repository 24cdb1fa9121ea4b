//! Group commit: one writer thread runs the write closures queued so far in **one** redb
//! transaction and commits it durably once, so a whole batch costs one commit and one `fsync`.
//!
//! A durable redb commit costs one `fsync` under redb's single writer lock, and even a
//! non-durable one rewrites every B-tree page the transaction touched up to the root; the
//! pages a create touches (counters, listing versions, the newest end of each index) are the
//! same for every create, so committing each closure on its own rewrote them once per write.
//! The writer thread instead takes every job queued so far (up to `MAX_BATCH`), runs them one
//! after another in one transaction — each sees the writes of those before it, exactly as if
//! they had run alone in that order, through one `Tx`, so each table is opened once per
//! batch — and commits it with `Durability::Immediate`. Only then
//! are the callers answered, so an acknowledged write has reached the disk: a crash loses at
//! most writes nobody was told succeeded.
//!
//! A closure that fails (a business rule, or a panic) must leave nothing behind, while the
//! others in its transaction stay. redb's savepoints can only be taken before a transaction
//! has touched a table, so instead every write a closure makes is recorded as it happens
//! (`redo`): a closure that fails before writing anything — the usual case, since services
//! check before they write — costs nothing; one that fails after writing has the transaction
//! dropped and a new one replays the recorded writes of the closures that succeeded before it
//! (plain puts and deletes, no business logic runs twice), then the batch goes on.
//!
//! Readers see a batch once it is committed; events are published by callers only after
//! `write` returns.

use std::{
    cell::RefCell,
    collections::HashMap,
    panic::AssertUnwindSafe,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
        mpsc,
    },
    thread::JoinHandle,
    time::Instant,
};

use redb::{Database, WriteTransaction};
use tokio::sync::oneshot;

use super::{StoreError, StoreResult, Table, Tx, delete_raw, put_raw};

/// Most jobs in one transaction: bounds how long the first job of a batch waits.
const MAX_BATCH: usize = 256;

/// What a job leaves behind after it ran: answers its caller once the batch's durability is
/// known (`Ok` when the commit reached the disk).
type Completion = Box<dyn FnOnce(Result<(), String>) + Send>;

/// A queued write: runs in the batch's transaction; `Some` completion when it succeeded (its
/// caller waits for the commit), `None` when it failed (its caller already has the error).
type Job = Box<dyn FnOnce(&Tx) -> Option<Completion> + Send>;

/// One write a job made, kept so the job can be replayed into a new transaction.
enum Op {
    Put(Table, Vec<u8>, Vec<u8>),
    Delete(Table, Vec<u8>),
}

/// What closures cost per table on the writer thread: entries written or deleted, the time
/// of those B-tree changes, and the time encoding the records put there.
#[derive(Debug, Default, Clone, Copy)]
pub struct TableTime {
    pub entries: u64,
    pub write_nanos: u64,
    pub encode_nanos: u64,
}

/// What the job running on the writer thread did: its writes, and their cost per table.
#[derive(Default)]
struct Recording {
    ops: Vec<Op>,
    tables: HashMap<&'static str, TableTime>,
}

thread_local! {
    /// The writes of the job running on this thread, while the writer records them.
    static REDO: RefCell<Option<Recording>> = const { RefCell::new(None) };
}

/// Whether this thread is running a job the writer records (then a write is timed).
pub(super) fn recording() -> bool {
    REDO.with(|r| r.borrow().is_some())
}

fn record(table: Table, op: impl FnOnce() -> Op, started: Option<Instant>) {
    REDO.with(|r| {
        if let Some(rec) = r.borrow_mut().as_mut() {
            rec.ops.push(op());
            let t = rec.tables.entry(table.name).or_default();
            t.entries += 1;
            t.write_nanos += started.map_or(0, |s| nanos(s.elapsed()));
        }
    });
}

/// Records a put made by the job running on the writer thread (no-op elsewhere), begun at
/// `started`.
pub(super) fn record_put(table: Table, key: &[u8], value: &[u8], started: Option<Instant>) {
    record(table, || Op::Put(table, key.to_vec(), value.to_vec()), started);
}

/// Records a delete made by the job running on the writer thread (no-op elsewhere).
pub(super) fn record_delete(table: Table, key: &[u8], started: Option<Instant>) {
    record(table, || Op::Delete(table, key.to_vec()), started);
}

/// Records the time a job on the writer thread spent encoding a record for `table`.
pub(super) fn record_encode(table: Table, started: Option<Instant>) {
    let Some(started) = started else { return };
    REDO.with(|r| {
        if let Some(rec) = r.borrow_mut().as_mut() {
            rec.tables.entry(table.name).or_default().encode_nanos += nanos(started.elapsed());
        }
    });
}

/// Running totals of the writer thread, for `/metrics` and the write benchmark's profile.
#[derive(Debug, Default)]
pub struct WriteStats {
    /// Write closures run.
    pub jobs: AtomicU64,
    /// Transactions committed (one per batch).
    pub batches: AtomicU64,
    /// Time spent running closures, in nanoseconds.
    pub job_nanos: AtomicU64,
    /// Time spent committing (writing pages and the `fsync`), in nanoseconds.
    pub commit_nanos: AtomicU64,
    /// Batches replayed into a new transaction after a closure failed having written.
    pub replays: AtomicU64,
    /// Closures queued and not yet taken by the writer thread.
    pub queued: AtomicU64,
    /// Entries written or deleted by closures, and their key and value bytes.
    pub entries: AtomicU64,
    pub entry_bytes: AtomicU64,
    /// The closures' cost per table (by table name).
    pub tables: Mutex<HashMap<&'static str, TableTime>>,
}

/// A reading of the writer's totals, for a scrape.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriteTotals {
    pub jobs: u64,
    pub batches: u64,
    pub job_secs: f64,
    pub commit_secs: f64,
    pub replays: u64,
    pub entries: u64,
    pub entry_bytes: u64,
}

impl WriteStats {
    fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// The totals now.
    pub fn totals(&self) -> WriteTotals {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        WriteTotals {
            jobs: get(&self.jobs),
            batches: get(&self.batches),
            job_secs: get(&self.job_nanos) as f64 / 1e9,
            commit_secs: get(&self.commit_nanos) as f64 / 1e9,
            replays: get(&self.replays),
            entries: get(&self.entries),
            entry_bytes: get(&self.entry_bytes),
        }
    }

    /// The cost per table now, by table name.
    pub fn per_table(&self) -> Vec<(&'static str, TableTime)> {
        self.tables.lock().map(|t| t.iter().map(|(name, time)| (*name, *time)).collect()).unwrap_or_default()
    }
}

/// Handle to the writer thread; dropping the last one stops the thread and waits for it,
/// so the database file is closed when the `Store` is gone.
pub(super) struct Writer {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
    pub(super) stats: Arc<WriteStats>,
}

impl Writer {
    /// Starts the writer thread for `db`.
    pub(super) fn start(db: Arc<Database>) -> StoreResult<Self> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let stats = Arc::new(WriteStats::default());
        let counted = stats.clone();
        let thread = std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || run(&db, &queue, &counted))
            .map_err(|e| StoreError::Writer(format!("cannot start the writer thread: {e}")))?;
        Ok(Self { jobs: Some(jobs), thread: Some(thread), stats })
    }

    /// Runs `f` in the writer's current transaction; resolves after that transaction is
    /// durable (or at once with `f`'s error, nothing of it kept).
    pub(super) async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&Tx) -> Result<T, E> + Send + 'static,
    {
        self.write_then(f, |_: &T| {}).await
    }

    /// As `write`, and `after` runs with the result on the writer thread once the commit is
    /// durable, before the caller is answered: the `after`s of successive writes run in
    /// commit order (what events published from them need).
    pub(super) async fn write_then<T, E, F, A>(&self, f: F, after: A) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&Tx) -> Result<T, E> + Send + 'static,
        A: FnOnce(&T) + Send + 'static,
    {
        let (answer, answered) = oneshot::channel::<Result<T, E>>();
        let span = tracing::Span::current();
        let job: Job = Box::new(move |tx: &Tx| {
            let _entered = span.enter();
            // A panic in `f` is an error for this caller only.
            let out = std::panic::catch_unwind(AssertUnwindSafe(|| f(tx))).unwrap_or_else(|_| {
                Err(StoreError::Writer("a write panicked; what it wrote was rolled back".into()).into())
            });
            match out {
                Ok(out) => Some(Box::new(move |synced: Result<(), String>| {
                    if synced.is_ok() {
                        // A panic here must not take the writer thread down with it.
                        let _ = std::panic::catch_unwind(AssertUnwindSafe(|| after(&out)));
                    }
                    let _ = answer.send(synced.map(|()| out).map_err(|e| StoreError::Writer(e).into()));
                }) as Completion),
                Err(e) => {
                    let _ = answer.send(Err(e));
                    None
                }
            }
        });
        let queue = self.jobs.as_ref().ok_or_else(stopped)?;
        WriteStats::add(&self.stats.queued, 1);
        if queue.send(job).is_err() {
            self.stats.queued.fetch_sub(1, Ordering::Relaxed);
            return Err(stopped().into());
        }
        answered.await.map_err(|_| stopped())?
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.jobs.take();
        if let Some(thread) = self.thread.take() {
            // The last handle can be dropped by a job running on the writer thread itself;
            // joining there would wait forever, and the thread ends on its own anyway.
            if thread.thread().id() != std::thread::current().id() {
                let _ = thread.join();
            }
        }
    }
}

fn stopped() -> StoreError {
    StoreError::Writer("the writer thread stopped".into())
}

/// Runs `job`, returning its completion (if it succeeded) and the writes it made.
fn recorded(tx: &Tx, job: Job, stats: &WriteStats) -> (Option<Completion>, Vec<Op>) {
    REDO.with(|r| *r.borrow_mut() = Some(Recording::default()));
    let done = job(tx);
    let Recording { ops, tables } = REDO.with(|r| r.borrow_mut().take()).unwrap_or_default();
    if let Ok(mut all) = stats.tables.lock() {
        for (name, t) in tables {
            let sum = all.entry(name).or_default();
            sum.entries += t.entries;
            sum.write_nanos += t.write_nanos;
            sum.encode_nanos += t.encode_nanos;
        }
    }
    let bytes = ops.iter().map(|op| match op {
        Op::Put(_, k, v) => k.len() + v.len(),
        Op::Delete(_, k) => k.len(),
    });
    WriteStats::add(&stats.entry_bytes, bytes.sum::<usize>() as u64);
    WriteStats::add(&stats.entries, ops.len() as u64);
    (done, ops)
}

/// Writes the recorded writes of the jobs that succeeded so far into `tx`.
fn replay(tx: &Tx, kept: &[(Vec<Op>, Completion)]) -> StoreResult<()> {
    for (ops, _) in kept {
        for op in ops {
            match op {
                Op::Put(table, key, value) => put_raw(tx, *table, key, value)?,
                Op::Delete(table, key) => drop(delete_raw(tx, *table, key)?),
            }
        }
    }
    Ok(())
}

/// The writer loop: wait for a job, take what else is queued, run them in one transaction,
/// commit it durably, answer.
fn run(db: &Database, queue: &mpsc::Receiver<Job>, stats: &WriteStats) {
    while let Ok(first) = queue.recv() {
        let jobs: Vec<Job> =
            std::iter::once(first).chain(std::iter::from_fn(|| queue.try_recv().ok())).take(MAX_BATCH).collect();
        let batch = jobs.len();
        stats.queued.fetch_sub(batch as u64, Ordering::Relaxed);
        let started = Instant::now();
        let outcome = run_batch(db, jobs, stats);
        let ran = Instant::now();
        let (kept, synced) = match outcome {
            Ok((tx, kept)) => {
                let synced = if kept.is_empty() { Ok(()) } else { tx.commit().map_err(|e| e.to_string()) };
                (kept, synced)
            }
            Err((kept, e)) => (kept, Err(e)),
        };
        WriteStats::add(&stats.jobs, batch as u64);
        WriteStats::add(&stats.batches, 1);
        WriteStats::add(&stats.job_nanos, nanos(ran - started));
        WriteStats::add(&stats.commit_nanos, nanos(ran.elapsed()));
        if let Err(e) = &synced {
            tracing::error!(error = %e, batch, "a write batch failed to reach the disk");
        }
        for (_, complete) in kept {
            complete(synced.clone());
        }
    }
}

/// Jobs that succeeded, with their writes and completions.
type Kept = Vec<(Vec<Op>, Completion)>;

/// Runs `jobs` in one transaction, replaying the succeeded ones into a new transaction when
/// one fails after writing; the transaction to commit and the jobs it holds.
fn run_batch(db: &Database, jobs: Vec<Job>, stats: &WriteStats) -> Result<(WriteTransaction, Kept), (Kept, String)> {
    let mut kept: Kept = Vec::new();
    let mut jobs = jobs.into_iter();
    loop {
        // Nothing ran when the first cannot begin: dropping the jobs tells every caller the
        // store cannot write.
        let tx = db.begin_write().map_err(|e| e.to_string());
        let tx = match tx {
            Ok(tx) => tx,
            Err(e) => return Err((kept, e)),
        };
        // The tables stay open for the whole batch and close when `open` is dropped, before
        // the commit or the restart.
        let failed = {
            let open = Tx::new(&tx);
            if let Err(e) = replay(&open, &kept) {
                return Err((kept, e.to_string()));
            }
            let mut failed = false;
            for job in jobs.by_ref() {
                match recorded(&open, job, stats) {
                    (Some(done), ops) => kept.push((ops, done)),
                    (None, ops) if ops.is_empty() => {}
                    (None, _) => {
                        failed = true;
                        break;
                    }
                }
            }
            failed
        };
        if !failed {
            return Ok((tx, kept));
        }
        // The failed job's writes are in `tx`: drop it and replay the others into a new one.
        WriteStats::add(&stats.replays, 1);
        drop(tx);
    }
}

fn nanos(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use crate::store::{Reader, Store, StoreError, put_raw, tables::META};

    /// Queues `A` (writes, succeeds), `B` (writes, then fails) and `C` (writes, succeeds)
    /// behind a job that holds the writer, so the three run in one transaction.
    #[tokio::test]
    async fn a_failed_closure_leaves_nothing_and_its_batch_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("w.redb")).unwrap();
        let (started, is_started) = std::sync::mpsc::channel::<()>();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let holder = store.clone();
        let hold = tokio::spawn(async move {
            holder
                .write(move |_| {
                    started.send(()).unwrap();
                    released.recv().unwrap();
                    Ok::<_, StoreError>(())
                })
                .await
        });
        tokio::task::spawn_blocking(move || is_started.recv().unwrap()).await.unwrap();
        let write = |key: &'static [u8], fail: bool| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .write(move |tx| {
                        put_raw(tx, META, key, b"1")?;
                        if fail { Err(StoreError::Writer("a business rule said no".into())) } else { Ok(()) }
                    })
                    .await
            })
        };
        let (a, b, c) = (write(b"bench-a", false), write(b"bench-b", true), write(b"bench-c", false));
        // Only once the three wait behind the holder is it let go.
        while store.write_stats().queued.load(Ordering::Relaxed) < 3 {
            tokio::task::yield_now().await;
        }
        release.send(()).unwrap();
        hold.await.unwrap().unwrap();
        assert!(a.await.unwrap().is_ok());
        assert!(b.await.unwrap().is_err());
        assert!(c.await.unwrap().is_ok());
        let stored = store
            .read(|r| {
                Ok::<_, StoreError>([b"bench-a", b"bench-b", b"bench-c"].map(|k| r.get_raw(META, k).unwrap().is_some()))
            })
            .await
            .unwrap();
        assert_eq!(stored, [true, false, true], "B's write is gone, A's and C's kept");
        let stats = store.write_stats();
        assert_eq!(stats.batches.load(Ordering::Relaxed), 2, "A, B and C shared one transaction");
        assert_eq!(stats.replays.load(Ordering::Relaxed), 1, "B's failure replayed A into a new one");
    }
}
