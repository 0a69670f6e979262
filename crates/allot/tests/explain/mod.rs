//! `allot explain --why-not / --what-if` on `testdata/explain/tiny.toml`, whose answers are
//! computed by hand: `ft` trains on beta/y1 ($1.50 per chip-hour) and `chat` (x1 only) is served
//! from alpha/x1 ($2.00; beta/x1 costs $3.00). The scenario has no discounting, so discounted
//! and undiscounted costs are equal.

use super::{allot, json, text};

const TINY: &str = "testdata/explain/tiny.toml";

fn f(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1.0)
}

/// Chip-hours of `ft` and of `chat` in the least-cost plan.
fn work(answer: &serde_json::Value) -> (f64, f64) {
    let base = &answer["base"];
    let ft = f(&base["training"][0]["chip_hours"]);
    let chat = f(&base["serving"][0]["mix"][0]["chip_hours"]);
    (ft, chat)
}

#[test]
fn why_not_a_dearer_chip_costs_the_price_difference_on_the_runs_chip_hours() {
    let a = json(&["explain", TINY, "--why-not", "ft on alpha/x1", "--json"]);
    let (ft, _) = work(&a);
    assert_eq!(a["base"]["training"][0]["provider"], "beta");
    assert_eq!(a["base"]["training"][0]["chip"], "y1");
    assert_eq!(a["changed"]["training"][0]["provider"], "alpha");
    assert_eq!(a["changed"]["training"][0]["chip"], "x1");
    // x1 and y1 are the same chip: the same chip-hours, at $2.00 instead of $1.50.
    assert!(close(f(&a["changed"]["training"][0]["chip_hours"]), ft));
    let expected = ft * (2.0 - 1.5);
    assert!(close(f(&a["difference"]["objective_usd"]), expected), "{a}");
    assert!(close(f(&a["difference"]["total_cost_usd"]), expected));
    assert_eq!(a["warm_start"], true);
    let answer = a["answer"].as_str().expect("answer");
    assert!(
        answer.starts_with("Forcing ft onto alpha/x1 costs $"),
        "{answer}"
    );
    assert!(answer.contains("because ft uses"), "{answer}");

    let out = allot(&["explain", TINY, "--why-not", "ft on alpha/x1"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for part in [
        "BASE",
        "FORCED",
        "DIFFERENCE",
        "TRAINING RUN",
        "What else moved",
    ] {
        assert!(stdout.contains(part), "no {part} in:\n{stdout}");
    }
}

#[test]
fn why_not_serving_elsewhere_costs_the_dearer_offering() {
    let a = json(&["explain", TINY, "--why-not", "chat on beta/x1", "--json"]);
    let (_, chat) = work(&a);
    let expected = chat * (3.0 - 2.0);
    assert!(close(f(&a["difference"]["objective_usd"]), expected), "{a}");
}

#[test]
fn what_if_a_price_changes_costs_the_difference_on_the_same_work() {
    let a = json(&[
        "explain",
        TINY,
        "--what-if",
        "catalog.price_override[alpha/x1].usd_per_chip_hour=2.5",
        "--json",
    ]);
    let (_, chat) = work(&a);
    assert!(
        close(f(&a["difference"]["total_cost_usd"]), chat * 0.5),
        "{a}"
    );
    let change = a["change"].as_str().expect("change");
    assert!(
        change.contains("catalog.price_override[0].usd_per_chip_hour = 2.5 (was 2.0)"),
        "{change}"
    );
}

#[test]
fn what_if_a_provider_cap_tightens_splits_spend_at_the_cap() {
    let a = json(&[
        "explain",
        TINY,
        "--what-if",
        "policy.provider_cap[alpha].max_share=0.2",
        "--json",
    ]);
    let (ft, chat) = work(&a);
    // alpha serves a chip-hours of chat at $2, beta the rest at $3 and ft at $1.50; the cap
    // binds: 2a = 0.2 (2a + 3 (chat - a) + 1.5 ft), so a = (0.6 chat + 0.3 ft) / 2.2.
    let a_hours = (0.6 * chat + 0.3 * ft) / 2.2;
    let expected = 2.0 * a_hours + 3.0 * (chat - a_hours) + 1.5 * ft;
    assert!(close(f(&a["changed"]["total_cost_usd"]), expected), "{a}");
    let alpha = f(&a["changed"]["cost_by_provider"]["alpha"]);
    assert!(close(alpha, 0.2 * expected));
    // The cap is named as the constraint that binds harder.
    let reasons = a["reasons"].as_array().expect("reasons");
    assert!(
        reasons.iter().any(|r| r["kind"] == "constraint"
            && r["message"]
                .as_str()
                .is_some_and(|m| m.contains("cap on alpha"))),
        "{reasons:?}"
    );
}

#[test]
fn why_not_a_vendor_share_caps_it_in_every_year() {
    let a = json(&[
        "explain",
        TINY,
        "--why-not",
        "vendor xvendor <= 30%",
        "--json",
    ]);
    let share = f(&a["changed"]["vendor_share"]["xvendor"]);
    assert!(share <= 0.30 + 1e-6, "{share}");
    assert!(f(&a["difference"]["objective_usd"]) > 0.0);
    let answer = a["answer"].as_str().expect("answer");
    assert!(answer.contains("The cap binds in 2027"), "{answer}");
}

#[test]
fn why_not_holding_chips_of_an_offering_pays_for_them() {
    let a = json(&[
        "explain",
        TINY,
        "--why-not",
        "offering beta/x1 >= 3",
        "--json",
    ]);
    // Three chips held for the three months at $3.00, paid whether used or not; the work
    // (about 2,900 chip-hours of the 6,575 held) moves onto them, to within the solver's gap.
    let held = 3.0 * 3.0 * 730.5 * 3.0;
    let total = f(&a["changed"]["total_cost_usd"]);
    assert!(total >= held * (1.0 - 1e-9) && total <= held * 1.001, "{a}");
    assert!(close(f(&a["changed"]["cost_by_provider"]["beta"]), held));
}

#[test]
fn an_infeasible_what_if_exits_3_and_says_so() {
    let out = allot(&[
        "explain",
        TINY,
        "--what-if",
        "policy.provider_cap[alpha].max_share=0",
        "--what-if",
        r#"inference[chat].providers=["alpha"]"#,
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("makes the scenario infeasible"), "{stdout}");
    // The diagnosis of the changed scenario: a cap on alpha above 0 would do.
    assert!(stdout.contains("would make it feasible again"), "{stdout}");
    assert!(stdout.contains("alpha"), "{stdout}");
}

#[test]
fn bad_questions_exit_2_with_a_hint() {
    let cases: [(&[&str], &str); 6] = [
        (&["--why-not", "fx on alpha/x1"], "did you mean 'ft'?"),
        (&["--why-not", "ft on alpha/x2"], "did you mean 'alpha/x1'?"),
        (&["--why-not", "ft somewhere"], "RUN on PROVIDER/CHIP"),
        (
            &["--what-if", "policy.provider_cap[alpha].max_shar=0.5"],
            "did you mean 'max_share'?",
        ),
        (
            &["--what-if", "training[ftt].deadline=2027-03"],
            "did you mean 'ft'?",
        ),
        (
            &["--what-if", "training[ft].tokens=lots"],
            "training[0].tokens: expected a number, found a string",
        ),
    ];
    for (args, hint) in cases {
        let mut all = vec!["explain", TINY];
        all.extend_from_slice(args);
        let out = allot(&all);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(hint), "{args:?}: no '{hint}' in {stderr}");
    }
}
