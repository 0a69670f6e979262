//! Reading the plan out of a solution.

use std::collections::BTreeMap;

use allot_scenario::Scenario;

use crate::build::{Built, CHIP_UNIT, MONEY_UNIT};
use crate::plan::*;
use crate::prep::{Prepared, Purchase};
use crate::solver::{Solution, SolveStatus};

const EPS: f64 = 1e-6;

/// The plan's status and its words; `stopped` when the solve was stopped on request
/// ([`crate::progress::stopped`]) rather than by the time limit.
fn status_words(status: SolveStatus, gap: f64, stopped: bool) -> String {
    match status {
        SolveStatus::Optimal => format!("optimal (within a relative gap of {:.2}%)", gap * 100.0),
        SolveStatus::Feasible if stopped && !gap.is_finite() => "feasible, not proven optimal: stopped on request".to_string(),
        SolveStatus::Feasible if gap.is_infinite() => "feasible, not proven optimal: the base plan's placements kept, capacity and serving re-optimised".to_string(),
        SolveStatus::Feasible => format!(
                "feasible but not proven optimal: {} at a gap of {:.2}%",
                if stopped {
                    "stopped on request"
                } else {
                    "the time limit stopped the solver"
                },
                gap * 100.0,
        ),
        SolveStatus::Infeasible => "infeasible: no plan meets every constraint".to_string(),
        SolveStatus::Unbounded => "unbounded: the model lets cost fall without limit (a modelling error)".to_string(),
        SolveStatus::TimeLimitNoSolution if stopped => "no plan found before the solve was stopped on request".to_string(),
        SolveStatus::TimeLimitNoSolution => "no plan found before the time limit".to_string(),
        SolveStatus::Error => "the solver failed".to_string(),
    }
}

/// Monthly models with at least this many variables that find no plan in time are pointed to
/// quarterly periods (the 1.09M-variable ladder rung has 391k by quarter).
const QUARTER_HINT_COLS: usize = 100_000;

/// What to add, after the solver's own words, to "no plan found before the time limit" for a
/// model of `cols` variables (none when the model was not built).
fn time_limit_hint(period: allot_scenario::Period, cols: Option<usize>) -> String {
    match cols {
        Some(cols) if period == allot_scenario::Period::Month && cols >= QUARTER_HINT_COLS => {
            format!(
                "; raise --time-limit, or plan by quarter (`period = \"quarter\"` under [scenario]): about a third of these {cols} variables"
            )
        }
        _ => "; raise --time-limit".to_string(),
    }
}

/// A plan's status message: the status in words, the solver's own message, then what to do
/// (`cols`: the model's variables, none when it was not built).
fn status_message(
    sol: &Solution,
    stopped: bool,
    period: allot_scenario::Period,
    cols: Option<usize>,
) -> String {
    let mut message = status_words(sol.status, sol.mip_gap, stopped);
    if !sol.message.is_empty() {
        message = format!("{message}: {}", sol.message);
    }
    if sol.status == SolveStatus::TimeLimitNoSolution && !stopped {
        message += &time_limit_hint(period, cols);
    }
    message
}

fn value(sol: &Solution, col: crate::lp::Col) -> f64 {
    sol.values.get(col.0).copied().unwrap_or(0.0)
}

/// Chips (natural units) from a chip column (thousands).
fn chips(sol: &Solution, col: crate::lp::Col) -> f64 {
    value(sol, col) * CHIP_UNIT
}

