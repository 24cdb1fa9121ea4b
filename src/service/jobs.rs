//! Runs background tasks: the handler given to the job worker.

use std::sync::Arc;

use crate::{
    jobs::{Handler, Task},
    mail::Mailer,
};

/// The handler that executes each `Task` kind.
pub fn handler(mailer: Arc<Mailer>) -> Handler {
    Arc::new(move |task| {
        let mailer = mailer.clone();
        Box::pin(async move {
            match task {
                Task::SendEmail {
                    to,
                    template,
                    language,
                    vars,
                } => mailer.send(&to, &template, language, &vars).await,
            }
        })
    })
}
