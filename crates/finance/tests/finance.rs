//! The financial projection and the risk run on hand-computed cases: accounting identities,
//! payment terms, discounting, revenue from tokens, runway and funding gap, and risk quantiles
//! against a distribution known in closed form. Every plan comes from the real planner.

use allot_finance::{RiskSettings, Statement, project, run_risk};
use allot_plan::replan::{FullReplan, WarmReplan};
use allot_plan::{Plan, SolveSettings};
use allot_scenario::Scenario;

const HOURS: f64 = 730.5;
/// 100 H100 reserved at $2/chip-hour: the monthly cost of the test scenarios.
const MONTHLY: f64 = 100.0 * 2.0 * HOURS;

fn load(text: &str) -> Scenario {
    let loaded = allot_scenario::load("test.toml", text, &mut |p: &str| {
        Err(format!("no file {p}"))
    });
    let errors: Vec<String> = loaded
        .diagnostics
        .iter()
        .map(|d| d.render(Some(text)))
        .collect();
    loaded
        .scenario
        .unwrap_or_else(|| panic!("invalid test scenario:\n{}", errors.join("\n")))
}

fn load_example(name: &str) -> Scenario {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let path = dir.join(name);
    let text = std::fs::read_to_string(&path).expect("read example");
    let loaded = allot_scenario::load(&path.display().to_string(), &text, &mut |p: &str| {
        let full = dir.join(p);
        std::fs::read_to_string(&full)
            .map(|t| (full.display().to_string(), t))
            .map_err(|e| e.to_string())
    });
    loaded.scenario.expect("valid example")
}

fn plan(s: &Scenario) -> Plan {
    let p = allot_plan::plan(s, &SolveSettings::default()).plan;
    assert!(p.status.has_solution(), "{}", p.status_message);
    p
}

/// A year of 100 reserved H100 at $2/chip-hour, with `extra` TOML appended.
fn reserved(extra: &str) -> Scenario {
    load(&format!(
        r#"
version = 1
[scenario]
name = "reserved"
start = "2026-01"
horizon_months = 12
# Discounting makes a take-or-pay shortfall at the end cheaper than extra capacity now, so the
# planner buys nothing beyond the reservation.
discount_rate = 0.05

[[reservation]]
name = "fleet"
offering = "lambda/gpu_8x_h100_sxm5/all-regions/on-demand"
chips = 100
start = "2026-01"
term_months = 12
usd_per_chip_hour = 2.0
{extra}
"#
    ))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs()))
}

/// The identities every statement satisfies, period by period and year by year.
fn check_identities(st: &Statement) {
    let mut cash = st.starting_cash_usd;
    let mut result = 0.0;
    for l in &st.periods {
        let a = &l.amounts;
        assert!(
            close(l.cash_start_usd, cash),
            "{}: cash carried over",
            l.label
        );
        let end =
            l.cash_start_usd + a.revenue_usd - a.compute_cash_usd - a.capex_usd - a.other_opex_usd
                + a.funding_usd;
        assert!(close(l.cash_end_usd, end), "{}: cash end", l.label);
        assert!(close(
            a.compute_usd,
            a.capacity_usd + a.commitment_charges_usd + a.owned_opex_usd + a.depreciation_usd
        ));
        assert!(close(
            a.operating_result_usd,
            a.revenue_usd - a.compute_usd - a.other_opex_usd
        ));
        assert!(close(a.cash_flow_usd, a.funding_usd - a.burn_usd));
        assert!(close(a.burn_present_value_usd, a.burn_usd * l.discount));
        result += a.operating_result_usd;
        assert!(close(l.cumulative_loss_usd, -result), "{}", l.label);
        cash = l.cash_end_usd;
    }
    for y in &st.years {
        let ps: Vec<_> = st.periods.iter().filter(|p| p.year == y.year).collect();
        let sum =
            |f: fn(&allot_finance::Amounts) -> f64| ps.iter().map(|p| f(&p.amounts)).sum::<f64>();
        assert!(close(y.amounts.revenue_usd, sum(|a| a.revenue_usd)));
        assert!(close(y.amounts.compute_usd, sum(|a| a.compute_usd)));
        assert!(close(y.amounts.burn_usd, sum(|a| a.burn_usd)));
        assert!(close(
            y.cash_end_usd,
            ps.last().expect("period").cash_end_usd
        ));
        assert!(close(y.cash_start_usd, ps[0].cash_start_usd));
    }
    let lowest = st
        .periods
        .iter()
        .map(|p| p.cash_end_usd)
        .fold(st.starting_cash_usd, f64::min);
    assert!(close(st.funding_gap_usd, (-lowest).max(0.0)));
}

