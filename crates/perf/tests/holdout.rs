//! Reading the MLPerf results (duplicates, skipped and malformed rows) and the held-out error of
//! the calibration on a dataset small enough to compute by hand.

use allot_perf::mlperf::{self, Duplicate};
use allot_perf::{Basis, Calibration, Errors, Family, Observation, TrainKind, Validation};

const HEADER: &str =
    "benchmark,round,submitter,system,accelerator,num_accelerators,minutes,source_url,notes\n";

#[test]
fn a_repeated_result_is_named() {
    let text = format!(
        "{HEADER}gpt3,v4.0,NVIDIA,eos,NVIDIA H100 SXM,11616,3.444,u,n\n\
         gpt3,v4.0,NVIDIA (vendor-stated),Eos,NVIDIA H100 SXM,11616,3.4,u,n\n\
         gpt3,v4.1,NVIDIA,eos,NVIDIA H100 SXM,11616,3.444,u,n\n\
         gpt3,v4.1,Google,x,NVIDIA H100 SXM,11616,3.444,u,n\n\
         gpt3,v4.1,NVIDIA,eos,NVIDIA H100 SXM,11616,3.5,u,n\n"
    );
    let r = mlperf::parse(&text, "r.csv").expect("parses");
    assert_eq!(
        r.duplicates,
        vec![
            Duplicate { line: 3, kept: 2 },
            Duplicate { line: 4, kept: 2 }
        ]
    );
    // Another submitter, or another time at the stated precision, is another result; repeats
    // are left out of the results, so each result counts once in the fit.
    let lines: Vec<usize> = r.results.iter().map(|x| x.line).collect();
    assert_eq!(lines, [2, 5, 6]);
    // The less precise figure is the repeat even when it comes first.
    let text = format!(
        "{HEADER}gpt3,v4.0,NVIDIA (vendor blog),Eos,NVIDIA H100 SXM,8192,20.8,u,n\n\
         gpt3,v4.0,NVIDIA,eos,NVIDIA H100 SXM,8192,20.807,u,n\n"
    );
    let r = mlperf::parse(&text, "r.csv").expect("parses");
    assert_eq!(r.duplicates, vec![Duplicate { line: 2, kept: 3 }]);
    assert_eq!(r.results.iter().map(|x| x.line).collect::<Vec<_>>(), [3]);
    // A repeat of a figure later superseded by a more precise one repeats the precise one.
    let text = format!(
        "{HEADER}gpt3,v4.0,NVIDIA (vendor blog),Eos,NVIDIA H100 SXM,8192,20.8,u,n\n\
         gpt3,v4.1,NVIDIA (vendor blog),Eos,NVIDIA H100 SXM,8192,20.8,u,n\n\
         gpt3,v4.0,NVIDIA,eos,NVIDIA H100 SXM,8192,20.807,u,n\n\
         gpt3,v4.1,NVIDIA,eos,NVIDIA H100 SXM,8192,20.807,u,n\n"
    );
    let r = mlperf::parse(&text, "r.csv").expect("parses");
    assert_eq!(
        r.duplicates,
        vec![
            Duplicate { line: 2, kept: 4 },
            Duplicate { line: 3, kept: 4 },
            Duplicate { line: 5, kept: 4 }
        ]
    );
    assert_eq!(r.results.iter().map(|x| x.line).collect::<Vec<_>>(), [4]);
}

#[test]
fn a_malformed_row_is_an_error_naming_file_line_and_field() {
    let cases = [
        (
            "gpt3,v4.0,N,s,NVIDIA H100 SXM,8x,3.4,u,n",
            2,
            "num_accelerators",
        ),
        ("gpt3,v4.0,N,s,NVIDIA H100 SXM,8,-1,u,n", 2, "minutes"),
        ("gpt3,v4.0,N,s,NVIDIA H100 SXM,8,abc,u,n", 2, "minutes"),
        ("gpt3,v4.0,N,s,,8,3.4,u,n", 2, "accelerator"),
        ("gpt3,v4.0,N,s,NVIDIA H100 SXM,8", 2, "minutes"),
    ];
    for (row, line, field) in cases {
        let text = format!("{HEADER}{row}\n");
        let e = mlperf::parse(&text, "data/x.csv").expect_err(row);
        assert_eq!((e.line, e.field), (line, field), "{row}");
        assert!(
            e.to_string()
                .starts_with(&format!("data/x.csv:{line}: field `{field}`")),
            "{e}"
        );
    }
}

#[test]
fn a_row_without_its_chip_count_is_skipped_and_counted() {
    let text = format!(
        "{HEADER}gpt3,v4.0,N,s,NVIDIA H100 SXM,8,3.4,u,n\n\
         llama2_70b_lora,v5.0,NVIDIA (vendor blog),GB200 NVL72,NVIDIA GB200,,0.56,u,n\n"
    );
    let r = mlperf::parse(&text, "r.csv").expect("parses");
    assert_eq!(r.results.len(), 1);
    assert_eq!(r.skipped.len(), 1);
    assert_eq!(
        (r.skipped[0].line, r.skipped[0].field),
        (3, "num_accelerators")
    );
}

