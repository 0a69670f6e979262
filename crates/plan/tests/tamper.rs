//! The verifier is only worth its "passed" if it fails a wrong plan. Each case here changes one
//! thing in a real plan of examples/frontier-lab.toml (a cost, a share, a run's chips or window,
//! a serving mix, a commitment) and checks that the verifier names it.

use allot_plan::{Plan, SolveSettings, SolveStatus};
use allot_scenario::Scenario;
use allot_verify::verify;

fn frontier_lab() -> Scenario {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let text = std::fs::read_to_string(dir.join("frontier-lab.toml")).expect("read example");
    let mut read = |name: &str| -> Result<(String, String), String> {
        std::fs::read_to_string(dir.join(name))
            .map(|t| (name.to_string(), t))
            .map_err(|e| e.to_string())
    };
    allot_scenario::load("frontier-lab.toml", &text, &mut read)
        .scenario
        .expect("the example loads")
}

fn run<'a>(plan: &'a mut Plan, name: &str) -> &'a mut allot_plan::plan::TrainingLine {
    plan.training
        .iter_mut()
        .find(|t| t.name == name)
        .expect("the run is in the plan")
}

type Tamper = fn(&mut Plan);

#[test]
fn the_verifier_names_each_kind_of_tampering() {
    let s = frontier_lab();
    let plan = allot_plan::plan(&s, &SolveSettings::default()).plan;
    assert_eq!(plan.status, SolveStatus::Optimal);
    let clean = verify(&s, &plan);
    assert!(clean.passed(), "{:?}", clean.violations);

    // (what is changed, the change, the violated check's start, words of its message)
    let cases: Vec<(&str, Tamper, &str, &str)> = vec![
        (
            "objective",
            |p| p.objective_usd *= 1.001,
            "objective",
            "recomputed",
        ),
        (
            "total",
            |p| p.total_cost_usd *= 1.001,
            "total cost",
            "recomputed",
        ),
        (
            "a period's cost",
            |p| p.cost_by_period[0] += 1e6,
            "cost 2026-01",
            "recomputed",
        ),
        (
            "a year's cost",
            |p| *p.cost_by_year.get_mut("2028").expect("2028") += 1e6,
            "cost by year 2028",
            "recomputed",
        ),
        (
            "a provider that costs nothing",
            |p| {
                p.cost_by_provider.insert("nobody".into(), 1e6);
            },
            "cost by provider nobody",
            "recomputed 0",
        ),
        (
            "a vendor's share",
            |p| *p.vendor_share.get_mut("nvidia").expect("nvidia") += 0.01,
            "vendor share nvidia",
            "recomputed",
        ),
        (
            "a provider's share left out",
            |p| {
                p.provider_share.remove("azure");
            },
            "provider share azure",
            "reported 0",
        ),
        (
            "the periods",
            |p| p.periods[0] = "1999-01".into(),
            "periods",
            "not the scenario's",
        ),
        (
            "the scenario",
            |p| p.scenario = "another".into(),
            "scenario",
            "not 'Frontier",
        ),
        (
            "a capacity line's provider",
            |p| p.capacity[0].provider = "nobody".into(),
            "capacity",
            "listed as nobody/",
        ),
        (
            "a commitment's provider",
            |p| p.commitments[0].provider = "nobody".into(),
            "commitment",
            "provider nobody",
        ),
        (
            "a demand listed twice",
            |p| {
                let again = p.inference[0].clone();
                p.inference.push(again);
            },
            "inference chatgpt",
            "listed twice",
        ),
        (
            "a run on a provider it may not use",
            |p| run(p, "frontier-2027").provider = "aws".into(),
            "training frontier-2027",
            "is not allowed",
        ),
        (
            "a run below its minimum cluster",
            |p| {
                let t = run(p, "frontier-2029");
                let first = t.chips_by_period.values_mut().next().expect("chips");
                *first = 1000.0;
            },
            "training frontier-2029",
            "outside [",
        ),
        (
            "a run past its deadline",
            |p| {
                let t = run(p, "frontier-2027");
                let chips = t.chips;
                t.chips_by_period.insert("2032-12".into(), chips);
            },
            "training frontier-2027 2032-12",
            "outside the run's window",
        ),
        (
            "a run with half its chips",
            |p| {
                for c in run(p, "frontier-2026").chips_by_period.values_mut() {
                    *c *= 0.5;
                }
            },
            "training frontier-2026",
            "trains",
        ),
        (
            "a run's largest cluster",
            |p| run(p, "frontier-2026").chips *= 2.0,
            "training frontier-2026",
            "largest cluster",
        ),
        (
            "a run's chip-hours",
            |p| run(p, "frontier-2026").chip_hours *= 1.1,
            "training frontier-2026",
            "chip-hours",
        ),
        (
            "a run's start",
            |p| run(p, "frontier-2026").start = "2031-01".into(),
            "training frontier-2026",
            "periods with chips run",
        ),
        (
            "a run the scenario does not have",
            |p| {
                let mut ghost = p.training[0].clone();
                ghost.name = "ghost".into();
                p.training.push(ghost);
            },
            "training ghost",
            "not in the scenario",
        ),
        (
            "a demand served by half its chips",
            |p| {
                for c in &mut p.inference[0].chips_by_period {
                    c.chips *= 0.5;
                }
            },
            "inference chatgpt",
            "serves",
        ),
        (
            "a demand's tokens",
            |p| p.inference[0].tokens *= 1.1,
            "inference chatgpt",
            "the demand is",
        ),
        (
            "a serving mix",
            |p| p.inference[0].mix[0].token_share *= 0.9,
            "inference chatgpt",
            "its chips give",
        ),
        (
            "serving off Azure during its exclusivity",
            |p| {
                let api = p
                    .inference
                    .iter_mut()
                    .find(|d| d.name == "openai-api")
                    .expect("openai-api");
                let c = api
                    .chips_by_period
                    .iter_mut()
                    .find(|c| c.period == "2026-01")
                    .expect("served in 2026-01");
                c.provider = "oci".into();
            },
            "inference openai-api oci/",
            "violates an exclusivity",
        ),
        (
            "half the capacity, at half the cost",
            |p| {
                for c in &mut p.capacity {
                    c.chips *= 0.5;
                    c.cost_usd *= 0.5;
                }
            },
            "supply",
            "provisioned",
        ),
        (
            "a price",
            |p| p.capacity[0].usd_per_chip_hour *= 0.9,
            "capacity",
            "per chip-hour",
        ),
        (
            "a cohort left out",
            |p| {
                p.cohorts.remove(0);
            },
            "cohorts",
            "active cohorts give",
        ),
        (
            "a term commitment cut short by a negative cohort",
            |p| {
                let mut cancel = p.cohorts[0].clone();
                cancel.chips = -cancel.chips;
                cancel.start = p.periods[p.periods.len() - 1].clone();
                p.cohorts.push(cancel);
            },
            "cohort",
            "cannot be negative",
        ),
        (
            "negative serving",
            |p| {
                let mut entry = p.inference[0].chips_by_period[0].clone();
                entry.chips = -entry.chips;
                p.inference[1].chips_by_period.push(entry);
            },
            "inference",
            "serving cannot be negative",
        ),
        (
            "a shortfall refunded early and paid back late",
            |p| {
                let c = &mut p.commitments[0];
                let n = c.shortfall_by_period_usd.len();
                c.shortfall_by_period_usd[0] -= 1e9;
                c.shortfall_by_period_usd[n - 1] += 1e9;
            },
            "commitment",
            "shortfall payment is negative",
        ),
        (
            "a commitment's spend",
            |p| p.commitments[0].spend_usd *= 1.1,
            "commitment",
            "spend",
        ),
        (
            "a commitment's utilisation",
            |p| p.commitments[0].utilisation *= 1.1,
            "commitment",
            "utilisation",
        ),
    ];

    let mut missed = Vec::new();
    for (what, tamper, check, words) in &cases {
        let mut tampered = plan.clone();
        tamper(&mut tampered);
        let report = verify(&s, &tampered);
        let named = report
            .violations
            .iter()
            .any(|v| v.check.starts_with(check) && v.message.contains(words));
        if !named {
            missed.push(format!(
                "{what}: no '{check}' violation saying '{words}' among {:?}",
                report.violations
            ));
        }
    }
    assert!(missed.is_empty(), "{}", missed.join("\n"));
}

