//! A spinner on standard error while a solve runs, drawn from the planner's progress events
//! (`allot_plan::progress`): the phase, and its iterations or branch-and-bound gap. Only on a
//! terminal, so pipes, logs and tests see nothing. There, Ctrl-C stops the solve at the
//! solver's next check and keeps the best plan it has; a second Ctrl-C quits.

use std::io::IsTerminal as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The spinner; cleared when dropped.
pub struct Spinner {
    bar: indicatif::ProgressBar,
    /// The solves' stop flag, set when the spinner goes: no solve is left to stop, so Ctrl-C
    /// then quits at once, as it does by default.
    stop: Arc<AtomicBool>,
    _listening: allot_plan::progress::Listening,
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.bar.finish_and_clear();
    }
}

/// A spinner for the solves this thread runs until it is dropped, when standard error is a
/// terminal; Ctrl-C then stops those solves.
pub fn spinner() -> Option<Spinner> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.set_message("building the model");
    bar.enable_steady_tick(Duration::from_millis(120));
    let stop = Arc::new(AtomicBool::new(false));
    const STOPPING: &str = "stopping at the solver's next check (Ctrl-C again to quit)";
    let (flag, shown) = (stop.clone(), bar.clone());
    // One handler per process; should one be set already, Ctrl-C keeps its default.
    let _ = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            // The one exit not returned to `main`: the solving thread is busy in the solver.
            std::process::exit(i32::from(crate::exit::Exit::Interrupted.code()));
        }
        shown.set_message(STOPPING);
    });
    let (flag, shown) = (stop.clone(), bar.clone());
    let listening = allot_plan::progress::listen(stop.clone(), move |report| {
        if !flag.load(Ordering::Relaxed) {
            shown.set_message(report.describe());
        }
    });
    Some(Spinner {
        bar,
        stop,
        _listening: listening,
    })
}
