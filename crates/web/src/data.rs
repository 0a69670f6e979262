//! The report's data: what the page's script reads, as one serialisable value ([`ReportData`]).
//!
//! These are the report's own wire types, distinct from the core types: the plan is embedded
//! as written (its versioned format), and everything the report derives from the scenario, the
//! financial statement and the risk run is grouped here once, in Rust, so that the script only
//! draws and the sums can be tested.

use std::collections::BTreeMap;

use allot_finance::risk::Measures;
use allot_finance::{RiskReport, Statement};
use allot_plan_format::{Binding, Plan};
use allot_present::finance_json::{FinanceJson, terms_name};
use allot_present::risk::{QuantilesJson, RiskJson, SensitivityJson};
use allot_scenario::Scenario;
use serde::{Deserialize, Serialize};

/// Format tag of the report data.
pub const REPORT_FORMAT: &str = "allot-report";

/// Version of the report data.
pub const REPORT_VERSION: u32 = 1;

/// The key under which cost that no chip carries (take-or-pay shortfall) is stacked.
pub const SHORTFALL_KEY: &str = "take-or-pay shortfall";

/// Everything a report is made from.
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a> {
    /// The scenario the plan was made for.
    pub scenario: &'a Scenario,
    /// The plan.
    pub plan: &'a Plan,
    /// Its financial statement, or why there is none.
    pub statement: Result<&'a Statement, &'a str>,
    /// The risk run, or why there is none.
    pub risk: Result<&'a RiskReport, &'a str>,
    /// How the risk run was made, in words (samples, seed, how samples were re-planned).
    pub risk_method: &'a str,
    /// What binds, largest effect first (the plan's own `explanations`, or computed for it).
    pub bindings: &'a [Binding],
    /// Where the bindings come from, or why there are none.
    pub bindings_note: &'a str,
    /// The program that made the report, e.g. `allot 0.1.0`.
    pub generator: &'a str,
}

/// The data blob of a report.
#[derive(Debug, Serialize)]
pub struct ReportData {
    /// Always [`REPORT_FORMAT`].
    pub format: &'static str,
    /// [`REPORT_VERSION`].
    pub version: u32,
    /// The program that made it.
    pub generator: String,
    /// The scenario's facts the views need.
    pub scenario: ScenarioInfo,
    /// The plan, as written.
    pub plan: Plan,
    /// Plan cost per year, stacked three ways.
    pub cost_by_year: CostByYear,
    /// Chips per period by chip and by provider, and each workload's chips.
    pub capacity: Capacity,
    /// Per commitment: its terms and outcome.
    pub commitments: Vec<CommitmentView>,
    /// Each training run's allowed window.
    pub training_windows: Vec<TrainingWindow>,
    /// The financial statement's summary and years (as in the plan JSON's `finance`), or
    /// `null`.
    pub finance: Option<FinanceJson>,
    /// Why there is no finance view, when there is none.
    pub finance_note: Option<String>,
    /// The risk run, or `null`.
    pub risk: Option<Risk>,
    /// Why there is no risk view, when there is none.
    pub risk_note: Option<String>,
    /// What binds, largest effect first.
    pub bindings: Vec<Binding>,
    /// Where the bindings come from.
    pub bindings_note: String,
}

/// The scenario's facts the views need.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioInfo {
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: Option<String>,
    /// First month, `2026-01`.
    pub start: String,
    /// Months planned.
    pub horizon_months: u32,
    /// Annual discount rate.
    pub discount_rate: f64,
    /// Vendor caps: vendor, largest share of spend.
    pub vendor_caps: Vec<Cap>,
    /// Provider caps.
    pub provider_caps: Vec<Cap>,
    /// Accelerator id → its name and vendor.
    pub chips: BTreeMap<String, ChipInfo>,
}

/// A share cap.
#[derive(Debug, Clone, Serialize)]
pub struct Cap {
    /// Vendor or provider id.
    pub name: String,
    /// Largest share of spend, 0–1.
    pub max_share: f64,
    /// First month it applies, when limited.
    pub start: Option<String>,
    /// Last month it applies, when limited.
    pub end: Option<String>,
}

/// An accelerator's name and vendor.
#[derive(Debug, Clone, Serialize)]
pub struct ChipInfo {
    /// Display name.
    pub name: String,
    /// Vendor id.
    pub vendor: String,
}

