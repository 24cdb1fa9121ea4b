//! Runs background tasks: the handler given to the job worker.

use std::sync::Arc;

use crate::{
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
            }
        })
    })
}
