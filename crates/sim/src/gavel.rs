//! Gavel's measured throughput matrix (`data/gavel-throughputs.csv`: steps per second of 26
//! single-GPU job types on V100, P100 and K80 GPUs, from stanford-futuredata/gavel's
//! `simulation_throughputs.json`, MIT licence) and the heterogeneous cluster of its
//! simulations (36 V100 + 36 P100 + 36 K80), and its Figure 8 experiment ([`figure8`]), for
//! reproducing its results.

use crate::trace::{Generate, generate, read_throughputs};
use crate::{Metrics, Policy, Pool, Settings, Throughputs, Workload, simulate};

/// The matrix as shipped.
pub const THROUGHPUTS_CSV: &str = include_str!("../data/gavel-throughputs.csv");

/// The chip types (columns) and the matrix.
pub fn throughputs() -> (Vec<String>, Throughputs) {
    read_throughputs("gavel-throughputs.csv", THROUGHPUTS_CSV).expect("the shipped matrix reads")
}

/// Gavel's simulated cluster, `per_type` GPUs of each of V100, P100 and K80, with the matrix
/// and no jobs. Prices per GPU-hour are the GCP preemptible prices Gavel's cost policies use
/// (`scheduler/utils.py`: V100 $0.74, P100 $0.43, K80 $0.135).
pub fn cluster(per_type: u32) -> Workload {
    let (chips, throughputs) = throughputs();
    let price = |chip: &str| match chip {
        "v100" => 0.74,
        "p100" => 0.43,
        _ => 0.135,
    };
    Workload {
        pools: chips
            .iter()
            .map(|c| Pool {
                chip: c.clone(),
                chips: per_type,
                usd_per_chip_hour: price(c),
            })
            .collect(),
        throughputs,
        jobs: Vec::new(),
    }
}

/// Average JCT of one run of Gavel's Figure 8 experiment, seconds, under each LAS variant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure8 {
    /// Heterogeneity-agnostic max-min fairness (`max_min_fairness`).
    pub agnostic_jct_s: f64,
    /// Heterogeneity-aware max-min fairness (`max_min_fairness_perf`).
    pub aware_jct_s: f64,
}

impl Figure8 {
    /// How many times shorter the aware policy's average JCT is.
    pub fn ratio(&self) -> f64 {
        self.agnostic_jct_s / self.aware_jct_s
    }
}

/// Gavel's Figure 8 experiment (EXPERIMENTS.md of stanford-futuredata/gavel): `jobs` single-GPU
/// jobs of its continuous-single trace at `rate_per_hour` (seed `seed`) on [`cluster`]`(36)`,
/// the average JCT of the trace's last fifth (Gavel measures jobs 4,000–5,000 of 5,000) under
/// the heterogeneity-agnostic and the heterogeneity-aware LAS.
pub fn figure8(jobs: usize, rate_per_hour: f64, seed: u64) -> Figure8 {
    let mut workload = cluster(36);
    let spec = Generate {
        jobs,
        rate_per_hour,
        seed,
        multi_chip: false,
    };
    workload.jobs = generate(&spec, &workload.throughputs, 0);
    let window = jobs * 4 / 5..jobs;
    let jct = |policy| {
        let settings = Settings {
            policy,
            ..Settings::default()
        };
        let outcome = simulate(&workload, &settings).expect("Gavel's setup simulates");
        let measured = &outcome.jobs[window.clone()];
        Metrics::of(measured, &outcome.jobs, &workload.pools).avg_jct_s
    };
    Figure8 {
        agnostic_jct_s: jct(Policy::MaxMin),
        aware_jct_s: jct(Policy::Gavel),
    }
}
