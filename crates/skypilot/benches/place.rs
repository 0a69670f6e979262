//! Placement benchmark (written below).
fn main() {}
