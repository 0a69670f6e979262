//! TOML documents checked against a JSON Schema, reporting every problem at once with its place.
//!
//! A typed format (scenario, catalog) is defined once, as Rust types deriving `serde` and
//! `schemars`. Loading a file then goes through three steps, each of which collects problems
//! instead of stopping at the first:
//!
//! 1. [`Document::parse`]: TOML syntax, with recovery so that several syntax errors are reported;
//! 2. [`check_schema`]: the document against the type's JSON Schema — unknown fields (with
//!    did-you-mean), missing fields, wrong types, values outside their range, NaN and infinities,
//!    enum values, and string formats (`year-month`, `date`);
//! 3. deserialisation into the type, which cannot fail once the schema check has passed (if it
//!    does, that is reported as an error too, never a panic).
//!
//! The [`SpanMap`] from step 1 lets later semantic checks point at the field they complain about
//! by its path (`training[2].deadline`).

mod check;
mod document;
mod path;
mod salvage;

pub use check::{LARGEST_NUMBER, check_schema, check_schema_at};
pub use document::{Document, SpanMap};
pub use path::Path;
pub use salvage::{Salvaged, salvage};

use allot_diag::Diagnostic;
use serde::de::DeserializeOwned;

/// The outcome of [`load`]: the typed value when the file is usable, its spans, and every
/// problem found.
#[derive(Debug)]
pub struct Loaded<T> {
    /// The typed value; `None` when a syntax or schema error prevents building it.
    pub value: Option<T>,
    /// Where each path of the document is in the text.
    pub spans: SpanMap,
    /// Every problem found, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// Paths of the values with structural (schema) problems; empty after a syntax error.
    pub error_paths: Vec<Path>,
}

/// Parses `text` (named `file` in messages), checks it against `T`'s JSON Schema and, when that
/// passes, deserialises it.
pub fn load<T>(file: &str, text: &str) -> Loaded<T>
where
    T: DeserializeOwned + schemars::JsonSchema,
{
    let schema = schemars::schema_for!(T);
    load_with_schema(file, text, schema.as_value())
}

/// [`load`] with an explicit schema (which must describe `T`).
pub fn load_with_schema<T>(file: &str, text: &str, schema: &serde_json::Value) -> Loaded<T>
where
    T: DeserializeOwned,
{
    let (document, mut diagnostics) = Document::parse(file, text);
    let spans = document.span_map();
    if !diagnostics.is_empty() {
        allot_diag::sort(&mut diagnostics);
        return Loaded {
            value: None,
            spans,
            diagnostics,
            error_paths: Vec::new(),
        };
    }
    let (error_paths, found): (Vec<Path>, Vec<Diagnostic>) =
        check_schema_at(&document, schema).into_iter().unzip();
    diagnostics.extend(found);
    if allot_diag::has_errors(&diagnostics) {
        allot_diag::sort(&mut diagnostics);
        return Loaded {
            value: None,
            spans,
            diagnostics,
            error_paths,
        };
    }
    let value = match document.deserialize::<T>() {
        Ok(v) => Some(v),
        Err(d) => {
            diagnostics.push(d);
            None
        }
    };
    allot_diag::sort(&mut diagnostics);
    Loaded {
        value,
        spans,
        diagnostics,
        error_paths,
    }
}
