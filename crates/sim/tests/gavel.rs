//! The heterogeneity-aware max-min (LAS) policy against the agnostic one on Gavel's
//! continuous-single setup (36 V100 + 36 P100 + 36 K80, single-GPU jobs of Gavel's 26 types,
//! Philly durations, Poisson arrivals), shortened so that it runs in the test suite: the
//! average-JCT ratio must stay within 15% of the expectation recorded here from the full-size
//! run of `benches/gavel_lambda.rs` (docs/simulate.md says which published figure this is meant
//! to reproduce, and why it is not checked against it).

use allot_sim::gavel;

/// (arrivals per hour, jobs in the trace, expected agnostic / aware average JCT of its last
/// fifth).
const CASES: [(f64, usize, f64); 1] = [(2.0, 1000, EXPECTED_AT_2)];
const EXPECTED_AT_2: f64 = 1.95;
const TOLERANCE: f64 = 0.15;

#[test]
fn heterogeneity_aware_las_cuts_average_jct_as_recorded() {
    for (rate, jobs, expected) in CASES {
        let ratio = gavel::figure8(jobs, rate, 0).ratio();
        assert!(
            (ratio / expected - 1.0).abs() <= TOLERANCE,
            "at {rate} jobs/h: ratio {ratio:.3}, expected {expected} ± 15%"
        );
    }
}