/// Issue 22, item 5: a plan claiming optimality at a gap it does not state, and finance
/// figures edited in the plan JSON, passed ("637 checks passed").
#[test]
fn the_verifier_names_a_gap_and_finance_figures_that_are_not_the_plan_s() {
    let s = frontier_lab();
    let plan = allot_plan::plan(&s, &SolveSettings::default()).plan;
    assert_eq!(plan.status, SolveStatus::Optimal);

    let mut gap = plan.clone();
    gap.mip_gap = 0.5;
    let report = verify(&s, &gap);
    assert!(
        report
            .violations
            .iter()
            .any(|v| v.check == "mip gap" && v.message.contains("50.00%")),
        "{:?}",
        report.violations
    );
    let mut negative = plan.clone();
    negative.mip_gap = -0.1;
    assert!(!verify(&s, &negative).passed());

    let text = allot_present::finance_json::plan_json(&s, &plan).expect("plan JSON");
    let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let clean = allot_verify::verify_finance(&s, &plan, json.get("finance"));
    assert!(clean.passed(), "{:?}", clean.violations);
    assert!(clean.checks > 20, "{}", clean.checks);
    for (path, pointer, value) in [
        ("finance.funding_gap_usd", "/finance/funding_gap_usd", 5e9),
        (
            "finance.years[0].cash_end_usd",
            "/finance/years/0/cash_end_usd",
            1.0,
        ),
        (
            "finance.total.revenue_usd",
            "/finance/total/revenue_usd",
            0.0,
        ),
        ("finance.runway_months", "/finance/runway_months", 1.0),
    ] {
        let mut tampered = json.clone();
        *tampered.pointer_mut(pointer).expect(pointer) = serde_json::json!(value);
        let report = allot_verify::verify_finance(&s, &plan, tampered.get("finance"));
        assert!(
            report.violations.iter().any(|v| v.check == path),
            "{path}: {:?}",
            report.violations
        );
    }
    // A figure the projection does not have is named too.
    let mut extra = json.clone();
    extra["finance"]["bonus_usd"] = serde_json::json!(1e9);
    let report = allot_verify::verify_finance(&s, &plan, extra.get("finance"));
    assert!(
        report
            .violations
            .iter()
            .any(|v| v.check == "finance.bonus_usd"),
        "{:?}",
        report.violations
    );
}
