//! `allot catalog import-skypilot DIR`: a SkyPilot catalog folder (schema v8) as an allot catalog
//! file, and the reading of such folders for `allot place`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use allot_catalog::{Catalog, CatalogBuilder};
use allot_diag::has_errors;
use allot_skypilot::{CatalogText, ImportOptions, SkyCatalog};
use anyhow::Context;
use clap::Args;

use crate::files::{print_diagnostics, read_text};

/// Arguments of `allot catalog import-skypilot`.
#[derive(Debug, Args)]
pub struct ImportSkypilotArgs {
    /// SkyPilot catalog folder, schema v8: CLOUD/vms.csv files and common/accelerators.csv
    /// (SkyPilot keeps one in ~/.sky/catalogs/v8).
    pub dir: PathBuf,
    /// Write the catalog file here instead of to standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The date the catalog was read, written on every source (default: today, UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub seen: Option<String>,
}

pub fn run(args: &ImportSkypilotArgs) -> anyhow::Result<ExitCode> {
    let Some(sky) = load_catalog(&args.dir) else {
        return Ok(ExitCode::from(crate::EXIT_INVALID));
    };
    let (builtin, _) = Catalog::builtin();
    let options = ImportOptions {
        seen: args.seen.clone().unwrap_or_else(today),
        ..ImportOptions::default()
    };
    let imported = allot_skypilot::import(&sky, &builtin, &options);
    // The file must load after the built-in catalog, as a scenario would load it.
    let name = args
        .out
        .as_ref()
        .map_or("<imported catalog>".to_string(), |p| {
            p.display().to_string()
        });
    let mut builder = CatalogBuilder::with_builtin();
    builder.add_file(&name, &imported.text);
    let (_, diagnostics) = builder.finish();
    if has_errors(&diagnostics) {
        print_diagnostics(&diagnostics, &[(name, imported.text.clone())]);
        anyhow::bail!("the imported catalog does not load (a bug: please report it)");
    }
    match &args.out {
        Some(path) => std::fs::write(path, &imported.text)
            .with_context(|| format!("writing {}", path.display()))?,
        None => out!("{}", imported.text),
    }
    let s = &imported.summary;
    eprintln!(
        "imported {} offerings ({} spot, {} on-demand without a price: listed, never planned)",
        s.offerings, s.spot, s.unpriced
    );
    if !s.providers_added.is_empty() {
        eprintln!("declared providers: {}", s.providers_added.join(", "));
    }
    if !s.unknown_accelerators.is_empty() {
        let list: Vec<String> = s
            .unknown_accelerators
            .iter()
            .map(|(name, n)| format!("{name} ({n})"))
            .collect();
        eprintln!(
            "left out, no allot specifications for: {} (add them in a catalog file to import them)",
            list.join(", ")
        );
    }
    if s.cpu_offers > 0 || s.hostless > 0 {
        eprintln!(
            "left out: {} CPU-only instances, {} GCP accelerator rows without a host VM in their zone",
            s.cpu_offers, s.hostless
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads a SkyPilot catalog folder, printing its problems; `None` when it cannot be used.
pub fn load_catalog(dir: &Path) -> Option<SkyCatalog> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            eprintln!(
                "{}: error: cannot read the catalog folder: {e}",
                dir.display()
            );
            return None;
        }
    };
    let mut clouds: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().join("vms.csv").is_file())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    clouds.sort();
    if clouds.is_empty() {
        eprintln!(
            "{}: error: no CLOUD/vms.csv in this folder (expected SkyPilot's catalog layout v8, e.g. aws/vms.csv)",
            dir.display()
        );
        return None;
    }
    let mut files: Vec<(String, String, String)> = Vec::new();
    for cloud in &clouds {
        let path = dir.join(cloud).join("vms.csv");
        match read_text(&path) {
            Ok(text) => files.push((cloud.clone(), path.display().to_string(), text)),
            Err(e) => {
                eprintln!("{}: error: cannot read file: {e}", path.display());
                return None;
            }
        }
    }
    let accel_path = dir.join("common/accelerators.csv");
    let accelerators = accel_path
        .is_file()
        .then(|| read_text(&accel_path).ok())
        .flatten()
        .map(|t| (accel_path.display().to_string(), t));
    let texts: Vec<CatalogText<'_>> = files
        .iter()
        .map(|(cloud, file, text)| CatalogText { cloud, file, text })
        .collect();
    let mut shown: Vec<(String, String)> = files
        .iter()
        .map(|(_, f, t)| (f.clone(), t.clone()))
        .collect();
    shown.extend(accelerators.clone());
    let parsed = SkyCatalog::parse(
        &texts,
        accelerators.as_ref().map(|(f, t)| (f.as_str(), t.as_str())),
    );
    match parsed {
        Ok((catalog, warnings)) => {
            print_diagnostics(&warnings, &shown);
            Some(catalog)
        }
        Err(e) => {
            print_diagnostics(e.diagnostics(), &shown);
            None
        }
    }
}

/// Today's date (UTC) as YYYY-MM-DD.
fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}
