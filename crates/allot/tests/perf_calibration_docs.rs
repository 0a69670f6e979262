//! docs/performance-model.md shows the output of `allot perf calibration` (the fit, the rows
//! left out, in-sample and held-out errors): the page must be what this build prints, so the
//! figures cannot go stale. `UPDATE_EXPECT=1` rewrites the page's block.

use std::path::Path;
use std::process::Command;

const COMMAND: &str = "$ allot perf calibration\n";

#[test]
fn the_calibration_table_of_the_docs_is_what_the_code_computes() {
    let page = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/performance-model.md");
    let text = std::fs::read_to_string(&page).expect("read the page");
    let start = text.find(COMMAND).expect("the page shows the command") + COMMAND.len();
    let end = start + text[start..].find("```").expect("the block ends");
    let out = Command::new(env!("CARGO_BIN_EXE_allot"))
        .args(["perf", "calibration"])
        .output()
        .expect("run allot");
    assert!(out.status.success());
    let printed = String::from_utf8(out.stdout).expect("utf-8");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        let updated = format!("{}{printed}{}", &text[..start], &text[end..]);
        std::fs::write(&page, updated).expect("write the page");
        return;
    }
    assert_eq!(
        &text[start..end],
        printed,
        "docs/performance-model.md is stale; UPDATE_EXPECT=1 rewrites it"
    );
}
