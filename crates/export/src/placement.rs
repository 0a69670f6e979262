//! The plan's workloads resolved against the catalog: which offering each training run and
//! each serving pool (a demand on one provider's chip) runs on, and in what shape (hosts, chips
//! per host, TPU slices, replicas).

use std::collections::BTreeMap;

use allot_catalog::{Accelerator, Catalog, HOURS_PER_MONTH, Offering};
use allot_plan_format::Plan;

use crate::ExportError;
use crate::family::{Family, TpuSlice};

/// Chips as whole devices: planned chips are averages over a period, so round up (ignoring
/// solver noise such as 4096.000000000003).
pub(crate) fn whole(chips: f64) -> u32 {
    let c = (chips - 1e-6).ceil();
    if c <= 0.0 { 0 } else { c as u32 }
}

/// Training or serving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A training run: a batch job that ends.
    Training,
    /// A serving pool: replicas that run until replaced.
    Serving,
}

/// One workload of the plan, ready to be written for any scheduler.
#[derive(Debug, Clone)]
pub(crate) struct Workload<'a> {
    pub kind: Kind,
    /// Name in the plan (a run or a demand).
    pub name: String,
    /// Unique lowercase name usable as a Kubernetes object name and a file name.
    pub slug: String,
    /// Provider id.
    pub provider: String,
    pub offering: &'a Offering,
    pub accelerator: &'a Accelerator,
    pub family: Family,
    /// Chips planned: a run's largest count; a serving pool's count in the sizing period.
    pub chips: f64,
    /// Chips on each host.
    pub chips_per_host: u32,
    /// Training: hosts per slice (all hosts, without TPU slices). Serving: 1 (one host per replica).
    pub hosts: u32,
    /// Training on TPUs: identical slices (multislice); 1 otherwise.
    pub slices: u32,
    /// The TPU slice each slice or replica runs on.
    pub tpu: Option<TpuSlice>,
    /// Serving: replicas in the sizing period, and the fewest and most over the horizon.
    pub replicas: u32,
    pub min_replicas: u32,
    pub max_replicas: u32,
    /// First and last period with chips.
    pub start: String,
    pub finish: String,
    /// Hours from the start of `start` to the end of `finish`.
    pub hours: f64,
}

impl Workload<'_> {
    /// Every host of the workload (all slices, or all replicas).
    pub fn total_hosts(&self) -> u32 {
        match self.kind {
            Kind::Training => self.hosts * self.slices,
            Kind::Serving => self.replicas,
        }
    }

    /// One line saying what the plan decided, for the stand-in command and file headers.
    pub fn describe(&self) -> String {
        let what = match self.kind {
            Kind::Training => "train",
            Kind::Serving => "serve",
        };
        let shape = match self.kind {
            Kind::Training if self.slices > 1 => format!(
                "{} slices of {} hosts x {} chips",
                self.slices, self.hosts, self.chips_per_host
            ),
            Kind::Training => format!("{} hosts x {} chips", self.hosts, self.chips_per_host),
            Kind::Serving => format!(
                "replicas of {} chips: {} (from {} to {} over the plan)",
                self.chips_per_host, self.replicas, self.min_replicas, self.max_replicas
            ),
        };
        // One line whatever the names hold: it ends a script's comment and a manifest's header.
        let line = format!(
            "allot plan: {what} {name}: {chips:.1} {chip} chips on {offering}, {shape}, {start}..{finish}",
            name = self.name,
            chips = self.chips,
            chip = self.accelerator.id,
            offering = self.offering.id,
            start = self.start,
            finish = self.finish,
        );
        allot_diag::escape_control(&line, false).into_owned()
    }
}

/// Chips per host of an offering's chip (TPU offerings are priced per chip; their hosts have 4).
pub(crate) fn chips_per_host(offering: &Offering, family: Family, chip_id: &str) -> u32 {
    match family {
        Family::Tpu(_) => 4,
        _ => family.chips_per_host(chip_id, offering.chips_per_instance),
    }
}

/// Months in a period with this label (`2027-Q1` is a quarter, `2027-03` a month).
fn months_per_period(label: &str) -> u32 {
    if label.contains("-Q") { 3 } else { 1 }
}

/// The catalog facts behind a plan.
pub(crate) struct Resolver<'p, 'c> {
    pub plan: &'p Plan,
    pub file: &'p str,
    pub catalog: &'c Catalog,
}

impl<'p, 'c> Resolver<'p, 'c> {
    /// Checks that every capacity line names an offering of the catalog.
    pub fn check_offerings(&self) -> Result<(), ExportError> {
        for (i, line) in self.plan.capacity.iter().enumerate() {
            self.offering(&line.offering, &format!("capacity[{i}].offering"))?;
        }
        Ok(())
    }

