//! Reading input files and printing diagnostics against them.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use allot_diag::Diagnostic;
use allot_skypilot::{CatalogText, SkyCatalog};

/// The largest input file read (256 MiB): more is refused, never read into memory.
pub const MAX_INPUT_BYTES: u64 = 256 << 20;

/// `--allow-outside`: a scenario may name catalog files anywhere (set once, in `main`).
pub static ALLOW_OUTSIDE: AtomicBool = AtomicBool::new(false);

/// Reads a regular file of at most [`MAX_INPUT_BYTES`] as UTF-8 text; a directory, FIFO, device
/// or socket is refused before it is opened (reading one could block or never end).
pub fn read_text(path: &Path) -> Result<String, String> {
    let kind = std::fs::metadata(path)
        .map_err(|e| e.to_string())?
        .file_type();
    if !kind.is_file() {
        use std::os::unix::fs::FileTypeExt;
        let what = [
            (kind.is_dir(), "a directory"),
            (kind.is_fifo(), "a FIFO"),
            (kind.is_char_device() || kind.is_block_device(), "a device"),
        ];
        let what = what.iter().find(|w| w.0).map_or("a socket", |w| w.1);
        return Err(format!("not a regular file ({what})"));
    }
    let mut bytes = Vec::new();
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    file.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(format!(
            "larger than {} MiB, the limit for an input file",
            MAX_INPUT_BYTES >> 20
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let before = &e.as_bytes()[..at];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let col = at
            - before
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |n| n + 1)
            + 1;
        format!("not UTF-8 text (invalid byte at line {line}, byte {col} of the line, offset {at})")
    })
}

/// Reads a plan file through the one plan reader (format, version, and the strings of every
/// name: `allot_plan_format::check_strings`), printing what is wrong; `None` when it cannot be
/// used (the caller exits with [`crate::exit::Exit::Invalid`]).
pub fn read_plan(path: &Path) -> Option<allot_plan::Plan> {
    read_plan_and_text(path).map(|(plan, _)| plan)
}

/// [`read_plan`], with the file's text (for the blocks beside the plan, such as `finance`).
pub fn read_plan_and_text(path: &Path) -> Option<(allot_plan::Plan, String)> {
    let name = path.display().to_string();
    let text = match read_text(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{name}: error: cannot read file: {e}");
            return None;
        }
    };
    match allot_export::read_plan(&name, &text) {
        Ok(plan) => Some((plan, text)),
        Err(e) => {
            eprintln!(
                "{}",
                allot_diag::escape_control(&format!("error: {e}\n  hint: {}", e.hint()), true)
            );
            None
        }
    }
}

/// A function reading catalog files named in `scenario`, relative to its folder; unless
/// [`ALLOW_OUTSIDE`], one that a link takes out of the folder is refused.
pub fn reader_beside(
    scenario: &Path,
) -> impl FnMut(&str) -> Result<(String, String), String> + use<> {
    let dir: PathBuf = scenario.parent().map(Path::to_path_buf).unwrap_or_default();
    move |relative: &str| {
        let path = dir.join(relative);
        let inside = |d: &Path| {
            Some(
                path.canonicalize()
                    .ok()?
                    .starts_with(d.canonicalize().ok()?),
            )
        };
        if !ALLOW_OUTSIDE.load(Ordering::Relaxed) && inside(&dir) == Some(false) {
            return Err(
                "a link leads outside the scenario's folder (pass --allow-outside to read it)"
                    .into(),
            );
        }
        let text = read_text(&path)?;
        Ok((path.display().to_string(), text))
    }
}

/// Prints diagnostics to stderr, each located in the file it names.
pub fn print_diagnostics(diagnostics: &[Diagnostic], files: &[(String, String)]) {
    for d in diagnostics {
        let text = files
            .iter()
            .find(|(name, _)| *name == d.file)
            .map(|(_, t)| t.as_str());
        eprintln!("{}", d.render(text));
    }
}

/// Reads and loads a scenario, printing its diagnostics; `None` when it cannot be used (the
/// caller exits with [`crate::exit::Exit::Invalid`]).
pub fn load_scenario(path: &Path) -> Option<allot_scenario::Scenario> {
    let name = path.display().to_string();
    let text = match read_text(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{name}: error: cannot read file: {e}");
            return None;
        }
    };
    let loaded = load_text(&name, &text, path);
    print_diagnostics(&loaded.diagnostics, &loaded.files);
    loaded.scenario
}

/// Loads a scenario's text (named `name`, read from `path`) with its catalog files beside it,
/// under the `--allow-outside` rule.
pub fn load_text(name: &str, text: &str, path: &Path) -> allot_scenario::Loaded {
    let paths = match ALLOW_OUTSIDE.load(Ordering::Relaxed) {
        true => allot_scenario::CatalogPaths::Anywhere,
        false => allot_scenario::CatalogPaths::Inside,
    };
    allot_scenario::load_with(name, text, &mut reader_beside(path), paths)
}

/// Reads a SkyPilot catalog folder, printing its problems; `None` when it cannot be used.
pub fn load_skypilot_catalog(dir: &Path) -> Option<SkyCatalog> {
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