/// Cost per calendar year (keys as in the plan's `cost_by_year`) stacked by provider, vendor
/// or chip: `by_provider[key][year]`, USD. Shortfall payments are stacked under their
/// commitment's provider, and under [`SHORTFALL_KEY`] by vendor and chip.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CostByYear {
    /// The years, in order.
    pub years: Vec<String>,
    /// By provider.
    pub by_provider: BTreeMap<String, BTreeMap<String, f64>>,
    /// By chip vendor.
    pub by_vendor: BTreeMap<String, BTreeMap<String, f64>>,
    /// By accelerator.
    pub by_chip: BTreeMap<String, BTreeMap<String, f64>>,
}

/// A named series, one value per period.
#[derive(Debug, Clone, Serialize)]
pub struct Series {
    /// Its name.
    pub name: String,
    /// `training` or `inference` for a workload's chips; empty for capacity.
    pub kind: String,
    /// One value per period of the plan.
    pub values: Vec<f64>,
}

/// Chips and power per period.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Capacity {
    /// Chips provisioned by accelerator.
    pub by_chip: Vec<Series>,
    /// Chips provisioned by provider.
    pub by_provider: Vec<Series>,
    /// Chips each training run and inference demand uses.
    pub needs: Vec<Series>,
    /// Power of the chips provisioned, MW, by accelerator: each chip at its TDP (1 kW when the
    /// catalog has none, as the planner counts it) times [`Capacity::pue`].
    pub mw_by_chip: Vec<Series>,
    /// The same by provider.
    pub mw_by_provider: Vec<Series>,
    /// The same for the chips each training run and inference demand uses.
    pub mw_needs: Vec<Series>,
    /// The facility power cap per period (the average of its months), MW, when the scenario
    /// has `[policy.power]`.
    pub power_cap_mw: Option<Vec<f64>>,
    /// Facility power per unit of chip power: `[policy.power]`'s PUE, or 1 without it (then
    /// the power is the chips' own).
    pub pue: f64,
}

/// A spend commitment: its terms from the scenario, its outcome from the plan, its payments
/// from the statement.
#[derive(Debug, Clone, Serialize)]
pub struct CommitmentView {
    /// Name.
    pub name: String,
    /// Provider id.
    pub provider: String,
    /// First month of the term.
    pub start: String,
    /// Term, months.
    pub term_months: u32,
    /// The whole commitment, USD.
    pub total_usd: f64,
    /// `as_used`, `monthly_minimum` or `prepaid`.
    pub payment: String,
    /// Whether an unspent remainder is paid anyway.
    pub take_or_pay: bool,
    /// Part inside the horizon, USD.
    pub obligation_usd: f64,
    /// Spend counted toward it, USD.
    pub spend_usd: f64,
    /// Shortfall paid, USD.
    pub shortfall_usd: f64,
    /// Shortfall per period, USD.
    pub shortfall_by_period_usd: Vec<f64>,
    /// Spend / obligation.
    pub utilisation: f64,
    /// Capacity cost with the provider per period inside the term (on the commitment's chips
    /// when it names some), USD: what the spend is drawn from.
    pub provider_spend_by_period_usd: Vec<f64>,
}

/// The window the scenario allows a training run (the plan's `training` line has the rest).
#[derive(Debug, Clone, Serialize)]
pub struct TrainingWindow {
    /// Run name.
    pub name: String,
    /// Earliest start allowed, when set.
    pub earliest_start: Option<String>,
    /// Deadline, when set.
    pub deadline: Option<String>,
}

/// The risk run.
#[derive(Debug, Clone, Serialize)]
pub struct Risk {
    /// Samples drawn.
    pub samples: usize,
    /// Samples without a plan.
    pub failed: usize,
    /// Of those, the samples the time limit left without a plan (the run was cut short).
    pub stopped_by_time_limit: usize,
    /// How the run was made (samples, seed, replanning).
    pub settings: String,
    /// Total cost, cumulative loss and funding gap over the horizon.
    pub measures: Vec<MeasureQuantiles>,
    /// Per year: quantiles of cumulative loss and funding gap.
    pub fan: Vec<FanYear>,
    /// Inputs, most influential first.
    pub sensitivity: Vec<SensitivityView>,
    /// The measures of the scenario as written (total cost, cumulative loss, funding gap).
    pub base: Option<[f64; 3]>,
}

/// Quantiles of one measure.
#[derive(Debug, Clone, Serialize)]
pub struct MeasureQuantiles {
    /// Measure name.
    pub name: String,
    /// 10th percentile.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// Mean.
    pub mean: f64,
}

/// One year of the fan chart.
#[derive(Debug, Clone, Serialize)]
pub struct FanYear {
    /// The year.
    pub year: i32,
    /// Cumulative loss quantiles: P10, P50, P90.
    pub cumulative_loss: [f64; 3],
    /// Funding gap quantiles: P10, P50, P90.
    pub funding_gap: [f64; 3],
}