    pub fn offering(&self, id: &str, field: &str) -> Result<&'c Offering, ExportError> {
        self.catalog
            .offering(id)
            .ok_or_else(|| ExportError::UnknownOffering {
                file: self.file.to_string(),
                field: field.to_string(),
                offering: id.to_string(),
                suggestion: allot_diag::suggest(id, self.catalog.offering_ids())
                    .map(str::to_string),
            })
    }

    /// The offering a workload on `provider`'s `chip` runs on: of the plan's capacity lines for
    /// that provider and chip, the one with the most chips in `periods` (all periods when none
    /// match); ties go to the smaller id.
    fn offering_for(
        &self,
        provider: &str,
        chip: &str,
        periods: &BTreeMap<String, f64>,
        field: &str,
    ) -> Result<&'c Offering, ExportError> {
        let mut by_offering: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
        for line in &self.plan.capacity {
            if line.provider == provider && line.chip == chip {
                let e = by_offering.entry(line.offering.as_str()).or_default();
                e.1 += line.chips;
                if periods.get(&line.period).is_some_and(|&c| c > 0.0) {
                    e.0 += line.chips;
                }
            }
        }
        let best = by_offering
            .iter()
            .max_by(|a, b| {
                let (ka, kb) = (a.1, b.1);
                ka.0.total_cmp(&kb.0)
                    .then(ka.1.total_cmp(&kb.1))
                    .then_with(|| b.0.cmp(a.0))
            })
            .map(|(id, _)| *id)
            .ok_or_else(|| ExportError::NoCapacity {
                file: self.file.to_string(),
                field: field.to_string(),
                provider: provider.to_string(),
                chip: chip.to_string(),
            })?;
        self.offering(best, field)
    }

    /// Hours from the start of period `start` to the end of period `finish`.
    fn hours(&self, start: &str, finish: &str) -> f64 {
        let index = |label: &str| self.plan.periods.iter().position(|p| p == label);
        let spanned = match (index(start), index(finish)) {
            (Some(s), Some(f)) if f >= s => f - s + 1,
            _ => 1,
        };
        spanned as f64 * f64::from(months_per_period(start)) * HOURS_PER_MONTH
    }

    /// Every placed workload: training runs, then serving pools, in plan order. `sizing` is
    /// the period serving pools are sized for (their peak when `None`). Runs the plan did not
    /// place are reported in `notes`.
    pub fn workloads(
        &self,
        sizing: Option<&str>,
        notes: &mut Vec<String>,
    ) -> Result<Vec<Workload<'c>>, ExportError> {
        let mut out = Vec::new();
        for (i, run) in self.plan.training.iter().enumerate() {
            if run.provider.is_empty() || run.chips <= 0.0 {
                notes.push(format!(
                    "training run '{}' is not placed in the plan: skipped",
                    run.name
                ));
                continue;
            }
            let field = format!("training[{i}]");
            let offering =
                self.offering_for(&run.provider, &run.chip, &run.chips_by_period, &field)?;
            let (accelerator, family) = self.accelerator(offering, &field)?;
            let chips = whole(run.chips).max(1);
            let (chips_per_host, hosts, slices, tpu) = match family {
                Family::Tpu(generation) => {
                    let slice = generation.slice(chips.min(generation.max_slice_chips()));
                    let slices = chips.div_ceil(slice.chips);
                    (slice.chips / slice.hosts, slice.hosts, slices, Some(slice))
                }
                _ => {
                    let per_host =
                        family.chips_per_host(&accelerator.id, offering.chips_per_instance);
                    (per_host, chips.div_ceil(per_host), 1, None)
                }
            };
            out.push(Workload {
                kind: Kind::Training,
                name: run.name.clone(),
                slug: String::new(),
                provider: run.provider.clone(),
                offering,
                accelerator,
                family,
                chips: run.chips,
                chips_per_host,
                hosts,
                slices,
                tpu,
                replicas: 0,
                min_replicas: 0,
                max_replicas: 0,
                start: run.start.clone(),
                finish: run.finish.clone(),
                hours: self.hours(&run.start, &run.finish),
            });
        }
        for (i, demand) in self.plan.inference.iter().enumerate() {
            // One pool per provider and chip, in order of first appearance.
            let mut pools: Vec<((&str, &str), ChipsByPeriod)> = Vec::new();
            for c in &demand.chips_by_period {
                let key = (c.provider.as_str(), c.chip.as_str());
                *entry_in_order(&mut pools, key)
                    .entry(c.period.clone())
                    .or_default() += c.chips;
            }
            for ((provider, chip), by_period) in pools {
                if by_period.values().all(|&c| c <= 0.0) {
                    continue;
                }
                let field = format!("inference[{i}].chips_by_period");
                let offering = self.offering_for(provider, chip, &by_period, &field)?;
                let (accelerator, family) = self.accelerator(offering, &field)?;
                let per_host = chips_per_host(offering, family, &accelerator.id);
                let used: Vec<(&String, f64)> = self
                    .plan
                    .periods
                    .iter()
                    .filter_map(|p| by_period.get(p).filter(|&&c| c > 0.0).map(|&c| (p, c)))
                    .collect();
                let peak = used.iter().map(|&(_, c)| c).fold(0.0, f64::max);
                let least = used.iter().map(|&(_, c)| c).fold(f64::INFINITY, f64::min);
                let chips = match sizing {
                    Some(p) => by_period.get(p).copied().unwrap_or(0.0),
                    None => peak,
                };
                let replicas_for = |c: f64| whole(c).div_ceil(per_host);
                out.push(Workload {
                    kind: Kind::Serving,
                    name: demand.name.clone(),
                    slug: String::new(),
                    provider: provider.to_string(),
                    offering,
                    accelerator,
                    family,
                    chips,
                    chips_per_host: per_host,
                    hosts: 1,
                    slices: 1,
                    tpu: match family {
                        Family::Tpu(generation) => Some(generation.serving_slice()),
                        _ => None,
                    },
                    replicas: replicas_for(chips),
                    min_replicas: replicas_for(least),
                    max_replicas: replicas_for(peak),
                    start: used.first().map(|(p, _)| p.to_string()).unwrap_or_default(),
                    finish: used.last().map(|(p, _)| p.to_string()).unwrap_or_default(),
                    hours: 0.0,
                });
            }
        }
        assign_slugs(&mut out);
        Ok(out)
    }

    pub fn accelerator(
        &self,
        offering: &'c Offering,
        field: &str,
    ) -> Result<(&'c Accelerator, Family), ExportError> {
        let accelerator =
            self.catalog
                .accelerator(&offering.chip)
                .ok_or_else(|| ExportError::UnknownChip {
                    file: self.file.to_string(),
                    field: field.to_string(),
                    chip: offering.chip.clone(),
                    offering: offering.id.clone(),
                })?;
        Ok((accelerator, Family::of(accelerator)))
    }
}