#[test]
fn the_shipped_file_reads_with_its_repeats_and_skip_named() {
    let r = mlperf::shipped();
    let lines: Vec<usize> = r.duplicates.iter().map(|d| d.line).collect();
    // The 11,616-H100 GPT-3 result appears three times (lines 9, 10 and 23).
    assert!(lines.contains(&10) && lines.contains(&23), "{lines:?}");
    assert_eq!(r.skipped.iter().map(|s| s.line).collect::<Vec<_>>(), [113]);
    let rows = mlperf::RESULTS_CSV.lines().count() - 1;
    assert_eq!(r.results.len() + r.skipped.len() + r.duplicates.len(), rows);
    // Each repeat is left out of the fit; the row it repeats is kept.
    for d in &r.duplicates {
        assert!(!r.results.iter().any(|x| x.line == d.line), "{d:?}");
        assert!(r.results.iter().any(|x| x.line == d.kept), "{d:?}");
    }
}

/// An observation of full training on 8 chips (so the scaling term is 1 whatever α) with a
/// peak of 1 FLOP/s and 10 minutes: its observed MFU is `mfu`.
fn obs(chip: &str, round: &str, mfu: f64) -> Observation {
    Observation {
        line: 0,
        round: round.to_string(),
        benchmark: "b".to_string(),
        chip: chip.to_string(),
        family: Family::of(chip),
        chips: 8,
        kind: TrainKind::Full,
        minutes: 10.0,
        flops: mfu * 8.0 * 600.0,
        peak: 1.0,
    }
}

/// By hand. Every row is 8 chips of one benchmark, so α and the fixed minutes change nothing
/// that can beat a perfect median. MFUs: h100 0.5, 0.5, 0.5 (v4.0, v4.0, v4.1); h200 0.6 (v4.1);
/// tpu-v5p 0.4 (v5.0). A predicted time at MFU m for a row measured at MFU x is off by x/m - 1.
/// - Full fit: Hopper base = median(0.5, 0.5, 0.5, 0.6) = 0.5, TPU 0.4, h100's own factor 1
///   (3 rows); h200 has no own factor. In-sample: h100 0, h200 0.6/0.5 - 1 = 20%, TPU 0.
/// - Without h100: Hopper = 0.6 → h100 off by |0.5/0.6 - 1| = 16.7% (the family's base).
/// - Without h200: Hopper = 0.5 (3 rows), h200 has no own factor → off by 20%.
/// - Without tpu-v5p: no TPU family, no stand-in → the median of the families, 0.5 → 20%.
/// - Leave-one-chip-out over all 5 rows: 16.7, 16.7, 16.7, 20, 20 → median 16.7%, p90 20%.
/// - Temporal: fit on v4.0 and v4.1 (the four Hopper rows), predict v5.0's TPU row: 20%.
#[test]
fn held_out_error_of_a_tiny_dataset_is_what_hand_arithmetic_gives() {
    let data = vec![
        obs("h100", "v4.0", 0.5),
        obs("h100", "v4.0", 0.5),
        obs("h100", "v4.1", 0.5),
        obs("h200", "v4.1", 0.6),
        obs("tpu-v5p", "v5.0", 0.4),
    ];
    let full = Calibration::fit(&data);
    let v = Validation::of(&full, &data);
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    let chip = |id: &str| v.chips.iter().find(|c| c.chip == id).expect("chip");
    let sixth = 1.0 - 0.5 / 0.6;
    assert!(close(chip("h100").in_sample.median, 0.0));
    assert!(close(chip("h200").in_sample.median, 0.2));
    assert!(close(chip("tpu-v5p").in_sample.median, 0.0));
    assert!(close(chip("h100").held_out.median, sixth));
    assert_eq!(
        chip("h100").held_out_basis,
        Basis::Family(Family::NvidiaHopper, 1)
    );
    assert!(close(chip("h200").held_out.median, 0.2));
    assert_eq!(
        chip("h200").held_out_basis,
        Basis::Family(Family::NvidiaHopper, 3)
    );
    assert!(close(chip("tpu-v5p").held_out.median, 0.2));
    assert_eq!(chip("tpu-v5p").held_out_basis, Basis::AllFamilies);
    assert_eq!(chip("h100").own_factor, Some(1.0));
    assert_eq!(chip("h200").own_factor, None);
    assert_eq!(v.leave_one_chip_out.rows, 5);
    assert!(close(v.leave_one_chip_out.median, sixth));
    assert!(close(v.leave_one_chip_out.p90, 0.2));
    assert!(close(v.in_sample.median, 0.0) && close(v.in_sample.p90, 0.2));
    let t = v.temporal.expect("three rounds");
    assert_eq!((t.newest.as_str(), t.fitted_rows), ("v5.0", 4));
    assert!(close(t.overall.median, 0.2));
    assert_eq!(t.chips[0].2, Basis::AllFamilies);
}

#[test]
fn p90_is_the_nearest_rank() {
    let e = Errors::of(&[0.5, 0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9, 1.0]);
    assert_eq!((e.rows, e.p90), (10, 0.9));
    assert!((e.median - 0.55).abs() < 1e-12);
    assert_eq!(Errors::of(&[0.1, 0.2, 0.3]).p90, 0.3);
}
