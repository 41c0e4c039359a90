//! Log lines written to memory instead of stdout, for tests of what the function logs.

use std::io;
use std::sync::{Arc, Mutex, PoisonError};

/// A shared buffer that tracing-subscriber can write to; every clone writes to the same one.
#[derive(Debug, Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// A `MakeWriter` for tracing-subscriber: each line goes to this buffer.
    pub fn writer(&self) -> impl Fn() -> Self + Send + Sync + 'static {
        let buffer = self.clone();
        move || buffer.clone()
    }

    /// Everything written so far, as text (bytes that are not UTF-8 replaced).
    #[must_use]
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }
}

impl io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
