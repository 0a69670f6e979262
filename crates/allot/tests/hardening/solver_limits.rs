//! Issue 22, item 10: `check` accepted values the solver then refused ("HiGHS rejected the
//! model", no location). Every number is at most 1e18 in size, a grown series too, each refused
//! with file, line, field and hint; a model the solver would still refuse names its row and
//! column (which name the scenario's entries).

use crate::{allot, root, text};

/// tiny.toml with `from` replaced by `to` (and, for a long horizon, 600 months).
fn tiny_with(name: &str, from: &str, to: &str) -> String {
    let dir = super::scratch_with_catalog("hardening-solver-limits", name);
    let tiny = std::fs::read_to_string(root().join("testdata/explain/tiny.toml")).unwrap();
    let mut edited = tiny.replace(from, to);
    if to.contains("growth") {
        edited = edited.replace("horizon_months = 3", "horizon_months = 600");
    }
    assert_ne!(tiny, edited, "{from}");
    let path = dir.join(name);
    std::fs::write(&path, edited).unwrap();
    path.display().to_string()
}

#[test]
fn numbers_the_solver_cannot_take_are_refused_by_check() {
    // (name, text replaced, replacement, expected in stderr: location, field, hint)
    let cases = [
        (
            "tokens.toml",
            "tokens = 5e10",
            "tokens = 1e308",
            ":23:10: error: training[0].tokens: must be at most 1e18 in size, found 1e308",
        ),
        (
            "tokens-25.toml",
            "tokens = 5e10",
            "tokens = 1e25",
            "training[0].tokens: must be at most 1e18 in size",
        ),
        (
            "requests.toml",
            "requests_per_day = 1e6",
            "requests_per_day = -1e300",
            "inference[0].requests_per_day: must be at most 1e18 in size",
        ),
        (
            "price.toml",
            "usd_per_chip_hour = 2.0",
            "usd_per_chip_hour = 1e19",
            "catalog.price_override[0].usd_per_chip_hour: must be at most 1e18",
        ),
        (
            "growth.toml",
            "requests_per_day = 1e6",
            "requests_per_day = { initial = 1e6, growth_per_year = 1e6 }",
            "inference[0].requests_per_day.growth_per_year: grows 1000000 to",
        ),
    ];
    let mut failures = Vec::new();
    for (name, from, to, expected) in cases {
        let path = tiny_with(name, from, to);
        let out = allot(&["check", &path]);
        let stderr = text(&out.stderr);
        if out.status.code() != Some(2)
            || !stderr.contains(expected)
            || !stderr.contains("hint: numbers past 1e18 are beyond what the planner's solver")
        {
            failures.push(format!("{name}: {:?}\n{stderr}", out.status.code()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n---\n"));
    // The largest allowed number passes check (and plans: infeasible, not refused).
    let path = tiny_with("tokens-18.toml", "tokens = 5e10", "tokens = 1e18");
    let out = allot(&["plan", &path]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
}

/// A price within 1e18 but past what the model can represent (issue 22, item 10): a
/// $1e18/chip-hour override passed `check`, then `plan` failed with "constraint 'budget 2027'
/// has coefficient 7.305e17" and no place. Now both refuse it at its field with the hint; and a
/// 600-month horizon whose series grows past 1e18 is refused by `plan` as by `check`.
#[test]
fn prices_past_what_the_model_represents_are_refused_by_check_and_plan() {
    let budget = "usd_per_chip_hour = 2.0";
    let cases = [
        (
            "price-1e18.toml",
            budget,
            "usd_per_chip_hour = 1e18\n\n[[policy.budget]]\nyear = 2027\nmax_usd = 60e9",
            ":18:21: error: catalog.price_override[0].usd_per_chip_hour: must be at most 1000000000, found 1e18",
        ),
        (
            "price-2e9.toml",
            budget,
            "usd_per_chip_hour = 2e9",
            "catalog.price_override[0].usd_per_chip_hour: must be at most 1000000000, found 2e9",
        ),
        (
            "growth-600.toml",
            "requests_per_day = 1e6",
            "requests_per_day = { initial = 1e3, growth_per_year = 1.1 }",
            "inference[0].requests_per_day.growth_per_year: grows 1000 to",
        ),
    ];
    let mut failures = Vec::new();
    for (name, from, to, expected) in cases {
        let path = tiny_with(name, from, to);
        for command in ["check", "plan"] {
            let out = allot(&[command, &path]);
            let stderr = text(&out.stderr);
            if out.status.code() != Some(2)
                || !stderr.contains(expected)
                || !stderr.contains("hint: ")
                || stderr.contains("has coefficient")
            {
                failures.push(format!(
                    "{command} {name}: {:?}\n{stderr}",
                    out.status.code()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n---\n"));
    // The largest allowed price plans.
    let path = tiny_with("price-1e9.toml", budget, "usd_per_chip_hour = 1e9");
    let out = allot(&["plan", &path]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// A product of fields each within its range (issue 22, item 10): a demand's token revenue,
/// requests per day × tokens per request × price, which the cash floor and the finance
/// projection add up. 1e15 requests a day at $1e12 per million tokens passed `check`; `plan`
/// then printed revenue of $1.1e17B, and over a longer horizon stopped at the solver naming only
/// a row ("constraint 'cash 2027-12' has bounds [1.05e20, ...]"). Now both refuse it at the
/// price, with the month it peaks and a hint; a large but representable revenue still plans.
#[test]
fn token_revenue_past_what_the_model_represents_is_refused_at_the_price() {
    let with_finance = |name: &str, requests: &str, price: &str| {
        let path = tiny_with(
            name,
            "requests_per_day = 1e6",
            &format!("requests_per_day = {requests}\nprice_usd_per_million_tokens = {price}"),
        );
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("\n[finance]\nstarting_cash_usd = 1e6\ncash_floor_usd = 0\n");
        std::fs::write(&path, text).unwrap();
        path
    };
    let path = with_finance("revenue-1e25.toml", "1e15", "1e12");
    for command in ["check", "plan"] {
        let out = allot(&[command, &path]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{command}: {stderr}");
        assert!(
            stderr.contains(
                "revenue-1e25.toml:32:32: error: inference[0].price_usd_per_million_tokens: \
                 token revenue reaches 3.653e25 USD in 2027-03"
            ) && stderr.contains("hint: the cash floor and the finance projection add"),
            "{command}: {stderr}"
        );
    }
    // $36.5 trillion a month (1e9 requests a day at $1,000 per million tokens) is absurd but
    // representable: it plans.
    let path = with_finance("revenue-3e13.toml", "1e9", "1e3");
    let out = allot(&["plan", &path]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}
