//! Gavel's measured throughput matrix (`data/gavel-throughputs.csv`: steps per second of 26
//! single-GPU job types on V100, P100 and K80 GPUs, from stanford-futuredata/gavel's
//! `simulation_throughputs.json`, MIT licence) and the heterogeneous cluster of its
//! simulations (36 V100 + 36 P100 + 36 K80), for reproducing its results.

use crate::trace::read_throughputs;
use crate::{Pool, Throughputs, Workload};

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
