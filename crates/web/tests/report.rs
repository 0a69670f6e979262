//! The report of a real plan of the startup example: the page holds every view, the data blob
//! holds the plan as written and sums that match it, and hostile names cannot break out of the
//! data element or the title.

use allot_finance::{RiskReport, RiskSettings, Statement};
use allot_plan::{Plan, SolveSettings};
use allot_scenario::Scenario;
use allot_web::data::SHORTFALL_KEY;
use allot_web::{ReportInput, VIEW_IDS, page, report};
use serde_json::Value;

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

struct Made {
    scenario: Scenario,
    plan: Plan,
    statement: Statement,
    risk: RiskReport,
}

fn startup() -> Made {
    let scenario = load_example("startup.toml");
    let settings = SolveSettings::default();
    let outcome = allot_plan::plan_explained(&scenario, &settings);
    let plan = outcome.plan;
    assert!(plan.status.has_solution(), "{}", plan.status_message);
    let statement = allot_finance::project(&scenario, &plan).expect("statement");
    let replan = |s: &Scenario| allot_plan::plan(s, &settings).plan;
    let risk_settings = RiskSettings {
        samples: 4,
        seed: 1,
        threads: 1,
        swing: true,
    };
    let risk =
        allot_finance::run_risk(&scenario, &replan, &risk_settings, &|_, _| {}).expect("risk run");
    Made {
        scenario,
        plan,
        statement,
        risk,
    }
}

fn render(m: &Made) -> String {
    report(&ReportInput {
        scenario: &m.scenario,
        plan: &m.plan,
        statement: Ok(&m.statement),
        risk: Ok(&m.risk),
        risk_method: "4 samples, seed 1",
        bindings: &m.plan.explanations,
        bindings_note: "From the plan.",
        generator: "allot test",
    })
}

/// The text of the data element, and the value it holds.
fn data_of(html: &str) -> (String, Value) {
    let open = "<script type=\"application/json\" id=\"allot-data\">";
    let start = html.find(open).expect("data element") + open.len();
    let len = html[start..]
        .find("</script>")
        .expect("end of data element");
    let text = html[start..start + len].to_string();
    let value = serde_json::from_str(&text).expect("data is JSON");
    (text, value)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn every_view_is_in_the_page_with_the_chart_library_and_no_remote_reference() {
    let m = startup();
    let html = render(&m);
    for id in VIEW_IDS {
        assert!(
            page::VIEWS_JS.contains(&format!("id: '{id}'")),
            "view {id} missing from the script"
        );
    }
    assert!(html.contains(page::ECHARTS_JS));
    assert!(html.contains(page::VIEWS_JS));
    assert!(html.starts_with("<!DOCTYPE html>"));
    // Nothing to fetch: no script, style or image from elsewhere (outside the library, whose
    // strings the browser test covers: it fails on any request).
    let own = html.replace(page::ECHARTS_JS, "");
    for needle in [
        "<script src",
        "<link",
        "@import",
        "url(",
        "<img",
        "http:",
        "https:",
    ] {
        assert!(!own.contains(needle), "{needle} in the page");
    }
    // The vendored library cannot end its own element early.
    let lower = page::ECHARTS_JS.to_lowercase();
    assert!(!lower.contains("</script") && !lower.contains("<!--"));
    assert!(!page::VIEWS_JS.to_lowercase().contains("</script"));
    assert!(page::ECHARTS_LICENSE.contains("Apache License"));
}

#[test]
fn the_data_holds_the_plan_and_sums_that_match_it() {
    let m = startup();
    let (_, data) = data_of(&render(&m));
    assert_eq!(data["format"], "allot-report");
    // The plan as written (both sides read back by the same parser).
    let plan_json: Value = serde_json::from_str(&serde_json::to_string(&m.plan).unwrap()).unwrap();
    assert_eq!(data["plan"], plan_json);
    assert_eq!(data["scenario"]["name"], m.scenario.file.scenario.name);

    // Cost by year, stacked any of the three ways, adds up to the plan's cost by year.
    for by in ["by_provider", "by_vendor", "by_chip"] {
        for (year, total) in &m.plan.cost_by_year {
            let stacked: f64 = data["cost_by_year"][by]
                .as_object()
                .unwrap()
                .values()
                .filter_map(|y| y[year.as_str()].as_f64())
                .sum();
            assert!(close(stacked, *total), "{by} {year}: {stacked} vs {total}");
        }
    }
    let shortfall: f64 = m.plan.commitments.iter().map(|c| c.shortfall_usd).sum();
    assert_eq!(
        data["cost_by_year"]["by_chip"].get(SHORTFALL_KEY).is_some(),
        shortfall > 0.0
    );

    // Chips per period by chip and by provider both add up to the capacity lines.
    for (p, period) in m.plan.periods.iter().enumerate() {
        let lines: f64 = m
            .plan
            .capacity
            .iter()
            .filter(|c| &c.period == period)
            .map(|c| c.chips)
            .sum();
        for by in ["by_chip", "by_provider"] {
            let series: f64 = data["capacity"][by]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["values"][p].as_f64().unwrap())
                .sum();
            assert!(close(series, lines), "{by} {period}");
        }
    }
    let needs = data["capacity"]["needs"].as_array().unwrap();
    assert_eq!(needs.len(), m.plan.training.len() + m.plan.inference.len());

    // Finance by year as the statement has it; the fan has a point per year.
    let years = data["finance"]["years"].as_array().unwrap();
    assert_eq!(years.len(), m.statement.years.len());
    for (y, line) in years.iter().zip(&m.statement.years) {
        assert_eq!(y["year"], line.year);
        assert!(close(
            y["revenue_usd"].as_f64().unwrap(),
            line.amounts.revenue_usd
        ));
        assert!(close(
            y["cumulative_loss_usd"].as_f64().unwrap(),
            line.cumulative_loss_usd
        ));
    }
    assert!(close(
        data["finance"]["funding_gap_usd"].as_f64().unwrap(),
        m.statement.funding_gap_usd
    ));
    let fan = data["risk"]["fan"].as_array().unwrap();
    assert_eq!(fan.len(), m.statement.years.len());
    for y in fan {
        let q = y["cumulative_loss"].as_array().unwrap();
        let (p10, p50, p90) = (q[0].as_f64(), q[1].as_f64(), q[2].as_f64());
        assert!(p10 <= p50 && p50 <= p90, "{y}");
    }
    assert_eq!(
        data["risk"]["sensitivity"].as_array().unwrap().len(),
        m.risk.inputs.len()
    );
    assert_eq!(
        data["bindings"].as_array().unwrap().len(),
        m.plan.explanations.len()
    );
    assert_eq!(
        data["commitments"].as_array().unwrap().len(),
        m.scenario.file.commitment.len()
    );
}

