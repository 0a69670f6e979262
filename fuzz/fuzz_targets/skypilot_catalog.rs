//! SkyPilot's catalog reader and its diagnostics (`entry_points::skypilot_catalog`).
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "../entry_points.rs"]
mod entry_points;

fuzz_target!(|data: &[u8]| entry_points::skypilot_catalog(data));
