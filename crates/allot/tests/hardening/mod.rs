//! Hostile input (issue 22): files that are not regular or too large, catalog paths outside the
//! scenario's folder, names Kubernetes would refuse, ties and numbers the solver cannot take.

use std::path::{Path, PathBuf};

use crate::root;

mod fuzz_corpus;
mod input_files;
mod small_errors;
mod solver_limits;

/// `CARGO_TARGET_TMPDIR/sub`, holding testdata/explain/catalog.toml. The tests of a module run in
/// parallel and share it: the catalog is written whole under a name of the caller's own, then
/// renamed into place, so that no test reads it half-written (a plain write truncates it first,
/// and a test running beside it read an empty catalog: "missing field 'version'").
fn scratch_with_catalog(sub: &str, caller: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(sub);
    std::fs::create_dir_all(&dir).unwrap();
    let catalog = std::fs::read_to_string(root().join("testdata/explain/catalog.toml")).unwrap();
    let part = dir.join(format!("catalog.toml.{caller}.part"));
    std::fs::write(&part, catalog).unwrap();
    std::fs::rename(&part, dir.join("catalog.toml")).unwrap();
    dir
}
