//! The committed fuzz corpus (`fuzz/corpus/TARGET`, docs/fuzzing.md) replayed in the normal
//! suite through the fuzz targets' own entry points (`fuzz/entry_points.rs`): a fixed sample of
//! each target's inputs, none of which may panic. The fuzzer's nightly build is not needed.

use std::path::PathBuf;

use crate::root;

#[path = "../../../../fuzz/entry_points.rs"]
mod entry_points;

/// Every `step`-th input of a target's corpus in file-name order (libFuzzer names inputs by
/// their SHA-1, so this is a fixed, unbiased sample).
fn sample(target: &str, step: usize) -> Vec<PathBuf> {
    let dir = root().join("fuzz/corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("corpus entry").path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{}: empty corpus", dir.display());
    files.into_iter().step_by(step).collect()
}

/// What a fuzz target does with one input.
type Entry = fn(&[u8]);

#[test]
fn the_fuzz_corpus_replays_without_a_panic() {
    // (target, its entry point, every how many inputs): chosen so that the debug build replays
    // all five in a few seconds on two cores (the scenario loader is the slowest per input).
    let targets: [(&str, Entry, usize); 5] = [
        ("scenario", entry_points::scenario, 2),
        ("catalog", entry_points::catalog, 2),
        ("skypilot_task", entry_points::skypilot_task, 2),
        ("skypilot_catalog", entry_points::skypilot_catalog, 2),
        ("plan_json", entry_points::plan_json, 2),
    ];
    let mut panicked = Vec::new();
    for (target, entry, step) in targets {
        let inputs = sample(target, step);
        for input in &inputs {
            let data = std::fs::read(input).expect("corpus input");
            if std::panic::catch_unwind(|| entry(&data)).is_err() {
                panicked.push(input.display().to_string());
            }
        }
        eprintln!("{target}: {} inputs replayed", inputs.len());
    }
    assert!(panicked.is_empty(), "panicked on:\n{}", panicked.join("\n"));
}