/// Capacity spend per period in the plan. The reservation's months cost [`MONTHLY`]; in the
/// last month of a take-or-pay term extra capacity costs the same as the shortfall it saves
/// (both are paid then), so the planner may buy some: the tests read it from the plan.
fn spend(p: &Plan) -> Vec<f64> {
    let mut v = vec![0.0; p.periods.len()];
    for c in &p.capacity {
        let i = p
            .periods
            .iter()
            .position(|x| *x == c.period)
            .expect("period");
        v[i] += c.cost_usd;
    }
    v
}

#[test]
fn as_used_take_or_pay_charges_the_shortfall_in_the_last_month() {
    let s = reserved(
        r#"
[[commitment]]
name = "deal"
provider = "lambda"
total_usd = 2.4e6
start = "2026-01"
term_months = 12
"#,
    );
    let p = plan(&s);
    let st = project(&s, &p).expect("projection");
    check_identities(&st);
    let used = spend(&p);
    assert!(used[..11].iter().all(|x| close(*x, MONTHLY)), "{used:?}");
    let shortfall = (2.4e6 - used.iter().sum::<f64>()).max(0.0);
    let c = &st.contracts[0];
    assert!(close(c.spend_usd, used.iter().sum()));
    assert!(close(c.charges_usd, shortfall), "{}", c.charges_usd);
    assert!(close(
        st.periods[11].amounts.commitment_charges_usd,
        shortfall
    ));
    assert!(close(st.periods[0].amounts.compute_cash_usd, MONTHLY));
    assert!(close(
        st.periods[11].amounts.compute_cash_usd,
        used[11] + shortfall
    ));
    // Whatever the split, the year pays the commitment, as the planner counts it.
    assert!(close(st.total.compute_cash_usd, 2.4e6));
    assert!(close(st.total.compute_usd, p.total_cost_usd));
    assert!(close(p.commitments[0].shortfall_usd, shortfall));
}

#[test]
fn monthly_minimum_tops_up_every_month() {
    let s = reserved(
        r#"
[[commitment]]
name = "deal"
provider = "lambda"
total_usd = 2.4e6
start = "2026-01"
term_months = 12
payment = "monthly_minimum"
"#,
    );
    let p = plan(&s);
    let st = project(&s, &p).expect("projection");
    check_identities(&st);
    for (l, used) in st.periods.iter().zip(spend(&p)) {
        // $2.4M / 12 = $200k a month at least.
        assert!(close(
            l.amounts.commitment_charges_usd,
            (200_000.0 - used).max(0.0)
        ));
        assert!(close(l.amounts.compute_cash_usd, used.max(200_000.0)));
    }
    // The reservation alone costs less than the minimum: every month is topped up (or filled
    // with capacity that costs the same), and the planner counts exactly what is paid.
    let used = spend(&p);
    assert!(used.iter().all(|u| *u >= MONTHLY - 1e-6));
    assert!(close(st.total.compute_cash_usd, 2.4e6));
    assert!(close(st.total.compute_usd, p.total_cost_usd));
    for (l, top_up) in st
        .periods
        .iter()
        .zip(&p.commitments[0].shortfall_by_period_usd)
    {
        assert!(
            close(l.amounts.commitment_charges_usd, *top_up),
            "{}",
            l.label
        );
    }
}