/// How much one input moves the results.
#[derive(Debug, Clone, Serialize)]
pub struct SensitivityView {
    /// Input name.
    pub name: String,
    /// Spearman rank correlation with total cost, cumulative loss, funding gap.
    pub rank_correlation: [f64; 3],
    /// Each measure with the input alone at its P10 and P90, when computed.
    pub swing: Option<[(f64, f64); 3]>,
}

impl ReportData {
    /// Gathers the report's data from its inputs.
    pub fn new(input: &ReportInput<'_>) -> ReportData {
        let plan = input.plan;
        ReportData {
            format: REPORT_FORMAT,
            version: REPORT_VERSION,
            generator: input.generator.to_string(),
            scenario: scenario_info(input.scenario),
            plan: plan.clone(),
            cost_by_year: cost_by_year(input.scenario, plan),
            capacity: capacity(input.scenario, plan),
            commitments: commitments(input.scenario, plan, input.statement.ok()),
            training_windows: training_windows(input.scenario),
            finance: input.statement.ok().map(|st| FinanceJson::new(st, false)),
            finance_note: input.statement.err().map(str::to_string),
            risk: input.risk.ok().map(|r| risk(r, input.risk_method)),
            risk_note: input.risk.err().map(str::to_string),
            bindings: input.bindings.to_vec(),
            bindings_note: input.bindings_note.to_string(),
        }
    }
}

fn scenario_info(s: &Scenario) -> ScenarioInfo {
    let f = &s.file;
    let month = |m: &Option<allot_scenario::Month>| m.as_ref().map(ToString::to_string);
    ScenarioInfo {
        name: f.scenario.name.clone(),
        description: f.scenario.description.clone(),
        start: f.scenario.start.to_string(),
        horizon_months: f.scenario.horizon_months,
        discount_rate: f.scenario.discount_rate,
        vendor_caps: f
            .policy
            .vendor_cap
            .iter()
            .map(|c| Cap {
                name: c.vendor.clone(),
                max_share: c.max_share,
                start: month(&c.start),
                end: month(&c.end),
            })
            .collect(),
        provider_caps: f
            .policy
            .provider_cap
            .iter()
            .map(|c| Cap {
                name: c.provider.clone(),
                max_share: c.max_share,
                start: month(&c.start),
                end: month(&c.end),
            })
            .collect(),
        chips: s
            .catalog
            .accelerators()
            .iter()
            .map(|a| {
                let info = ChipInfo {
                    name: a.name.clone(),
                    vendor: a.vendor.clone(),
                };
                (a.id.clone(), info)
            })
            .collect(),
    }
}

/// The calendar year of a period label (`2027-03`, `2027-Q1`).
fn year_of(period: &str) -> String {
    period.split('-').next().unwrap_or(period).to_string()
}

fn cost_by_year(s: &Scenario, plan: &Plan) -> CostByYear {
    let mut out = CostByYear {
        years: plan.cost_by_year.keys().cloned().collect(),
        ..CostByYear::default()
    };
    let add = |map: &mut BTreeMap<String, BTreeMap<String, f64>>, key: &str, year, usd| {
        *map.entry(key.to_string())
            .or_default()
            .entry(year)
            .or_default() += usd;
    };
    for c in &plan.capacity {
        let year = year_of(&c.period);
        let vendor = s
            .catalog
            .accelerator(&c.chip)
            .map_or(c.chip.as_str(), |a| a.vendor.as_str());
        add(&mut out.by_provider, &c.provider, year.clone(), c.cost_usd);
        add(&mut out.by_vendor, vendor, year.clone(), c.cost_usd);
        add(&mut out.by_chip, &c.chip, year, c.cost_usd);
    }
    for c in &plan.commitments {
        for (p, &usd) in c.shortfall_by_period_usd.iter().enumerate() {
            let Some(period) = plan.periods.get(p) else {
                continue;
            };
            if usd == 0.0 {
                continue;
            }
            let year = year_of(period);
            add(&mut out.by_provider, &c.provider, year.clone(), usd);
            add(&mut out.by_vendor, SHORTFALL_KEY, year.clone(), usd);
            add(&mut out.by_chip, SHORTFALL_KEY, year, usd);
        }
    }
    out
}

fn series(map: BTreeMap<String, Vec<f64>>, kind: &str) -> Vec<Series> {
    map.into_iter()
        .map(|(name, values)| Series {
            name,
            kind: kind.to_string(),
            values,
        })
        .collect()
}

