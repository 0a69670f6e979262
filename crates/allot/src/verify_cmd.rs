//! `allot verify SCENARIO PLAN.json`: check a plan independently of the planner.

use crate::cli::VerifyArgs;
use crate::exit::Exit;
use crate::files::{load_scenario, read_plan_and_text};

pub fn run(args: &VerifyArgs) -> anyhow::Result<Exit> {
    let name = args.scenario.display().to_string();
    let Some(scenario) = load_scenario(&args.scenario) else {
        return Ok(Exit::Invalid);
    };
    let plan_name = args.plan.display().to_string();
    let Some((plan, plan_text)) = read_plan_and_text(&args.plan) else {
        return Ok(Exit::Invalid);
    };
    let mut report = allot_verify::verify(&scenario, &plan);
    // The finance block beside the plan: its figures must be the plan's projection.
    let document: serde_json::Value = serde_json::from_str(&plan_text).unwrap_or_default();
    let finance = allot_verify::verify_finance(&scenario, &plan, document.get("finance"));
    report.checks += finance.checks;
    report.violations.extend(finance.violations);
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