#[test]
fn prepaid_pays_the_total_first_and_draws_it_down() {
    let s = reserved(
        r#"
[[commitment]]
name = "deal"
provider = "lambda"
total_usd = 2.4e6
start = "2026-03"
term_months = 12
payment = "prepaid"
"#,
    );
    let p = plan(&s);
    let st = project(&s, &p).expect("projection");
    check_identities(&st);
    let used = spend(&p);
    let c = &st.contracts[0];
    // Term 2026-03..2027-02: 10 months inside the horizon, the balance carries past it.
    let drawn: f64 = used[2..].iter().sum();
    assert!(close(c.prepaid_usd, 2.4e6));
    assert!(close(c.drawn_usd, drawn));
    assert!(close(c.balance_end_usd, 2.4e6 - drawn));
    assert_eq!(c.charges_usd, 0.0);
    assert!(close(st.periods[0].amounts.compute_cash_usd, MONTHLY));
    assert!(close(st.periods[2].amounts.compute_cash_usd, 2.4e6));
    assert!(close(st.periods[5].amounts.compute_cash_usd, 0.0));
    // The expense is the capacity used, month by month.
    assert!(close(st.periods[5].amounts.compute_usd, MONTHLY));
}

#[test]
fn prepaid_balance_left_at_the_end_of_a_term_is_forfeited() {
    let s = reserved(
        r#"
[[commitment]]
name = "deal"
provider = "lambda"
total_usd = 2.4e6
start = "2026-01"
term_months = 6
payment = "prepaid"
"#,
    );
    let p = plan(&s);
    let st = project(&s, &p).expect("projection");
    check_identities(&st);
    let used = spend(&p);
    let drawn: f64 = used[..6].iter().sum();
    let c = &st.contracts[0];
    assert!(close(c.charges_usd, 2.4e6 - drawn));
    assert!(close(
        st.periods[5].amounts.commitment_charges_usd,
        2.4e6 - drawn
    ));
    assert!(close(st.periods[0].amounts.compute_cash_usd, 2.4e6));
    // After the term, capacity is paid as used again.
    assert!(close(st.periods[6].amounts.compute_cash_usd, used[6]));
}

#[test]
fn revenue_funding_runway_and_funding_gap() {
    let s = reserved(
        r#"
[[inference]]
name = "chat"
model = "llama3.1-8b"
input_tokens = 1155
output_tokens = 211
requests_per_day = 1000
chips = ["h100"]
price_usd_per_million_tokens = 2.0

[finance]
starting_cash_usd = 1e6
other_opex_usd_per_month = 5e5
revenue_usd_per_month = 1e4

[[finance.funding]]
name = "A"
month = "2026-04"
usd = 1e6
"#,
    );
    let st = project(&s, &plan(&s)).expect("projection");
    check_identities(&st);
    let tokens = 1000.0 * 365.25 / 12.0 * (1155.0 + 211.0);
    let revenue = 1e4 + tokens * 2.0 / 1e6;
    for l in &st.periods {
        assert!(
            close(l.amounts.revenue_usd, revenue),
            "{}",
            l.amounts.revenue_usd
        );
        // The reservation serves the demand: no other compute.
        assert!(close(l.amounts.compute_cash_usd, MONTHLY));
    }
    let burn = MONTHLY + 5e5 - revenue;
    let cash = |k: f64, funded: bool| 1e6 - k * burn + if funded { 1e6 } else { 0.0 };
    assert!(close(st.periods[0].cash_end_usd, cash(1.0, false)));
    assert_eq!(st.runway_end.as_deref(), Some("2026-02"));
    assert_eq!(st.runway_months, 1);
    assert!(close(st.funding_gap_usd, -cash(12.0, true)));
    assert!(close(st.cumulative_loss_usd, 12.0 * burn));
    assert_eq!(st.years.len(), 1);
    assert!(close(st.years[0].amounts.funding_usd, 1e6));
}