/// Chips per period label.
type ChipsByPeriod = BTreeMap<String, f64>;

/// The value under `key` in a list kept in order of first appearance, added when missing.
pub(crate) fn entry_in_order<K: PartialEq, V: Default>(list: &mut Vec<(K, V)>, key: K) -> &mut V {
    let at = match list.iter().position(|(k, _)| *k == key) {
        Some(at) => at,
        None => {
            list.push((key, V::default()));
            list.len() - 1
        }
    };
    &mut list[at].1
}

/// A lowercase name of letters, digits and dashes, at most `max` long (DNS-1123 label).
pub(crate) fn slug(text: &str, max: usize) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut out: String = out.trim_matches('-').chars().take(max).collect();
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        "workload".to_string()
    } else {
        out
    }
}

/// The name of the one replicated job of a JobSet.
pub(crate) const REPLICATED_JOB: &str = "workers";

/// The longest name a workload may have. A JobSet's pods are named
/// `<jobset>-<replicated job>-<slice>-<host>-<5 random characters>`, which JobSet's webhook
/// requires to be a DNS-1035 label of at most 63 characters, so a JobSet's own name is shorter
/// by the rest; any other workload keeps room for a Kubernetes suffix (56).
fn name_limit(w: &Workload<'_>) -> usize {
    let digits = |n: u32| n.saturating_sub(1).to_string().len();
    match w.kind {
        Kind::Training if w.hosts > 1 || w.slices > 1 => {
            63 - REPLICATED_JOB.len() - "----abcde".len() - digits(w.slices) - digits(w.hosts)
        }
        _ => 56,
    }
}

/// `text` cut to at most `max` characters, with no dash at its end.
fn cut(text: &str, max: usize) -> &str {
    let end = text.char_indices().nth(max).map_or(text.len(), |(i, _)| i);
    text[..end].trim_end_matches('-')
}

/// Names each workload uniquely, as a DNS-1035 label within [`name_limit`]: training runs by
/// their name, serving pools by demand, provider and chip; a name starting with a digit gets
/// `run-` or `serve-` before it; a repeated name gets `-2`, `-3`... (cut to fit).
fn assign_slugs(workloads: &mut [Workload<'_>]) {
    let mut seen: BTreeMap<String, u32> = BTreeMap::new();
    let mut taken: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for w in workloads {
        let max = name_limit(w);
        let (text, prefix) = match w.kind {
            Kind::Training => (w.name.clone(), "run-"),
            Kind::Serving => (
                format!("{}-{}-{}", w.name, w.provider, w.accelerator.id),
                "serve-",
            ),
        };
        let mut base = slug(&text, 200);
        if base.starts_with(|c: char| c.is_ascii_digit()) {
            base.insert_str(0, prefix);
        }
        let base = cut(&base, max).to_string();
        // Unique among every name given so far, suffixes included ("run", "run!" and "run 2"
        // used to give "run", "run-2" and "run-2": one file overwrote another).
        let n = seen.entry(base.clone()).or_insert(1);
        let mut slug = base.clone();
        while taken.contains(&slug) {
            *n += 1;
            let suffix = format!("-{n}");
            slug = format!("{}{suffix}", cut(&base, max - suffix.len()));
        }
        taken.insert(slug.clone());
        w.slug = slug;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_dns_labels() {
        assert_eq!(slug("Finetune 70B (v2)", 63), "finetune-70b-v2");
        assert_eq!(slug("--", 63), "workload");
        assert_eq!(slug("abc-def", 4), "abc");
    }

    #[test]
    fn whole_chips_round_up_but_ignore_noise() {
        assert_eq!(whole(4096.000000000003), 4096);
        assert_eq!(whole(1.94), 2);
        assert_eq!(whole(0.0), 0);
    }
}
