//! Performance model tests: MLPerf validation, memory fit, and the physics of serving.

use allot_catalog::{Accelerator, Catalog};
use allot_perf::*;

fn catalog() -> Catalog {
    Catalog::builtin().0
}

fn chip<'a>(c: &'a Catalog, id: &str) -> &'a Accelerator {
    c.accelerator(id).unwrap_or_else(|| panic!("no chip {id}"))
}

fn arch(id: &str) -> allot_model::Architecture {
    allot_model::preset(id).expect("preset").architecture()
}

#[test]
fn mlperf_time_to_train_is_predicted_within_25_percent() {
    let cat = catalog();
    let obs = observations(&cat);
    let cal = calibration();
    println!(
        "alpha {:.3}  lora factor {:.3}  overheads {:?}",
        cal.alpha, cal.lora_factor, cal.overhead_minutes
    );
    for f in &cal.families {
        println!(
            "{:<18} base MFU {:.3}  ({} results)",
            f.family.name(),
            f.base_mfu,
            f.results
        );
    }
    println!(
        "{:<16} {:<14} {:>6} {:>9} {:>9} {:>7}",
        "benchmark", "chip", "chips", "minutes", "predicted", "error"
    );
    for o in &obs {
        let p = cal.predict_minutes(o);
        println!(
            "{:<16} {:<14} {:>6} {:>9.1} {:>9.1} {:>+6.0}%",
            o.benchmark,
            o.chip,
            o.chips,
            o.minutes,
            p,
            (p / o.minutes - 1.0) * 100.0
        );
    }
    let errors = cal.errors(&obs);
    for (benchmark, err, n) in &errors {
        println!(
            "{benchmark:<16} median |error| {:>5.1}% over {n} results",
            err * 100.0
        );
    }
    let all = mlperf::results();
    let skipped: Vec<&str> = all
        .iter()
        .filter(|r| cat.accelerator(&r.accelerator).is_none())
        .map(|r| r.accelerator.as_str())
        .collect();
    assert!(
        skipped.is_empty(),
        "MLPerf rows whose chip is not in the catalog: {skipped:?}"
    );
    assert_eq!(obs.len(), all.len());
    for (benchmark, err, _) in errors {
        assert!(err < 0.25, "{benchmark}: median error {:.1}%", err * 100.0);
    }
}

fn train(
    c: &Catalog,
    chip_id: &str,
    model: &str,
    chips: u32,
    precision: Precision,
) -> TrainEstimate {
    let a = arch(model);
    let ch = chip(c, chip_id);
    let req = TrainRequest {
        arch: &a,
        tokens: 1e12,
        chips,
        precision,
        kind: TrainKind::Full,
        maturity: default_maturity(chip_id),
    };
    estimate_train(ch, &req, calibration())
}

#[test]
fn llama_405b_training_does_not_fit_on_8_h100_but_does_on_a_few_hundred() {
    let c = catalog();
    let small = train(&c, "h100", "llama3.1-405b", 8, Precision::Bf16);
    assert!(!small.fits, "{small:?}");
    let big = train(&c, "h100", "llama3.1-405b", 512, Precision::Bf16);
    assert!(big.fits, "{big:?}");
    let min = min_chips(&arch("llama3.1-405b"), TrainKind::Full, chip(&c, "h100"))
        .expect("fits somewhere");
    assert!((64..=256).contains(&min), "{min}");
    // Bigger memory needs fewer chips.
    let min_b300 =
        min_chips(&arch("llama3.1-405b"), TrainKind::Full, chip(&c, "b300")).expect("fits");
    assert!(min_b300 < min, "{min_b300} vs {min}");
}

#[test]
fn training_time_and_chip_hours_are_consistent() {
    let c = catalog();
    let e = train(&c, "gb200", "llama3.1-70b", 1024, Precision::Fp8);
    assert!((e.chip_hours - e.hours * 1024.0).abs() < 1e-6 * e.chip_hours);
    let expected_tps = Precision::Fp8.peak_flops(chip(&c, "gb200")) * e.mfu
        / flops_per_token(&arch("llama3.1-70b"), TrainKind::Full);
    assert!((e.tokens_per_s_per_chip - expected_tps).abs() < 1e-9 * expected_tps);
    // Scaling efficiency falls as the cluster grows.
    let bigger = train(&c, "gb200", "llama3.1-70b", 16384, Precision::Fp8);
    assert!(bigger.mfu < e.mfu && bigger.hours < e.hours);
    assert!(bigger.chip_hours > e.chip_hours);
}

