//! Uncertain inputs: the scenario's `[[uncertainty]]` entries resolved against it, and a
//! sampled scenario made by applying one value per input.

use allot_scenario::{Scenario, Series, UncertaintyKind};

use crate::FinanceError;
use crate::distribution::Distribution;

/// What an uncertain input changes, resolved to canonical ids and indices.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// Prices of these offerings (ids).
    Offerings(Vec<String>),
    /// Requests of these inference demands and tokens of these training runs (indices).
    Workloads {
        /// Inference demands.
        inference: Vec<usize>,
        /// Training runs.
        training: Vec<usize>,
    },
    /// These `[[availability]]` ramps (indices).
    Ramps(Vec<usize>),
    /// The maturity of this chip (id).
    Chip(String),
    /// Revenue.
    Revenue,
}

/// One uncertain input.
#[derive(Debug, Clone, PartialEq)]
pub struct UncertainInput {
    /// Name from the scenario.
    pub name: String,
    /// What it changes.
    pub kind: UncertaintyKind,
    /// The distribution of its value.
    pub distribution: Distribution,
    /// What exactly it changes.
    pub target: Target,
}

fn same(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// Resolves the `[[uncertainty]]` entries of `s`.
pub fn inputs(s: &Scenario) -> Result<Vec<UncertainInput>, FinanceError> {
    let catalog = &s.catalog;
    let f = &s.file;
    f.uncertainty
        .iter()
        .map(|u| {
            let bad = |problem: String| FinanceError::BadUncertainty {
                name: u.name.clone(),
                problem,
            };
            let distribution = Distribution::of(u)
                .ok_or_else(|| bad("a distribution parameter is missing".into()))?;
            let chip = match &u.chip {
                Some(c) => Some(
                    catalog
                        .accelerator(c)
                        .map(|a| a.id.clone())
                        .ok_or_else(|| bad(format!("unknown accelerator '{c}'")))?,
                ),
                None => None,
            };
            let provider = match &u.provider {
                Some(p) => Some(
                    catalog
                        .provider(p)
                        .map(|a| a.id.clone())
                        .ok_or_else(|| bad(format!("unknown provider '{p}'")))?,
                ),
                None => None,
            };
            let offering = match &u.offering {
                Some(o) => Some(
                    catalog
                        .offering(o)
                        .map(|a| a.id.clone())
                        .ok_or_else(|| bad(format!("unknown offering '{o}'")))?,
                ),
                None => None,
            };
            let target = match u.kind {
                UncertaintyKind::Price => Target::Offerings(
                    catalog
                        .offerings()
                        .iter()
                        .filter(|o| {
                            u.vendor
                                .as_deref()
                                .is_none_or(|v| catalog.vendor_of(o).is_some_and(|x| same(x, v)))
                                && chip.as_ref().is_none_or(|c| *c == o.chip)
                                && provider.as_ref().is_none_or(|p| *p == o.provider)
                                && offering.as_ref().is_none_or(|x| *x == o.id)
                        })
                        .map(|o| o.id.clone())
                        .collect(),
                ),
                UncertaintyKind::Demand => match &u.workload {
                    None => Target::Workloads {
                        inference: (0..f.inference.len()).collect(),
                        training: Vec::new(),
                    },
                    Some(w) => {
                        let inference: Vec<usize> = (0..f.inference.len())
                            .filter(|&i| same(&f.inference[i].name, w))
                            .collect();
                        let training: Vec<usize> = (0..f.training.len())
                            .filter(|&i| same(&f.training[i].name, w))
                            .collect();
                        if inference.is_empty() && training.is_empty() {
                            return Err(bad(format!("unknown workload '{w}'")));
                        }
                        Target::Workloads {
                            inference,
                            training,
                        }
                    }
                },
                UncertaintyKind::DeliveryDelay => Target::Ramps(
                    f.availability
                        .iter()
                        .enumerate()
                        .filter(|(_, a)| {
                            let (p, c, o) = match &a.offering {
                                Some(x) => match catalog.offering(x) {
                                    Some(o) => (
                                        Some(o.provider.clone()),
                                        Some(o.chip.clone()),
                                        Some(o.id.clone()),
                                    ),
                                    None => (None, None, None),
                                },
                                None => (
                                    a.provider
                                        .as_deref()
                                        .and_then(|p| catalog.provider(p))
                                        .map(|p| p.id.clone()),
                                    a.chip
                                        .as_deref()
                                        .and_then(|c| catalog.accelerator(c))
                                        .map(|c| c.id.clone()),
                                    None,
                                ),
                            };
                            offering.as_ref().is_none_or(|x| o.as_ref() == Some(x))
                                && provider.as_ref().is_none_or(|x| p.as_ref() == Some(x))
                                && chip.as_ref().is_none_or(|x| c.as_ref() == Some(x))
                        })
                        .map(|(i, _)| i)
                        .collect(),
                ),
                UncertaintyKind::Maturity => {
                    Target::Chip(chip.ok_or_else(|| bad("kind 'maturity' needs `chip`".into()))?)
                }
                UncertaintyKind::Revenue => Target::Revenue,
            };
            Ok(UncertainInput {
                name: u.name.clone(),
                kind: u.kind,
                distribution,
                target,
            })
        })
        .collect()
}

/// `series` times `k`.
pub fn scale(series: &Series, k: f64) -> Series {
    match series {
        Series::Constant(v) => Series::Constant(v * k),
        Series::Growth(g) => {
            let mut g = g.clone();
            g.initial *= k;
            Series::Growth(g)
        }
        Series::Points(p) => {
            let mut p = p.clone();
            for x in &mut p.points {
                x.value *= k;
            }
            Series::Points(p)
        }
        Series::Values(v) => Series::Values(v.iter().map(|x| x * k).collect()),
    }
}

/// `series` delayed by `months` (fractional months interpolate; negative brings it forward),
/// as one value per period: the value in month `t` becomes the value the series had in month
/// `t − months`, held flat before the horizon's first month and after its last.
pub fn delay(s: &Scenario, series: &Series, months: f64) -> Series {
    let settings = &s.file.scenario;
    let m = settings.period.months();
    let monthly = series.monthly(settings.start, settings.horizon_months, m);
    let n = monthly.len();
    if n == 0 {
        return series.clone();
    }
    let at = |t: usize| -> f64 {
        let x = (t as f64 - months).clamp(0.0, (n - 1) as f64);
        let lo = x.floor() as usize;
        let hi = (lo + 1).min(n - 1);
        monthly[lo] + (x - lo as f64) * (monthly[hi] - monthly[lo])
    };
    let mut values = Vec::with_capacity(settings.periods() as usize);
    let mut t = 0;
    while t < n {
        let k = (m as usize).min(n - t);
        values.push((t..t + k).map(at).sum::<f64>() / k as f64);
        t += k;
    }
    Series::Values(values)
}

/// The value an input takes when the scenario is left as written (multipliers 1, no delay,
/// the maturity the scenario or the performance model gives).
pub fn neutral(kind: UncertaintyKind) -> Option<f64> {
    match kind {
        UncertaintyKind::Price | UncertaintyKind::Demand | UncertaintyKind::Revenue => Some(1.0),
        UncertaintyKind::DeliveryDelay => Some(0.0),
        UncertaintyKind::Maturity => None,
    }
}

/// `base` with each input set to its value (`None`: left as written). Multipliers below zero
/// count as zero and maturity factors are held within 0.05 to 2.
pub fn apply(base: &Scenario, inputs: &[UncertainInput], values: &[Option<f64>]) -> Scenario {
    let mut s = base.clone();
    for (input, value) in inputs.iter().zip(values) {
        let Some(v) = *value else { continue };
        match &input.target {
            Target::Offerings(ids) => {
                let k = v.max(0.0);
                for id in ids {
                    if let Some(o) = s.catalog.offering_mut(id) {
                        for price in [
                            &mut o.usd_per_instance_hour,
                            &mut o.capex_usd_per_chip,
                            &mut o.opex_usd_per_chip_hour,
                        ]
                        .into_iter()
                        .flatten()
                        {
                            *price *= k;
                        }
                    }
                }
            }
            Target::Workloads {
                inference,
                training,
            } => {
                let k = v.max(0.0);
                for &i in inference {
                    let d = &mut s.file.inference[i];
                    d.requests_per_day = scale(&d.requests_per_day, k);
                }
                for &i in training {
                    let t = &mut s.file.training[i];
                    t.tokens = (t.tokens * k).max(1.0);
                }
            }
            Target::Ramps(ramps) => {
                for &i in ramps {
                    let delayed = delay(base, &s.file.availability[i].chips, v);
                    s.file.availability[i].chips = delayed;
                }
            }
            Target::Chip(id) => {
                let catalog = &s.catalog;
                s.file
                    .performance
                    .maturity
                    .retain(|k, _| catalog.accelerator(k).is_none_or(|a| a.id != *id));
                s.file
                    .performance
                    .maturity
                    .insert(id.clone(), v.clamp(0.05, 2.0));
            }
            Target::Revenue => {
                let k = v.max(0.0);
                if let Some(f) = s.file.finance.as_mut()
                    && let Some(r) = f.revenue_usd_per_month.as_ref()
                {
                    f.revenue_usd_per_month = Some(scale(r, k));
                }
                for d in &mut s.file.inference {
                    if let Some(p) = d.price_usd_per_million_tokens.as_mut() {
                        *p *= k;
                    }
                }
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(extra: &str) -> Scenario {
        let text = format!(
            r#"
version = 1
[scenario]
name = "perturb"
start = "2026-01"
horizon_months = 6

[[inference]]
name = "chat"
model = "llama3.1-8b"
input_tokens = 100
output_tokens = 100
requests_per_day = {{ initial = 1000, growth_per_year = 0.0 }}

[[training]]
name = "run"
model = "llama3.1-8b"
tokens = 1e9

[[availability]]
provider = "aws"
chip = "h100"
chips = {{ points = [{{ month = "2026-02", value = 0 }}, {{ month = "2026-04", value = 200 }}] }}

[performance]
maturity = {{ "Trainium 3" = 0.9 }}
{extra}
"#
        );
        let loaded = allot_scenario::load("t.toml", &text, &mut |_: &str| Err("none".into()));
        loaded.scenario.expect("valid")
    }

    fn uncertainty(kind: &str, target: &str) -> String {
        format!(
            "[[uncertainty]]\nname = \"{kind}\"\nkind = \"{kind}\"\n{target}\ndistribution = \"uniform\"\nmin = 0.1\nmax = 2\n"
        )
    }

    #[test]
    fn delays_shift_ramps_and_hold_the_first_value() {
        let s = scenario("");
        let ramp = &s.file.availability[0].chips;
        // 0, 0, 100, 200, 200, 200 by month.
        assert_eq!(
            delay(&s, ramp, 2.0),
            Series::Values(vec![0.0, 0.0, 0.0, 0.0, 100.0, 200.0])
        );
        assert_eq!(
            delay(&s, ramp, 0.5),
            Series::Values(vec![0.0, 0.0, 50.0, 150.0, 200.0, 200.0])
        );
        assert_eq!(
            delay(&s, ramp, -1.0),
            Series::Values(vec![0.0, 100.0, 200.0, 200.0, 200.0, 200.0])
        );
    }

    #[test]
    fn applies_each_kind() {
        let extra = [
            uncertainty("price", "chip = \"h100\"\nprovider = \"aws\""),
            uncertainty("demand", "workload = \"run\""),
            uncertainty("delivery_delay", "chip = \"h100\""),
            uncertainty("maturity", "chip = \"trainium3\""),
            uncertainty("revenue", ""),
            uncertainty("demand", "").replace("name = \"demand\"", "name = \"all demand\""),
        ]
        .join("\n");
        let s = scenario(&extra);
        let inputs = inputs(&s).expect("inputs");
        assert_eq!(inputs.len(), 6);
        let Target::Offerings(ids) = &inputs[0].target else {
            panic!("price targets offerings")
        };
        assert!(!ids.is_empty() && ids.iter().all(|id| id.starts_with("aws/")));
        let values = [Some(2.0), Some(3.0), Some(1.0), Some(0.6), None, Some(-1.0)];
        let out = apply(&s, &inputs, &values);
        for id in ids {
            let (a, b) = (s.catalog.offering(id), out.catalog.offering(id));
            let price = |o: Option<&allot_catalog::Offering>| o.and_then(|o| o.usd_per_chip_hour());
            assert_eq!(price(b), price(a).map(|p| p * 2.0), "{id}");
        }
        assert_eq!(out.file.training[0].tokens, 3e9);
        assert_eq!(
            out.file.availability[0].chips,
            Series::Values(vec![0.0, 0.0, 0.0, 100.0, 200.0, 200.0])
        );
        // The alias entry is replaced, not kept beside the new one.
        assert_eq!(out.file.performance.maturity.len(), 1);
        assert_eq!(out.file.performance.maturity["trainium3"], 0.6);
        // A negative multiplier counts as zero.
        let Series::Growth(g) = &out.file.inference[0].requests_per_day else {
            panic!("growth series")
        };
        assert_eq!(g.initial, 0.0);
        // Left as written.
        let same = apply(&s, &inputs, &[None; 6]);
        assert_eq!(same.file, s.file);
    }
}
