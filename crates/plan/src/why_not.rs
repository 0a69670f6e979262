//! "Why not?": the plan re-solved with one choice forced, beside the least-cost plan, from one
//! shared solver instance (the forced solve starts from the base solve's basis).

use std::fmt;
use std::time::Instant;

use allot_scenario::Scenario;

use crate::solver::{self, SolveSettings, Variant};
use crate::{Outcome, Timings, build, extract, prep};

/// A choice to force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Force {
    /// Run a training run on one provider and accelerator.
    Training {
        /// Run name.
        run: String,
        /// Provider id or alias.
        provider: String,
        /// Accelerator id or alias.
        chip: String,
    },
    /// Serve an inference demand only from one provider and accelerator.
    Inference {
        /// Demand name.
        demand: String,
        /// Provider id or alias.
        provider: String,
        /// Accelerator id or alias.
        chip: String,
    },
}

impl Force {
    /// Parses `"NAME on PROVIDER/CHIP"`: a training run or an inference demand of `scenario`.
    pub fn parse(text: &str, scenario: &Scenario) -> Result<Force, WhyNotError> {
        let bad = || WhyNotError::Syntax {
            text: text.to_string(),
        };
        let (name, place) = text.split_once(" on ").ok_or_else(bad)?;
        let (provider, chip) = place.trim().split_once('/').ok_or_else(bad)?;
        let (name, provider, chip) = (
            name.trim().to_string(),
            provider.trim().to_string(),
            chip.trim().to_string(),
        );
        let f = &scenario.file;
        if f.training.iter().any(|t| t.name == name) {
            return Ok(Force::Training {
                run: name,
                provider,
                chip,
            });
        }
        if f.inference.iter().any(|d| d.name == name) {
            return Ok(Force::Inference {
                demand: name,
                provider,
                chip,
            });
        }
        let names = f
            .training
            .iter()
            .map(|t| t.name.as_str())
            .chain(f.inference.iter().map(|d| d.name.as_str()));
        Err(WhyNotError::UnknownWorkload {
            hint: allot_diag::did_you_mean(&name, names),
            name,
        })
    }
}

impl fmt::Display for Force {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Force::Training {
                run,
                provider,
                chip,
            } => write!(f, "{run} on {provider}/{chip}"),
            Force::Inference {
                demand,
                provider,
                chip,
            } => write!(f, "{demand} on {provider}/{chip}"),
        }
    }
}

/// Why a forced choice cannot be posed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WhyNotError {
    /// Not of the form `NAME on PROVIDER/CHIP`.
    Syntax {
        /// The text given.
        text: String,
    },
    /// No training run or inference demand of that name.
    UnknownWorkload {
        /// The name given.
        name: String,
        /// A did-you-mean hint.
        hint: Option<String>,
    },
    /// The workload has no option on that provider and chip (exclusivity, allowed chips,
    /// memory fit or periods rule it out before any solve).
    NoOption {
        /// Workload.
        name: String,
        /// `provider/chip` asked for.
        asked: String,
        /// The options it has.
        options: Vec<String>,
    },
}

impl fmt::Display for WhyNotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WhyNotError::Syntax { text } => write!(
                f,
                "cannot read '{text}': expected \"NAME on PROVIDER/CHIP\", e.g. \"frontier-2026 on aws/trainium2\""
            ),
            WhyNotError::UnknownWorkload { name, hint } => {
                write!(f, "no training run or inference demand is named '{name}'")?;
                if let Some(h) = hint {
                    write!(f, "\n  hint: {h}")?;
                }
                Ok(())
            }
            WhyNotError::NoOption {
                name,
                asked,
                options,
            } => {
                write!(
                    f,
                    "'{name}' cannot run on {asked} at all: the scenario's allowed chips, providers, exclusivity, memory fit or periods rule it out before any solve"
                )?;
                let hint = allot_diag::did_you_mean(asked, options.iter().map(String::as_str));
                write!(
                    f,
                    "\n  hint: {}its options are {}",
                    hint.map(|h| format!("{h} ")).unwrap_or_default(),
                    options.join(", ")
                )
            }
        }
    }
}

impl std::error::Error for WhyNotError {}

/// The least-cost plan and the plan with the choice forced.
#[derive(Debug)]
pub struct WhyNot {
    /// The least-cost plan.
    pub base: Outcome,
    /// The plan with the choice forced.
    pub forced: Outcome,
}