#[test]
fn fp8_is_faster_only_on_chips_with_fp8() {
    let c = catalog();
    for a in c.accelerators() {
        let bf16 = train(&c, &a.id, "llama3.1-8b", 64, Precision::Bf16);
        let fp8 = train(&c, &a.id, "llama3.1-8b", 64, Precision::Fp8);
        match a.fp8_tflops {
            Some(f) if f > a.bf16_tflops => assert!(fp8.hours < bf16.hours, "{}", a.id),
            _ => assert!(
                (fp8.hours - bf16.hours).abs() < 1e-9 * bf16.hours,
                "{}",
                a.id
            ),
        }
    }
}

fn serve(
    c: &Catalog,
    chip_id: &str,
    model: &str,
    batch: Option<u32>,
    latency: LatencyClass,
) -> ServeEstimate {
    serve_on(c, chip_id, model, batch, None, latency)
}

fn serve_on(
    c: &Catalog,
    chip_id: &str,
    model: &str,
    batch: Option<u32>,
    replica: Option<u32>,
    latency: LatencyClass,
) -> ServeEstimate {
    let a = arch(model);
    let req = ServeRequest {
        arch: &a,
        input_tokens: 1155,
        output_tokens: 211,
        context: None,
        precision: Precision::Bf16,
        min_tokens_per_s_per_user: latency.min_tokens_per_s_per_user(),
        batch,
        chips_per_replica: replica,
        maturity: default_maturity(chip_id),
    };
    estimate_serve(chip(c, chip_id), &req, calibration())
}

#[test]
fn an_8b_model_serves_on_one_chip_of_every_accelerator_with_24_gb() {
    let c = catalog();
    for a in c.accelerators().iter().filter(|a| a.hbm_gb >= 24.0) {
        let e = serve_on(
            &c,
            &a.id,
            "llama3.1-8b",
            None,
            Some(1),
            LatencyClass::Interactive,
        );
        assert!(e.fits && e.chips_per_replica == 1, "{}: {e:?}", a.id);
        assert!(e.meets_latency, "{}: {e:?}", a.id);
    }
}

#[test]
fn an_8b_model_does_not_fit_one_16_gb_chip_in_bf16() {
    let c = catalog();
    let e = serve_on(
        &c,
        "tpu-v5e",
        "llama3.1-8b",
        None,
        Some(1),
        LatencyClass::Interactive,
    );
    assert!(!e.fits, "{e:?}");
    let split = serve(
        &c,
        "tpu-v5e",
        "llama3.1-8b",
        None,
        LatencyClass::Interactive,
    );
    assert!(split.fits && split.chips_per_replica >= 2, "{split:?}");
}

#[test]
fn decode_throughput_rises_with_batch_until_compute_bound() {
    let c = catalog();
    let mut last = 0.0;
    let mut gains = Vec::new();
    for b in [1, 2, 4, 8, 16, 32, 64, 128] {
        let e = serve(&c, "h100", "llama3.1-8b", Some(b), LatencyClass::Batch);
        assert!(e.decode_tokens_per_s_per_chip > last, "batch {b}");
        gains.push(e.decode_tokens_per_s_per_chip / last.max(1e-9));
        last = e.decode_tokens_per_s_per_chip;
    }
    // Memory-bound at small batch: doubling the batch nearly doubles throughput.
    assert!(gains[1] > 1.9, "{gains:?}");
    // Per-user speed falls as the batch grows.
    let one = serve(&c, "h100", "llama3.1-8b", Some(1), LatencyClass::Batch);
    let many = serve(&c, "h100", "llama3.1-8b", Some(128), LatencyClass::Batch);
    assert!(many.tokens_per_s_per_user < one.tokens_per_s_per_user);
}

#[test]
fn faster_hbm_gives_faster_decode() {
    let c = catalog();
    // H200 is an H100 with more and faster HBM: same compute.
    let h100 = serve(&c, "h100", "llama3.1-8b", Some(1), LatencyClass::Batch);
    let h200 = serve(&c, "h200", "llama3.1-8b", Some(1), LatencyClass::Batch);
    assert!(h200.tokens_per_s_per_user > h100.tokens_per_s_per_user * 1.3);
}

#[test]
fn large_models_are_split_across_chips() {
    let c = catalog();
    let e = serve(&c, "h100", "llama3.1-405b", None, LatencyClass::Interactive);
    assert!(e.chips_per_replica >= 8, "{e:?}");
    assert!(e.fits);
    let moe = serve(&c, "h200", "deepseek-v3", None, LatencyClass::Interactive);
    assert!(moe.fits && moe.chips_per_replica >= 8, "{moe:?}");
}

#[test]
fn interactive_costs_more_than_batch() {
    let c = catalog();
    let i = serve(&c, "h100", "llama3.1-70b", None, LatencyClass::Interactive);
    let b = serve(&c, "h100", "llama3.1-70b", None, LatencyClass::Batch);
    assert!(i.tokens_per_s_per_user >= 30.0);
    assert!(b.chip_hours_per_million_tokens <= i.chip_hours_per_million_tokens);
    assert!(b.batch >= i.batch);
}