#[test]
fn hostile_names_stay_inside_the_data_and_the_title() {
    let mut m = startup();
    let hostile = "</script><script>alert(1)</script><!--<SCRIPT>\u{2028}\u{2029}\"'&";
    m.scenario.file.scenario.name = hostile.to_string();
    m.plan.scenario = hostile.to_string();
    m.plan.training[0].name = format!("run {hostile}");
    let html = render(&m);
    let (text, data) = data_of(&html);
    assert!(!text.contains('<') && !text.contains('>'), "{text}");
    assert!(!text.contains('\u{2028}') && !text.contains('\u{2029}'));
    assert_eq!(data["scenario"]["name"], hostile);
    assert_eq!(
        data["plan"]["training"][0]["name"],
        format!("run {hostile}")
    );
    // Exactly the page's three script elements, however the names read.
    assert_eq!(html.matches("<script").count(), 3);
    assert_eq!(html.to_lowercase().matches("</script").count(), 3);
    assert!(!html.contains("<!--"));
    let title = "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!--&lt;SCRIPT&gt;";
    assert!(html.contains(&format!("<title>{title}")));
    assert!(html.contains(&format!("<h1 id=\"scenario-name\">{title}")));
}

#[test]
fn a_report_without_finance_or_risk_says_why() {
    let m = startup();
    let html = report(&ReportInput {
        scenario: &m.scenario,
        plan: &m.plan,
        statement: Err("the scenario has no [finance] section"),
        risk: Err("risk was not run (--samples 0)"),
        risk_method: "",
        bindings: &[],
        bindings_note: "",
        generator: "allot test",
    });
    let (_, data) = data_of(&html);
    assert!(data["finance"].is_null());
    assert_eq!(
        data["finance_note"],
        "the scenario has no [finance] section"
    );
    assert!(data["risk"].is_null());
    assert_eq!(data["risk_note"], "risk was not run (--samples 0)");
    // The page itself is the same shell.
    assert!(page("x", "{}").contains("id=\"allot-data\">{}</script>"));
}

#[test]
fn power_is_each_chip_at_its_tdp_times_the_pue_with_the_cap_per_period() {
    let mut m = startup();
    m.scenario.file.policy.power = Some(allot_scenario::PowerCap {
        cap_mw: allot_scenario::Series::Constant(7.5),
        pue: 1.25,
    });
    let (_, data) = data_of(&render(&m));
    let cap = &data["capacity"];
    assert_eq!(cap["pue"], 1.25);
    let periods = m.plan.periods.len();
    assert_eq!(cap["power_cap_mw"], serde_json::json!(vec![7.5; periods]));
    for (p, period) in m.plan.periods.iter().enumerate() {
        let want: f64 = m
            .plan
            .capacity
            .iter()
            .filter(|c| &c.period == period)
            .map(|c| {
                let tdp = m
                    .scenario
                    .catalog
                    .accelerator(&c.chip)
                    .and_then(|a| a.tdp_w);
                c.chips * tdp.unwrap_or(1000.0) * 1.25 / 1e6
            })
            .sum();
        for by in ["mw_by_chip", "mw_by_provider"] {
            let got: f64 = cap[by]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["values"][p].as_f64().unwrap())
                .sum();
            assert!(close(got, want), "{by} {period}: {got} vs {want}");
        }
    }
    assert_eq!(
        cap["mw_needs"].as_array().map(Vec::len),
        cap["needs"].as_array().map(Vec::len)
    );
    // Without [policy.power]: the chips' own power and no cap.
    m.scenario.file.policy.power = None;
    let (_, data) = data_of(&render(&m));
    assert_eq!(data["capacity"]["pue"], 1.0);
    assert!(data["capacity"]["power_cap_mw"].is_null());
}

