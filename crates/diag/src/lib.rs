//! Diagnostics: problems found in an input file, located by byte span, rendered as
//! `FILE:LINE:COL: error: MESSAGE` with `hint:` lines, plus did-you-mean suggestions.
//!
//! Library crates return a `Vec<Diagnostic>` rather than failing on the first problem; the
//! binary decides how to print them and which exit code they mean.

mod line_index;
pub mod name;
mod suggest;

use std::fmt;
use std::ops::Range;

pub use line_index::{LineCol, LineIndex};
pub use name::{Name, NameError, check_name, check_text, escape_control};
pub use suggest::{did_you_mean, normalize_name, suggest};

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; the input is still usable.
    Warning,
    /// The input cannot be used as it is.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One problem in one input file.
///
/// `file` names the input (a path as the user gave it, or `<built-in catalog>`); `span` is a byte
/// range in that input's text, when the problem has a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The input this problem is in.
    pub file: String,
    /// Byte range of the offending text, if any.
    pub span: Option<Range<usize>>,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong: lowercase, no trailing period, naming the field.
    pub message: String,
    /// How to fix it, one line each.
    pub hints: Vec<String>,
}

impl Diagnostic {
    /// An error at `span` of `file`.
    pub fn error(
        file: impl Into<String>,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            file: file.into(),
            span,
            severity: Severity::Error,
            message: message.into(),
            hints: Vec::new(),
        }
    }

    /// A warning at `span` of `file`.
    pub fn warning(
        file: impl Into<String>,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, span, message)
        }
    }

    /// Adds a hint line.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// Adds a hint when there is one.
    #[must_use]
    pub fn with_hint_opt(self, hint: Option<String>) -> Self {
        match hint {
            Some(h) => self.with_hint(h),
            None => self,
        }
    }

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders as `FILE:LINE:COL: SEVERITY: MESSAGE` followed by `  hint: ...` lines, using
    /// `text` (the file's content) to turn the span into a line and column.
    pub fn render(&self, text: Option<&str>) -> String {
        let mut out = String::new();
        let location = match (&self.span, text) {
            (Some(span), Some(text)) => {
                let lc = LineIndex::new(text).line_col(span.start);
                format!("{}:{}:{}", self.file, lc.line, lc.col)
            }
            _ => self.file.clone(),
        };
        out.push_str(&format!("{location}: {}: {}", self.severity, self.message));
        for hint in &self.hints {
            out.push_str("\n  hint: ");
            out.push_str(hint);
        }
        // Messages quote the input, which may hold control characters: none reach a terminal.
        escape_control(&out, true).into_owned()
    }
}

/// Whether any of `diagnostics` is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_error)
}

/// Sorts diagnostics by file, then position, keeping the order of equal ones.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let pos = |d: &Diagnostic| d.span.as_ref().map_or(usize::MAX, |s| s.start);
        a.file.cmp(&b.file).then(pos(a).cmp(&pos(b)))
    });
}
