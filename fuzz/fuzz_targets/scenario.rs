//! The scenario loader: syntax, structure, catalog files and meaning, then rendering every
//! diagnostic at its place. Input: scenario text, optionally followed by a line `%%` and the text
//! of the one catalog file any `[catalog] files` entry reads.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (scenario, catalog) = text.split_once("\n%%\n").unwrap_or((text, ""));
    let mut read = |path: &str| Ok((path.to_string(), catalog.to_string()));
    let loaded = allot_scenario::load("fuzz.toml", scenario, &mut read);
    for d in &loaded.diagnostics {
        let text = loaded
            .files
            .iter()
            .find(|(name, _)| *name == d.file)
            .map(|(_, t)| t.as_str());
        let _ = d.render(text);
    }
});
