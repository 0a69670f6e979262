//! The pages under docs/ show real sessions: every `$ allot ...` line in a ```console block is
//! run, and its output (standard output, or when there is none standard error without the
//! scenario's warnings) must be the lines
//! that follow it in the block, up to the next command or the end of the block. Timings ("solved
//! both plans in 0.22 s") are compared as a placeholder. `UPDATE_EXPECT=1` rewrites the outputs
//! that differ with those of this build.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Pages whose sessions are checked.
const PAGES: [&str; 2] = ["docs/explanations.md", "docs/simulate.md"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

/// The output of one documented command, as the page shows it.
fn run(command: &str) -> Vec<String> {
    let words = split(command);
    assert_eq!(
        words.first().map(String::as_str),
        Some("allot"),
        "{command}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_allot"))
        .args(&words[1..])
        .current_dir(root())
        .output()
        .expect("run allot");
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !stdout.trim().is_empty() {
        return stdout
            .trim_end_matches('\n')
            .lines()
            .map(str::to_string)
            .collect();
    }
    // Standard error without the scenario's warnings (and their hints): the pages show the error.
    let mut shown = Vec::new();
    let mut in_warning = false;
    for line in String::from_utf8_lossy(&out.stderr).lines() {
        if line.contains(": warning: ") {
            in_warning = true;
        } else if !(line.is_empty() || in_warning && line.starts_with("  ")) {
            in_warning = false;
            shown.push(line.to_string());
        }
    }
    shown
}

/// Words of a command line, with double-quoted words kept whole (as the pages write them).
fn split(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    words.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            c => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        words.push(word);
    }
    words
}

/// A line with its timings replaced by a placeholder.
fn untimed(line: &str) -> String {
    const MARK: &str = "solved both plans in ";
    match line.find(MARK) {
        Some(at) => {
            let rest = &line[at + MARK.len()..];
            let end = rest.find(" s").map_or(rest.len(), |e| e);
            format!("{}{MARK}<t>{}", &line[..at], &rest[end..])
        }
        None => line.to_string(),
    }
}

/// Checks (or with `update`, rewrites) one page: the differences found, as readable text.
fn check(page: &str, update: bool) -> Vec<String> {
    let path = root().join(page);
    let text = std::fs::read_to_string(&path).expect("page");
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = Vec::new();
    let mut problems = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        out.push(lines[i].to_string());
        if !lines[i].starts_with("```console") {
            i += 1;
            continue;
        }
        i += 1;
        while i < lines.len() && !lines[i].starts_with("```") {
            let Some(command) = lines[i].strip_prefix("$ ") else {
                out.push(lines[i].to_string());
                i += 1;
                continue;
            };
            out.push(lines[i].to_string());
            let line_no = i + 1;
            i += 1;
            let start = i;
            while i < lines.len() && !lines[i].starts_with("```") && !lines[i].starts_with("$ ") {
                i += 1;
            }
            // Blank lines that separate this command's output from the next command.
            let mut end = i;
            while end > start && lines[end - 1].trim().is_empty() {
                end -= 1;
            }
            let shown: Vec<String> = lines[start..end].iter().map(|l| untimed(l)).collect();
            let actual = run(command);
            let compared: Vec<String> = actual.iter().map(|l| untimed(l)).collect();
            if compared == shown {
                // The page's own lines, with its (release build) timings.
                out.extend(lines[start..i].iter().map(|l| l.to_string()));
                continue;
            }
            let first = compared
                .iter()
                .zip(&shown)
                .position(|(a, b)| a != b)
                .unwrap_or(compared.len().min(shown.len()));
            problems.push(format!(
                "{page}:{line_no}: `{command}` prints something else from its line {}:\n  page:   {}\n  actual: {}",
                first + 1,
                shown.get(first).map_or("(end)", String::as_str),
                compared.get(first).map_or("(end)", String::as_str),
            ));
            out.extend(actual);
            out.extend(lines[end..i].iter().map(|l| l.to_string()));
        }
    }
    if update {
        let mut new = out.join("\n");
        if text.ends_with('\n') {
            new.push('\n');
        }
        std::fs::write(&path, new).expect("rewrite page");
    }
    problems
}

#[test]
fn documented_sessions_print_what_the_pages_show() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let problems: Vec<String> = PAGES.iter().flat_map(|p| check(p, update)).collect();
    assert!(
        update || problems.is_empty(),
        "{} documented command(s) print something else (UPDATE_EXPECT=1 rewrites the pages):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn command_lines_split_like_a_shell() {
    assert_eq!(
        split(r#"allot explain x.toml --why-not "ft on alpha/x1" --json"#),
        [
            "allot",
            "explain",
            "x.toml",
            "--why-not",
            "ft on alpha/x1",
            "--json"
        ]
    );
    assert_eq!(
        untimed("solved both plans in 0.22 s (the forced plan warm-started)"),
        "solved both plans in <t> s (the forced plan warm-started)"
    );
}
