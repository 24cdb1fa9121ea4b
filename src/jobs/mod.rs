//! The persistent background job queue: tasks are written to redb in the same transaction
//! as the change that caused them, then run by a worker with retries, exponential backoff and
//! dead letters. Claimed jobs are leased, so a crash mid-job means it runs again
//! (at-least-once); handlers must therefore be idempotent or harmless to repeat.

use std::{future::Future, pin::Pin, sync::Arc, time::Duration};

use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, watch};

use crate::{
    config::JobsConfig,
    domain::{
        ids::{ConversationId, JobId, MediaId, MessageId, ReplyId, TopicId, UserId},
        mail::Mail,
        now_ms,
        user::Language,
    },
    store::{Store, jobs as table, jobs::Job},
};

/// What a job does.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Task {
    /// Render an email in `language` and send it to `to`. The email is flattened so a job
    /// stays `{"kind": "send_email", "to", "language", "template", "vars"}`, the shape jobs
    /// queued before emails were typed have.
    SendEmail {
        to: String,
        language: Language,
        #[serde(flatten)]
        mail: Mail,
    },
    /// Make the thumbnail of an uploaded image.
    Thumbnail { media_id: MediaId },
    /// Email `recipient` about `message` if it is still unread (they were away when it came).
    MessageEmail { conversation: ConversationId, recipient: UserId, message: MessageId },
    /// Delete a file uploaded for a message if the message was never sent.
    DiscardUnsent { media_id: MediaId },
    /// Notify the watchers of `topic` of `reply` by `author`, except the people in `skip`
    /// (told directly in the reply's transaction).
    NotifyWatchers { topic: TopicId, reply: ReplyId, author: UserId, skip: Vec<UserId> },
    /// Send `user` their coalesced notification email once it is due.
    NotificationEmail { user: UserId },
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

    /// A job running this task `delay_ms` from now.
    pub fn into_job_after(self, delay_ms: i64) -> Job {
        let mut job = self.into_job();
        job.run_at += delay_ms.max(0);
        job
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

/// Claimed jobs run at most this many at once.
const CONCURRENT_JOBS: usize = 4;

/// Runs due jobs until `shutdown` turns true; the jobs in progress are finished first.
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
        // A few at a time: their writes then share the store's commits (one job's batches
        // each wait for a commit otherwise, which bounds a fan-out behind a busy writer),
        // while a burst of thumbnails cannot take every core.
        futures::StreamExt::for_each_concurrent(futures::stream::iter(jobs), CONCURRENT_JOBS, |job| {
            run_one(&store, &config, &handler, job)
        })
        .await;
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn email_jobs_keep_the_shape_older_binaries_queued() {
        let mail = Mail::ResetPassword { name: "Ali".into(), link: "https://p2p.sa/reset-password?token=t".into() };
        let task = Task::SendEmail { to: "ali@cement.sa".into(), language: Language::Ar, mail };
        let expected = json!({
            "kind": "send_email",
            "to": "ali@cement.sa",
            "language": "ar",
            "template": "reset_password",
            "vars": {"name": "Ali", "link": "https://p2p.sa/reset-password?token=t"},
        });
        assert_eq!(serde_json::to_value(&task).unwrap(), expected);
        assert!(matches!(
            serde_json::from_value(expected).unwrap(),
            Task::SendEmail { mail: Mail::ResetPassword { .. }, .. }
        ));
    }

    #[test]
    fn email_jobs_queued_by_the_previous_binary_still_decode() {
        // Older jobs gave every email a `name` and kept whatever extra keys the caller passed
        // (the invitation an empty name, the refusal the public link): extra keys are ignored.
        let old = json!({
            "kind": "send_email",
            "to": "new@cement.sa",
            "template": "invitation",
            "language": "en",
            "vars": {"inviter": "Sara Ali", "organization": "Cement", "link": "https://p2p.sa/join?token=x", "name": ""},
        });
        let Ok(Task::SendEmail { to, language, mail }) = serde_json::from_value::<Task>(old) else {
            panic!("an old invitation job no longer decodes");
        };
        assert_eq!((to.as_str(), language), ("new@cement.sa", Language::En));
        let invitation = Mail::Invitation {
            inviter: "Sara Ali".into(),
            organization: "Cement".into(),
            link: "https://p2p.sa/join?token=x".into(),
        };
        assert_eq!(mail, invitation);
        let rejected = json!({
            "kind": "send_email", "to": "a@b.sa", "template": "join_rejected", "language": "ar",
            "vars": {"organization": "Cement", "link": "https://p2p.sa", "name": "علي"},
        });
        let task: Task = serde_json::from_value(rejected).unwrap();
        assert!(matches!(task, Task::SendEmail { mail: Mail::JoinRejected { ref name, .. }, .. } if name == "علي"));
        let code = json!({
            "kind": "send_email", "to": "a@b.sa", "template": "verify_email", "language": "en",
            "vars": {"code": "123456", "minutes": "10", "name": "Ali"},
        });
        let task: Task = serde_json::from_value(code).unwrap();
        assert!(matches!(task, Task::SendEmail { mail: Mail::VerifyEmail { ref code, .. }, .. } if code == "123456"));
        let thumbnail = json!({"kind": "thumbnail", "media_id": MediaId::new()});
        assert!(matches!(serde_json::from_value(thumbnail).unwrap(), Task::Thumbnail { .. }));
    }
}
