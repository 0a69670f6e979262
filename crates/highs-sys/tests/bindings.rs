//! The committed bindings against the vendored C API header and against the calls allot makes:
//! a function added, removed or given another arity on either side, or a constant changed,
//! fails here (regenerate with `regen-bindings.sh`). And the library built by build.rs links and
//! solves.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text with C comments (`/* */` and `//`) replaced by spaces.
fn strip_c_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("/*") {
            let end = after.find("*/").map_or(after.len(), |i| i + 2);
            out.push(' ');
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix("//") {
            let end = after.find('\n').unwrap_or(after.len());
            rest = &after[end..];
        } else {
            let c = rest.chars().next().expect("not empty");
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The text between the parenthesis at `open` and its match, and the index after the match.
fn balanced(text: &str, open: usize) -> (&str, usize) {
    let mut depth = 0usize;
    for (i, c) in text[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return (&text[open + 1..open + i], open + i + 1);
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced parenthesis at byte {open}");
}

/// Number of top-level comma-separated parameters (`void` and nothing count as none).
fn arity(params: &str) -> usize {
    let params = params.trim();
    if params.is_empty() || params == "void" {
        return 0;
    }
    let mut depth = 0i32;
    let mut count = 1;
    for c in params.chars() {
        match c {
            '(' | '<' | '[' => depth += 1,
            ')' | '>' | ']' => depth -= 1,
            ',' if depth == 0 => count += 1,
            _ => {}
        }
    }
    // A trailing comma (Rust formatting) is not a parameter.
    if params.trim_end().ends_with(',') {
        count -= 1;
    }
    count
}

/// `Highs_*` functions whose name is preceded by `prefix` (e.g. "pub fn "), with their arity.
fn functions(text: &str, prefix: &str) -> BTreeMap<String, usize> {
    let mut found = BTreeMap::new();
    let mut from = 0;
    while let Some(at) = text[from..].find("Highs_") {
        let start = from + at;
        let name_end = start
            + text[start..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(text.len() - start);
        let name = &text[start..name_end];
        let before = &text[..start];
        let after = text[name_end..].trim_start();
        let declared = before
            .trim_end_matches([' ', '\t'])
            .ends_with(prefix.trim_end())
            || (prefix.is_empty() && after.starts_with('('));
        if declared && after.starts_with('(') {
            let open = text.len() - after.len();
            let (params, end) = balanced(text, open);
            // A C declaration ends with ';' after its parameters (not a call or a definition);
            // a `static` one has no linkage, and bindgen rightly leaves it out.
            let statement = &before[before.rfind([';', '}', '\n']).map_or(0, |i| i + 1)..];
            let is_decl = !prefix.is_empty()
                || (text[end..].trim_start().starts_with(';')
                    && !statement.split_whitespace().any(|word| word == "static"));
            if is_decl {
                let previous = found.insert(name.to_string(), arity(params));
                assert!(previous.is_none(), "{name} declared twice");
            }
            from = end;
        } else {
            from = name_end;
        }
    }
    found
}

/// `kHighs*` integer constants and their values.
fn constants(text: &str, rust: bool) -> BTreeMap<String, i64> {
    let mut found = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        let decl = if rust {
            line.strip_prefix("pub const ")
        } else {
            line.strip_prefix("static const HighsInt ")
                .or_else(|| line.strip_prefix("const HighsInt "))
        };
        let Some(decl) = decl else { continue };
        if !decl.starts_with("kHighs") {
            continue;
        }
        let name: String = decl
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let Some(value) = decl.split('=').nth(1) else {
            continue;
        };
        let value = value.trim().trim_end_matches(';').trim();
        if let Ok(value) = value.parse::<i64>() {
            found.insert(name, value);
        }
    }
    found
}

fn header_functions() -> BTreeMap<String, usize> {
    let header = read(&crate_dir().join("HiGHS/highs/interfaces/highs_c_api.h"));
    functions(&strip_c_comments(&header), "")
}

fn binding_functions() -> BTreeMap<String, usize> {
    functions(&read(&crate_dir().join("src/bindings.rs")), "pub fn ")
}

#[test]
fn the_bindings_declare_every_function_of_the_header_with_its_arity() {
    let header = header_functions();
    let bindings = binding_functions();
    assert!(
        header.len() > 150,
        "the header parser found only {} functions",
        header.len()
    );
    assert_eq!(
        header, bindings,
        "src/bindings.rs and highs_c_api.h disagree: run regen-bindings.sh"
    );
}

#[test]
fn the_bindings_have_the_header_constants() {
    let header = constants(
        &read(&crate_dir().join("HiGHS/highs/interfaces/highs_c_api.h")),
        false,
    );
    let bindings = constants(&read(&crate_dir().join("src/bindings.rs")), true);
    assert!(
        header.len() > 50,
        "the header parser found only {} constants",
        header.len()
    );
    assert_eq!(
        header, bindings,
        "src/bindings.rs and highs_c_api.h disagree: run regen-bindings.sh"
    );
}

/// Every `highs_sys::Highs_*` function named in allot's own sources (the calls the safe `highs`
/// crate does not wrap) is in the bindings.
#[test]
fn every_function_allot_calls_is_bound() {
    let crates = crate_dir().join("..");
    let bindings = binding_functions();
    let mut called = Vec::new();
    let mut stack = vec![crates];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("crates folder readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                if !path.ends_with("highs-sys") && !path.ends_with("target") {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = read(&path);
                let mut rest = text.as_str();
                while let Some(at) = rest.find("highs_sys::Highs_") {
                    let name: String = rest[at + "highs_sys::".len()..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    called.push((path.clone(), name));
                    rest = &rest[at + 1..];
                }
            }
        }
    }
    assert!(
        !called.is_empty(),
        "no highs_sys::Highs_ call found under crates/"
    );
    for (path, name) in called {
        assert!(
            bindings.contains_key(&name),
            "{} calls {name}, which the bindings lack",
            path.display()
        );
    }
}

#[test]
fn the_library_links_reports_its_version_and_solves_a_tiny_lp() {
    use highs_sys::*;
    // SAFETY: plain C calls on an instance created and destroyed here, with arrays sized for a
    // model of one column and one row.
    #[allow(unsafe_code)]
    unsafe {
        assert_eq!(
            (
                Highs_versionMajor(),
                Highs_versionMinor(),
                Highs_versionPatch()
            ),
            (1, 16, 0)
        );
        let highs = Highs_create();
        assert!(!highs.is_null());
        let flag = std::ffi::CString::new("output_flag").unwrap();
        assert_eq!(Highs_setBoolOptionValue(highs, flag.as_ptr(), 0), STATUS_OK);
        // min x subject to x >= 2, 0 <= x <= 10.
        let (cost, lower, upper) = ([1.0f64], [0.0f64], [10.0f64]);
        let (row_lower, row_upper) = ([2.0f64], [f64::INFINITY]);
        let (start, index, value) = ([0 as HighsInt], [0 as HighsInt], [1.0f64]);
        let status = Highs_passLp(
            highs,
            1,
            1,
            1,
            MATRIX_FORMAT_COLUMN_WISE,
            OBJECTIVE_SENSE_MINIMIZE,
            0.0,
            cost.as_ptr(),
            lower.as_ptr(),
            upper.as_ptr(),
            row_lower.as_ptr(),
            row_upper.as_ptr(),
            start.as_ptr(),
            index.as_ptr(),
            value.as_ptr(),
        );
        assert_eq!(status, STATUS_OK);
        assert_eq!(Highs_run(highs), STATUS_OK);
        assert_eq!(Highs_getModelStatus(highs), MODEL_STATUS_OPTIMAL);
        assert!((Highs_getObjectiveValue(highs) - 2.0).abs() < 1e-12);
        Highs_destroy(highs);
    }
}