#[test]
fn burn_is_discounted_at_the_middle_of_each_period() {
    let s = load(
        r#"
version = 1
[scenario]
name = "discounted"
start = "2026-01"
horizon_months = 24
period = "quarter"
discount_rate = 0.1

[[reservation]]
name = "fleet"
offering = "lambda/gpu_8x_h100_sxm5/all-regions/on-demand"
chips = 100
start = "2026-01"
term_months = 24
usd_per_chip_hour = 2.0
"#,
    );
    let st = project(&s, &plan(&s)).expect("projection");
    check_identities(&st);
    assert_eq!(st.periods.len(), 8);
    let expected: f64 = (0..8)
        .map(|q| 3.0 * MONTHLY * 1.1f64.powf(-(3.0 * q as f64 + 1.5) / 12.0))
        .sum();
    assert!(close(st.total.burn_present_value_usd, expected));
    assert_eq!(st.periods[4].label, "2027-Q1");
    assert_eq!(st.years[1].year, 2027);
}

#[test]
fn examples_satisfy_the_identities_and_owned_capacity_is_capex_and_depreciation() {
    for name in ["startup.toml", "owned-datacenter.toml"] {
        let s = load_example(name);
        let p = plan(&s);
        let st = project(&s, &p).expect("projection");
        check_identities(&st);
        // Commitments there are paid as used: the compute cost is the plan's total cost.
        if s.file
            .commitment
            .iter()
            .all(|c| c.payment == allot_scenario::PaymentTerms::AsUsed)
        {
            assert!(
                close(st.total.compute_usd, p.total_cost_usd),
                "{name}: {} vs {}",
                st.total.compute_usd,
                p.total_cost_usd
            );
        }
        let capex: f64 = p
            .cohorts
            .iter()
            .filter_map(|c| {
                let o = s.catalog.offering(&c.offering)?;
                (o.price_model == allot_catalog::PriceModel::Owned)
                    .then(|| c.chips * o.capex_usd_per_chip.unwrap_or(0.0))
            })
            .sum();
        assert!(close(st.total.capex_usd, capex), "{name}");
        if name.starts_with("owned") {
            assert!(capex > 0.0, "the owned example buys hardware");
            assert!(st.total.depreciation_usd > 0.0);
        }
    }
}

/// `base` with a price uncertainty on the reserved offering.
fn uncertain(distribution: &str) -> Scenario {
    load(&format!(
        r#"
version = 1
[scenario]
name = "uncertain"
start = "2026-01"
horizon_months = 12

[[reservation]]
name = "fleet"
offering = "lambda/gpu_8x_h100_sxm5/all-regions/on-demand"
chips = 100
start = "2026-01"
term_months = 12

[[uncertainty]]
name = "h100 price"
kind = "price"
offering = "lambda/gpu_8x_h100_sxm5/all-regions/on-demand"
{distribution}

[[uncertainty]]
name = "revenue"
kind = "revenue"
distribution = "normal"
mean = 1.0
sd = 0.2

[finance]
starting_cash_usd = 0
revenue_usd_per_month = 1e5
"#
    ))
}

