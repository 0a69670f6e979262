//! The scenario format, version 1: the whole planning problem — time frame, catalog, training
//! runs, inference demand, contracts, policy and finance — parsed from TOML, checked, and
//! resolved against the catalog.
//!
//! [`load`] is the entry point. It does no IO itself: the caller passes the scenario's text and a
//! function that reads the catalog files the scenario names. Every problem found is returned as
//! a [`Diagnostic`]; the [`Scenario`] is only returned when there is no error.

pub mod delivery;
pub mod edit;
mod format;
mod holdable;
mod month;
mod series;
mod validate;

pub use format::*;
pub use holdable::{NotHoldable, held_reservations, holdable, holdable_in};
pub use month::Month;
pub use series::{Growth, Interpolation, Point, Points, Series};

use allot_catalog::{Catalog, CatalogBuilder};
use allot_diag::{Diagnostic, did_you_mean};
use allot_toml::SpanMap;

/// The scenario format version this crate reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// Days in the average month of the Gregorian calendar (365.25 / 12 = 30.4375), the one month
/// length the planner, the finance projection and the validation use.
pub const DAYS_PER_MONTH: f64 = 365.25 / 12.0;

/// A valid scenario with the catalog it plans with (price overrides applied).
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The scenario as written.
    pub file: ScenarioFile,
    /// The resolved catalog.
    pub catalog: Catalog,
}

/// The outcome of [`load`].
#[derive(Debug)]
pub struct Loaded {
    /// The scenario, when there is no error.
    pub scenario: Option<Scenario>,
    /// Every problem found, errors and warnings, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// Every file read (name, text), the scenario first, for rendering diagnostics.
    pub files: Vec<(String, String)>,
}

/// Reads a catalog file named in a scenario: given the path as written, returns the name to show
/// in messages and the text, or an error message.
pub type ReadFile<'a> = dyn FnMut(&str) -> Result<(String, String), String> + 'a;

/// Which paths a scenario may name in `[catalog] files` (docs/scenario.md).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CatalogPaths {
    /// Relative to the scenario and inside its folder: no absolute path, no `..` (the default).
    #[default]
    Inside,
    /// Any path (`--allow-outside`).
    Anywhere,
}

/// Why `path` is not a path inside the scenario's folder, or `None` when it is. Purely lexical:
/// whether a link inside the folder leads out of it is the reader's business.
pub fn outside_folder(path: &str) -> Option<&'static str> {
    use std::path::Component;
    let p = std::path::Path::new(path);
    if path.is_empty() {
        return Some("an empty path");
    }
    if p.has_root() || path.starts_with('~') {
        return Some("an absolute path");
    }
    p.components()
        .any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)))
        .then_some("a path with '..'")
}

/// Loads the scenario `text` (named `file` in messages): checks its syntax and structure, builds
/// its catalog (reading catalog files through `read`), applies price overrides and checks every
/// reference, date and relation. Catalog files must be inside the scenario's folder
/// ([`CatalogPaths::Inside`]; [`load_with`] to choose).
pub fn load(file: &str, text: &str, read: &mut ReadFile<'_>) -> Loaded {
    load_with(file, text, read, CatalogPaths::Inside)
}

