//! Evaluates every (workload × accelerator) pair of examples/frontier-lab.toml: the work the
//! planner asks of the performance model before building its model (divan).
//!
//! Run with `cargo bench -p allot-perf --bench pairs`. divan prints the fastest, slowest, median
//! and mean of its samples: `pairs` is one pass over all pairs (216 for frontier-lab: 5 training
//! runs and 3 inference demands on each of 27 accelerators), `calibration_fit` the one-off fit
//! each process makes before its first estimate.

use std::path::Path;

use allot_model::Architecture;
use allot_perf::{
    Calibration, Precision, ServeRequest, TrainKind, TrainRequest, calibration, default_maturity,
    estimate_serve, estimate_train, min_chips, observations,
};
use allot_scenario::{LatencyClass, ModelSpec, Scenario};

fn main() {
    divan::main();
}

fn arch(m: &ModelSpec) -> Architecture {
    match m {
        ModelSpec::Preset(p) => allot_model::preset(p).expect("preset").architecture(),
        ModelSpec::Architecture(a) => a.clone(),
    }
}

fn precision(p: allot_scenario::Precision) -> Precision {
    match p {
        allot_scenario::Precision::Bf16 => Precision::Bf16,
        allot_scenario::Precision::Fp8 => Precision::Fp8,
    }
}

fn frontier_lab() -> Scenario {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let path = root.join("examples/frontier-lab.toml");
    let text = std::fs::read_to_string(&path).expect("read example");
    let dir = path.parent().expect("folder").to_path_buf();
    let mut read = |p: &str| -> Result<(String, String), String> {
        let f = dir.join(p);
        std::fs::read_to_string(&f)
            .map(|t| (f.display().to_string(), t))
            .map_err(|e| e.to_string())
    };
    allot_scenario::load("frontier-lab.toml", &text, &mut read)
        .scenario
        .expect("valid example")
}

/// The calibration fit on the MLPerf results (once per process in `allot`).
#[divan::bench(sample_count = 21)]
fn calibration_fit(bencher: divan::Bencher) {
    let (catalog, _) = allot_catalog::Catalog::builtin();
    let results = observations(&catalog);
    bencher.bench_local(|| {
        let fit = Calibration::fit(&results);
        assert_eq!(&fit, calibration());
    });
}

/// Every (workload × accelerator) pair of frontier-lab, once.
#[divan::bench(sample_count = 51)]
fn pairs(bencher: divan::Bencher) {
    let scenario = frontier_lab();
    let training: Vec<(Architecture, f64, Precision, u32)> = scenario
        .file
        .training
        .iter()
        .map(|t| {
            (
                arch(&t.model),
                t.tokens,
                precision(t.precision),
                t.min_chips.unwrap_or(1),
            )
        })
        .collect();
    let inference: Vec<(Architecture, u32, u32, Precision, Option<f64>)> = scenario
        .file
        .inference
        .iter()
        .map(|d| {
            let latency = d.min_tokens_per_s_per_user.or(match d.latency {
                LatencyClass::Interactive => Some(30.0),
                LatencyClass::Standard => Some(10.0),
                LatencyClass::Batch => None,
            });
            (
                arch(&d.model),
                d.input_tokens,
                d.output_tokens,
                precision(d.precision),
                latency,
            )
        })
        .collect();
    let chips = scenario.catalog.accelerators();
    let cal = calibration();
    bencher.bench_local(|| {
        let mut n = 0;
        for chip in chips {
            let maturity = default_maturity(&chip.id);
            for (a, tokens, p, lo) in &training {
                let need = min_chips(a, TrainKind::Full, chip).unwrap_or(1).max(*lo);
                let req = TrainRequest {
                    arch: a,
                    tokens: *tokens,
                    chips: need,
                    precision: *p,
                    kind: TrainKind::Full,
                    maturity,
                };
                std::hint::black_box(estimate_train(chip, &req, cal));
                n += 1;
            }
            for (a, input, output, p, latency) in &inference {
                let req = ServeRequest {
                    arch: a,
                    input_tokens: *input,
                    output_tokens: *output,
                    context: None,
                    precision: *p,
                    min_tokens_per_s_per_user: *latency,
                    batch: None,
                    chips_per_replica: None,
                    maturity,
                };
                std::hint::black_box(estimate_serve(chip, &req, cal));
                n += 1;
            }
        }
        assert_eq!(n, chips.len() * (training.len() + inference.len()));
    });
}
