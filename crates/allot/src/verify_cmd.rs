//! `allot verify SCENARIO PLAN.json`: check a plan independently of the planner.

use crate::cli::VerifyArgs;
use crate::exit::Exit;
use crate::files::{load_scenario, read_plan};

pub fn run(args: &VerifyArgs) -> anyhow::Result<Exit> {
    let name = args.scenario.display().to_string();
    let Some(scenario) = load_scenario(&args.scenario) else {
        return Ok(Exit::Invalid);
    };
    let plan_name = args.plan.display().to_string();
    let Some(plan) = read_plan(&args.plan) else {
        return Ok(Exit::Invalid);
    };
    let report = allot_verify::verify(&scenario, &plan);
    for v in &report.violations {
        outln!("violated: {}: {}", v.check, v.message);
    }
    if report.passed() {
        outln!(
            "{plan_name}: verified: {} checks passed against {name}",
            report.checks
        );
        Ok(Exit::Success)
    } else {
        outln!(
            "{plan_name}: {} of {} checks failed",
            report.violations.len(),
            report.checks
        );
        Ok(Exit::Failure)
    }
}
