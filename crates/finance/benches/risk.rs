//! Risk benchmark (written below).
fn main() {}