#[test]
fn risk_quantiles_of_a_uniform_price_are_known_in_closed_form() {
    let s = uncertain("distribution = \"uniform\"\nmin = 0.8\nmax = 1.2");
    let list = s
        .catalog
        .offering("lambda/gpu_8x_h100_sxm5/all-regions/on-demand");
    let base = 100.0 * list.and_then(|o| o.usd_per_chip_hour()).expect("price") * HOURS * 12.0;
    let settings = RiskSettings {
        samples: 400,
        seed: 7,
        threads: 2,
        swing: true,
    };
    let full = FullReplan::default();
    let replan = |x: &Scenario| full.replan(x);
    let report = run_risk(&s, &replan, &settings, &|_, _| {}).expect("risk");
    assert_eq!(report.failed, 0);
    let q = report.quantiles.expect("quantiles")[0];
    for (got, p) in [(q.p10, 0.1), (q.p50, 0.5), (q.p90, 0.9)] {
        let want = base * (0.8 + 0.4 * p);
        assert!((got / want - 1.0).abs() < 0.02, "p{p}: {got} vs {want}");
    }
    assert!(close(report.base.expect("base").total_cost_usd, base));
    // The price moves the cost; revenue does not.
    let price = report
        .sensitivity
        .iter()
        .find(|x| x.name == "h100 price")
        .expect("price");
    assert!(price.rank_correlation[0] > 0.99);
    let swing = price.swing.expect("swing")[0];
    assert!(close(swing.0, base * 0.84) && close(swing.1, base * 1.16));
    let revenue = report
        .sensitivity
        .iter()
        .find(|x| x.name == "revenue")
        .expect("revenue");
    assert!(revenue.rank_correlation[0].abs() < 0.2);
    // Cumulative loss = cost − revenue: falls as revenue rises.
    assert!(revenue.rank_correlation[1] < -0.3);
}

#[test]
fn risk_is_identical_whatever_the_thread_count() {
    let s = uncertain("distribution = \"triangular\"\nmin = 0.5\nmode = 0.9\nmax = 1.5");
    let full = FullReplan::default();
    let replan = |x: &Scenario| full.replan(x);
    let run = |threads| {
        let settings = RiskSettings {
            samples: 40,
            seed: 42,
            threads,
            swing: false,
        };
        run_risk(&s, &replan, &settings, &|_, _| {}).expect("risk")
    };
    let (one, two) = (run(1), run(2));
    assert_eq!(one, two);
    let other = run_risk(
        &s,
        &replan,
        &RiskSettings {
            samples: 40,
            seed: 43,
            threads: 2,
            swing: false,
        },
        &|_, _| {},
    )
    .expect("risk");
    assert_ne!(one.samples[0].values, other.samples[0].values);
}

#[test]
fn warm_started_risk_matches_the_full_re_plans_and_ignores_the_thread_count() {
    let s = uncertain("distribution = \"uniform\"\nmin = 0.8\nmax = 1.2");
    let settings = |threads| RiskSettings {
        samples: 60,
        seed: 11,
        threads,
        swing: false,
    };
    let cold = FullReplan::default();
    let full =
        run_risk(&s, &|x: &Scenario| cold.replan(x), &settings(2), &|_, _| {}).expect("risk");
    let (warm, base) = WarmReplan::new(&s, &SolveSettings::default());
    let warm = |x: &Scenario| warm.replan(x);
    assert!(close(
        base.total_cost_usd,
        full.base.expect("base").total_cost_usd
    ));
    let one = run_risk(&s, &warm, &settings(1), &|_, _| {}).expect("risk");
    let two = run_risk(&s, &warm, &settings(2), &|_, _| {}).expect("risk");
    assert_eq!(one, two);
    // No discrete choice here (an LP): the recourse plan is the full plan.
    let (recourse, _) = WarmReplan::recourse(&s, &SolveSettings::default());
    let recourse = |x: &Scenario| recourse.replan(x);
    let kept = run_risk(&s, &recourse, &settings(2), &|_, _| {}).expect("risk");
    for ((a, b), c) in full.samples.iter().zip(&one.samples).zip(&kept.samples) {
        assert_eq!(a.values, b.values);
        let (a, b, c) = (
            a.measures.expect("plan"),
            b.measures.expect("plan"),
            c.measures.expect("plan"),
        );
        assert!(close(a.total_cost_usd, b.total_cost_usd));
        assert!(close(a.total_cost_usd, c.total_cost_usd));
    }
}
