//! Reproduction of a published result: Gavel's heterogeneity-aware LAS
//! (`max_min_fairness_perf`) against its heterogeneity-agnostic baseline (`max_min_fairness`)
//! on Gavel's continuous-single setup (Figure 8 of Narayanan et al., OSDI 2020: 36 V100 + 36
//! P100 + 36 K80, Gavel's own seed-0 trace at 2 jobs/hour, average JCT of jobs 4,000–5,000).
//! The published values are the outputs of Gavel's notebook
//! `scheduler/notebooks/figures/evaluation/continuous_jobs.ipynb` at commit c4fa400
//! (docs/simulate.md); each of our two JCTs and their ratio must lie within 15% of them.

use allot_sim::gavel;

/// Published average JCT of jobs 4,000–5,000 at 2 jobs/hour, seed 0, hours.
const PUBLISHED_AGNOSTIC_H: f64 = 23.47;
const PUBLISHED_AWARE_H: f64 = 16.95;
const TOLERANCE: f64 = 0.15;

#[test]
fn heterogeneity_aware_las_reproduces_gavels_figure_8_at_2_jobs_per_hour() {
    let run = gavel::figure8(5000, 2.0, 0);
    let (agnostic, aware) = (run.agnostic_jct_s / 3600.0, run.aware_jct_s / 3600.0);
    let published_ratio = PUBLISHED_AGNOSTIC_H / PUBLISHED_AWARE_H;
    for (what, ours, published) in [
        ("agnostic JCT h", agnostic, PUBLISHED_AGNOSTIC_H),
        ("aware JCT h", aware, PUBLISHED_AWARE_H),
        ("ratio", run.ratio(), published_ratio),
    ] {
        assert!(
            (ours / published - 1.0).abs() <= TOLERANCE,
            "{what}: ours {ours:.3}, published {published:.3} ± 15% \
             (agnostic {agnostic:.2} h, aware {aware:.2} h)"
        );
    }
}
