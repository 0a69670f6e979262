//! Gavel's measured throughput matrix (`data/gavel-throughputs.csv`: steps per second of 26
//! single-GPU job types on V100, P100 and K80 GPUs, from stanford-futuredata/gavel's
//! `simulation_throughputs.json`, MIT licence) and the heterogeneous cluster of its
//! simulations (36 V100 + 36 P100 + 36 K80), and its Figure 8 experiment ([`figure8`]), for
//! reproducing its results.

use crate::pyrandom::PyRandom;
use crate::trace::read_throughputs;
use crate::{Job, Metrics, Policy, Pool, Settings, Throughputs, Workload, simulate};

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

/// Gavel's `JobTable` (`scheduler/job_table.py`), in its order: the list `generate_job` picks
/// a job type from with `rng.choice(JobTable)`.
pub const JOB_TABLE: [&str; 26] = [
    "ResNet-18 (batch size 16)",
    "ResNet-18 (batch size 32)",
    "ResNet-18 (batch size 64)",
    "ResNet-18 (batch size 128)",
    "ResNet-18 (batch size 256)",
    "ResNet-50 (batch size 16)",
    "ResNet-50 (batch size 32)",
    "ResNet-50 (batch size 64)",
    "ResNet-50 (batch size 128)",
    "Transformer (batch size 16)",
    "Transformer (batch size 32)",
    "Transformer (batch size 64)",
    "Transformer (batch size 128)",
    "Transformer (batch size 256)",
    "LM (batch size 5)",
    "LM (batch size 10)",
    "LM (batch size 20)",
    "LM (batch size 40)",
    "LM (batch size 80)",
    "Recommendation (batch size 512)",
    "Recommendation (batch size 1024)",
    "Recommendation (batch size 2048)",
    "Recommendation (batch size 4096)",
    "Recommendation (batch size 8192)",
    "A3C",
    "CycleGAN",
];

