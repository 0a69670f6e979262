//! The one rule for names that reach a file name, a script, a manifest, a CSV or a terminal
//! (a scenario's, a run's, a demand's, a commitment's, an offering's, a provider's, a task's),
//! and the escapes each output format needs for text that is not a name.
//!
//! A name is 1 to [`MAX_NAME_CHARS`] characters with no control character (C0, DEL, C1: this
//! takes out newline, carriage return, tab and the escape that starts ANSI sequences), no
//! Unicode line or paragraph separator, no invisible format character (zero-width spaces and
//! joiners, bidirectional overrides and isolates, the byte-order mark, the soft hyphen), and no
//! leading or trailing white space. Every other character is allowed: the writers quote or
//! escape for their format (`docs/scenario.md`, "Names").

use std::borrow::Cow;
use std::fmt;

/// The longest name, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// A validated name (see the module docs for the rule).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name(String);

/// Why a text is not a [`Name`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameError {
    /// Empty or only white space.
    Empty,
    /// Longer than [`MAX_NAME_CHARS`].
    TooLong {
        /// Its length in characters.
        chars: usize,
    },
    /// Starts or ends with white space.
    Padded,
    /// Holds a character names may not hold.
    Forbidden {
        /// The character.
        c: char,
        /// Its position, in characters from 0.
        at: usize,
    },
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameError::Empty => f.write_str("must not be empty"),
            NameError::TooLong { chars } => write!(
                f,
                "is {chars} characters long; a name has at most {MAX_NAME_CHARS}"
            ),
            NameError::Padded => f.write_str("starts or ends with white space"),
            NameError::Forbidden { c, at } => write!(
                f,
                "holds {} at character {at}: no control, line-break or invisible character is allowed",
                describe(*c)
            ),
        }
    }
}

impl NameError {
    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            NameError::Empty | NameError::TooLong { .. } => {
                "give it a short name of letters, digits, spaces and punctuation"
            }
            NameError::Padded => "remove the white space at its ends",
            NameError::Forbidden { .. } => {
                "use letters, digits, spaces and punctuation only: no newline, carriage return, tab, escape or zero-width character"
            }
        }
    }
}

impl std::error::Error for NameError {}

/// A character as a message shows it: `U+000A (line feed)`.
fn describe(c: char) -> String {
    let what = match c {
        '\n' => " (line feed)",
        '\r' => " (carriage return)",
        '\t' => " (tab)",
        '\u{1b}' => " (escape)",
        '\u{0}' => " (NUL)",
        '\u{2028}' => " (line separator)",
        '\u{2029}' => " (paragraph separator)",
        '\u{85}' => " (next line)",
        '\u{feff}' => " (byte-order mark)",
        _ => "",
    };
    format!("U+{:04X}{what}", c as u32)
}

/// Whether `c` is a control, line-break or invisible format character: never in a name, and
/// escaped by [`escape_control`].
pub fn is_forbidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{ad}'
                | '\u{61c}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
        )
}

/// Checks `text` against the name rule.
pub fn check_name(text: &str) -> Result<(), NameError> {
    if text.trim().is_empty() {
        return Err(NameError::Empty);
    }
    if let Some((at, c)) = text.chars().enumerate().find(|&(_, c)| is_forbidden(c)) {
        return Err(NameError::Forbidden { c, at });
    }
    if text.trim() != text {
        return Err(NameError::Padded);
    }
    let chars = text.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(NameError::TooLong { chars });
    }
    Ok(())
}

/// Checks free text (notes, descriptions, messages): any length, newlines and tabs allowed, no
/// other control, line-break or invisible character.
pub fn check_text(text: &str) -> Result<(), NameError> {
    match text
        .chars()
        .enumerate()
        .find(|&(_, c)| c != '\n' && c != '\t' && is_forbidden(c))
    {
        Some((at, c)) => Err(NameError::Forbidden { c, at }),
        None => Ok(()),
    }
}

impl Name {
    /// `text` as a name, if it follows the rule.
    pub fn new(text: impl Into<String>) -> Result<Name, NameError> {
        let text = text.into();
        check_name(&text)?;
        Ok(Name(text))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// `text` with every forbidden character (see [`is_forbidden`]) written as `\u{…}`, newlines
/// and tabs too unless `keep_newlines`: safe for one comment line of a script or a manifest
/// (`keep_newlines = false`) and for a terminal (`true`: no escape sequence gets through).
pub fn escape_control(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let escaped = |c: char| is_forbidden(c) && !(keep_newlines && (c == '\n' || c == '\t'));
    if !text.chars().any(escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if escaped(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_allow_printable_text_only() {
        for ok in [
            "pretrain",
            "Llama 3 70B (v2)",
            "run!",
            "=SUM(A1)",
            "x".repeat(200).as_str(),
        ] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "  ",
            "a\nb",
            "a\rb",
            "a\tb",
            "\u{1b}[31mred",
            "a\u{2028}b",
            "a\u{85}b",
            "a\u{202e}b",
            "a\u{200b}",
            " padded",
            "x".repeat(201).as_str(),
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        let e = check_name("run\necho pwned").unwrap_err();
        assert_eq!(e, NameError::Forbidden { c: '\n', at: 3 });
        assert!(e.to_string().contains("U+000A (line feed)"), "{e}");
    }

    #[test]
    fn free_text_keeps_newlines_and_tabs() {
        assert!(check_text("line one\nline two\tx").is_ok());
        assert!(check_text("a\rb").is_err());
        assert!(check_text("\u{1b}[2J").is_err());
    }

    #[test]
    fn escapes_leave_no_control_character() {
        assert_eq!(escape_control("plain", false), "plain");
        assert_eq!(escape_control("a\r\nb", false), "a\\u{d}\\u{a}b");
        assert_eq!(escape_control("a\nb\u{1b}[0m", true), "a\nb\\u{1b}[0m");
        assert_eq!(escape_control("a\u{2028}b", true), "a\\u{2028}b");
    }
}
