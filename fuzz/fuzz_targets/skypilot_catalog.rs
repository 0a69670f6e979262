//! SkyPilot's catalog: a `vms.csv` text, optionally followed by a line `%%` and the text of
//! `common/accelerators.csv`; the offers derived from it and its diagnostics rendered.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (vms, accelerators) = match text.split_once("\n%%\n") {
        Some((v, a)) => (v, Some(("accelerators.csv", a))),
        None => (text, None),
    };
    let files = [allot_skypilot::CatalogText {
        file: "aws/vms.csv",
        cloud: "aws",
        text: vms,
    }];
    match allot_skypilot::SkyCatalog::parse(&files, accelerators) {
        Ok((_, diagnostics)) => diagnostics.iter().for_each(|d| drop(d.render(Some(vms)))),
        Err(e) => e.diagnostics().iter().for_each(|d| drop(d.render(Some(vms)))),
    }
});
