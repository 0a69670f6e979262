//! Loading benchmark: built-in catalog, and each example scenario from text to a checked
//! `Scenario`, against a plain TOML parse of the same text as the baseline.
//!
//! Run with `cargo bench -p allot-scenario --bench load`. Prints the median of repeated runs
//! and the ratio to the baseline measured in the same run.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn median_of<F: FnMut()>(runs: usize, mut f: F) -> Duration {
    f(); // warm up
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let runs = 51;
    let catalog = median_of(runs, || {
        let (c, d) = allot_catalog::Catalog::builtin();
        assert!(d.is_empty() && !c.offerings().is_empty());
    });
    println!("{:<44} {:>12}", "case", "median");
    println!(
        "{:<44} {:>9.3} ms",
        "built-in catalog (parse, check, index)",
        catalog.as_secs_f64() * 1e3
    );
    let mut examples: Vec<PathBuf> = std::fs::read_dir(root.join("examples"))
        .expect("examples folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    examples.sort();
    for path in examples {
        let text = std::fs::read_to_string(&path).expect("read example");
        let dir = path.parent().expect("folder").to_path_buf();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .to_string();
        let baseline = median_of(runs, || {
            let t: toml::Table = toml::from_str(&text).expect("valid TOML");
            assert!(!t.is_empty());
        });
        let full = median_of(runs, || {
            let mut read = |p: &str| -> Result<(String, String), String> {
                let f = dir.join(p);
                std::fs::read_to_string(&f)
                    .map(|t| (f.display().to_string(), t))
                    .map_err(|e| e.to_string())
            };
            let loaded = allot_scenario::load(&name, &text, &mut read);
            assert!(loaded.scenario.is_some());
        });
        println!(
            "{:<44} {:>9.3} ms   baseline toml::from_str {:>7.3} ms   ratio {:>5.1}x",
            format!("load {name}"),
            full.as_secs_f64() * 1e3,
            baseline.as_secs_f64() * 1e3,
            full.as_secs_f64() / baseline.as_secs_f64()
        );
    }
}
