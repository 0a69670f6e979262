//! Issue 22, item 15: errors with no place (invalid UTF-8, integer overflow), `chips = []`
//! read as "any chip", `catalog import-skypilot` calling a 1e308 price a bug, a BOM in task
//! YAML.

use std::path::PathBuf;

use crate::{allot, root, text};

fn dir(caller: &str) -> PathBuf {
    super::scratch_with_catalog("hardening-small-errors", caller)
}

#[test]
fn scenario_errors_have_a_place_and_empty_lists_are_refused() {
    let dir = dir("scenario-errors");
    let tiny = std::fs::read_to_string(root().join("testdata/explain/tiny.toml")).unwrap();
    // (name, text replaced, replacement (bytes), expected in stderr)
    let cases: [(&str, &str, &[u8], &str); 5] = [
        (
            "utf8.toml",
            "name = \"ft\"",
            b"name = \"f\xfft\"",
            "cannot read file: not UTF-8 text (invalid byte at line 21, byte 10 of the line, offset",
        ),
        (
            "overflow.toml",
            "input_tokens = 1000",
            b"input_tokens = 99999999999",
            ":29:16: error: inference[0].input_tokens: must be from 0 to 4294967295, found 99999999999",
        ),
        (
            "chips.toml",
            "chips = [\"x1\"]",
            b"chips = []",
            ":32:9: error: inference[0].chips: an empty list allows no chip\n  hint: leave the field out to allow any chip, or name at least one",
        ),
        (
            "providers.toml",
            "deadline = \"2027-02\"",
            b"deadline = \"2027-02\"\nproviders = []",
            "error: training[0].providers: an empty list allows no provider",
        ),
        (
            "negative.toml",
            "output_tokens = 200",
            b"output_tokens = -1",
            "inference[0].output_tokens: must be",
        ),
    ];
    let mut failures = Vec::new();
    for (name, from, to, expected) in cases {
        let mut bytes = tiny.replace(from, "\u{0}").into_bytes();
        let at = bytes.iter().position(|b| *b == 0).expect(from);
        bytes.splice(at..=at, to.iter().copied());
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = allot(&["check", &path.display().to_string()]);
        let stderr = text(&out.stderr);
        if out.status.code() != Some(2) || !stderr.contains(expected) {
            failures.push(format!("{name}: {:?}\n{stderr}", out.status.code()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n---\n"));
}

/// The shipped AWS catalog in `dir(name)/name`, its first price 1e308 (past the 1e18 cap).
fn catalog_with_a_huge_price(name: &str) -> PathBuf {
    let dir = dir(name).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("aws")).unwrap();
    let from = root().join("testdata/skypilot/catalog-v8/aws/vms.csv");
    let csv = std::fs::read_to_string(from).unwrap();
    let mut lines: Vec<String> = csv.lines().map(str::to_string).collect();
    lines[1] = lines[1].replacen("30.09784", "1e308", 1);
    std::fs::write(dir.join("aws/vms.csv"), lines.join("\n") + "\n").unwrap();
    dir
}

/// Refused with exit 2 at the price's CSV line and column, not called a bug.
fn refused_at_the_price(out: &std::process::Output) {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("vms.csv:2:") && stderr.contains("column Price: '1e308' is not a price"),
        "{stderr}"
    );
    assert!(!stderr.contains("bug"), "{stderr}");
}

#[test]
fn import_skypilot_refuses_a_huge_price_at_its_place() {
    let dir = catalog_with_a_huge_price("sky");
    let out = allot(&["catalog", "import-skypilot", &dir.display().to_string()]);
    refused_at_the_price(&out);
}

#[test]
fn place_refuses_a_huge_catalog_price_at_its_place() {
    // `allot place --catalog` reads the catalog through the same reader as the import: a price
    // past 1e18 is refused at its CSV field, not taken as infinity or called a bug.
    let dir = catalog_with_a_huge_price("sky-place");
    let task = root().join("testdata/skypilot/tasks/h100.yaml");
    let out = allot(&[
        "place",
        &task.display().to_string(),
        "--catalog",
        &dir.display().to_string(),
    ]);
    refused_at_the_price(&out);
}

#[test]
fn task_yaml_may_start_with_a_bom() {
    let dir = dir("bom");
    let catalog = root()
        .join("testdata/skypilot/catalog-v8")
        .display()
        .to_string();
    for task in ["h100.yaml", "pipeline.yaml"] {
        let yaml = std::fs::read(root().join("testdata/skypilot/tasks").join(task)).unwrap();
        let path = dir.join(format!("bom-{task}"));
        std::fs::write(&path, [b"\xef\xbb\xbf".as_slice(), &yaml].concat()).unwrap();
        let out = allot(&["place", &path.display().to_string(), "--catalog", &catalog]);
        assert_eq!(out.status.code(), Some(0), "{task}: {}", text(&out.stderr));
    }
}

/// 100,000 dotted keys stop the TOML parser at its recursion limit, which gives no place: the
/// line is found by bisecting on whole-line prefixes.
#[test]
fn a_parser_error_with_no_place_is_given_its_line() {
    let dir = dir("parser-error");
    let path = dir.join("dots.toml");
    let key = vec!["a"; 100_000].join(".");
    std::fs::write(
        &path,
        format!("version = 1\n\n[scenario]\n{key} = 1\nname = \"x\"\n"),
    )
    .unwrap();
    let out = allot(&["check", &path.display().to_string()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("dots.toml:4:1: error: invalid TOML: recursion limit"),
        "{}",
        &stderr[..stderr.len().min(500)]
    );
}