/// The first `jobs` single-GPU jobs of Gavel's continuous trace at `rate_per_hour` for seed
/// `seed`, exactly as Gavel's simulator draws them (`Scheduler.simulate` and `utils.generate_job`
/// of stanford-futuredata/gavel at c4fa400, with `generate_multi_gpu_jobs` off): the job
/// generator is `random.Random(seed + 2)`, the inter-arrival generator `random.Random(seed +
/// 3)` (`_initialize_seeds`); the first job arrives at 0 and each next one
/// `-ln(1 - random()) · 3600 / rate` seconds later; each job draws a scale factor (`uniform(0,
/// 1)`, then set to 1), a duration on a V100 (`60·10^uniform(3, 4)` s if `random() ≥ 0.8`, else
/// `60·10^uniform(1.5, 3)` s) and a job type (`choice(JobTable)`), and its work is that duration
/// times its type's V100 steps per second. `throughputs` must be [`throughputs`]'s matrix.
pub fn trace(jobs: usize, rate_per_hour: f64, seed: u64, throughputs: &Throughputs) -> Vec<Job> {
    let mut job_rng = PyRandom::new(seed + 2);
    let mut arrival_rng = PyRandom::new(seed + 3);
    let row = |name: &str| {
        throughputs
            .job_types
            .iter()
            .position(|t| t == name)
            .expect("every JobTable type is a row of Gavel's matrix")
    };
    let rows: Vec<usize> = JOB_TABLE.iter().map(|name| row(name)).collect();
    let lam = 3600.0 / rate_per_hour;
    let mut t = 0.0;
    (0..jobs)
        .map(|i| {
            let _scale_factor = job_rng.uniform(0.0, 1.0);
            let duration = if job_rng.random() >= 0.8 {
                60.0 * 10f64.powf(job_rng.uniform(3.0, 4.0))
            } else {
                60.0 * 10f64.powf(job_rng.uniform(1.5, 3.0))
            };
            let job_type = rows[job_rng.randbelow(JOB_TABLE.len() as u32) as usize];
            let job = Job {
                id: format!("job{i}"),
                arrival_s: t,
                job_type,
                gang: 1,
                work: duration * throughputs.rate[job_type][0],
                deadline_s: None,
            };
            t += -(1.0 - arrival_rng.random()).ln() / (1.0 / lam);
            job
        })
        .collect()
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

/// Gavel's Figure 8 experiment (EXPERIMENTS.md of stanford-futuredata/gavel): Gavel's own
/// continuous-single trace ([`trace`]) at `rate_per_hour` for seed `seed` on
/// [`cluster`]`(36)`, the average JCT (arrival to completion) of jobs `jobs·4/5..jobs` (Gavel
/// measures jobs 4,000–5,000 of its `-s 4000 -e 5000` sweep) under the heterogeneity-agnostic
/// and the heterogeneity-aware LAS ([`figure8_jct`] for each).
pub fn figure8(jobs: usize, rate_per_hour: f64, seed: u64) -> Figure8 {
    Figure8 {
        agnostic_jct_s: figure8_jct(jobs, rate_per_hour, seed, Policy::MaxMin, jobs / 10 + 10),
        aware_jct_s: figure8_jct(jobs, rate_per_hour, seed, Policy::Gavel, jobs / 10 + 10),
    }
}

/// One policy's side of [`figure8`]: the average JCT of the measured jobs, seconds. As in
/// Gavel's simulator, jobs keep arriving until every measured job has finished: the trace is
/// extended, from `extra` jobs past the window and doubling, until its last arrival comes
/// after the last measured completion. Jobs arriving later cannot change an earlier event, so
/// the result does not depend on how far the trace was extended, only the time taken: a
/// saturated cluster (5 jobs/hour and up) needs thousands of jobs past the window, and
/// starting there saves the shorter runs.
pub fn figure8_jct(
    jobs: usize,
    rate_per_hour: f64,
    seed: u64,
    policy: Policy,
    extra: usize,
) -> f64 {
    let window = jobs * 4 / 5..jobs;
    let mut extra = extra.max(1);
    loop {
        let mut workload = cluster(36);
        workload.jobs = trace(jobs + extra, rate_per_hour, seed, &workload.throughputs);
        let settings = Settings {
            policy,
            seed,
            ..Settings::default()
        };
        let outcome = simulate(&workload, &settings)
            .expect("Gavel's setup simulates")
            .complete()
            .expect("no time limit");
        let measured = &outcome.jobs[window.clone()];
        let last_finish = measured.iter().map(|j| j.finish_s).fold(0.0, f64::max);
        let last_arrival = workload.jobs.last().map_or(0.0, |j| j.arrival_s);
        if last_arrival >= last_finish {
            return Metrics::of(measured, &outcome.jobs, &workload.pools).avg_jct_s;
        }
        extra *= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Jobs 0, 1, 2 and 4,999 of seed 0 at 2 jobs/hour as Gavel's generator draws them
    /// (replayed with CPython 3.11's `random`): arrival s, job type, duration on a V100 s.
    #[test]
    fn the_trace_is_gavels() {
        let (_, throughputs) = throughputs();
        let jobs = trace(5000, 2.0, 0, &throughputs);
        let expected = [
            (0, 0.0, "ResNet-18 (batch size 64)", 68344.35010595087),
            (
                1,
                489.172145820603,
                "Transformer (batch size 16)",
                31016.60914593223,
            ),
            (
                2,
                1903.5496550581915,
                "Recommendation (batch size 2048)",
                2146.6088374387864,
            ),
            (
                4999,
                8905354.435221825,
                "Recommendation (batch size 1024)",
                13879.571684615657,
            ),
        ];
        for (i, arrival, job_type, duration) in expected {
            let job = &jobs[i];
            assert_eq!(job.arrival_s, arrival, "job {i}");
            assert_eq!(throughputs.job_types[job.job_type], job_type, "job {i}");
            let v100 = throughputs.rate[job.job_type][0];
            assert!((job.work / v100 / duration - 1.0).abs() < 1e-12, "job {i}");
        }
    }
}
