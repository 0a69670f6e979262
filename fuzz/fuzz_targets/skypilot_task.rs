//! SkyPilot task YAML (one task or a multi-document pipeline), and its diagnostics rendered.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = allot_skypilot::parse_dag("task.yaml", text) {
        for d in e.diagnostics() {
            let _ = d.render(Some(text));
        }
    }
});
