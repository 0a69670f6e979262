//! The crate's error type: input problems, each located and explained.

use allot_diag::Diagnostic;

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input has problems; every one found is listed, with its file, place and hints.
    #[error("{} problem(s) in the input", .0.len())]
    Invalid(Vec<Diagnostic>),
}

impl Error {
    /// The diagnostics of an [`Error::Invalid`].
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Error::Invalid(d) => d,
        }
    }
}
