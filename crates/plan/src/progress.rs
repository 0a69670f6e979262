//! Progress of long solves, for a display to show (`allot plan` draws a spinner on a terminal):
//! a listener on the solving thread ([`listen`]) receives each [`Report`]. Nothing is reported,
//! and HiGHS gets no callback, unless the thread has a listener.
//!
//! Two kinds of report:
//! - a phase starts (`starts`): `relaxation`, `dive` (with its `round`), `branch and bound`, or
//!   `LP`;
//! - the phase runs, at most every [`EVERY`], from HiGHS's interrupt callbacks: `method`
//!   (`simplex`, `interior point` or `branch and bound`), and `iteration` (simplex or interior
//!   point) or `nodes` and `gap` (branch and bound).
//!
//! The listener also holds a stop flag: once it is set, from any thread (a Ctrl-C handler),
//! HiGHS stops at its next callback, no further solve starts, and the solve returns the best
//! plan it has, if any ([`stopped`]).
//!
//! A thread-local function rather than `tracing` events: `tracing` caches per call site whether
//! anyone listens, and with per-thread subscribers that cache raced between parallel tests (a
//! listener missed the dive's events in CI).

use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Least time between two steps reported in a phase.
pub const EVERY: Duration = Duration::from_millis(250);

thread_local! {
    /// The phase running on this thread (HiGHS calls back on the thread that runs it).
    static PHASE: Cell<&'static str> = const { Cell::new("solve") };
    /// The dive's round, in the dive.
    static ROUND: Cell<Option<u64>> = const { Cell::new(None) };
    /// The most interior-point iterations HiGHS has reported in the phase: it also calls back
    /// from inside an iteration, with a count of 0.
    static IPM: Cell<u64> = const { Cell::new(0) };
    /// When the last step was reported, or `None` when none since the phase started.
    static LAST: Cell<Option<Instant>> = const { Cell::new(None) };
    /// The listener's stop flag for this thread's solves.
    static STOP: RefCell<Option<Arc<AtomicBool>>> = const { RefCell::new(None) };
    /// The listener of this thread's solves.
    static LISTENER: RefCell<Option<Arc<Sink>>> = const { RefCell::new(None) };
}

/// A listener.
type Sink = dyn Fn(&Report) + Send + Sync;

/// Hands `report` to the thread's listener, if any.
fn emit(report: &Report) {
    // The listener is cloned out first, so that it may itself start a solve.
    if let Some(listener) = LISTENER.with_borrow(Clone::clone) {
        listener(report);
    }
}

/// Whether this thread's solves were asked to stop.
pub fn stopped() -> bool {
    STOP.with_borrow(|stop| stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed)))
}

/// Whether this thread's solves have a listener.
pub fn wanted() -> bool {
    LISTENER.with_borrow(Option::is_some)
}

/// Starts a phase.
pub(crate) fn phase(name: &'static str) {
    start(name, None);
}

/// Starts a round of the dive.
pub(crate) fn dive_round(round: usize) {
    start("dive", Some(round as u64));
}

/// Starts a phase, or a round of one, and reports it.
fn start(name: &'static str, round: Option<u64>) {
    PHASE.set(name);
    ROUND.set(round);
    IPM.set(0);
    LAST.set(None);
    if wanted() {
        emit(&Report {
            starts: true,
            phase: name.to_string(),
            round,
            ..Report::default()
        });
    }
}

/// What HiGHS reports from a callback.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Step {
    /// Simplex iterations so far.
    Simplex(u64),
    /// Interior-point iterations so far.
    InteriorPoint(u64),
    /// Branch and bound: nodes so far and the relative gap.
    BranchAndBound {
        /// Nodes.
        nodes: u64,
        /// Relative gap between the best plan and the bound (may be infinite).
        gap: f64,
    },
}

