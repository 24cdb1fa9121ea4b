//! The coalesced notification email: what a person wants emailed (their settings) joins
//! their pending email in the transaction of the action; one job per person sends it once it
//! is due — `notifications.email_delay_secs` after its first item, so what happens together
//! comes together, and never within `notifications.email_window_secs` of the last one. When
//! it runs, items about content deleted since, likes taken back, and kinds turned off are
//! left out; with nothing left, nothing is sent.

use crate::{
    domain::{
        closed::ClosedSet,
        ids::UserId,
        mail::{DigestLine, Mail},
        notifications::{EmailItem, NotificationKind, Subject},
    },
    error::AppResult,
    jobs::Task,
    service::now,
    state::AppState,
    store::{StoreResult, Tx, engagement, jobs as queue, notifications as store, users},
};

/// Adds what happened to `user`'s next email and makes sure a job will send it (kinds
/// emailed on their own are not part of it).
pub fn add(tx: &Tx, user: UserId, kind: NotificationKind, subject: Subject, actor: UserId) -> StoreResult<()> {
    if kind.emailed_on_its_own() {
        return Ok(());
    }
    let mut pending = store::email_state(tx, user)?;
    pending.push(EmailItem { kind, subject, actor, at: now() });
    if !pending.queued {
        pending.queued = true;
        // The job works out when the email is due (it knows the configuration).
        queue::enqueue(tx, &Task::NotificationEmail { user }.into_job())?;
    }
    store::put_email_state(tx, user, &pending)
}

/// The job: sends `user`'s email if it is due, or waits until it is.
pub async fn run(state: &AppState, user: UserId) -> anyhow::Result<()> {
    let config = state.config.notifications.clone();
    let link = format!("{}/notifications", state.config.public_url);
    state
        .store
        .write(move |tx| -> AppResult<()> {
            let mut pending = store::email_state(tx, user)?;
            let t = now();
            let delay = config.email_delay_secs as i64 * 1000;
            let window = config.email_window_secs as i64 * 1000;
            match pending.due_at(delay, window) {
                Some(due) if due > t => {
                    queue::enqueue(tx, &Task::NotificationEmail { user }.into_job_after(due - t))?;
                    return Ok(());
                }
                _ => {}
            }
            let items = std::mem::take(&mut pending.items);
            pending.queued = false;
            let lines = lines(tx, user, &items)?;
            let person = users::get(tx, user)?.filter(|u| u.can_sign_in());
            if let Some(person) = person.filter(|_| !lines.is_empty()) {
                pending.sent_at = t;
                let mail = Mail::NotificationDigest { name: person.first_name.clone(), items: lines, link };
                let task = Task::SendEmail { to: person.email.clone(), language: person.language, mail };
                queue::enqueue(tx, &task.into_job())?;
            }
            Ok(store::put_email_state(tx, user, &pending)?)
        })
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    state.jobs.wake();
    Ok(())
}

/// The email's lines, newest first: one per kind and subject (likes of one post are one
/// line naming the latest liker), leaving out what is gone or no longer wanted.
fn lines(tx: &Tx, user: UserId, items: &[EmailItem]) -> StoreResult<Vec<DigestLine>> {
    let settings = store::settings(tx, user)?;
    let mut seen: Vec<(NotificationKind, Subject, Vec<UserId>)> = Vec::new();
    for item in items.iter().rev() {
        if !settings.channels(item.kind).email {
            continue;
        }
        // A like taken back since is not news.
        if let (NotificationKind::Liked, Some(target)) = (item.kind, item.subject.target())
            && !engagement::liked(tx, target, item.actor)?
        {
            continue;
        }
        match seen.iter_mut().find(|(k, s, _)| *k == item.kind && *s == item.subject) {
            Some((_, _, actors)) if !actors.contains(&item.actor) => actors.push(item.actor),
            Some(_) => {}
            None => seen.push((item.kind, item.subject, vec![item.actor])),
        }
    }
    let mut out = Vec::with_capacity(seen.len());
    for (kind, subject, actors) in seen {
        let Some(title) = super::title(tx, subject)? else { continue };
        let Some(first) = actors.first() else { continue };
        let actor = users::author_card(tx, *first)?.map(|c| c.name).unwrap_or_default();
        out.push(DigestLine { kind: kind.name().to_owned(), actor, others: (actors.len() - 1).to_string(), title });
    }
    Ok(out)
}
