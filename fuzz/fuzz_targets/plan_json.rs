//! The plan JSON reader (`allot export`, `verify`, `finance`, `report` read plans through it).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = allot_export::read_plan("plan.json", text) {
        let _ = (e.to_string(), e.hint());
    }
});
