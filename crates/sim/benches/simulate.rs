//! The simulator's speed: simulated jobs per second of wall time, for a trace of Gavel's
//! distributions (multi-chip gangs, Poisson arrivals) on Gavel's 36 V100 + 36 P100 + 36 K80
//! cluster, under FIFO (events only) and the heterogeneity-aware max-min policy (an LP per
//! change of the job set, in 360 s rounds), with a 1,000-job run of each as the same-session
//! baseline.
//!
//! Run with `nice -n 19 cargo bench -p allot-sim --bench simulate` (release build). `SIM_JOBS`
//! sets the large trace (default 10,000), `SIM_RATE` the arrivals per hour (default 2.0, a
//! loaded but stable cluster), `SIM_REPEATS` the runs per case (default 3; the median is
//! printed).

use std::time::{Duration, Instant};

use allot_sim::trace::{Generate, generate};
use allot_sim::{Policy, Settings, gavel, simulate};

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let large: usize = env("SIM_JOBS", 10_000);
    let rate: f64 = env("SIM_RATE", 2.0);
    let repeats: usize = env("SIM_REPEATS", 3);
    println!(
        "trace: Gavel distributions, multi-chip, {rate} jobs/hour; cluster 36 V100 + 36 P100 + 36 K80"
    );
    println!(
        "{:<8} {:>7} {:>12} {:>14} {:>10} {:>12}",
        "policy", "jobs", "median s", "jobs/s", "LPs", "avg JCT h"
    );
    for policy in [Policy::Fifo, Policy::Gavel] {
        let mut per_s = Vec::new();
        for jobs in [1_000, large] {
            let mut workload = gavel::cluster(36);
            workload.jobs = generate(
                &Generate {
                    jobs,
                    rate_per_hour: rate,
                    seed: 1,
                    multi_chip: true,
                },
                &workload.throughputs,
                0,
            );
            let settings = Settings {
                policy,
                ..Settings::default()
            };
            let mut times: Vec<Duration> = Vec::new();
            let mut last = None;
            for _ in 0..repeats {
                let start = Instant::now();
                let outcome = simulate(&workload, &settings)
                    .expect("simulates")
                    .complete()
                    .expect("no time limit");
                times.push(start.elapsed());
                last = Some(outcome);
            }
            times.sort();
            let median = times[times.len() / 2].as_secs_f64();
            let outcome = last.expect("ran");
            per_s.push(jobs as f64 / median);
            println!(
                "{:<8} {:>7} {:>12.3} {:>14.0} {:>10} {:>12.1}",
                policy.name(),
                jobs,
                median,
                jobs as f64 / median,
                outcome.lp_solves,
                outcome.metrics.avg_jct_s / 3600.0
            );
        }
        println!(
            "{}: jobs/s at {large} jobs over 1,000 jobs: {:.2}x",
            policy.name(),
            per_s[1] / per_s[0]
        );
    }
}
