//! A spinner on standard error while a solve runs, drawn from the planner's progress events
//! (`allot_plan::progress`): the phase, and its iterations or branch-and-bound gap. Only on a
//! terminal, so pipes, logs and tests see nothing.

use std::io::IsTerminal as _;
use std::time::Duration;

/// The spinner; cleared when dropped.
pub struct Spinner {
    bar: indicatif::ProgressBar,
    _listening: tracing::subscriber::DefaultGuard,
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// A spinner for the solves this thread runs until it is dropped, when standard error is a
/// terminal.
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
    let shown = bar.clone();
    let listening =
        allot_plan::progress::listen(move |report| shown.set_message(report.describe()));
    Some(Spinner {
        bar,
        _listening: listening,
    })
}
