//! What the command line shows while long work runs: an `indicatif` bar with counts, rate
//! and ETA when stderr is a terminal; otherwise (a container's log, a pipe) a line with the
//! same figures when a stage starts, every `LINE_EVERY` and when it ends, so a log shows the
//! work moving without a line per step.

use std::{
    io::IsTerminal,
    sync::Mutex,
    time::{Duration, Instant},
};

use indicatif::{ProgressBar, ProgressStyle};

use crate::service::progress::Progress;

/// Time between two log lines of one stage.
const LINE_EVERY: Duration = Duration::from_secs(2);

/// Progress on stderr (see the module header).
pub struct ConsoleProgress {
    terminal: bool,
    current: Mutex<Option<Stage>>,
}

struct Stage {
    name: &'static str,
    total: u64,
    done: u64,
    started: Instant,
    last_line: Instant,
    bar: Option<ProgressBar>,
}

impl Stage {
    /// `name: done/total (rate/s, ETA)` for a log line.
    fn line(&self) -> String {
        let secs = self.started.elapsed().as_secs_f64();
        let rate = if secs > 0.0 { self.done as f64 / secs } else { 0.0 };
        let left = self.total.saturating_sub(self.done);
        let eta = if left == 0 {
            format!("done in {secs:.1} s")
        } else if rate > 0.0 {
            format!("ETA {:.0} s", left as f64 / rate)
        } else {
            "ETA unknown".to_owned()
        };
        format!("{}: {}/{} ({rate:.1}/s, {eta})", self.name, self.done, self.total)
    }
}

impl ConsoleProgress {
    /// Progress drawn as a bar if stderr is a terminal, logged as lines otherwise.
    pub fn new() -> Self {
        Self { terminal: std::io::stderr().is_terminal(), current: Mutex::new(None) }
    }

    fn with(&self, f: impl FnOnce(&mut Option<Stage>)) {
        let mut current = match self.current.lock() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut current);
    }
}

impl Default for ConsoleProgress {
    fn default() -> Self {
        Self::new()
    }
}

impl Progress for ConsoleProgress {
    fn stage(&self, name: &'static str, total: u64) {
        let bar = self.terminal.then(|| {
            let style = ProgressStyle::with_template("{msg:>28} [{bar:30}] {pos}/{len} {per_sec} ETA {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar());
            ProgressBar::new(total).with_style(style).with_message(name)
        });
        let now = Instant::now();
        let stage = Stage { name, total, done: 0, started: now, last_line: now, bar };
        if stage.bar.is_none() {
            eprintln!("{}", stage.line());
        }
        self.with(|current| {
            if let Some(bar) = current.take().and_then(|s| s.bar) {
                bar.finish();
            }
            *current = Some(stage);
        });
    }

    fn advance(&self, n: u64) {
        self.with(|current| {
            let Some(stage) = current.as_mut() else { return };
            stage.done = (stage.done + n).min(stage.total);
            let over = stage.done == stage.total;
            match &stage.bar {
                Some(bar) => {
                    bar.inc(n);
                    if over {
                        bar.finish();
                    }
                }
                None if over || stage.last_line.elapsed() >= LINE_EVERY => {
                    stage.last_line = Instant::now();
                    eprintln!("{}", stage.line());
                }
                None => {}
            }
        });
    }
}
