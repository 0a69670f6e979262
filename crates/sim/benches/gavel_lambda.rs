//! Gavel's Figure 8 experiment (OSDI 2020; EXPERIMENTS.md of stanford-futuredata/gavel): the
//! continuous-single trace (Gavel's own, `gavel::trace`: single-GPU jobs of its 26 job types,
//! Philly durations, Poisson arrivals, continuing until the window is done) on 36 V100 + 36 P100 + 36 K80 GPUs, average JCT of jobs 4,000–5,000 under the
//! heterogeneity-agnostic and the heterogeneity-aware max-min (LAS) policies, per input rate.
//!
//! Run with `nice -n 19 cargo bench -p allot-sim --bench gavel_lambda` (release build).
//! `GAVEL_RATES` (comma-separated jobs per hour, default 1,2,3,4,5,5.5), `GAVEL_SEEDS` (default
//! 0,1,2), `GAVEL_JOBS` (trace length, default 5000; the window is its last fifth);
//! `GAVEL_POLICY=agnostic` or `aware` runs one side only (one line per rate and seed, the JCT in
//! hours), so that the two can run in parallel, and `GAVEL_EXTRA` sets how many jobs past the
//! window its trace starts with (default a tenth of the trace, doubled until enough; the result
//! does not depend on it).

use allot_sim::{Policy, gavel};

fn list(name: &str, default: &str) -> Vec<f64> {
    std::env::var(name)
        .unwrap_or_else(|_| default.to_string())
        .split(',')
        .filter_map(|v| v.trim().parse().ok())
        .collect()
}

fn main() {
    let rates = list("GAVEL_RATES", "1,2,3,4,5,5.5");
    let seeds = list("GAVEL_SEEDS", "0,1,2");
    let jobs = list("GAVEL_JOBS", "5000")
        .first()
        .copied()
        .unwrap_or(5000.0) as usize;
    if let Ok(side) = std::env::var("GAVEL_POLICY") {
        let policy = match side.as_str() {
            "agnostic" => Policy::MaxMin,
            "aware" => Policy::Gavel,
            other => panic!("GAVEL_POLICY is agnostic or aware, not {other:?}"),
        };
        println!("rate/h  seed  {side} JCT h");
        let extra = list("GAVEL_EXTRA", "")
            .first()
            .map_or(jobs / 10 + 10, |&e| e as usize);
        for rate in rates {
            for &seed in &seeds {
                let jct = gavel::figure8_jct(jobs, rate, seed as u64, policy, extra) / 3600.0;
                println!("{rate:>6}  {seed:>4}  {jct:.2}");
            }
        }
        return;
    }
    println!("rate/h  seed  agnostic JCT h  aware JCT h  ratio");
    for rate in rates {
        let mut ratios = Vec::new();
        for &seed in &seeds {
            let run = gavel::figure8(jobs, rate, seed as u64);
            let (agnostic, aware) = (run.agnostic_jct_s / 3600.0, run.aware_jct_s / 3600.0);
            ratios.push(run.ratio());
            println!(
                "{rate:>6}  {seed:>4}  {agnostic:>14.2}  {aware:>11.2}  {:.2}",
                run.ratio()
            );
        }
        println!(
            "{rate:>6}  mean ratio {:.2}",
            ratios.iter().sum::<f64>() / ratios.len() as f64
        );
    }
}