#[test]
fn assemble_explains_a_plan_without_explanations_and_skips_what_it_is_told_to() {
    use allot_web::assemble::{Explain, Options, RiskRun, Step};
    let scenario = load_example("startup.toml");
    let plan = allot_plan::plan(&scenario, &SolveSettings::default()).plan;
    assert!(plan.explanations.is_empty());
    let mut options = Options {
        solve: SolveSettings::default(),
        explain: Explain::Resolve,
        risk: RiskRun::Skip("not run here".into()),
    };
    let mut steps = Vec::new();
    let made = allot_web::assemble(&scenario, &plan, &options, &mut |s| steps.push(s));
    assert_eq!(steps, [Step::Explaining]);
    assert!(!made.bindings.is_empty());
    assert!(
        made.bindings_note.contains("same cost"),
        "{}",
        made.bindings_note
    );
    assert!(made.statement.is_ok());
    assert_eq!(made.risk.unwrap_err(), "not run here");

    options.explain = Explain::Skip("made without explain".into());
    let made = allot_web::assemble(&scenario, &plan, &options, &mut |_| {
        panic!("nothing long to do")
    });
    assert!(made.bindings.is_empty());
    assert_eq!(made.bindings_note, "made without explain");
}

/// The risk view made from a stored `allot risk --json` (a risk job's result, as the server
/// stores it: pretty JSON text) is the one made from the `RiskReport` of the same run, and its
/// fan is the report's per-year quantiles.
#[test]
fn the_risk_view_from_the_stored_json_equals_the_one_from_the_risk_report() {
    let m = startup();
    let input = |risk| ReportInput {
        scenario: &m.scenario,
        plan: &m.plan,
        statement: Ok(&m.statement),
        risk,
        risk_method: "4 samples, seed 1",
        bindings: &m.plan.explanations,
        bindings_note: "From the plan.",
        generator: "allot test",
    };
    let from_report = allot_web::ReportData::new(&input(Ok(&m.risk)));
    let stored = serde_json::to_string_pretty(&allot_present::risk::to_json(
        &m.scenario.file.scenario.name,
        1,
        &m.risk,
    ))
    .unwrap();
    let stored: Value = serde_json::from_str(&stored).unwrap();
    assert_eq!(
        stored["years"].as_array().map(Vec::len),
        Some(2),
        "{stored}"
    );
    let mut from_json = allot_web::ReportData::new(&input(Err("not run")));
    from_json.risk = Some(
        allot_web::data::Risk::from_risk_json(&stored, "4 samples, seed 1").expect("reads back"),
    );
    from_json.risk_note = None;
    let (a, b) = (
        serde_json::to_value(&from_report).unwrap(),
        serde_json::to_value(&from_json).unwrap(),
    );
    // serde_json parses a number to within an ulp of the written one unless its
    // `float_roundtrip` feature is on (it is not in this workspace): equal to 1e-15.
    same(&a, &b, "");
    let risk = &a["risk"];
    let fan = m.risk.fan();
    assert_eq!(risk["fan"].as_array().map(Vec::len), Some(fan.len()));
    for (y, v) in fan.iter().zip(risk["fan"].as_array().unwrap()) {
        assert_eq!(v["year"], y.year);
        assert_eq!(
            v["cumulative_loss"][1].as_f64(),
            Some(y.cumulative_loss.p50)
        );
        assert_eq!(v["funding_gap"][2].as_f64(), Some(y.funding_gap.p90));
        assert_eq!(v["funding_gap"][0].as_f64(), Some(y.funding_gap.p10));
    }
    assert!(
        risk["sensitivity"][0]["swing"].is_array(),
        "the swing reads back: {risk}"
    );
    // A result written before the JSON had its years still reads, without a fan.
    let mut old = stored.clone();
    old.as_object_mut().unwrap().remove("years");
    let old = allot_web::data::Risk::from_risk_json(&old, "").expect("an older result reads");
    assert!(old.fan.is_empty());
    assert_eq!(old.measures.len(), 3);
}

/// `a` and `b` have the same shape and text, and their numbers are equal to a relative 1e-15.
fn same(a: &Value, b: &Value, at: &str) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!(
                (x - y).abs() <= 1e-15 * x.abs().max(y.abs()),
                "{at}: {x} vs {y}"
            );
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{at}");
            for (i, (x, y)) in x.iter().zip(y).enumerate() {
                same(x, y, &format!("{at}[{i}]"));
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(
                x.keys().collect::<Vec<_>>(),
                y.keys().collect::<Vec<_>>(),
                "{at}"
            );
            for (k, x) in x {
                same(x, &y[k], &format!("{at}.{k}"));
            }
        }
        _ => assert_eq!(a, b, "{at}"),
    }
}
