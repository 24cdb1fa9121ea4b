//! Runs background tasks: the handler given to the job worker.

use std::sync::Arc;

use crate::{
    domain::mail::Mail,
    jobs::{Handler, Task},
    mail::Mailer,
    state::AppState,
};

/// The handler that executes each `Task` kind.
pub fn handler(state: AppState, mailer: Arc<Mailer>) -> Handler {
    Arc::new(move |task| {
        let mailer = mailer.clone();
        let state = state.clone();
        Box::pin(async move {
            match task {
                Task::SendEmail { to, language, mail } => mailer.send(&to, language, &mail).await,
                Task::Thumbnail { media_id } => super::media::make_thumbnail(&state, media_id).await,
                Task::MessageEmail { conversation, recipient, message } => {
                    match super::messages::away::due(&state, conversation, recipient, message).await? {
                        Some(m) => {
                            let mail =
                                Mail::NewMessage { name: m.name, sender: m.sender, preview: m.preview, link: m.link };
                            mailer.send(&m.to, m.language, &mail).await
                        }
                        None => Ok(()),
                    }
                }
                Task::DiscardUnsent { media_id } => {
                    super::messages::attachments::discard_unsent(&state, media_id).await
                }
                Task::NotifyWatchers { topic, reply, author, skip } => {
                    super::notifications::watchers::fan_out(&state, topic, reply, author, &skip).await
                }
                Task::NotificationEmail { user } => super::notifications::email::run(&state, user).await,
            }
        })
    })
}
