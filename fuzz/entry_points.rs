//! What each fuzz target does with one input, shared by the targets (`fuzz_targets/*.rs`) and
//! the corpus replay test of the normal suite (`crates/allot/tests/hardening/fuzz_corpus.rs`),
//! so that both run the same code. Each reads untrusted bytes and renders every diagnostic;
//! none may panic.

/// The scenario loader: syntax, structure, catalog files and meaning, then rendering every
/// diagnostic at its place. Input: scenario text, optionally followed by a line `%%` and the
/// text of the one catalog file any `[catalog] files` entry reads.
pub fn scenario(data: &[u8]) {
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
}

/// The catalog reader: one catalog file on its own (references to built-in chips are then
/// errors too), and its diagnostics rendered.
pub fn catalog(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut builder = allot_catalog::CatalogBuilder::new();
    builder.add_file("fuzz.toml", text);
    let (_catalog, diagnostics) = builder.finish();
    for d in &diagnostics {
        let _ = d.render(Some(text));
    }
}

/// SkyPilot task YAML (one task or a multi-document pipeline), and its diagnostics rendered.
pub fn skypilot_task(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = allot_skypilot::parse_dag("task.yaml", text) {
        for d in e.diagnostics() {
            let _ = d.render(Some(text));
        }
    }
}

/// SkyPilot's catalog: a `vms.csv` text, optionally followed by a line `%%` and the text of
/// `common/accelerators.csv`; the offers derived from it and its diagnostics rendered.
pub fn skypilot_catalog(data: &[u8]) {
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
        Err(e) => e
            .diagnostics()
            .iter()
            .for_each(|d| drop(d.render(Some(vms)))),
    }
}

/// The plan JSON reader (`allot export`, `verify`, `finance`, `report` read plans through it).
pub fn plan_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = allot_export::read_plan("plan.json", text) {
        let _ = (e.to_string(), e.hint());
    }
}
