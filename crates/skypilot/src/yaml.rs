//! Reading YAML values with located messages: a context that turns a problem with a key or a
//! value into a [`Diagnostic`] at its place in the document, and typed getters.

use std::ops::Range;

use allot_diag::Diagnostic;
use serde_norway::{Mapping, Value};

use crate::locate::{self, did_you_mean};

/// Where problems are reported: the file, its text, the current document and what was found.
pub(crate) struct Ctx<'a> {
    /// File name.
    pub file: &'a str,
    /// Whole text.
    pub text: &'a str,
    /// Byte range of the document being read.
    pub doc: Range<usize>,
    /// Problems found so far.
    pub diagnostics: Vec<Diagnostic>,
}

impl Ctx<'_> {
    pub fn error(&mut self, key: &str, value: &str, message: String) -> &mut Diagnostic {
        let span = locate::find_value(self.text, &self.doc, key, value)
            .or(Some(self.doc.start..self.doc.start));
        self.diagnostics
            .push(Diagnostic::error(self.file, span, message));
        self.diagnostics.last_mut().expect("just pushed")
    }

    pub fn unknown_keys(&mut self, map: &Mapping, known: &[&str], what: &str) {
        for key in map.keys() {
            let k = key_str(key);
            if !known.contains(&k.as_str()) {
                let hint = did_you_mean(&k, known.iter().copied());
                let d = self.error(&k, "", format!("unknown field '{k}' in {what}"));
                if let Some(h) = hint {
                    d.hints.push(h);
                }
            }
        }
    }

    pub fn number(&mut self, key: &str, v: &Value) -> Option<f64> {
        let x = match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().replace('_', "").parse::<f64>().ok(),
            _ => None,
        };
        match x {
            Some(x) if x.is_finite() => Some(x),
            _ => {
                let shown = scalar_text(v);
                self.error(key, &shown, format!("{key}: '{shown}' is not a number"));
                None
            }
        }
    }

    pub fn positive(&mut self, key: &str, v: &Value) -> Option<f64> {
        let x = self.number(key, v)?;
        if x <= 0.0 {
            let shown = scalar_text(v);
            self.error(
                key,
                &shown,
                format!("{key}: must be a positive number, got {shown}"),
            );
            return None;
        }
        Some(x)
    }

    pub fn string(&mut self, key: &str, v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => {
                self.error(key, "", format!("{key}: expected a string"));
                None
            }
        }
    }

    pub fn boolean(&mut self, key: &str, v: &Value) -> Option<bool> {
        match v {
            Value::Bool(b) => Some(*b),
            _ => {
                let shown = scalar_text(v);
                self.error(
                    key,
                    &shown,
                    format!("{key}: expected true or false, got '{shown}'"),
                );
                None
            }
        }
    }
}

pub(crate) fn key_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => scalar_text(other),
    }
}

pub(crate) fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_string(),
        _ => serde_norway::to_string(v)
            .map(|s| s.trim().to_string())
            .unwrap_or_default(),
    }
}
