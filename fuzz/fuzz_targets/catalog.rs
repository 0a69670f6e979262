//! The catalog reader: one catalog file on its own (references to built-in chips are then errors too), and its diagnostics rendered.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "../entry_points.rs"]
mod entry_points;

fuzz_target!(|data: &[u8]| entry_points::catalog(data));
