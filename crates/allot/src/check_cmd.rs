//! `allot check`: validate scenario and catalog files, reporting every problem.

use std::path::Path;

use allot_catalog::{CatalogBuilder, CatalogFile};
use allot_diag::{Diagnostic, has_errors};

use crate::cli::CheckArgs;
use crate::exit::Exit;
use crate::files::{load_text, print_diagnostics, read_text};

pub fn run(args: &CheckArgs) -> anyhow::Result<Exit> {
    let mut failed = false;
    for path in &args.files {
        failed |= !check_file(path, args.quiet);
    }
    Ok(if failed { Exit::Invalid } else { Exit::Success })
}

/// What kind of file a text is, judged by its top-level tables.
fn is_catalog(text: &str) -> bool {
    let (doc, _) = allot_toml::Document::parse("", text);
    let root = doc.root().get_ref();
    !root.contains_key("scenario")
        && ["provider", "accelerator", "offering"]
            .iter()
            .any(|k| root.contains_key(*k))
}

/// Checks one file; prints its diagnostics and a summary. Returns whether it is valid.
fn check_file(path: &Path, quiet: bool) -> bool {
    let name = path.display().to_string();
    let text = match read_text(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{name}: error: cannot read file: {e}");
            return false;
        }
    };
    let (diagnostics, files, summary) = if is_catalog(&text) {
        check_catalog(&name, &text)
    } else {
        let loaded = load_text(&name, &text, path);
        let summary = loaded.scenario.as_ref().map(scenario_summary);
        (loaded.diagnostics, loaded.files, summary)
    };
    print_diagnostics(&diagnostics, &files);
    let ok = !has_errors(&diagnostics);
    if ok && !quiet {
        let warnings = diagnostics.len();
        let warned = match warnings {
            0 => String::new(),
            1 => " (1 warning)".to_string(),
            n => format!(" ({n} warnings)"),
        };
        outln!("{name}: ok{warned}: {}", summary.unwrap_or_default());
    }
    ok
}

fn check_catalog(
    name: &str,
    text: &str,
) -> (Vec<Diagnostic>, Vec<(String, String)>, Option<String>) {
    let mut builder = CatalogBuilder::with_builtin();
    builder.add_file(name, text);
    let (_, diagnostics) = builder.finish();
    let files = vec![(name.to_string(), text.to_string())];
    let parsed = allot_toml::load::<CatalogFile>(name, text).value;
    let summary = parsed.map(|c| {
        format!(
            "catalog file with {}, {}, {}",
            plural(c.provider.len(), "provider", "providers"),
            plural(c.accelerator.len(), "accelerator", "accelerators"),
            plural(c.offering.len(), "offering", "offerings")
        )
    });
    (diagnostics, files, summary)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn scenario_summary(s: &allot_scenario::Scenario) -> String {
    let f = &s.file;
    let period = match f.scenario.period {
        allot_scenario::Period::Month => "monthly",
        allot_scenario::Period::Quarter => "quarterly",
    };
    format!(
        "scenario '{}', {} to {} ({} months, {period}); {}, {}, {}, {}; catalog of {} accelerators and {} offerings",
        f.scenario.name,
        f.scenario.start,
        f.scenario.last_month(),
        f.scenario.horizon_months,
        plural(f.training.len(), "training run", "training runs"),
        plural(f.inference.len(), "inference demand", "inference demands"),
        plural(f.commitment.len(), "commitment", "commitments"),
        plural(f.reservation.len(), "reservation", "reservations"),
        s.catalog.accelerators().len(),
        s.catalog.offerings().len(),
    )
}
