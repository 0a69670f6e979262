//! Re-planning many variants of one scenario (Monte Carlo samples of `allot risk`): from
//! scratch, or warm-started from the base scenario's solve. Finance's risk engine takes these
//! as closures (`|s| replanner.replan(s)`), so it does not depend on the planner.

use allot_scenario::Scenario;
use rayon::prelude::*;

use crate::{Plan, SolveSettings};

/// A thread pool of the size asked for could not be started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadsError {
    /// Threads asked for.
    pub threads: usize,
    /// Why not.
    pub message: String,
}

impl std::fmt::Display for ThreadsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot start {} threads: {}", self.threads, self.message)
    }
}

impl std::error::Error for ThreadsError {}

/// Re-plans every sample from scratch with `crate::plan`.
#[derive(Debug, Clone, Default)]
pub struct FullReplan {
    /// Solver settings for every sample.
    pub settings: SolveSettings,
}

impl FullReplan {
    /// The plan for `sample`.
    pub fn replan(&self, sample: &Scenario) -> Plan {
        crate::plan(sample, &self.settings).plan
    }
}

/// Re-plans every sample from the base scenario's solve (`crate::solver::Resolver`).
///
/// [`WarmReplan::new`]: a full plan of each sample whose LP relaxation starts from the base's
/// optimal basis (`crate::plan_warm`); a sample of another structure is solved from
/// scratch. [`WarmReplan::recourse`]: the base plan's integral choices (which run goes where and
/// when its clusters are on) are kept and capacity, serving and cluster sizes re-optimised from
/// the base's basis (`crate::plan_fixed`), falling back to a full plan when the choices no
/// longer fit: "what the decided plan costs under these inputs". Every sample starts from the
/// same basis, so results do not depend on the order or thread of the solves.
pub struct WarmReplan {
    resolver: crate::solver::Resolver,
    recourse: bool,
}

impl WarmReplan {
    /// Plans `base` (whose relaxation's basis later samples start from) and returns the
    /// replanner of full, warm-started plans, with the base plan.
    pub fn new(base: &Scenario, settings: &SolveSettings) -> (WarmReplan, Plan) {
        Self::with(base, settings, false)
    }

    /// Plans `base` and returns the replanner that keeps its integral choices, with the plan.
    pub fn recourse(base: &Scenario, settings: &SolveSettings) -> (WarmReplan, Plan) {
        Self::with(base, settings, true)
    }

    /// [`WarmReplan::recourse`], with the placements of `stress` (variants of `base`, see
    /// `allot_finance::stress_scenarios`) tried in order when the base plan's do not fit a sample. Their
    /// plans are solved on `threads` threads (0: one per core); the order of the patterns, and
    /// so every result, does not depend on the number.
    pub fn recourse_with(
        base: &Scenario,
        settings: &SolveSettings,
        stress: &[Scenario],
        threads: usize,
    ) -> Result<(WarmReplan, Plan), ThreadsError> {
        let (mut replan, plan) = Self::with(base, settings, true);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| ThreadsError {
                threads,
                message: e.to_string(),
            })?;
        let resolver = &replan.resolver;
        let patterns: Vec<_> = pool.install(|| {
            stress
                .par_iter()
                .map(|s| crate::stress_pattern(s, resolver))
                .collect()
        });
        crate::add_stress_patterns(base, &mut replan.resolver, patterns.into_iter().flatten());
        Ok((replan, plan))
    }

    /// The integral choices a recourse plan tries, the base plan's first.
    pub fn patterns(&self) -> usize {
        self.resolver.patterns()
    }

    fn with(base: &Scenario, settings: &SolveSettings, recourse: bool) -> (WarmReplan, Plan) {
        let mut resolver = crate::solver::Resolver::new(settings);
        let plan = crate::plan_base(base, &mut resolver).plan;
        (WarmReplan { resolver, recourse }, plan)
    }
}

impl WarmReplan {
    /// The plan for `sample`.
    pub fn replan(&self, sample: &Scenario) -> Plan {
        if self.recourse {
            crate::plan_fixed(sample, &self.resolver).plan
        } else {
            crate::plan_warm(sample, &self.resolver).plan
        }
    }
}

/// How each sample of a risk run is re-planned (`allot risk --replan`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// [`WarmReplan::recourse_with`]: the base plan's placements kept (or a stress plan's), the
    /// rest re-optimised.
    #[default]
    Fixed,
    /// [`WarmReplan::new`]: a full plan of each sample from the base's basis.
    Warm,
    /// [`FullReplan`]: every sample planned from scratch.
    Cold,
}

impl Method {
    /// Every method, by its name.
    pub const ALL: [(&'static str, Method); 3] = [
        ("fixed", Method::Fixed),
        ("warm", Method::Warm),
        ("cold", Method::Cold),
    ];

    /// The method named `name` (`fixed`, `warm`, `cold`).
    pub fn parse(name: &str) -> Option<Method> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, m)| *m)
    }

    /// Its name.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, m)| *m == self)
            .map_or("fixed", |(n, _)| n)
    }
}

/// A re-planner of samples, as the risk engine takes it.
pub type Sampler = Box<dyn Fn(&Scenario) -> Plan + Send + Sync>;

/// A re-planner of samples of `base`, as a closure for the risk engine. [`Method::Fixed`] tries
/// the placements of `stress` (`allot_finance::stress_scenarios` of `base`; ignored by the other
/// methods) when the base plan's do not fit, planned on `threads` threads (0: one per core).
pub fn replanner(
    method: Method,
    base: &Scenario,
    settings: &SolveSettings,
    stress: &[Scenario],
    threads: usize,
) -> Result<Sampler, ThreadsError> {
    // One deadline for the whole run: once it has passed, a sample is not even built.
    let deadline = settings.deadline;
    let late = move |s: &Scenario| deadline.passed().then(|| crate::extract::not_started(s));
    Ok(match method {
        Method::Cold => {
            let cold = FullReplan {
                settings: settings.clone(),
            };
            Box::new(move |s: &Scenario| late(s).unwrap_or_else(|| cold.replan(s)))
        }
        Method::Fixed => {
            let fixed = WarmReplan::recourse_with(base, settings, stress, threads)?.0;
            Box::new(move |s: &Scenario| late(s).unwrap_or_else(|| fixed.replan(s)))
        }
        Method::Warm => {
            let warm = WarmReplan::new(base, settings).0;
            Box::new(move |s: &Scenario| late(s).unwrap_or_else(|| warm.replan(s)))
        }
    })
}
