//! "Why not?" on `testdata/explain/tiny.toml`, whose answers are computed by hand: forcing a
//! workload onto a dearer offering costs the price difference on its chip-hours, and both plans
//! pass the independent verifier.

use allot_plan::why_not::{Force, WhyNotError, why_not};
use allot_plan::{SolveSettings, SolveStatus};
use allot_scenario::Scenario;

fn tiny() -> Scenario {
    let text = include_str!("../../../testdata/explain/tiny.toml");
    let catalog = include_str!("../../../testdata/explain/catalog.toml");
    let mut read = |_: &str| -> Result<(String, String), String> {
        Ok(("catalog.toml".into(), catalog.to_string()))
    };
    let loaded = allot_scenario::load("tiny.toml", text, &mut read);
    loaded.scenario.expect("tiny.toml is valid")
}

fn forced_difference(s: &Scenario, question: &str) -> (f64, allot_plan::why_not::WhyNot) {
    let force = Force::parse(question, s).expect("force");
    let answer = why_not(s, &SolveSettings::default(), &force).expect("why not");
    for plan in [&answer.base.plan, &answer.forced.plan] {
        assert_eq!(plan.status, SolveStatus::Optimal);
        let report = allot_verify::verify(s, plan);
        assert!(report.passed(), "verifier: {:?}", report.violations);
    }
    (
        answer.forced.plan.objective_usd - answer.base.plan.objective_usd,
        answer,
    )
}

#[test]
fn forcing_a_run_onto_a_dearer_chip_costs_the_price_difference() {
    let s = tiny();
    let (d, answer) = forced_difference(&s, "ft on alpha/x1");
    let (base, forced) = (
        &answer.base.plan.training[0],
        &answer.forced.plan.training[0],
    );
    assert_eq!((base.provider.as_str(), base.chip.as_str()), ("beta", "y1"));
    assert_eq!(
        (forced.provider.as_str(), forced.chip.as_str()),
        ("alpha", "x1")
    );
    // x1 and y1 have the same specifications: the same chip-hours at $2.00 instead of $1.50.
    let expected = base.chip_hours * (2.0 - 1.5);
    assert!((d - expected).abs() < 1e-6 * expected, "{d} vs {expected}");
}

#[test]
fn forcing_a_demand_onto_a_dearer_offering_costs_the_price_difference() {
    let s = tiny();
    let (d, answer) = forced_difference(&s, "chat on beta/x1");
    let hours = answer.base.plan.inference[0].mix[0].chip_hours;
    let expected = hours * (3.0 - 2.0);
    assert!((d - expected).abs() < 1e-6 * expected, "{d} vs {expected}");
}

#[test]
fn forcing_the_least_cost_choice_changes_nothing() {
    let s = tiny();
    let (d, _) = forced_difference(&s, "ft on beta/y1");
    assert!(d.abs() < 1e-6, "{d}");
}

#[test]
fn a_choice_that_is_ruled_out_is_an_error_naming_the_options() {
    let s = tiny();
    let force = Force::parse("chat on beta/y1", &s).expect("force");
    match why_not(&s, &SolveSettings::default(), &force) {
        Err(WhyNotError::NoOption { options, .. }) => {
            assert_eq!(options, ["alpha/x1", "beta/x1"]);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        Force::parse("fx on alpha/x1", &s),
        Err(WhyNotError::UnknownWorkload { hint: Some(_), .. })
    ));
}