/// Reports a step, unless one was reported less than [`EVERY`] ago in this phase.
pub(crate) fn step(mut step: Step) {
    if let Step::InteriorPoint(n) = &mut step {
        *n = (*n).max(IPM.get());
        IPM.set(*n);
    }
    let now = Instant::now();
    if LAST
        .get()
        .is_some_and(|last| now.duration_since(last) < EVERY)
    {
        return;
    }
    LAST.set(Some(now));
    let mut report = Report {
        phase: PHASE.get().to_string(),
        round: ROUND.get(),
        ..Report::default()
    };
    match step {
        Step::Simplex(n) => {
            report.method = Some("simplex".into());
            report.iteration = Some(n);
        }
        Step::InteriorPoint(n) => {
            report.method = Some("interior point".into());
            report.iteration = Some(n);
        }
        Step::BranchAndBound { nodes, gap } => {
            report.method = Some("branch and bound".into());
            report.nodes = Some(nodes);
            report.gap = Some(gap);
        }
    }
    emit(&report);
}

/// One progress report, as a listener receives it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    /// The phase starts (else it runs).
    pub starts: bool,
    /// `relaxation`, `dive`, `branch and bound`, `LP` or `solve`.
    pub phase: String,
    /// The dive's round.
    pub round: Option<u64>,
    /// `simplex`, `interior point` or `branch and bound`.
    pub method: Option<String>,
    /// Simplex or interior-point iterations so far.
    pub iteration: Option<u64>,
    /// Branch-and-bound nodes so far.
    pub nodes: Option<u64>,
    /// Branch and bound's relative gap (infinite before its first plan).
    pub gap: Option<f64>,
}

impl Report {
    /// One line for a display: `relaxation: interior point, iteration 37`.
    pub fn describe(&self) -> String {
        let mut s = self.phase.clone();
        if let Some(round) = self.round {
            s += &format!(" round {round}");
        }
        match (&self.method, self.iteration, self.nodes) {
            (Some(method), Some(n), _) => s += &format!(": {method}, iteration {n}"),
            (_, _, Some(nodes)) => {
                s += &format!(": {nodes} nodes");
                match self.gap {
                    Some(gap) if gap.is_finite() => s += &format!(", gap {:.2}%", gap * 100.0),
                    _ => s += ", no plan yet",
                }
            }
            _ => {}
        }
        s
    }
}

/// Listening to this thread's solves; dropping it stops listening.
pub struct Listening {
    /// Not `Send`: it belongs to the thread it listens to.
    _thread: std::marker::PhantomData<*const ()>,
}

impl Drop for Listening {
    fn drop(&mut self) {
        STOP.set(None);
        LISTENER.set(None);
    }
}

/// Hands every progress event of solves on this thread to `f` until the result is dropped; once
/// `stop` is set, the thread's solves stop ([`stopped`]).
pub fn listen(stop: Arc<AtomicBool>, f: impl Fn(&Report) + Send + Sync + 'static) -> Listening {
    STOP.set(Some(stop));
    LISTENER.set(Some(Arc::new(f)));
    Listening {
        _thread: std::marker::PhantomData,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_thinned_within_a_phase_and_not_across_phases() {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = seen.clone();
        let _listening = listen(Arc::default(), move |r| {
            sink.lock().expect("lock").push(r.clone())
        });
        phase("relaxation");
        step(Step::InteriorPoint(1));
        step(Step::InteriorPoint(2));
        std::thread::sleep(EVERY);
        step(Step::InteriorPoint(0));
        dive_round(1);
        step(Step::Simplex(10));
        phase("branch and bound");
        step(Step::BranchAndBound {
            nodes: 0,
            gap: f64::INFINITY,
        });
        std::thread::sleep(EVERY);
        step(Step::BranchAndBound {
            nodes: 7,
            gap: 0.0123,
        });
        let lines: Vec<String> = seen
            .lock()
            .expect("lock")
            .iter()
            .map(Report::describe)
            .collect();
        assert_eq!(
            lines,
            [
                "relaxation",
                "relaxation: interior point, iteration 1",
                "relaxation: interior point, iteration 2",
                "dive round 1",
                "dive round 1: simplex, iteration 10",
                "branch and bound",
                "branch and bound: 0 nodes, no plan yet",
                "branch and bound: 7 nodes, gap 1.23%",
            ]
        );
    }
}
