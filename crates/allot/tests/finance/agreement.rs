//! `allot plan` and `allot finance` agree on every figure they both print (issue 21): the
//! years (revenue, compute, operating result, cash, cumulative loss), the commitments
//! (obligation in the horizon, spend, shortfall charges), the reported figures, the total
//! compute cost and the funding gap, on every example with a `[finance]` section.

use super::super::{allot, files_in, text};

/// A printed table: its column names and its rows, cells sliced at the dash line's columns.
struct Table {
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// Every table of a command's output: a header line over a line of dashes, rows up to the
/// next blank line.
fn tables(out: &str) -> Vec<Table> {
    let lines: Vec<Vec<char>> = out.lines().map(|l| l.chars().collect()).collect();
    let mut found = Vec::new();
    for i in 1..lines.len() {
        let rule = &lines[i];
        if !rule.contains(&'-') || rule.iter().any(|&c| c != '-' && c != ' ') {
            continue;
        }
        let mut spans = Vec::new();
        let mut start = None;
        for (k, &c) in rule.iter().chain(std::iter::once(&' ')).enumerate() {
            match (c, start) {
                ('-', None) => start = Some(k),
                (' ', Some(s)) => {
                    spans.push((s, k));
                    start = None;
                }
                _ => {}
            }
        }
        let cells = |line: &[char]| -> Vec<String> {
            spans
                .iter()
                .map(|&(a, b)| {
                    let a = a.min(line.len());
                    let b = b.min(line.len());
                    line[a..b].iter().collect::<String>().trim().to_string()
                })
                .collect()
        };
        let rows = lines[i + 1..]
            .iter()
            .take_while(|l| !l.is_empty())
            .map(|l| cells(l))
            .collect();
        found.push(Table {
            columns: cells(&lines[i - 1]),
            rows,
        });
    }
    found
}

/// The name `allot finance` gives a column `allot plan` prints, in a table keyed by `key`.
fn finance_name<'a>(key: &str, column: &'a str) -> &'a str {
    match (key, column) {
        ("YEAR", "COST") => "COMPUTE",
        ("YEAR", "OPERATING RESULT") => "OPERATING",
        ("YEAR", "CUMULATIVE LOSS") => "CUM. LOSS",
        ("COMMITMENT", "IN HORIZON") => "OBLIGATION",
        ("COMMITMENT", "SHORTFALL PAID") => "CHARGES",
        _ => column,
    }
}

/// The key column of a finance table that matches a plan table keyed by `key`.
fn finance_key(key: &str) -> &str {
    match key {
        "COMMITMENT" => "CONTRACT",
        _ => key,
    }
}

/// The money figure after `label` on the first line containing it.
fn figure_after<'a>(out: &'a str, label: &str) -> Option<&'a str> {
    let at = out.find(label)? + label.len();
    out[at..]
        .split(|c: char| c.is_whitespace() || c == ';' || c == ')')
        .find(|w| !w.is_empty())
}

/// Each figure both outputs print, as (what, plan, finance); panics when a table that both
/// print has no figure in common.
fn shared_figures(plan: &str, finance: &str) -> Vec<(String, String, String)> {
    let finance_tables = tables(finance);
    let mut out = Vec::new();
    for p in tables(plan) {
        let key = p.columns[0].as_str();
        let Some(f) = finance_tables
            .iter()
            .find(|f| f.columns[0] == finance_key(key))
            .filter(|_| key == "YEAR" || key == "COMMITMENT" || key == "REPORTED FIGURE")
        else {
            continue;
        };
        for (c, column) in p.columns.iter().enumerate().skip(1) {
            let Some(fc) = f
                .columns
                .iter()
                .position(|x| x == finance_name(key, column))
            else {
                continue;
            };
            for row in &p.rows {
                if let Some(frow) = f.rows.iter().find(|r| r[0] == row[0]) {
                    out.push((
                        format!("{key} {} {column}", row[0]),
                        row[c].clone(),
                        frow[fc].clone(),
                    ));
                }
            }
        }
    }
    // `plan` prints "total cost 2026-01 to 2032-12: $X", `finance` "total compute cost $X".
    let plan_total = plan
        .find("total cost ")
        .and_then(|at| plan[at..].split_once(": "))
        .and_then(|(_, rest)| rest.split_whitespace().next());
    let scalars = [
        (
            "total compute cost",
            plan_total,
            figure_after(finance, "total compute cost "),
        ),
        (
            "funding gap",
            figure_after(plan, "funding gap "),
            figure_after(finance, "funding gap "),
        ),
    ];
    for (what, a, b) in scalars {
        if let (Some(a), Some(b)) = (a, b) {
            out.push((what.to_string(), a.to_string(), b.to_string()));
        }
    }
    out
}

#[test]
fn plan_and_finance_agree_on_every_figure_they_both_print() {
    for name in files_in("examples", ".toml") {
        let file = format!("examples/{name}");
        let source = std::fs::read_to_string(super::super::root().join(&file)).expect("read");
        if !source.contains("\n[finance]") {
            continue;
        }
        let plan = allot(&["plan", &file]);
        let finance = allot(&["finance", &file]);
        assert!(plan.status.success(), "{file}: {}", text(&plan.stderr));
        assert!(
            finance.status.success(),
            "{file}: {}",
            text(&finance.stderr)
        );
        let (plan, finance) = (text(&plan.stdout), text(&finance.stdout));
        let figures = shared_figures(&plan, &finance);
        let mut compared: Vec<&str> = figures
            .iter()
            .map(|(what, _, _)| what.split(' ').next().unwrap_or(""))
            .collect();
        compared.dedup();
        for needed in ["YEAR", "total", "funding"] {
            assert!(
                compared.contains(&needed),
                "{file}: no shared {needed} figure found; compared {compared:?}"
            );
        }
        let differ: Vec<String> = figures
            .iter()
            .filter(|(_, a, b)| a != b)
            .map(|(what, a, b)| format!("{what}: plan {a}, finance {b}"))
            .collect();
        assert!(
            differ.is_empty(),
            "{file}: plan and finance disagree:\n{}",
            differ.join("\n")
        );
    }
}

/// The comparison finds a figure that differs, in a table and on a summary line.
#[test]
fn a_figure_printed_differently_is_found() {
    let plan = "total cost 2027-01 to 2028-12: $1.65M (discounted objective $1.5M)\n\n\
                YEAR  REVENUE  OPERATING RESULT\n----  -------  ----------------\n\
                2027   $1.65M           -$1.00M\n\nfinance: funding gap $0; cash lasts\n";
    let finance = "finance of 'x' (plan: optimal; total compute cost $1.66M)\n\
                   starting cash $1M; funding gap $0\n\n\
                   YEAR   REVENUE  OPERATING\n-----  -------  ---------\n\
                   2027    $1.65M    -$1.01M\n";
    let differ: Vec<String> = shared_figures(plan, finance)
        .into_iter()
        .filter(|(_, a, b)| a != b)
        .map(|(what, _, _)| what)
        .collect();
    assert_eq!(differ, ["YEAR 2027 OPERATING RESULT", "total compute cost"]);
}
