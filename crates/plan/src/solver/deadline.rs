//! One deadline for a whole command (issue 22, item 6): `--time-limit` is a wall-clock budget
//! that every solve a command makes draws from (the plan, its explanations, the risk samples,
//! a why-not's two plans, a shard's samples), not a fresh limit per solve. Carried in
//! [`super::SolveSettings::deadline`], so that whatever passes the settings down passes it.

use std::time::{Duration, Instant};

/// Why a solve did not start.
pub const PASSED: &str = "the command's time limit had passed before this solve started";

/// The instant by which a command's solves must end; none for no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Deadline(Option<Instant>);

impl Deadline {
    /// No deadline.
    pub const NONE: Deadline = Deadline(None);

    /// `seconds` from now; none when `seconds` is infinite, NaN or too far to represent.
    pub fn after(seconds: f64) -> Deadline {
        Self::after_from(Instant::now(), seconds)
    }

    /// `seconds` from `start`; none when `seconds` is infinite, NaN or too far to represent.
    pub fn after_from(start: Instant, seconds: f64) -> Deadline {
        let end = Duration::try_from_secs_f64(seconds.max(0.0))
            .ok()
            .and_then(|d| start.checked_add(d));
        Deadline(end)
    }

    /// The earlier of the two.
    pub fn min(self, other: Deadline) -> Deadline {
        match (self.0, other.0) {
            (Some(a), Some(b)) => Deadline(Some(a.min(b))),
            (a, b) => Deadline(a.or(b)),
        }
    }

    /// Seconds left, from 0 up; infinite with no deadline.
    pub fn seconds_left(&self) -> f64 {
        self.0.map_or(f64::INFINITY, |end| {
            end.saturating_duration_since(Instant::now()).as_secs_f64()
        })
    }

    /// Whether the deadline has passed (never with none).
    pub fn passed(&self) -> bool {
        self.0.is_some_and(|end| Instant::now() >= end)
    }

    /// Whether there is a deadline.
    pub fn is_set(&self) -> bool {
        self.0.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_shrinks_and_passes() {
        let start = Instant::now();
        let d = Deadline::after_from(start, 0.05);
        let first = d.seconds_left();
        assert!(first <= 0.05 && first > 0.0, "{first}");
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(d.seconds_left(), 0.0);
        assert!(d.passed());
        assert!(!Deadline::NONE.passed());
        assert_eq!(Deadline::NONE.seconds_left(), f64::INFINITY);
        assert_eq!(Deadline::after(f64::INFINITY), Deadline::NONE);
        let earlier = Deadline::after_from(start, 0.01);
        assert_eq!(d.min(earlier), earlier);
        assert_eq!(Deadline::NONE.min(earlier), earlier);
    }

    /// Every solve of a command draws from one budget: the limit each is given shrinks as the
    /// deadline nears, and once it has passed no solve starts (status `time_limit_no_solution`).
    #[test]
    fn the_limit_given_to_each_solve_shrinks_to_the_deadline() {
        let settings = crate::SolveSettings {
            time_limit_s: 60.0,
            deadline: Deadline::after(0.2),
            ..crate::SolveSettings::default()
        };
        let first = settings.now().expect("before the deadline").time_limit_s;
        assert!(first <= 0.2 && first > 0.0, "{first}");
        std::thread::sleep(Duration::from_millis(50));
        let second = settings.now().expect("before the deadline").time_limit_s;
        assert!(second < first && second <= 0.15, "{first} then {second}");
        let mut m = crate::lp::Model::default();
        let x = m.col("x", 0.0, 1.0, 1.0);
        m.row("r", 0.5, f64::INFINITY, &[(x, 1.0)]);
        assert_eq!(
            crate::solver::solve(&m, &settings).status,
            crate::SolveStatus::Optimal
        );
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(settings.now(), None);
        let late = crate::solver::solve(&m, &settings);
        assert_eq!(late.status, crate::SolveStatus::TimeLimitNoSolution);
        assert_eq!(late.message, PASSED);
        // Without a deadline, the limit is the setting's.
        let plain = crate::SolveSettings::default();
        assert_eq!(plain.now().map(|s| s.time_limit_s), Some(60.0));
    }

    /// A resolver kept past its command's deadline (the server keeps a what-if base across
    /// jobs) solves nothing with that deadline, and plans again, from its kept base, with the
    /// next command's.
    #[test]
    fn a_kept_resolver_solves_with_the_deadline_it_is_given() {
        let mut m = crate::lp::Model::default();
        let y = m.binary("y", 1.0);
        let x = m.col("x", 0.0, 4.0, 1.0);
        m.row("r", 0.5, f64::INFINITY, &[(x, 1.0)]);
        m.row("on", f64::NEG_INFINITY, 0.0, &[(x, 1.0), (y, -4.0)]);
        let settings = crate::SolveSettings {
            deadline: Deadline::after(0.5),
            ..crate::SolveSettings::default()
        };
        let mut kept = crate::solver::Resolver::new(&settings);
        assert_eq!(kept.solve_base(&m).status, crate::SolveStatus::Optimal);
        assert!(kept.has_base());
        std::thread::sleep(Duration::from_millis(600));
        let late = kept.solve(&m);
        assert_eq!(late.status, crate::SolveStatus::TimeLimitNoSolution);
        assert_eq!(late.message, PASSED);
        let next = kept.with_deadline(Deadline::after(60.0));
        assert!(next.has_base());
        let s = next.solve(&m);
        assert_eq!(s.status, crate::SolveStatus::Optimal);
        assert!((s.objective - 1.5).abs() < 1e-9, "{}", s.objective);
        // A base solve stopped before its relaxation keeps no base.
        let mut stopped = crate::solver::Resolver::new(&crate::SolveSettings {
            deadline: Deadline::after(0.0),
            ..crate::SolveSettings::default()
        });
        assert_eq!(
            stopped.solve_base(&m).status,
            crate::SolveStatus::TimeLimitNoSolution
        );
        assert!(!stopped.has_base());
    }
}