/// Plans `scenario`, then again with `force` imposed; the second solve starts from the first's
/// basis. Both plans carry their explanations (what binds and what it costs).
pub fn why_not(
    scenario: &Scenario,
    settings: &SolveSettings,
    force: &Force,
) -> Result<WhyNot, WhyNotError> {
    let t0 = Instant::now();
    let prepared = prep::prepare(scenario);
    // Steering a demand needs a column per demand and pool.
    let options = build::BuildOptions {
        pool_serving: !matches!(force, Force::Inference { .. }),
    };
    let built = build::build_with(scenario, &prepared, &options);
    let catalog = &scenario.catalog;
    let resolve = |provider: &str, chip: &str| {
        (
            catalog
                .provider(provider)
                .map_or(provider.to_string(), |p| p.id.clone()),
            catalog
                .accelerator(chip)
                .map_or(chip.to_string(), |a| a.id.clone()),
        )
    };
    let option_name = |pool: usize| {
        let p = &prepared.pools[pool];
        format!(
            "{}/{}{}",
            p.provider,
            p.chip,
            if p.spot { " (spot)" } else { "" }
        )
    };
    // Which of a workload's options (by pool) are on the forced provider and chip; an error
    // naming its options when none is.
    let pick = |name: &str, pools: Vec<usize>, provider: &str, chip: &str| {
        let (provider, chip) = resolve(provider, chip);
        let chosen: Vec<bool> = pools
            .iter()
            .map(|&k| prepared.pools[k].provider == provider && prepared.pools[k].chip == chip)
            .collect();
        if chosen.contains(&true) {
            Ok(chosen)
        } else {
            Err(WhyNotError::NoOption {
                name: name.to_string(),
                asked: format!("{provider}/{chip}"),
                // A run has an option per band of cluster sizes: each pool once.
                options: pools.iter().fold(Vec::new(), |mut names, &k| {
                    let name = option_name(k);
                    if !names.contains(&name) {
                        names.push(name);
                    }
                    names
                }),
            })
        }
    };
    let unknown = |name: &str| WhyNotError::UnknownWorkload {
        name: name.to_string(),
        hint: None,
    };
    let mut variant = Variant::default();
    match force {
        Force::Training {
            run,
            provider,
            chip,
        } => {
            let r = prepared
                .training
                .iter()
                .position(|t| &t.name == run)
                .ok_or_else(|| unknown(run))?;
            let pools = prepared.training[r]
                .options
                .iter()
                .map(|o| o.pool)
                .collect();
            for (o, keep) in pick(run, pools, provider, chip)?.into_iter().enumerate() {
                if !keep {
                    variant.bounds.push((built.train_choice[r][o], 0.0, 0.0));
                }
            }
        }
        Force::Inference {
            demand,
            provider,
            chip,
        } => {
            let d = prepared
                .serving
                .iter()
                .position(|t| &t.name == demand)
                .ok_or_else(|| unknown(demand))?;
            let pools = prepared.serving[d].options.iter().map(|o| o.pool).collect();
            for (o, keep) in pick(demand, pools, provider, chip)?.into_iter().enumerate() {
                if !keep {
                    for &(_, col) in &built.serve_chips[d][o] {
                        variant.bounds.push((col, 0.0, 0.0));
                    }
                }
            }
        }
    }
    let t1 = Instant::now();
    let mut solutions = solver::solve_variants(
        &built.model,
        settings,
        &[Variant::default(), variant.clone()],
    )
    .into_iter();
    let t2 = Instant::now();
    let (base_sol, forced_sol) = (
        solutions.next().unwrap_or_default(),
        solutions.next().unwrap_or_default(),
    );
    let forced_model = variant.apply(&built.model);
    let mut base_plan = extract::extract(scenario, &prepared, &built, &base_sol);
    let mut forced_plan = extract::extract(scenario, &prepared, &built, &forced_sol);
    let explained = [
        (&mut base_plan, &base_sol, &built.model),
        (&mut forced_plan, &forced_sol, &forced_model),
    ];
    for (plan, solution, model) in explained {
        plan.explanations =
            explanations(scenario, &prepared, &built, model, plan, solution, settings);
    }
    let size = (built.model.cols.len(), built.model.rows.len());
    let timings = Timings {
        build: t1 - t0,
        solve: t2 - t1,
        extract: t2.elapsed(),
    };
    Ok(WhyNot {
        base: Outcome {
            plan: base_plan,
            model: built.model,
            timings,
            size,
        },
        forced: Outcome {
            plan: forced_plan,
            model: forced_model,
            timings,
            size,
        },
    })
}

/// What binds in a solved plan of `model` (`built`'s model, or a variant of it with other
/// column bounds, which has the same rows): from the solution's duals, or those of the LP at
/// its integral choices.
fn explanations(
    scenario: &Scenario,
    prepared: &prep::Prepared,
    built: &build::Built,
    model: &crate::lp::Model,
    plan: &crate::Plan,
    solution: &solver::Solution,
    settings: &SolveSettings,
) -> Vec<crate::plan::Binding> {
    if !solution.status.has_solution() {
        return Vec::new();
    }
    let duals = if solution.row_duals.is_empty() {
        solver::duals_at(model, &solution.values, settings).map(|d| d.0)
    } else {
        Some(solution.row_duals.clone())
    };
    duals.map_or_else(Vec::new, |d| {
        crate::explain::bindings(scenario, prepared, built, plan, &solution.values, &d)
    })
}