/// [`load`], with the rule for the paths of catalog files.
pub fn load_with(file: &str, text: &str, read: &mut ReadFile<'_>, paths: CatalogPaths) -> Loaded {
    let mut files = vec![(file.to_string(), text.to_string())];
    let loaded = allot_toml::load::<ScenarioFile>(file, text);
    let mut diagnostics = loaded.diagnostics;
    let spans = loaded.spans;
    // With structural errors, the entries that have them are dropped and the rest is still
    // checked for meaning, so that one pass reports as much as possible. Problems in the
    // version, the settings or the catalog section would make every later check misleading.
    let (parsed, salvaged) = match loaded.value {
        Some(parsed) => (parsed, None),
        None => {
            let blocking = loaded.error_paths.is_empty()
                || loaded.error_paths.iter().any(|p| {
                    let top = p.as_str().split(['.', '[']).next().unwrap_or("");
                    matches!(top, "" | "version" | "scenario" | "catalog")
                });
            match (!blocking)
                .then(|| allot_toml::salvage::<ScenarioFile>(file, text, &loaded.error_paths))
                .flatten()
            {
                Some(s) => {
                    let parsed = s.value.clone();
                    (parsed, Some(s))
                }
                None => {
                    return Loaded {
                        scenario: None,
                        diagnostics,
                        files,
                    };
                }
            }
        }
    };

    let mut builder = if parsed.catalog.builtin {
        CatalogBuilder::with_builtin()
    } else {
        CatalogBuilder::new()
    };
    for (i, path) in parsed.catalog.files.iter().enumerate() {
        let at = format!("catalog.files[{i}]");
        if let Some(why) = outside_folder(path).filter(|_| paths == CatalogPaths::Inside) {
            diagnostics.push(
                Diagnostic::error(
                    file,
                    spans.value(&at),
                    format!("{at}: catalog file '{path}' is {why}, outside the scenario's folder"),
                )
                .with_hint(
                    "name catalog files relative to the scenario, inside its folder (copy the \
                     file there), or pass --allow-outside to read any path",
                ),
            );
            continue;
        }
        match read(path) {
            Ok((name, content)) => {
                builder.add_file(&name, &content);
                files.push((name, content));
            }
            Err(e) => {
                diagnostics.push(Diagnostic::error(
                    file,
                    spans.value(&at),
                    format!("{at}: cannot read catalog file '{path}': {e}"),
                ));
            }
        }
    }
    let (mut catalog, catalog_diagnostics) = builder.finish();
    diagnostics.extend(catalog_diagnostics);

    let mut report = validate::Report::new(file, &spans);
    if let Some(s) = &salvaged {
        report.salvaged(s);
    }
    apply_price_overrides(&parsed, &mut catalog, &mut report);
    validate::validate(&parsed, &catalog, &mut report);
    diagnostics.extend(report.out);
    allot_diag::sort(&mut diagnostics);

    let scenario = (!allot_diag::has_errors(&diagnostics)).then_some(Scenario {
        file: parsed,
        catalog,
    });
    Loaded {
        scenario,
        diagnostics,
        files,
    }
}

fn apply_price_overrides(s: &ScenarioFile, catalog: &mut Catalog, r: &mut validate::Report<'_>) {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, o) in s.catalog.price_override.iter().enumerate() {
        let path = format!("catalog.price_override[{i}]");
        let given = [
            o.usd_per_chip_hour.is_some(),
            o.usd_per_instance_hour.is_some(),
            o.discount.is_some(),
        ]
        .into_iter()
        .filter(|b| *b)
        .count();
        if given != 1 {
            r.error(
                &path,
                "give exactly one of usd_per_chip_hour, usd_per_instance_hour or discount",
            );
            continue;
        }
        let key = o.offering.trim().to_lowercase();
        if let Some(first) = seen.insert(key, i) {
            r.error(
                &format!("{path}.offering"),
                format!(
                    "offering '{}' is already overridden by catalog.price_override[{first}]",
                    o.offering
                ),
            )
            .hints
            .push("keep one override per offering".to_string());
            continue;
        }
        let ids: Vec<String> = catalog.offering_ids().map(str::to_string).collect();
        let Some(offering) = catalog.offering_mut(&o.offering) else {
            let d = r.error(
                &format!("{path}.offering"),
                format!("unknown offering '{}'", o.offering),
            );
            if let Some(h) = did_you_mean(&o.offering, ids.iter().map(String::as_str)) {
                d.hints.push(h);
            }
            continue;
        };
        if offering.price_model == allot_catalog::PriceModel::Owned {
            r.error(&format!("{path}.offering"), format!(
                "offering '{}' is owned capacity, priced by capex and opex; change it in a catalog file",
                o.offering
            ));
            continue;
        }
        let chips = f64::from(offering.chips_per_instance);
        let new_price = if let Some(p) = o.usd_per_chip_hour {
            Some(p * chips)
        } else if let Some(p) = o.usd_per_instance_hour {
            Some(p)
        } else {
            match (o.discount, offering.usd_per_instance_hour) {
                (Some(d), Some(p)) => Some(p * (1.0 - d)),
                _ => None,
            }
        };
        match new_price {
            Some(p) => {
                offering.usd_per_instance_hour = Some(p);
                let note = format!(
                    "[price override in scenario: {}]",
                    o.notes.as_deref().unwrap_or("no note")
                );
                offering.notes = Some(match offering.notes.take() {
                    Some(n) => format!("{n} {note}"),
                    None => note,
                });
            }
            None => {
                r.error(
                    &format!("{path}.discount"),
                    format!("offering '{}' has no catalog price to discount", o.offering),
                )
                .hints
                .push("give usd_per_chip_hour or usd_per_instance_hour instead".to_string());
            }
        }
    }
}

/// The JSON Schema of the scenario format.
pub fn schema() -> serde_json::Value {
    schemars::schema_for!(ScenarioFile).to_value()
}

/// Spans of a scenario text, for callers that report their own diagnostics on it.
pub fn spans(file: &str, text: &str) -> SpanMap {
    allot_toml::Document::parse(file, text).0.span_map()
}
