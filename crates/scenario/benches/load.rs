//! Loading benchmark (divan): the built-in catalog, and each example scenario from text to a
//! checked `Scenario`, beside a plain TOML parse of the same text as the baseline.
//!
//! Run with `cargo bench -p allot-scenario --bench load`. divan prints the fastest, slowest,
//! median and mean of its samples per case; the ratio to the baseline is the two medians'.

use std::path::{Path, PathBuf};

fn main() {
    divan::main();
}

const EXAMPLES: [&str; 3] = ["frontier-lab.toml", "owned-datacenter.toml", "startup.toml"];

fn example(name: &str) -> (PathBuf, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("read example");
    (path, text)
}

/// The built-in catalog: parse, schema check, merge, index.
#[divan::bench(sample_count = 51)]
fn builtin_catalog() {
    let (c, d) = allot_catalog::Catalog::builtin();
    assert!(d.is_empty() && !c.offerings().is_empty());
}

/// An example scenario from text to a checked `Scenario` (its catalog files read from disk).
#[divan::bench(args = EXAMPLES, sample_count = 51)]
fn load(bencher: divan::Bencher, name: &str) {
    let (path, text) = example(name);
    let dir = path.parent().expect("folder").to_path_buf();
    bencher.bench_local(|| {
        let mut read = |p: &str| -> Result<(String, String), String> {
            let f = dir.join(p);
            std::fs::read_to_string(&f)
                .map(|t| (f.display().to_string(), t))
                .map_err(|e| e.to_string())
        };
        let loaded = allot_scenario::load(name, &text, &mut read);
        assert!(loaded.scenario.is_some());
    });
}

/// The baseline: a plain `toml::from_str` of the same text into an untyped table.
#[divan::bench(args = EXAMPLES, sample_count = 51)]
fn baseline_toml_parse(bencher: divan::Bencher, name: &str) {
    let (_, text) = example(name);
    bencher.bench_local(|| {
        let t: toml::Table = toml::from_str(&text).expect("valid TOML");
        assert!(!t.is_empty());
    });
}
