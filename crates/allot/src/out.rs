//! Standard output that survives being closed early: `allot plan … | head` must not panic, and
//! must still write every file it was asked to. After the reader goes away, further output is
//! dropped quietly and the command carries on. Any other failure (a full disk: `> /dev/full`)
//! makes the command exit 1 ([`failed`]). Control characters other than newline and tab are
//! escaped on the way out, so no name can send an escape sequence to a terminal.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static CLOSED: AtomicBool = AtomicBool::new(false);
static FAILED: AtomicBool = AtomicBool::new(false);

/// Whether writing standard output failed for another reason than its reader going away;
/// flushes it first, so that a failure of the last buffered line counts.
pub fn failed() -> bool {
    if !CLOSED.load(Ordering::Relaxed)
        && let Err(e) = std::io::stdout().lock().flush()
    {
        CLOSED.store(true, Ordering::Relaxed);
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: standard output failed ({e})");
            FAILED.store(true, Ordering::Relaxed);
        }
    }
    FAILED.load(Ordering::Relaxed)
}

/// Writes `args` (and a newline) to standard output, unless it has been closed.
pub fn write(args: std::fmt::Arguments<'_>, newline: bool) {
    if CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let text = std::fmt::format(args);
    let text = allot_diag::escape_control(&text, true);
    let mut out = std::io::stdout().lock();
    let written = out.write_all(text.as_bytes()).and_then(|()| {
        if newline {
            out.write_all(b"\n")
        } else {
            Ok(())
        }
    });
    if let Err(e) = written {
        CLOSED.store(true, Ordering::Relaxed);
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: standard output failed ({e}); the rest of it is dropped");
            FAILED.store(true, Ordering::Relaxed);
        }
    }
}

/// `println!` through [`write`].
macro_rules! outln {
    () => {
        $crate::out::write(format_args!(""), true)
    };
    ($($arg:tt)*) => {
        $crate::out::write(format_args!($($arg)*), true)
    };
}

/// `print!` through [`write`].
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::out::write(format_args!($($arg)*), false)
    };
}
