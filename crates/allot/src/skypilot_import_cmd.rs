//! `allot catalog import-skypilot DIR`: a SkyPilot catalog folder (schema v8) as an allot catalog
//! file.

use std::path::PathBuf;

use allot_catalog::{Catalog, CatalogBuilder};
use allot_diag::has_errors;
use allot_skypilot::ImportOptions;
use anyhow::Context;
use clap::Args;

use crate::exit::Exit;
use crate::files::{load_skypilot_catalog, print_diagnostics};

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

pub fn run(args: &ImportSkypilotArgs) -> anyhow::Result<Exit> {
    let Some(sky) = load_skypilot_catalog(&args.dir) else {
        return Ok(Exit::Invalid);
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
    Ok(Exit::Success)
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
