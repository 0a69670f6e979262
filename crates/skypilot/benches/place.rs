//! Placement speed on the checked-in SkyPilot catalog subset (`testdata/skypilot/catalog-v8`):
//! reading the catalog, placing one task, a model task (runtimes from the performance model), a
//! three-task pipeline and a 20-task DAG. Baseline, measured in the same run: SkyPilot's rule
//! (an hour of each task at its node price plus egress, chosen jointly, as SkyPilot's optimizer
//! does) on the same input.
//!
//! Run with `cargo bench -p allot-skypilot --bench place`. Prints the median of 51 runs after one
//! warm-up; the performance model's one-off calibration is timed separately.

use std::path::Path;
use std::time::{Duration, Instant};

use allot_catalog::Catalog;
use allot_skypilot::{CatalogText, Minimize, SkyCatalog, parse_dag, place, skypilot_rule};

const RUNS: usize = 51;

fn median<F: FnMut()>(mut f: F) -> Duration {
    f();
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/skypilot");
    let read = |p: &str| std::fs::read_to_string(root.join(p)).expect("read test data");
    let clouds = ["aws", "gcp", "nebius"];
    let vms: Vec<(String, String)> = clouds
        .iter()
        .map(|c| {
            (
                format!("{c}/vms.csv"),
                read(&format!("catalog-v8/{c}/vms.csv")),
            )
        })
        .collect();
    let accelerators = read("catalog-v8/common/accelerators.csv");
    let parse_catalog = || {
        let texts: Vec<CatalogText<'_>> = clouds
            .iter()
            .zip(&vms)
            .map(|(cloud, (file, text))| CatalogText { cloud, file, text })
            .collect();
        SkyCatalog::parse(&texts, Some(("common/accelerators.csv", &accelerators)))
            .expect("valid catalog")
            .0
    };
    let sky = parse_catalog();
    let (builtin, _) = Catalog::builtin();

    let fit = Instant::now();
    allot_perf::calibration();
    let fit = fit.elapsed();

    println!(
        "catalog: {} rows, {} offers; {RUNS} runs, medians",
        sky.rows.len(),
        sky.offers.len()
    );
    println!(
        "{:<44} {:>10} {:>12} {:>7} {:>8}",
        "case", "allot ms", "baseline ms", "ratio", "target"
    );
    let catalog_ms = ms(median(|| {
        std::hint::black_box(parse_catalog());
    }));
    println!(
        "{:<44} {:>10.3} {:>12} {:>7} {:>8}",
        "read the catalog (3 vms.csv)", catalog_ms, "-", "-", "-"
    );
    for (name, file, target) in [
        ("one task, H100:8 anywhere", "tasks/h100.yaml", 5.0),
        (
            "one task, model runtime (llama3.1-8b)",
            "tasks/model.yaml",
            5.0,
        ),
        (
            "pipeline of 3 tasks with egress",
            "tasks/pipeline.yaml",
            100.0,
        ),
        (
            "DAG of 20 tasks (depends_on, egress)",
            "tasks/dag-20.yaml",
            100.0,
        ),
    ] {
        let text = read(file);
        let ours = median(|| {
            let dag = parse_dag(file, &text).expect("valid task");
            std::hint::black_box(place(&dag, &sky, &builtin, Minimize::Cost).expect("placed"));
        });
        let baseline = median(|| {
            let dag = parse_dag(file, &text).expect("valid task");
            std::hint::black_box(skypilot_rule(&dag, &sky, &builtin).expect("placed"));
        });
        println!(
            "{:<44} {:>10.3} {:>12.3} {:>6.2}x {:>6} ms",
            name,
            ms(ours),
            ms(baseline),
            ms(ours) / ms(baseline),
            target
        );
    }
    let text = read("tasks/dag-20.yaml");
    let time = median(|| {
        let dag = parse_dag("dag-20.yaml", &text).expect("valid task");
        std::hint::black_box(place(&dag, &sky, &builtin, Minimize::Time).expect("placed"));
    });
    println!(
        "{:<44} {:>10.3} {:>12} {:>7} {:>6} ms",
        "DAG of 20 tasks, --minimize time",
        ms(time),
        "-",
        "-",
        100.0
    );
    println!(
        "performance-model calibration, once per process: {:.1} ms",
        ms(fit)
    );
}
