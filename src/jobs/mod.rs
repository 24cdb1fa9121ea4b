//! The persistent background job queue: tasks are written to redb in the same transaction
//! as the change that caused them, then run by a worker with retries, exponential backoff and
//! dead letters. Claimed jobs are leased, so a crash mid-job means it runs again
//! (at-least-once); handlers must therefore be idempotent or harmless to repeat.

use std::{collections::BTreeMap, future::Future, pin::Pin, sync::Arc, time::Duration};

use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, watch};

use crate::{
    config::JobsConfig,
    domain::{
        ids::{JobId, MediaId},
        now_ms,
        user::Language,
    },
    store::{Store, jobs as table, jobs::Job},
};

/// What a job does.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Task {
    /// Render a template and send it.
    SendEmail { to: String, template: String, language: Language, vars: BTreeMap<String, String> },
    /// Make the thumbnail of an uploaded image.
    Thumbnail { media_id: MediaId },
}

impl Task {
    /// A job running this task now.
    pub fn into_job(self) -> Job {
        let now = now_ms();
        Job {
            id: JobId::new(),
            task: serde_json::to_value(&self).unwrap_or(serde_json::Value::Null),
            attempts: 0,
            run_at: now,
            created_at: now,
            last_error: None,
        }
    }
}

/// Runs one task; an `Err` schedules a retry.
pub type Handler = Arc<dyn Fn(Task) -> Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>> + Send + Sync>;

/// Wakes the worker when a job is queued, so jobs do not wait for the next poll.
#[derive(Clone, Default)]
pub struct JobSignal(Arc<Notify>);

impl JobSignal {
    /// Call after a transaction that enqueued jobs has committed.
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// Runs due jobs until `shutdown` turns true; the job in progress is finished first.
pub async fn run_worker(
    store: Store,
    config: JobsConfig,
    signal: JobSignal,
    handler: Handler,
    mut shutdown: watch::Receiver<bool>,
) {
    let lease_ms = (config.lease_secs * 1000) as i64;
    loop {
        if *shutdown.borrow() {
            break;
        }
        let claimed = store.write(move |tx| table::claim_due(tx, now_ms(), lease_ms, 16)).await;
        let jobs = match claimed {
            Ok(jobs) => jobs,
            Err(e) => {
                tracing::error!(error = %e, "cannot claim jobs");
                Vec::new()
            }
        };
        if jobs.is_empty() {
            tokio::select! {
                _ = signal.0.notified() => {}
                _ = tokio::time::sleep(Duration::from_millis(config.poll_interval_ms)) => {}
                _ = shutdown.changed() => {}
            }
            continue;
        }
        for job in jobs {
            run_one(&store, &config, &handler, job).await;
        }
    }
    tracing::info!("job worker stopped");
}

async fn run_one(store: &Store, config: &JobsConfig, handler: &Handler, mut job: Job) {
    let claimed_at = job.run_at;
    let outcome = match serde_json::from_value::<Task>(job.task.clone()) {
        Ok(task) => handler(task).await,
        Err(e) => Err(anyhow::anyhow!("undecodable task: {e}")),
    };
    let id = job.id;
    let result = match outcome {
        Ok(()) => store.write(move |tx| table::complete(tx, &job)).await,
        Err(e) => {
            job.attempts += 1;
            job.last_error = Some(format!("{e:#}"));
            if job.attempts >= config.max_attempts {
                tracing::error!(job = %id, attempts = job.attempts, error = %e, "job failed for good; moved to dead letters");
                store.write(move |tx| table::bury(tx, &job)).await
            } else {
                let delay = config.backoff_base_secs.saturating_mul(1 << (job.attempts - 1).min(16)) * 1000;
                job.run_at = now_ms() + delay as i64;
                tracing::warn!(job = %id, attempts = job.attempts, retry_in_ms = delay, error = %e, "job failed; will retry");
                store.write(move |tx| table::retry(tx, &job, claimed_at)).await
            }
        }
    };
    if let Err(e) = result {
        tracing::error!(job = %id, error = %e, "cannot record job outcome");
    }
}
