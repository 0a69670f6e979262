//! The binary stays thin (ARCHITECTURE.md, crates/allot): no command module uses another, and
//! `crates/allot/src` stays under 3,000 lines; what a second interface needs belongs in a
//! library crate (`allot-present`, `allot-plan`).

use std::path::{Path, PathBuf};

fn sources() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("crates/allot/src")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            let text = std::fs::read_to_string(&p).expect("source file");
            (name, text)
        })
        .collect()
}

/// The modules named `*_cmd` that `text` refers to (`crate::plan_cmd`, `super::plan_cmd`, or a
/// `use crate::{plan_cmd, ...}` list).
fn commands_used(text: &str) -> Vec<String> {
    let mut used = Vec::new();
    for (i, _) in text.match_indices("_cmd") {
        let start = text[..i]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |k| k + 1);
        let word = &text[start..i + 4];
        let after = text[i + 4..].chars().next();
        if after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let before = &text[..start];
        let path = before.ends_with("crate::") || before.ends_with("super::");
        let list = before
            .rfind("crate::{")
            .is_some_and(|k| !before[k..].contains('}') && !before[k..].contains(';'));
        if path || list {
            used.push(word.to_string());
        }
    }
    used
}

#[test]
fn no_command_module_uses_another() {
    let mut problems = Vec::new();
    for (name, text) in sources() {
        let Some(module) = name.strip_suffix(".rs").filter(|m| m.ends_with("_cmd")) else {
            continue;
        };
        for used in commands_used(&text) {
            if used != module {
                problems.push(format!("{name} uses {used}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "command modules use each other (move the shared code into a library crate, or into a \
         module of the binary that is not a command):\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn the_check_sees_a_command_module_used() {
    assert_eq!(commands_used("use crate::plan_cmd::money;"), ["plan_cmd"]);
    assert_eq!(
        commands_used("use crate::{files, finance_cmd};"),
        ["finance_cmd"]
    );
    assert_eq!(
        commands_used("let x = super::risk_cmd::text();"),
        ["risk_cmd"]
    );
    assert!(commands_used("use crate::files::load_scenario; // plan_cmd").is_empty());
}

#[test]
fn the_binary_stays_under_3000_lines() {
    let lines: usize = sources().iter().map(|(_, t)| t.lines().count()).sum();
    assert!(
        lines < 3000,
        "crates/allot/src has {lines} lines: the binary parses arguments, calls library crates \
         and prints; move domain logic, formatting and wire types into a library crate"
    );
}
