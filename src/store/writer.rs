//! Group commit: one writer thread runs every write closure, and one `fsync` makes a whole
//! batch of them durable.
//!
//! A durable redb commit costs one `fsync` under redb's single writer lock, so committing
//! each write on its own caps the write rate at the disk's sync rate (~1,000/s here) long
//! before the CPU is busy. The writer thread instead takes every job queued so far, runs
//! each in its **own** transaction committed with `Durability::None` (a business error
//! aborts only that transaction — no savepoints needed), then commits one empty
//! `Durability::Immediate` transaction, which redb documents as persisting every
//! non-durable commit before it. Only then are the callers answered, so an acknowledged
//! write has reached the disk: a crash loses at most writes nobody was told succeeded.
//!
//! Between a job's non-durable commit and the batch's sync (well under a millisecond plus
//! one `fsync`), readers can already see its data; what they cannot see is an
//! acknowledgement, and events are published by callers only after `write` returns.

use std::{
    panic::AssertUnwindSafe,
    sync::{Arc, mpsc},
    thread::JoinHandle,
};

use redb::{Database, Durability, WriteTransaction};
use tokio::sync::oneshot;

use super::{StoreError, StoreResult};

/// Most jobs committed by one `fsync`: bounds how long the first job of a batch waits.
const MAX_BATCH: usize = 512;

/// What a job leaves behind after its transaction: answers its caller once the batch's
/// durability is known (`Ok` when the sync succeeded).
type Completion = Box<dyn FnOnce(Result<(), String>) + Send>;

/// A queued write: runs its transaction and says whether it committed anything.
type Job = Box<dyn FnOnce(&Database) -> (bool, Completion) + Send>;

/// Handle to the writer thread; dropping the last one stops the thread and waits for it,
/// so the database file is closed when the `Store` is gone.
pub(super) struct Writer {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    /// Starts the writer thread for `db`.
    pub(super) fn start(db: Arc<Database>) -> StoreResult<Self> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || run(&db, &queue))
            .map_err(|e| StoreError::Writer(format!("cannot start the writer thread: {e}")))?;
        Ok(Self { jobs: Some(jobs), thread: Some(thread) })
    }

    /// Runs `f` in its own transaction on the writer thread; resolves after the batch it
    /// belongs to is durable (or at once with `f`'s error, nothing of it kept).
    pub(super) async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&WriteTransaction) -> Result<T, E> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel::<Result<T, E>>();
        let span = tracing::Span::current();
        let job: Job = Box::new(move |db: &Database| {
            let _entered = span.enter();
            match run_transaction(db, f) {
                Ok(out) => {
                    let complete: Completion = Box::new(move |synced| {
                        let _ = answer.send(synced.map(|()| out).map_err(|e| StoreError::Writer(e).into()));
                    });
                    (true, complete)
                }
                Err(e) => {
                    let _ = answer.send(Err(e));
                    (false, Box::new(|_| {}))
                }
            }
        });
        let queue = self.jobs.as_ref().ok_or_else(stopped)?;
        queue.send(job).map_err(|_| stopped())?;
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

/// One job's transaction, committed without waiting for the disk. A panic in `f` aborts
/// the transaction and becomes an error for that caller only; so does `f`'s own error
/// (a business rule), which the store passes through without knowing its type.
fn run_transaction<T, E: From<StoreError>>(
    db: &Database,
    f: impl FnOnce(&WriteTransaction) -> Result<T, E>,
) -> Result<T, E> {
    let mut tx = db.begin_write().map_err(StoreError::from)?;
    tx.set_durability(Durability::None).map_err(|e| StoreError::Writer(e.to_string()))?;
    let out = std::panic::catch_unwind(AssertUnwindSafe(|| f(&tx)))
        .map_err(|_| StoreError::Writer("a write panicked; its transaction was rolled back".into()))??;
    tx.commit().map_err(StoreError::from)?;
    Ok(out)
}

/// The writer loop: wait for a job, take what else is queued, run them, sync once, answer.
fn run(db: &Database, queue: &mpsc::Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut completions = Vec::new();
        let mut committed = false;
        for job in std::iter::once(first).chain(std::iter::from_fn(|| queue.try_recv().ok())).take(MAX_BATCH) {
            let (wrote, complete) = job(db);
            committed |= wrote;
            completions.push(complete);
        }
        let synced = if committed { sync(db) } else { Ok(()) };
        if let Err(e) = &synced {
            tracing::error!(error = %e, batch = completions.len(), "group commit failed to reach the disk");
        }
        for complete in completions {
            complete(synced.clone());
        }
    }
}

/// Makes every earlier non-durable commit durable with one empty `Immediate` commit.
fn sync(db: &Database) -> Result<(), String> {
    let tx = db.begin_write().map_err(|e| e.to_string())?;
    tx.commit().map_err(|e| e.to_string())
}
