//! A parsed TOML document that remembers where every value is.

use std::collections::HashMap;
use std::ops::Range;

use allot_diag::Diagnostic;
use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::Path;

/// A TOML document with the byte span of each key and value.
pub struct Document<'a> {
    pub(crate) file: String,
    pub(crate) root: Spanned<DeTable<'a>>,
}

/// For an error the parser gives no place (its recursion limit, e.g. on 100,000 dotted keys):
/// the line where the text first fails to parse with an error of no place, found by bisecting
/// on prefixes of whole lines.
fn first_failing_line(text: &str) -> Option<Range<usize>> {
    let ends: Vec<usize> = text
        .match_indices('\n')
        .map(|(i, _)| i + 1)
        .chain((!text.ends_with('\n')).then_some(text.len()))
        .collect();
    let fails = |end: usize| {
        let (_, errors) = DeTable::parse_recoverable(&text[..end]);
        errors.iter().any(|e| e.span().is_none())
    };
    // The first line whose prefix fails: prefixes before it parse without a placeless error.
    let (mut lo, mut hi) = (0, ends.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        if fails(ends[mid]) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let end = *ends.get(lo)?;
    let start = if lo == 0 { 0 } else { ends[lo - 1] };
    Some(start..end.max(start + 1).min(text.len()))
}

impl<'a> Document<'a> {
    /// Parses `text`, recovering from syntax errors so that all of them are reported. The
    /// document is always returned; it is only meaningful when there are no diagnostics.
    pub fn parse(file: &str, text: &'a str) -> (Self, Vec<Diagnostic>) {
        let (root, errors) = DeTable::parse_recoverable(text);
        let diagnostics = errors
            .iter()
            .map(|e| {
                let span = e
                    .span()
                    .map(|s| clamp(s, text.len()))
                    .or_else(|| first_failing_line(text));
                Diagnostic::error(file, span, format!("invalid TOML: {}", tidy(e.message())))
            })
            .collect();
        (
            Document {
                file: file.to_string(),
                root,
            },
            diagnostics,
        )
    }

    /// The name of the file, as given to [`Document::parse`].
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The root table.
    pub fn root(&self) -> &Spanned<DeTable<'a>> {
        &self.root
    }

    /// Where each path of the document is.
    pub fn span_map(&self) -> SpanMap {
        let mut map = SpanMap::default();
        map.entries.insert(
            Path::root(),
            SpanEntry {
                key: None,
                value: self.root.span(),
            },
        );
        collect_table(&mut map, &Path::root(), self.root.get_ref());
        map
    }

    /// Deserialises the document into `T`; a failure becomes an error at the place serde names.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, Diagnostic> {
        let de = toml::de::Deserializer::from(self.root.clone());
        T::deserialize(de).map_err(|e| Diagnostic::error(&self.file, e.span(), tidy(e.message())))
    }
}

fn clamp(span: Range<usize>, len: usize) -> Range<usize> {
    span.start.min(len)..span.end.min(len)
}

/// Messages start lowercase and have no trailing period.
pub(crate) fn tidy(message: &str) -> String {
    let message = message.trim().trim_end_matches('.');
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[derive(Debug, Clone)]
struct SpanEntry {
    key: Option<Range<usize>>,
    value: Range<usize>,
}

/// Byte spans of every path in a document: `training[2].deadline` → where it is written.
#[derive(Debug, Clone, Default)]
pub struct SpanMap {
    entries: HashMap<Path, SpanEntry>,
}

impl SpanMap {
    /// The span of the value at `path`, or of the nearest enclosing value that has one.
    pub fn value(&self, path: &str) -> Option<Range<usize>> {
        self.lookup(path).map(|e| e.value.clone())
    }

    /// Whether `path` itself is written in the document (not only an enclosing value).
    pub fn has(&self, path: &str) -> bool {
        self.entries.contains_key(&Path::from(path))
    }

    /// The span of the key at `path` (falling back to its value, then to enclosing values).
    pub fn key(&self, path: &str) -> Option<Range<usize>> {
        self.lookup(path)
            .map(|e| e.key.clone().unwrap_or_else(|| e.value.clone()))
    }

    fn lookup(&self, path: &str) -> Option<&SpanEntry> {
        let mut path = path;
        loop {
            if let Some(e) = self.entries.get(&Path::from(path)) {
                return Some(e);
            }
            let cut = path.rfind(['.', '['])?;
            path = &path[..cut];
        }
    }
}

fn collect_table(map: &mut SpanMap, path: &Path, table: &DeTable<'_>) {
    for (key, value) in table.iter() {
        let child = path.key(key.get_ref());
        map.entries.insert(
            child.clone(),
            SpanEntry {
                key: Some(key.span()),
                value: value.span(),
            },
        );
        collect_value(map, &child, value.get_ref());
    }
}

fn collect_value(map: &mut SpanMap, path: &Path, value: &DeValue<'_>) {
    match value {
        DeValue::Table(t) => collect_table(map, path, t),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let child = path.index(i);
                map.entries.insert(
                    child.clone(),
                    SpanEntry {
                        key: None,
                        value: item.span(),
                    },
                );
                collect_value(map, &child, item.get_ref());
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_paths_to_spans() {
        let text = "a = 1\n[[run]]\nname = \"x\"\nchips = [\"h100\", \"b200\"]\n";
        let (doc, diags) = Document::parse("f.toml", text);
        assert!(diags.is_empty());
        let spans = doc.span_map();
        let s = spans.value("run[0].chips[1]").unwrap();
        assert_eq!(&text[s], "\"b200\"");
        let k = spans.key("run[0].name").unwrap();
        assert_eq!(&text[k], "name");
        // unknown deeper paths fall back to the nearest known one
        assert_eq!(
            spans.value("run[0].chips[1].zzz"),
            spans.value("run[0].chips[1]")
        );
    }

    #[test]
    fn reports_several_syntax_errors() {
        let text = "a = \nb = [1,\nc = \"ok\"\nd = }\n";
        let (_, diags) = Document::parse("f.toml", text);
        assert!(diags.len() >= 2, "{diags:?}");
        assert!(
            diags
                .iter()
                .all(|d| d.message.starts_with("invalid TOML: "))
        );
    }
}