/// Builds the plan from a solution.
/// The plan of `s` not started because the command's deadline had passed (status
/// `time_limit_no_solution`, nothing planned): what a risk run's later samples get once its
/// one time limit is spent, without preparing or building their models.
pub fn not_started(s: &Scenario) -> Plan {
    Plan {
        format: "allot-plan".to_string(),
        version: PLAN_VERSION,
        scenario: s.file.scenario.name.clone(),
        status: SolveStatus::TimeLimitNoSolution,
        status_message: status_message(
            &Solution::failed(
                SolveStatus::TimeLimitNoSolution,
                crate::solver::DEADLINE_PASSED,
            ),
            false,
            s.file.scenario.period,
            None,
        ),
        objective_usd: 0.0,
        total_cost_usd: 0.0,
        mip_gap: 0.0,
        periods: Vec::new(),
        cost_by_provider: BTreeMap::new(),
        cost_by_vendor: BTreeMap::new(),
        cost_by_chip: BTreeMap::new(),
        cost_by_year: BTreeMap::new(),
        cost_by_period: Vec::new(),
        vendor_share: BTreeMap::new(),
        provider_share: BTreeMap::new(),
        capacity: Vec::new(),
        cohorts: Vec::new(),
        training: Vec::new(),
        inference: Vec::new(),
        commitments: Vec::new(),
        unplaceable: Vec::new(),
        explanations: Vec::new(),
        relaxations: Vec::new(),
    }
}