fn capacity(s: &Scenario, plan: &Plan) -> Capacity {
    let index: BTreeMap<&str, usize> = plan
        .periods
        .iter()
        .enumerate()
        .map(|(i, p)| (p.as_str(), i))
        .collect();
    let n = plan.periods.len();
    let pue = s.file.policy.power.as_ref().map_or(1.0, |p| p.pue);
    // MW per chip: its TDP (the planner's default when the catalog has none) times the PUE.
    let mw = |chip: &str| {
        s.catalog
            .accelerator(chip)
            .and_then(|a| a.tdp_w)
            .unwrap_or(allot_plan::prep::DEFAULT_TDP_W)
            * pue
            / 1e6
    };
    let mut by_chip: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut by_provider: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut mw_by_chip: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut mw_by_provider: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let add = |map: &mut BTreeMap<String, Vec<f64>>, key: &str, p: usize, v: f64| {
        map.entry(key.to_string()).or_insert_with(|| vec![0.0; n])[p] += v;
    };
    for c in &plan.capacity {
        if let Some(&p) = index.get(c.period.as_str()) {
            let power = c.chips * mw(&c.chip);
            add(&mut by_chip, &c.chip, p, c.chips);
            add(&mut by_provider, &c.provider, p, c.chips);
            add(&mut mw_by_chip, &c.chip, p, power);
            add(&mut mw_by_provider, &c.provider, p, power);
        }
    }
    let mut needs = Vec::new();
    let mut mw_needs = Vec::new();
    let mut need = |name: &str, kind: &str, chips: Vec<f64>, power: Vec<f64>| {
        needs.push(Series {
            name: name.to_string(),
            kind: kind.to_string(),
            values: chips,
        });
        mw_needs.push(Series {
            name: name.to_string(),
            kind: kind.to_string(),
            values: power,
        });
    };
    for t in &plan.training {
        let (mut chips, mut power) = (vec![0.0; n], vec![0.0; n]);
        for (period, c) in &t.chips_by_period {
            if let Some(&p) = index.get(period.as_str()) {
                chips[p] += c;
                power[p] += c * mw(&t.chip);
            }
        }
        need(&t.name, "training", chips, power);
    }
    for d in &plan.inference {
        let (mut chips, mut power) = (vec![0.0; n], vec![0.0; n]);
        for c in &d.chips_by_period {
            if let Some(&p) = index.get(c.period.as_str()) {
                chips[p] += c.chips;
                power[p] += c.chips * mw(&c.chip);
            }
        }
        need(&d.name, "inference", chips, power);
    }
    Capacity {
        by_chip: series(by_chip, ""),
        by_provider: series(by_provider, ""),
        needs,
        mw_by_chip: series(mw_by_chip, ""),
        mw_by_provider: series(mw_by_provider, ""),
        mw_needs,
        power_cap_mw: power_cap(s, n),
        pue,
    }
}

/// The power cap per period, MW: the average over each period's months, as the planner and
/// the verifier read it.
fn power_cap(s: &Scenario, periods: usize) -> Option<Vec<f64>> {
    let power = s.file.policy.power.as_ref()?;
    let head = &s.file.scenario;
    let per = head.period.months() as usize;
    let monthly = power
        .cap_mw
        .monthly(head.start, head.horizon_months, head.period.months());
    Some(
        (0..periods)
            .map(|p| {
                let months = monthly.get(p * per..((p + 1) * per).min(monthly.len()));
                match months {
                    Some(m) if !m.is_empty() => m.iter().sum::<f64>() / m.len() as f64,
                    _ => 0.0,
                }
            })
            .collect(),
    )
}

