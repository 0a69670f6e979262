//! What `allot perf calibration` shows, as titled tables of text cells: the fitted model, the
//! rows of the results file used and left out, and the in-sample and held-out errors. The binary
//! lays the tables out.

use crate::mlperf::Results;
use crate::{Calibration, Errors, Observation, Validation};

/// One titled table.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Lines printed above the table (none for the first).
    pub title: Vec<String>,
    /// Column names, each with whether it is numeric (right-aligned).
    pub columns: Vec<(&'static str, bool)>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
}

/// A number to `decimals` places without trailing zeros.
fn num(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn cols(names: &[(&'static str, bool)]) -> Vec<(&'static str, bool)> {
    names.to_vec()
}

fn errors_cells(e: &Errors) -> [String; 2] {
    [pct(e.median), pct(e.p90)]
}

/// The report of `cal`, fitted on `obs` (read from `data`), with its validation `v`; with
/// `results`, every row with its prediction.
pub fn calibration_report(
    cal: &Calibration,
    v: &Validation,
    data: &Results,
    obs: &[Observation],
    results: bool,
) -> Vec<Section> {
    let mut left_out: Vec<String> = data
        .duplicates
        .iter()
        .map(|d| format!("line {} repeats line {}", d.line, d.kept))
        .collect();
    left_out.extend(
        data.skipped
            .iter()
            .map(|s| format!("line {} has no {}, skipped ({})", s.line, s.field, s.row)),
    );
    let mut out = vec![Section {
        title: vec![
            format!(
                "MFU = base[family] x (LoRA factor {:.3} for LoRA) x 1 / (1 + {:.3} ln(max(chips, 8) / 8)) x own chip factor x chip maturity",
                cal.lora_factor, cal.alpha
            ),
            String::new(),
            format!(
                "{}: {} rows used, {} repeats left out (each result counts once), {} skipped: {}",
                data.file,
                obs.len(),
                data.duplicates.len(),
                data.skipped.len(),
                left_out.join("; ")
            ),
        ],
        columns: cols(&[
            ("FAMILY", false),
            ("BASE MFU", true),
            ("RESULTS", true),
            ("MFU AT 1024", true),
            ("MFU AT 16384", true),
        ]),
        rows: cal
            .families
            .iter()
            .map(|f| {
                vec![
                    f.family.name().to_string(),
                    num(f.base_mfu, 3),
                    f.results.to_string(),
                    num(f.base_mfu * cal.scale(1024), 3),
                    num(f.base_mfu * cal.scale(16384), 3),
                ]
            })
            .collect(),
    }];
    let mut chips: Vec<Vec<String>> = v
        .chips
        .iter()
        .map(|c| {
            let [im, ip] = errors_cells(&c.in_sample);
            let [hm, hp] = errors_cells(&c.held_out);
            vec![
                c.chip.clone(),
                c.in_sample.rows.to_string(),
                c.own_factor.map_or("-".to_string(), |f| num(f, 3)),
                im,
                ip,
                hm,
                hp,
                c.held_out_basis.to_string(),
            ]
        })
        .collect();
    let [im, ip] = errors_cells(&v.in_sample);
    let [hm, hp] = errors_cells(&v.leave_one_chip_out);
    let all = v.in_sample.rows.to_string();
    chips.push(vec![
        "all".into(),
        all,
        String::new(),
        im,
        ip,
        hm,
        hp,
        String::new(),
    ]);
    out.push(Section {
        title: vec![
            "Error of predicted time to train, |predicted / measured - 1|, median and 90th percentile.".into(),
            "In-sample: the fit on every row, scored on those rows. Held-out: leave one chip out, each".into(),
            "chip's rows predicted by the fit without any of them (so without its own factor).".into(),
        ],
        columns: cols(&[
            ("CHIP", false),
            ("ROWS", true),
            ("OWN FACTOR", true),
            ("IN-SAMPLE MEDIAN", true),
            ("IN-SAMPLE P90", true),
            ("HELD-OUT MEDIAN", true),
            ("HELD-OUT P90", true),
            ("HELD-OUT PREDICTED FROM", false),
        ]),
        rows: chips,
    });
    if let Some(t) = &v.temporal {
        let mut rows: Vec<Vec<String>> = t
            .chips
            .iter()
            .map(|(chip, e, basis)| {
                let [m, p] = errors_cells(e);
                vec![chip.clone(), e.rows.to_string(), m, p, basis.to_string()]
            })
            .collect();
        let [m, p] = errors_cells(&t.overall);
        rows.push(vec![
            "all".into(),
            t.overall.rows.to_string(),
            m,
            p,
            String::new(),
        ]);
        out.push(Section {
            title: vec![format!(
                "Held-out by round: fit on the {} rows of older rounds, predict the {} rows of {}.",
                t.fitted_rows, t.overall.rows, t.newest
            )],
            columns: cols(&[
                ("CHIP", false),
                ("ROWS", true),
                ("HELD-OUT MEDIAN", true),
                ("HELD-OUT P90", true),
                ("PREDICTED FROM", false),
            ]),
            rows,
        });
    }
    out.push(Section {
        title: vec![
            "In-sample by benchmark (the fit's objective is the mean of the medians):".into(),
        ],
        columns: cols(&[
            ("BENCHMARK", false),
            ("RESULTS", true),
            ("MEDIAN |ERROR|", true),
            ("WITHIN 25%", true),
            ("FIXED MINUTES", true),
        ]),
        rows: cal
            .errors(obs)
            .into_iter()
            .map(|(b, err, n)| {
                let within = obs
                    .iter()
                    .filter(|o| {
                        o.benchmark == b && (cal.predict_minutes(o) / o.minutes - 1.0).abs() <= 0.25
                    })
                    .count();
                vec![
                    b.clone(),
                    n.to_string(),
                    pct(err),
                    format!("{within} of {n}"),
                    num(cal.overhead(&b), 2),
                ]
            })
            .collect(),
    });
    if results {
        out.push(Section {
            title: vec!["Every row used, in-sample:".into()],
            columns: cols(&[
                ("LINE", true),
                ("BENCHMARK", false),
                ("ROUND", false),
                ("CHIP", false),
                ("CHIPS", true),
                ("MINUTES", true),
                ("PREDICTED", true),
                ("ERROR", true),
            ]),
            rows: obs
                .iter()
                .map(|o| {
                    let p = cal.predict_minutes(o);
                    vec![
                        o.line.to_string(),
                        o.benchmark.clone(),
                        o.round.clone(),
                        o.chip.clone(),
                        o.chips.to_string(),
                        num(o.minutes, 1),
                        num(p, 1),
                        format!("{:+.0}%", (p / o.minutes - 1.0) * 100.0),
                    ]
                })
                .collect(),
        });
    }
    out
}
