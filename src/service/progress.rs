//! Progress of long-running work (seeding now; reindexing, backups and bench data later),
//! reported to whoever runs it. The service only counts; the command line decides how it is
//! shown (`console`: a bar on a terminal, log lines otherwise).

/// Receives the stages of a long piece of work and how far each has got.
pub trait Progress: Send + Sync {
    /// A stage of `total` steps begins (the one before it is over).
    fn stage(&self, name: &'static str, total: u64);
    /// `n` more steps of the current stage are done.
    fn advance(&self, n: u64);
}

/// Progress nobody watches.
pub struct Silent;

impl Progress for Silent {
    fn stage(&self, _: &'static str, _: u64) {}
    fn advance(&self, _: u64) {}
}
