//! Reading input files and printing diagnostics against them.

use std::path::{Path, PathBuf};

use allot_diag::Diagnostic;

/// Reads a file as UTF-8 text, with a message that names it.
pub fn read_text(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// A function reading catalog files named in `scenario`, relative to its folder.
pub fn reader_beside(
    scenario: &Path,
) -> impl FnMut(&str) -> Result<(String, String), String> + use<> {
    let dir: PathBuf = scenario.parent().map(Path::to_path_buf).unwrap_or_default();
    move |relative: &str| {
        let path = dir.join(relative);
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
/// caller exits with [`crate::EXIT_INVALID`]).
pub fn load_scenario(path: &Path) -> Option<allot_scenario::Scenario> {
    let name = path.display().to_string();
    let text = match read_text(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{name}: error: cannot read file: {e}");
            return None;
        }
    };
    let loaded = allot_scenario::load(&name, &text, &mut reader_beside(path));
    print_diagnostics(&loaded.diagnostics, &loaded.files);
    loaded.scenario
}
