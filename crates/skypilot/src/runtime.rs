//! How long a task runs on a candidate: the stated hours, or the performance model's estimate for
//! the task's model on the candidate's chips (so a faster, dearer chip can cost less in total).

use std::collections::HashMap;

use allot_catalog::Catalog;
use allot_perf::{MaturityOverrides, ServeRequest, TrainKind, TrainRequest};

use crate::chips::allot_chip;
use crate::task::Work;

/// Runtime estimates for one task, cached by (accelerator, chips in the cluster).
pub struct Runtimes<'a> {
    work: &'a Work,
    catalog: &'a Catalog,
    arch: Option<allot_model::Architecture>,
    cache: HashMap<(String, u64), Result<f64, String>>,
}

impl<'a> Runtimes<'a> {
    /// Estimates for `work`, with chip specifications from `catalog`.
    pub fn new(work: &'a Work, catalog: &'a Catalog) -> Self {
        let arch = match work {
            Work::Hours(_) => None,
            Work::Train { model, .. } | Work::Serve { model, .. } => {
                allot_model::preset(model).map(|p| p.architecture())
            }
        };
        Runtimes {
            work,
            catalog,
            arch,
            cache: HashMap::new(),
        }
    }

    /// Hours on `nodes` instances with `count` of `accelerator` each, or why it cannot run.
    pub fn hours(
        &mut self,
        accelerator: Option<&str>,
        count: f64,
        nodes: u32,
    ) -> Result<f64, String> {
        if let Work::Hours(h) = self.work {
            return Ok(*h);
        }
        let name = accelerator.unwrap_or("").to_string();
        let key = (
            name.clone(),
            (count * f64::from(nodes) * 1000.0).round() as u64,
        );
        if let Some(r) = self.cache.get(&key) {
            return r.clone();
        }
        let r = self.estimate(&name, count, nodes);
        self.cache.insert(key, r.clone());
        r
    }

    fn estimate(&self, name: &str, count: f64, nodes: u32) -> Result<f64, String> {
        let arch = self.arch.as_ref().ok_or("unknown model")?;
        if name.is_empty() {
            return Err("a model needs accelerators".to_string());
        }
        let mapped = allot_chip(name).ok_or_else(|| format!("no performance data for {name}"))?;
        let chip = self
            .catalog
            .accelerator(mapped.id)
            .ok_or_else(|| format!("{} is not in the catalog", mapped.id))?;
        let chips = (count * mapped.chips_per_unit * f64::from(nodes)).round();
        if chips < 1.0 {
            return Err("less than one chip".to_string());
        }
        let chips = chips as u32;
        let maturity = allot_perf::maturity(chip, &MaturityOverrides::new());
        let calibration = allot_perf::calibration();
        match self.work {
            Work::Hours(h) => Ok(*h),
            Work::Train {
                tokens,
                precision,
                lora,
                ..
            } => {
                let kind = if *lora {
                    TrainKind::Lora
                } else {
                    TrainKind::Full
                };
                let req = TrainRequest {
                    arch,
                    tokens: *tokens,
                    chips,
                    precision: *precision,
                    kind,
                    maturity,
                };
                let e = allot_perf::estimate_train(chip, &req, calibration);
                if !e.fits {
                    return Err(match e.min_chips {
                        Some(n) => format!("model does not fit: needs ≥ {n} {}", chip.id),
                        None => "model does not fit".to_string(),
                    });
                }
                Ok(e.hours)
            }
            Work::Serve {
                tokens,
                precision,
                latency,
                input_tokens,
                output_tokens,
                ..
            } => {
                let req = ServeRequest {
                    arch,
                    input_tokens: *input_tokens,
                    output_tokens: *output_tokens,
                    context: None,
                    precision: *precision,
                    min_tokens_per_s_per_user: latency.min_tokens_per_s_per_user(),
                    batch: None,
                    chips_per_replica: None,
                    maturity,
                };
                let e = allot_perf::estimate_serve(chip, &req, calibration);
                if !e.fits || e.chips_per_replica > chips {
                    return Err(format!(
                        "model does not fit: one replica needs {} {}",
                        e.chips_per_replica, chip.id
                    ));
                }
                if !e.meets_latency {
                    return Err("cannot meet the latency".to_string());
                }
                let used = f64::from(chips / e.chips_per_replica * e.chips_per_replica);
                let chip_hours = tokens / 1e6 * e.chip_hours_per_million_tokens;
                Ok(chip_hours / used)
            }
        }
    }
}
