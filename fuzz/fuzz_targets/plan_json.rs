//! The plan JSON reader (`allot export`, `verify`, `finance`, `report` read plans through it).
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "../entry_points.rs"]
mod entry_points;

fuzz_target!(|data: &[u8]| entry_points::plan_json(data));