fn commitments(s: &Scenario, plan: &Plan, statement: Option<&Statement>) -> Vec<CommitmentView> {
    let n = plan.periods.len();
    s.file
        .commitment
        .iter()
        .map(|c| {
            let line = plan.commitments.iter().find(|l| l.name == c.name);
            let payment = statement
                .and_then(|st| st.contracts.iter().find(|k| k.name == c.name))
                .map_or(c.payment, |k| k.payment);
            let (first, last) = (c.start.to_string(), c.end().to_string());
            let mut spend = vec![0.0; n];
            for line in plan.capacity.iter().filter(|l| {
                l.provider == c.provider && (c.chips.is_empty() || c.chips.contains(&l.chip))
            }) {
                // A period is in the term when its first month is; labels sort as months do
                // (`2027-03`, and `2027-Q1` before `2027-Q2`).
                let month = period_first_month(&line.period);
                if month >= first && month < last {
                    if let Some(p) = plan.periods.iter().position(|x| *x == line.period) {
                        spend[p] += line.cost_usd;
                    }
                }
            }
            CommitmentView {
                name: c.name.clone(),
                provider: c.provider.clone(),
                start: first,
                term_months: c.term_months,
                total_usd: c.total_usd,
                payment: terms_name(payment).to_string(),
                take_or_pay: c.take_or_pay,
                obligation_usd: line.map_or(0.0, |l| l.obligation_usd),
                spend_usd: line.map_or(0.0, |l| l.spend_usd),
                shortfall_usd: line.map_or(0.0, |l| l.shortfall_usd),
                shortfall_by_period_usd: line
                    .map_or_else(Vec::new, |l| l.shortfall_by_period_usd.clone()),
                utilisation: line.map_or(0.0, |l| l.utilisation),
                provider_spend_by_period_usd: spend,
            }
        })
        .collect()
}

/// The first month of a period label, `YYYY-MM` (`2027-Q2` → `2027-04`).
fn period_first_month(label: &str) -> String {
    match label.split_once("-Q") {
        Some((year, q)) => {
            let q: u32 = q.parse().unwrap_or(1);
            format!("{year}-{:02}", 3 * q.saturating_sub(1) + 1)
        }
        None => label.to_string(),
    }
}

fn training_windows(s: &Scenario) -> Vec<TrainingWindow> {
    s.file
        .training
        .iter()
        .map(|r| TrainingWindow {
            name: r.name.clone(),
            earliest_start: r.earliest_start.as_ref().map(ToString::to_string),
            deadline: r.deadline.as_ref().map(ToString::to_string),
        })
        .collect()
}

fn risk(r: &RiskReport, method: &str) -> Risk {
    Risk::from_json(&allot_present::risk::to_json("", 0, r), method)
}

impl Risk {
    /// The risk view of a stored `allot risk --json` (a risk job's result); `settings` says how
    /// the run was made. Results written before the JSON had its `years` have no fan.
    pub fn from_risk_json(json: &serde_json::Value, settings: &str) -> Result<Risk, String> {
        let json = RiskJson::deserialize(json)
            .map_err(|e| format!("the risk result does not read as allot risk --json: {e}"))?;
        Ok(Risk::from_json(&json, settings))
    }

    /// The risk view of `allot risk --json`: the one place the view's data is computed, for a
    /// risk run made here (through [`allot_present::risk::to_json`]) and for a stored one.
    pub fn from_json(r: &RiskJson, settings: &str) -> Risk {
        let names = Measures::NAMES;
        let quantiles = [
            &r.total_cost_usd,
            &r.cumulative_loss_usd,
            &r.funding_gap_usd,
        ];
        let measures = if quantiles.iter().all(|q| q.is_some()) {
            quantiles
                .iter()
                .zip(names)
                .filter_map(|(q, name)| {
                    q.as_ref().map(|q| MeasureQuantiles {
                        name: name.to_string(),
                        p10: q.p10,
                        p50: q.p50,
                        p90: q.p90,
                        mean: q.mean,
                    })
                })
                .collect()
        } else {
            Vec::new()
        };
        let swing = |s: &SensitivityJson| -> Option<[(f64, f64); 3]> {
            let at = |name: &str| {
                s.swing
                    .iter()
                    .find(|w| w.measure == name)
                    .map(|w| (w.at_p10, w.at_p90))
            };
            Some([at(names[0])?, at(names[1])?, at(names[2])?])
        };
        Risk {
            samples: r.samples,
            failed: r.failed,
            stopped_by_time_limit: r.stopped_by_time_limit,
            settings: settings.to_string(),
            measures,
            fan: r
                .years
                .iter()
                .map(|y| FanYear {
                    year: y.year,
                    cumulative_loss: triple(&y.cumulative_loss_usd),
                    funding_gap: triple(&y.funding_gap_usd),
                })
                .collect(),
            sensitivity: r
                .sensitivity
                .iter()
                .map(|s| SensitivityView {
                    name: s.name.clone(),
                    rank_correlation: [
                        s.rank_correlation_total_cost,
                        s.rank_correlation_cumulative_loss,
                        s.rank_correlation_funding_gap,
                    ],
                    swing: swing(s),
                })
                .collect(),
            base: r
                .as_written
                .as_ref()
                .map(|m| [m.total_cost_usd, m.cumulative_loss_usd, m.funding_gap_usd]),
        }
    }
}

fn triple(q: &QuantilesJson) -> [f64; 3] {
    [q.p10, q.p50, q.p90]
}
