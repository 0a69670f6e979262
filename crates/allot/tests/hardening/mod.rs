//! Hostile input (issue 22): files that are not regular or too large, catalog paths outside the
//! scenario's folder, names Kubernetes would refuse, ties and numbers the solver cannot take.

mod fuzz_corpus;
mod input_files;
mod small_errors;
mod solver_limits;
