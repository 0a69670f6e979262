//! SkyPilot task YAML (one task or a multi-document pipeline), and its diagnostics rendered.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "../entry_points.rs"]
mod entry_points;

fuzz_target!(|data: &[u8]| entry_points::skypilot_task(data));
