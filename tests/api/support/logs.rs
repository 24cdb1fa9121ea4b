//! Server logs captured instead of printed. A test that provokes a failure the server rightly
//! logs at ERROR (a corrupt record, an unwritable media folder, a job given up on) captures
//! the lines, asserts on them, and so keeps them out of a passing run's output.
//!
//! The capture is a thread-local subscriber: with the default current-thread
//! `#[tokio::test]` runtime, the in-process server's request handlers and job worker run on
//! the test's own thread, so their lines land here and nowhere else, while tests running on
//! other threads keep logging through the global subscriber.

use std::{
    io::Write,
    sync::{Arc, Mutex},
};

use tracing::subscriber::DefaultGuard;
use tracing_subscriber::fmt::MakeWriter;

/// The shared buffer the captured lines are written to.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Buffer {
    type Writer = Buffer;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// WARN and ERROR lines logged on this thread since [`capture_logs`]; capturing ends on drop.
pub struct CapturedLogs {
    buffer: Buffer,
    _guard: DefaultGuard,
}

/// Starts capturing this thread's WARN and ERROR lines (the level every test server runs at).
pub fn capture_logs() -> CapturedLogs {
    let buffer = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(buffer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::WARN)
        .finish();
    CapturedLogs { _guard: tracing::subscriber::set_default(subscriber), buffer }
}

impl CapturedLogs {
    /// Every captured line.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.buffer.0.lock().unwrap()).into_owned()
    }

    /// Asserts that a line at `level` (`"ERROR"`, `"WARN"`) contains every one of `needles`.
    pub fn assert_logged(&self, level: &str, needles: &[&str]) {
        let text = self.text();
        let found = text.lines().any(|l| l.contains(&format!(" {level} ")) && needles.iter().all(|n| l.contains(n)));
        assert!(found, "no {level} line with {needles:?} in the captured logs:\n{text}");
    }
}