/// The plan of `s` from the solution `sol` of its model.
pub fn extract(s: &Scenario, prep: &Prepared, built: &Built, sol: &Solution) -> Plan {
    let stopped = crate::progress::stopped();
    let status_message = status_message(
        sol,
        stopped,
        s.file.scenario.period,
        Some(built.model.cols.len()),
    );
    let periods: Vec<String> = prep.periods.iter().map(|p| p.label.clone()).collect();
    let mut plan = Plan {
        format: "allot-plan".to_string(),
        version: PLAN_VERSION,
        scenario: s.file.scenario.name.clone(),
        status: sol.status,
        status_message,
        objective_usd: if sol.status.has_solution() {
            sol.objective * MONEY_UNIT
        } else {
            0.0
        },
        total_cost_usd: 0.0,
        mip_gap: if sol.mip_gap.is_finite() {
            sol.mip_gap
        } else {
            0.0
        },
        periods: periods.clone(),
        cost_by_provider: BTreeMap::new(),
        cost_by_vendor: BTreeMap::new(),
        cost_by_chip: BTreeMap::new(),
        cost_by_year: BTreeMap::new(),
        cost_by_period: vec![0.0; prep.periods.len()],
        vendor_share: BTreeMap::new(),
        provider_share: BTreeMap::new(),
        capacity: Vec::new(),
        cohorts: Vec::new(),
        training: Vec::new(),
        inference: Vec::new(),
        commitments: Vec::new(),
        unplaceable: prep.unplaceable.clone(),
        explanations: Vec::new(),
        relaxations: Vec::new(),
    };
    if !sol.status.has_solution() {
        return plan;
    }

    // Capacity and its cost.
    let mut compute_by_vendor: BTreeMap<String, f64> = BTreeMap::new();
    let mut compute_by_provider: BTreeMap<String, f64> = BTreeMap::new();
    let mut compute_total = 0.0;
    for (i, sup) in prep.supplies.iter().enumerate() {
        for (p, per) in prep.periods.iter().enumerate() {
            let bought = chips(sol, built.cap[i][p]);
            let reserved = built.reserved_chips[i][p];
            let cost = bought * sup.price[p] * per.hours + built.reserved_cost[i][p];
            if bought + reserved <= EPS && cost <= EPS {
                continue;
            }
            let o = &sup.offering;
            plan.capacity.push(CapacityLine {
                offering: o.id.clone(),
                provider: o.provider.clone(),
                chip: o.chip.clone(),
                period: per.label.clone(),
                chips: bought + reserved,
                reserved_chips: reserved,
                usd_per_chip_hour: sup.price[p],
                cost_usd: cost,
            });
            *plan.cost_by_provider.entry(o.provider.clone()).or_default() += cost;
            *plan.cost_by_vendor.entry(sup.vendor.clone()).or_default() += cost;
            *plan.cost_by_chip.entry(o.chip.clone()).or_default() += cost;
            *plan.cost_by_year.entry(per.year.to_string()).or_default() += cost;
            plan.cost_by_period[p] += cost;
            *compute_by_vendor.entry(sup.vendor.clone()).or_default() += cost;
            *compute_by_provider.entry(o.provider.clone()).or_default() += cost;
            compute_total += cost;
        }
        if let Purchase::Term { months, .. } = sup.purchase {
            for (t, c) in built.cohorts[i].iter().enumerate() {
                let chips = c.map_or(0.0, |c| chips(sol, c));
                if chips > EPS {
                    plan.cohorts.push(CohortLine {
                        offering: sup.offering.id.clone(),
                        start: periods[t].clone(),
                        term_months: months,
                        chips,
                    });
                }
            }
        }
    }
    for (k, v) in &compute_by_vendor {
        plan.vendor_share.insert(
            k.clone(),
            if compute_total > 0.0 {
                v / compute_total
            } else {
                0.0
            },
        );
    }
    for (k, v) in &compute_by_provider {
        plan.provider_share.insert(
            k.clone(),
            if compute_total > 0.0 {
                v / compute_total
            } else {
                0.0
            },
        );
    }

    // Commitments: spend counted and shortfall.
    for (c_index, c) in s.file.commitment.iter().enumerate() {
        let provider = s
            .catalog
            .provider(&c.provider)
            .map(|v| v.id.clone())
            .unwrap_or_default();
        let scope: Vec<String> = c
            .chips
            .iter()
            .filter_map(|x| s.catalog.accelerator(x).map(|a| a.id.clone()))
            .collect();
        // A commitment with a minimum counts the spend attributed to it (constraint 6); one
        // without counts all the spend it covers.
        let mut spend = 0.0;
        let mut attribution: Vec<AttributedSpend> = Vec::new();
        for a in &built.attribution[c_index] {
            let usd = (a
                .terms
                .iter()
                .map(|&(col, v)| v * value(sol, col))
                .sum::<f64>()
                + a.constant)
                * MONEY_UNIT;
            if usd > EPS {
                spend += usd;
                attribution.push(AttributedSpend {
                    chip: a.chip.clone(),
                    period: prep.periods[a.period].label.clone(),
                    usd,
                });
            }
        }
        if built.shortfall[c_index].is_empty() {
            for (i, sup) in prep.supplies.iter().enumerate() {
                let o = &sup.offering;
                if o.provider != provider || !(scope.is_empty() || scope.contains(&o.chip)) {
                    continue;
                }
                for (p, per) in prep.periods.iter().enumerate() {
                    let months = crate::prep::overlap(
                        per.start,
                        i64::from(per.months),
                        c.start,
                        i64::from(c.term_months),
                    );
                    if months > 0 {
                        let share = months as f64 / f64::from(per.months);
                        spend += share
                            * (chips(sol, built.cap[i][p]) * sup.price[p] * per.hours
                                + built.reserved_cost[i][p]);
                    }
                }
            }
        }
        let mut by_period = vec![0.0; prep.periods.len()];
        for &(p, col) in &built.shortfall[c_index] {
            let paid = value(sol, col) * MONEY_UNIT;
            if paid > EPS {
                by_period[p] += paid;
                *plan.cost_by_provider.entry(provider.clone()).or_default() += paid;
                *plan
                    .cost_by_year
                    .entry(prep.periods[p].year.to_string())
                    .or_default() += paid;
                plan.cost_by_period[p] += paid;
            }
        }
        let shortfall: f64 = by_period.iter().sum();
        let owed = built.obligation[c_index];
        plan.commitments.push(CommitmentLine {
            name: c.name.clone(),
            provider,
            obligation_usd: owed,
            spend_usd: spend,
            shortfall_usd: shortfall,
            shortfall_by_period_usd: by_period,
            utilisation: if owed > 0.0 { spend / owed } else { 0.0 },
            attribution,
        });
    }
    plan.total_cost_usd = plan.cost_by_period.iter().sum();

    // Training.
    for (r, run) in prep.training.iter().enumerate() {
        let chosen = built.train_choice[r]
            .iter()
            .position(|c| value(sol, *c) > 0.5);
        let mut line = TrainingLine {
            name: run.name.clone(),
            provider: String::new(),
            chip: String::new(),
            chips: 0.0,
            start: String::new(),
            finish: String::new(),
            chip_hours: 0.0,
            chips_by_period: BTreeMap::new(),
        };
        if let Some(o) = chosen {
            let pool = &prep.pools[run.options[o].pool];
            line.provider = pool.provider.clone();
            line.chip = pool.chip.clone();
            for &(p, col) in &built.train_chips[r][o] {
                let x = chips(sol, col);
                if x > EPS {
                    line.chips = line.chips.max(x);
                    line.chip_hours += x * prep.periods[p].hours;
                    if line.start.is_empty() {
                        line.start = periods[p].clone();
                    }
                    line.finish = periods[p].clone();
                    line.chips_by_period.insert(periods[p].clone(), x);
                }
            }
        }
        plan.training.push(line);
    }

    // Inference.
    let serving = built.serving_chips(prep, &sol.values);
    for (d_index, d) in prep.serving.iter().enumerate() {
        let mut mix = Vec::new();
        let mut chips_by_period = Vec::new();
        let total_tokens: f64 = d.tokens.iter().sum();
        for (o, opt) in d.options.iter().enumerate() {
            let pool = &prep.pools[opt.pool];
            let mut chip_hours = 0.0;
            for &(p, w) in &serving[d_index][o] {
                let w = w * CHIP_UNIT;
                if w > EPS {
                    chip_hours += w * prep.periods[p].hours;
                    chips_by_period.push(ServingChips {
                        provider: pool.provider.clone(),
                        chip: pool.chip.clone(),
                        period: periods[p].clone(),
                        chips: w,
                    });
                }
            }
            if chip_hours > EPS {
                let tokens = chip_hours / opt.chip_hours_per_million * 1e6;
                mix.push(ServingShare {
                    provider: pool.provider.clone(),
                    chip: pool.chip.clone(),
                    token_share: if total_tokens > 0.0 {
                        tokens / total_tokens
                    } else {
                        0.0
                    },
                    chip_hours,
                });
            }
        }
        // Shares of the tokens served (capacity that is paid for anyway may serve more than the
        // demand; the surplus is not a cost).
        let served: f64 = mix.iter().map(|s| s.token_share).sum();
        if served > 0.0 {
            for s in &mut mix {
                s.token_share /= served;
            }
        }
        mix.sort_by(|a, b| b.token_share.total_cmp(&a.token_share));
        plan.inference.push(InferenceLine {
            name: d.name.clone(),
            tokens: total_tokens,
            mix,
            chips_by_period,
        });
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use allot_scenario::Period;

    #[test]
    fn only_large_monthly_models_out_of_time_are_pointed_to_quarters() {
        let hint = time_limit_hint(Period::Month, Some(1_091_467));
        assert!(
            hint.starts_with("; raise --time-limit, or plan by quarter")
                && hint.contains("period = \"quarter\"")
                && hint.contains("1091467 variables"),
            "{hint}"
        );
        let plain = "; raise --time-limit";
        assert_eq!(
            time_limit_hint(Period::Month, Some(QUARTER_HINT_COLS - 1)),
            plain
        );
        assert_eq!(time_limit_hint(Period::Quarter, Some(1_091_467)), plain);
        assert_eq!(time_limit_hint(Period::Month, None), plain);
    }

    /// The solver's words follow the status and the hint comes last: the quarter hint was
    /// appended after the solver's message, splitting it ("raise --time-limit: the command's
    /// time limit had passed before this solve started, or plan by quarter ...").
    #[test]
    fn the_hint_follows_the_solvers_words() {
        let late = Solution::failed(
            SolveStatus::TimeLimitNoSolution,
            crate::solver::DEADLINE_PASSED,
        );
        assert_eq!(
            status_message(&late, false, Period::Month, Some(1_000)),
            "no plan found before the time limit: the command's time limit had passed before \
             this solve started; raise --time-limit"
        );
        let big = status_message(&late, false, Period::Month, Some(200_000));
        assert!(
            big.starts_with(
                "no plan found before the time limit: the command's time limit had passed \
                 before this solve started; raise --time-limit, or plan by quarter"
            ),
            "{big}"
        );
        let quiet = Solution::failed(SolveStatus::TimeLimitNoSolution, "");
        assert_eq!(
            status_message(&quiet, true, Period::Month, Some(200_000)),
            "no plan found before the solve was stopped on request"
        );
    }
}
