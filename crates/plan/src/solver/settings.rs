//! Solve settings (time limit, MIP gap, threads, method) and their validation: every solve
//! checks them before it starts, so a setting out of range is a typed error, never a panic.

use super::Deadline;

/// The largest number of solver threads accepted.
pub const MAX_THREADS: u32 = 1024;

/// Solver settings.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SolveSettings {
    /// Wall-clock limit, seconds (infinite: no limit).
    pub time_limit_s: f64,
    /// Relative MIP gap at which to stop.
    pub mip_gap: f64,
    /// Solver threads.
    pub threads: u32,
    /// Print the solver's log to standard output.
    pub log: bool,
    /// Run the solver's presolve (HiGHS's default).
    pub presolve: bool,
    /// Solve a mixed-integer model LP-first: relaxation, a dive to a plan, and the full MIP
    /// only when that plan is not within the gap (see [`crate::solver`]). Off runs the
    /// solver's own branch and bound directly.
    pub lp_first: bool,
    /// Also compute, for each row, the range of its bound over which its dual holds (ranging,
    /// for explanations); only for a plan from the LP-first dive.
    #[serde(default)]
    pub ranging: bool,
    /// The command's deadline, shared by every solve made with these settings or a copy of
    /// them (a risk run's samples, a why-not's two plans): each solve gets the lesser of
    /// `time_limit_s` and the time left to it, and none starts after it ([`Self::now`]). Not
    /// written out: an instant of this process. [`Deadline::NONE`] by default.
    #[serde(skip)]
    pub deadline: Deadline,
}

impl Default for SolveSettings {
    fn default() -> Self {
        SolveSettings {
            time_limit_s: 60.0,
            mip_gap: 1e-3,
            threads: 1,
            log: false,
            presolve: true,
            lp_first: true,
            ranging: false,
            deadline: Deadline::NONE,
        }
    }
}

impl SolveSettings {
    /// Whether every setting is in its accepted range; the first one that is not, in the order
    /// of the fields, otherwise ([`SolveSettings::problems`] has them all). Every solve checks
    /// this first: with invalid settings it ends with status `error` and this message.
    pub fn validate(&self) -> Result<(), SettingsError> {
        match self.problems().into_iter().next() {
            Some(problem) => Err(problem),
            None => Ok(()),
        }
    }

    /// Whether every setting is in its accepted range; all those that are not, in the order
    /// of the fields, otherwise: what a command line reports, so that one run names every bad
    /// flag.
    pub fn check(&self) -> Result<(), InvalidSettings> {
        let problems = self.problems();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(InvalidSettings(problems))
        }
    }

    /// These settings for a solve starting now: `time_limit_s` cut to the time left before the
    /// deadline, or `None` when the deadline has passed.
    pub fn now(&self) -> Option<SolveSettings> {
        if self.deadline.passed() {
            return None;
        }
        // Not `f64::min`, which would turn an invalid NaN limit into a valid one.
        let left = self.deadline.seconds_left();
        Some(SolveSettings {
            time_limit_s: if self.time_limit_s > left {
                left
            } else {
                self.time_limit_s
            },
            ..self.clone()
        })
    }

    /// Every setting out of its accepted range, in the order of the fields.
    pub fn problems(&self) -> Vec<SettingsError> {
        let mut problems = Vec::new();
        problems.extend(check_time_limit(self.time_limit_s).err());
        if !self.mip_gap.is_finite() || self.mip_gap < 0.0 {
            problems.push(SettingsError::MipGap { got: self.mip_gap });
        }
        if !(1..=MAX_THREADS).contains(&self.threads) {
            problems.push(SettingsError::Threads { got: self.threads });
        }
        problems
    }
}

/// Whether `seconds` is a time limit every command takes (`--time-limit`): positive, infinite
/// for none. The simulator and the server's simulations keep the same rule.
pub fn check_time_limit(seconds: f64) -> Result<(), SettingsError> {
    if seconds.is_nan() || seconds <= 0.0 {
        Err(SettingsError::TimeLimit { got: seconds })
    } else {
        Ok(())
    }
}

/// Whether `percent`, the cost increase an objective other than least cost may spend over
/// the least cost (`--within`), is a finite number from 0 up.
pub fn check_within(percent: f64) -> Result<(), SettingsError> {
    if percent.is_finite() && percent >= 0.0 {
        Ok(())
    } else {
        Err(SettingsError::Within { got: percent })
    }
}

/// Every setting out of its accepted range (at least one), in the order of the fields.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct InvalidSettings(pub Vec<SettingsError>);

/// What a valid time limit is.
const TIME_LIMIT_RULE: &str = "must be a positive number of seconds";
/// What a valid MIP gap is.
const MIP_GAP_RULE: &str = "must be a finite number from 0 up";
/// What a valid number of threads is.
const THREADS_RULE: &str = "must be a whole number from 1 to 1024";
/// What a valid cost allowance is.
const WITHIN_RULE: &str = "must be a finite percentage from 0 up";

/// A solve setting out of its accepted range: which setting, the value given, and the range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SettingsError {
    /// `time_limit_s` is not a positive number of seconds (zero, negative or NaN; infinite
    /// is accepted, as no limit).
    #[error("time_limit_s: {TIME_LIMIT_RULE} (got {got})")]
    TimeLimit {
        /// The value given.
        got: f64,
    },
    /// `mip_gap` is negative, NaN or infinite.
    #[error("mip_gap: {MIP_GAP_RULE} (got {got})")]
    MipGap {
        /// The value given.
        got: f64,
    },
    /// `threads` is 0 or more than [`MAX_THREADS`].
    #[error("threads: {THREADS_RULE} (got {got})")]
    Threads {
        /// The value given.
        got: u32,
    },
    /// The cost allowance of an objective other than least cost ([`check_within`], percent)
    /// is negative, NaN or infinite.
    #[error("within_percent: {WITHIN_RULE} (got {got})")]
    Within {
        /// The value given.
        got: f64,
    },
}

