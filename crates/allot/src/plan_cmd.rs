//! `allot plan`: solve a scenario and print, save and explain the plan.

use std::path::Path;

use allot_plan::{Plan, SolveSettings, SolveStatus};
use allot_present::plan_text::{self, SolveFacts};
use allot_present::{finance_json, finance_text, plan_csv};
use anyhow::Context;

use crate::cli::PlanArgs;
use crate::exit::Exit;
use crate::files::load_scenario;

pub fn run(args: &PlanArgs) -> anyhow::Result<Exit> {
    let Some(scenario) = load_scenario(&args.scenario) else {
        return Ok(Exit::Invalid);
    };
    // Checked before the solve, which may take minutes.
    let dump = match &args.dump_model {
        Some(path) => Some((path, dump_format(path)?)),
        None => None,
    };
    let settings = SolveSettings {
        time_limit_s: args.time_limit,
        deadline: allot_plan::solver::Deadline::after(args.time_limit),
        mip_gap: args.mip_gap,
        threads: 1,
        log: args.solver_log,
        presolve: args.presolve == "on",
        lp_first: args.method == "lp-first",
        ranging: false,
    };
    // Every bad setting at once, --within too (it is used only by some objectives, but a bad
    // value is a mistake whichever is asked for).
    let mut problems = settings.problems();
    problems.extend(allot_plan::check_within(args.within).err());
    if !problems.is_empty() {
        return Err(allot_plan::InvalidSettings(problems).into());
    }
    // The solver's own log, when asked for, takes the terminal instead.
    let spinner = (!args.solver_log).then(crate::progress::spinner).flatten();
    let outcome = match args.objective.as_str() {
        "min-vendor-share" => {
            allot_plan::plan_min_vendor_share(&scenario, &settings, args.within / 100.0, 10)
        }
        "earliest" => allot_plan::plan_earliest(&scenario, &settings, args.within / 100.0),
        _ if args.explain => allot_plan::plan_explained(&scenario, &settings),
        _ => allot_plan::plan(&scenario, &settings),
    };
    if let Some((path, format)) = &dump {
        let text = match format {
            DumpFormat::Lp => outcome.model.write_lp(),
            DumpFormat::Mps => outcome.model.write_mps(),
        };
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    let mut outcome = outcome;
    if outcome.plan.status == SolveStatus::Infeasible {
        outcome.plan.relaxations = allot_plan::elastic::diagnose(&scenario, &settings);
    }
    drop(spinner);
    let plan = &outcome.plan;
    let plan_json = finance_json::plan_json(&scenario, plan)?;
    if let Some(dir) = &args.out {
        write_out(plan, &plan_json, dir)?;
    }
    if args.json {
        outln!("{plan_json}");
    } else {
        let facts = SolveFacts {
            variables: outcome.size.0,
            constraints: outcome.size.1,
            build: outcome.timings.build,
            solve: outcome.timings.solve,
            extract: outcome.timings.extract,
        };
        out!("{}", plan_text::summary(plan, &facts));
        out!("{}", plan_text::explanations(plan));
        if let Ok(statement) = allot_finance::project(&scenario, plan) {
            out!("{}", finance_text::summary(&statement));
        }
    }
    Ok(match plan.status {
        SolveStatus::Optimal | SolveStatus::Feasible => Exit::Success,
        SolveStatus::Infeasible => Exit::Infeasible,
        _ => Exit::Failure,
    })
}

/// The file formats `--dump-model` writes.
enum DumpFormat {
    Lp,
    Mps,
}

/// The format of a `--dump-model` path, from its extension.
fn dump_format(path: &Path) -> anyhow::Result<DumpFormat> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ext.eq_ignore_ascii_case("lp") {
        Ok(DumpFormat::Lp)
    } else if ext.eq_ignore_ascii_case("mps") {
        Ok(DumpFormat::Mps)
    } else {
        anyhow::bail!(
            "--dump-model {}: the file name must end in .lp (CPLEX LP) or .mps (free MPS)",
            path.display()
        )
    }
}

fn write_out(plan: &Plan, plan_json: &str, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let write = |name: &str, body: &str| -> anyhow::Result<()> {
        let path = dir.join(name);
        std::fs::write(&path, body).with_context(|| format!("writing {}", path.display()))
    };
    write("plan.json", &format!("{plan_json}\n"))?;
    for (name, body) in plan_csv::tables(plan) {
        write(name, &body)?;
    }
    Ok(())
}
