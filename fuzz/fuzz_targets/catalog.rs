//! The catalog reader: one catalog file on its own (references to built-in chips are then errors too), and its diagnostics rendered.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut builder = allot_catalog::CatalogBuilder::new();
    builder.add_file("fuzz.toml", text);
    let (_catalog, diagnostics) = builder.finish();
    for d in &diagnostics {
        let _ = d.render(Some(text));
    }
});