impl SettingsError {
    /// The setting's field in [`SolveSettings`].
    pub fn setting(&self) -> &'static str {
        match self {
            SettingsError::TimeLimit { .. } => "time_limit_s",
            SettingsError::MipGap { .. } => "mip_gap",
            SettingsError::Threads { .. } => "threads",
            SettingsError::Within { .. } => "within_percent",
        }
    }

    /// The accepted range, as a rule: "must be ...".
    pub fn rule(&self) -> &'static str {
        match self {
            SettingsError::TimeLimit { .. } => TIME_LIMIT_RULE,
            SettingsError::MipGap { .. } => MIP_GAP_RULE,
            SettingsError::Threads { .. } => THREADS_RULE,
            SettingsError::Within { .. } => WITHIN_RULE,
        }
    }

    /// The value given, as written in messages.
    pub fn value(&self) -> String {
        match self {
            SettingsError::TimeLimit { got }
            | SettingsError::MipGap { got }
            | SettingsError::Within { got } => got.to_string(),
            SettingsError::Threads { got } => got.to_string(),
        }
    }

    /// What a good value looks like.
    pub fn hint(&self) -> &'static str {
        match self {
            SettingsError::TimeLimit { .. } => "the default is 60 seconds; `inf` means no limit",
            SettingsError::MipGap { .. } => {
                "a relative gap: 0.001 (the default) stops within 0.1% of the best bound, 0 proves the plan optimal"
            }
            SettingsError::Threads { .. } => "the default is 1 thread",
            SettingsError::Within { .. } => {
                "the cost increase allowed over the least cost, in percent: 5 (the default) allows 5% more, 0 none"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(f: impl FnOnce(&mut SolveSettings)) -> SolveSettings {
        let mut s = SolveSettings::default();
        f(&mut s);
        s
    }

    #[test]
    fn the_defaults_and_the_edges_of_each_range_are_valid() {
        for s in [
            SolveSettings::default(),
            with(|s| s.time_limit_s = f64::INFINITY),
            with(|s| s.time_limit_s = 1e-3),
            with(|s| s.mip_gap = 0.0),
            with(|s| s.mip_gap = 5.0),
            with(|s| s.threads = MAX_THREADS),
        ] {
            assert_eq!(s.validate(), Ok(()), "{s:?}");
        }
    }

    #[test]
    fn each_setting_out_of_range_is_named_with_its_value_and_range() {
        let cases = [
            (with(|s| s.time_limit_s = -1.0), "time_limit_s", "-1"),
            (with(|s| s.time_limit_s = 0.0), "time_limit_s", "0"),
            (with(|s| s.time_limit_s = f64::NAN), "time_limit_s", "NaN"),
            (
                with(|s| s.time_limit_s = f64::NEG_INFINITY),
                "time_limit_s",
                "-inf",
            ),
            (with(|s| s.mip_gap = -1.0), "mip_gap", "-1"),
            (with(|s| s.mip_gap = f64::NAN), "mip_gap", "NaN"),
            (with(|s| s.mip_gap = f64::INFINITY), "mip_gap", "inf"),
            (with(|s| s.threads = 0), "threads", "0"),
            (with(|s| s.threads = MAX_THREADS + 1), "threads", "1025"),
        ];
        for (settings, setting, value) in cases {
            let err = settings.validate().unwrap_err();
            assert_eq!(err.setting(), setting);
            assert_eq!(err.value(), value);
            assert_eq!(
                err.to_string(),
                format!("{setting}: {} (got {value})", err.rule())
            );
            assert!(err.rule().starts_with("must be"), "{err}");
            assert!(!err.hint().is_empty());
            if setting == "threads" {
                assert!(err.rule().ends_with(&format!(" {MAX_THREADS}")), "{err}");
            }
        }
    }

    #[test]
    fn every_problem_is_reported_in_field_order() {
        let s = with(|s| {
            s.time_limit_s = f64::NAN;
            s.mip_gap = -1.0;
            s.threads = 0;
        });
        let names: Vec<_> = s.problems().iter().map(SettingsError::setting).collect();
        assert_eq!(names, ["time_limit_s", "mip_gap", "threads"]);
        assert_eq!(s.validate().unwrap_err().setting(), "time_limit_s");
        let all = s.check().unwrap_err();
        assert_eq!(all.0.len(), s.problems().len());
        assert_eq!(
            all.to_string(),
            "time_limit_s: must be a positive number of seconds (got NaN); \
             mip_gap: must be a finite number from 0 up (got -1); \
             threads: must be a whole number from 1 to 1024 (got 0)"
        );
        assert_eq!(SolveSettings::default().check(), Ok(()));
    }

    #[test]
    fn a_cost_allowance_is_a_finite_percentage_from_0_up() {
        for ok in [0.0, 5.0, 250.0] {
            assert_eq!(check_within(ok), Ok(()));
        }
        for (bad, shown) in [
            (f64::NAN, "NaN"),
            (-50.0, "-50"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
        ] {
            let err = check_within(bad).unwrap_err();
            assert_eq!(err.setting(), "within_percent");
            assert_eq!(err.value(), shown);
            assert!(err.rule().starts_with("must be"), "{err}");
        }
    }
}
