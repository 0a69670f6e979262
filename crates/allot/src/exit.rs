//! How `allot` ends: one exit code per outcome, mapped to the process's exit status in `main`.

/// The outcome of a command, as its exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Done (for `verify`: the plan passed; for `plan`: a plan was found).
    Success = 0,
    /// A check failed (`verify`), the solve ended without a plan for another reason than
    /// infeasibility (time limit, unbounded), or an error (a file that cannot be written).
    Failure = 1,
    /// Invalid input: validation errors, a file that cannot be read, a bad flag or question.
    Invalid = 2,
    /// No plan or placement meets every constraint.
    Infeasible = 3,
    /// A second Ctrl-C during a solve (128 + SIGINT, as shells report it).
    Interrupted = 130,
}

impl Exit {
    /// The exit status.
    pub fn code(self) -> u8 {
        self as u8
    }
}
