//! Editing a scenario's text at a path, for "what if" questions: `policy.vendor_cap[nvidia].max_share`
//! = `0.5`. The key is checked against the scenario format's schema (an unknown key gets a
//! did-you-mean hint and the keys valid at that level), array elements are selected by index or
//! by name, and the value is read as a TOML value (a bare word or month such as `2027-01` is a
//! string).
//!
//! When the edited key is already written in the text, only its value is replaced, so every
//! other line (and every diagnostic's line number) stays as it was; otherwise the document is
//! written anew from its parsed form (comments are then lost: the edited copy is for planning,
//! never written back).

use std::fmt;

use allot_diag::{did_you_mean, normalize_name};
use serde_json::Value as Json;
use toml::Value;

/// The result of [`set_path`].
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    /// The edited scenario text.
    pub text: String,
    /// The path edited, with array elements by index (`policy.vendor_cap[0].max_share`).
    pub path: String,
    /// The value it had, as written (`None` when it was not written).
    pub old: Option<String>,
    /// The value it has now, as TOML.
    pub new: String,
    /// Whether only the value was replaced, so that the rest of the text (and its line
    /// numbers) is unchanged.
    pub in_place: bool,
}

/// Why a path cannot be edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    /// The key is not a path (`a.b[2].c`, `a.b[name].c`).
    BadPath {
        /// The key given.
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// The scenario text is not valid TOML.
    Document(String),
    /// No such key at that level of the format.
    UnknownKey {
        /// Where (the path so far; empty at the top level).
        at: String,
        /// The key given.
        key: String,
        /// The keys valid there.
        valid: Vec<String>,
    },
    /// No array element is selected by that name.
    UnknownElement {
        /// The array.
        at: String,
        /// The name or index given.
        selector: String,
        /// The names its elements can be selected by, by index.
        names: Vec<String>,
    },
    /// Several elements have that name.
    Ambiguous {
        /// The array.
        at: String,
        /// The name given.
        selector: String,
        /// The indices that match.
        indices: Vec<usize>,
    },
    /// The path goes through a value that is not a table or an array.
    NotContainer {
        /// The value's path.
        at: String,
        /// What it is (`a string`, `a number`, `an array`, `a table`).
        found: &'static str,
        /// What the path needs (`a table`, `an array`).
        needed: &'static str,
    },
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::BadPath { key, reason } => write!(
                f,
                "cannot read the key '{key}': {reason}\n  hint: write a dotted path such as policy.vendor_cap[nvidia].max_share or training[0].deadline"
            ),
            EditError::Document(e) => write!(f, "the scenario is not valid TOML: {e}"),
            EditError::UnknownKey { at, key, valid } => {
                let place = if at.is_empty() {
                    "at the top level".to_string()
                } else {
                    format!("in {at}")
                };
                write!(f, "unknown key '{key}' {place}")?;
                if let Some(h) = did_you_mean(key, valid.iter().map(String::as_str)) {
                    write!(f, "\n  hint: {h}")?;
                }
                write!(f, "\n  hint: valid keys: {}", valid.join(", "))
            }
            EditError::UnknownElement {
                at,
                selector,
                names,
            } => {
                write!(f, "{at} has no element '{selector}'")?;
                if names.is_empty() {
                    return write!(f, "\n  hint: {at} is empty in this scenario");
                }
                if let Some(h) = did_you_mean(selector, names.iter().map(String::as_str)) {
                    write!(f, "\n  hint: {h}")?;
                }
                let listed: Vec<String> = names
                    .iter()
                    .enumerate()
                    .map(|(i, n)| format!("[{i}] {n}"))
                    .collect();
                write!(
                    f,
                    "\n  hint: select by index or name: {}",
                    listed.join(", ")
                )
            }
            EditError::Ambiguous {
                at,
                selector,
                indices,
            } => {
                let listed: Vec<String> = indices.iter().map(|i| format!("{at}[{i}]")).collect();
                write!(
                    f,
                    "'{selector}' names several elements of {at}: {}\n  hint: select one by index",
                    listed.join(", ")
                )
            }
            EditError::NotContainer { at, found, needed } => {
                write!(f, "{at} is {found}, not {needed}")
            }
        }
    }
}

impl std::error::Error for EditError {}

/// Sets `key` (a dotted path) to `value` (TOML, or a bare string) in the scenario `text`.
pub fn set_path(text: &str, key: &str, value: &str) -> Result<Edit, EditError> {
    let segments = parse_key(key)?;
    let mut doc: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| EditError::Document(e.message().to_string()))?;
    let schema = crate::schema();
    let mut node = Node {
        schema: &schema,
        root: &schema,
    };
    let mut path = allot_toml::Path::root();
    let mut shown = String::new();
    let mut cur: &mut toml::Table = &mut doc;
    let last = segments.len() - 1;
    for (s, seg) in segments.iter().enumerate() {
        let child = node.key(&seg.key, &shown)?;
        path = path.key(&seg.key);
        shown = path.as_str().to_string();
        if s == last && seg.selectors.is_empty() {
            let new = parse_value(value, &child);
            let old = cur.get(&seg.key).map(ToString::to_string);
            let new_text = as_written(value, &new);
            cur.insert(seg.key.clone(), new);
            return finish(text, &doc, path.as_str(), old, new_text);
        }
        let needs_array = !seg.selectors.is_empty();
        let mut slot: &mut Value = cur.entry(seg.key.clone()).or_insert_with(|| {
            if needs_array {
                Value::Array(Vec::new())
            } else {
                Value::Table(toml::Table::new())
            }
        });
        node = child;
        for (k, sel) in seg.selectors.iter().enumerate() {
            let items = node.items(&shown)?;
            let Value::Array(array) = slot else {
                return Err(not_container(&shown, slot, "an array"));
            };
            let i = select(array, sel, &shown)?;
            path = path.index(i);
            shown = path.as_str().to_string();
            node = items;
            slot = &mut array[i];
            if s == last && k + 1 == seg.selectors.len() {
                let new = parse_value(value, &node);
                let old = Some(slot.to_string());
                let new_text = as_written(value, &new);
                *slot = new;
                return finish(text, &doc, path.as_str(), old, new_text);
            }
        }
        cur = match slot {
            Value::Table(t) => t,
            other => return Err(not_container(&shown, other, "a table")),
        };
    }
    unreachable!("the last segment returns")
}

/// Writes the edited document: in place when the path's value is written in `text`.
fn finish(
    text: &str,
    doc: &toml::Table,
    path: &str,
    old: Option<String>,
    new: String,
) -> Result<Edit, EditError> {
    let spans = crate::spans("edit", text);
    let here = spans.value(path);
    let parent = path.rfind(['.', '[']).map(|cut| spans.value(&path[..cut]));
    let exact = match (&here, &parent) {
        (Some(_), None) => true,
        (Some(r), Some(p)) => p.as_ref() != Some(r),
        (None, _) => false,
    };
    let (text, old, in_place) = match here {
        Some(r) if exact && old.is_some() => (
            format!("{}{}{}", &text[..r.start], new, &text[r.end..]),
            Some(text[r].to_string()),
            true,
        ),
        _ => (
            toml::to_string(doc).map_err(|e| EditError::Document(e.to_string()))?,
            old,
            false,
        ),
    };
    Ok(Edit {
        text,
        path: path.to_string(),
        old,
        new,
        in_place,
    })
}

fn not_container(at: &str, v: &Value, needed: &'static str) -> EditError {
    EditError::NotContainer {
        at: at.to_string(),
        found: match v {
            Value::String(_) => "a string",
            Value::Integer(_) | Value::Float(_) => "a number",
            Value::Boolean(_) => "a boolean",
            Value::Datetime(_) => "a date",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        },
        needed,
    }
}

/// One step of a path: a key and the array selectors after it (`vendor_cap[nvidia]`).
#[derive(Debug, PartialEq)]
struct Segment {
    key: String,
    selectors: Vec<String>,
}

fn parse_key(key: &str) -> Result<Vec<Segment>, EditError> {
    let bad = |reason: &str| EditError::BadPath {
        key: key.to_string(),
        reason: reason.to_string(),
    };
    let chars: Vec<char> = key.trim().chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        let mut name = String::new();
        if chars.get(i) == Some(&'"') {
            i += 1;
            while let Some(&c) = chars.get(i) {
                i += 1;
                if c == '"' {
                    break;
                }
                name.push(c);
            }
        } else {
            while let Some(&c) = chars.get(i) {
                if matches!(c, '.' | '[' | ']') {
                    break;
                }
                name.push(c);
                i += 1;
            }
        }
        let name = name.trim().to_string();
        if name.is_empty() {
            return Err(bad("a key is empty"));
        }
        let mut selectors = Vec::new();
        while chars.get(i) == Some(&'[') {
            let close = chars[i..]
                .iter()
                .position(|&c| c == ']')
                .ok_or_else(|| bad("a '[' has no ']'"))?;
            let sel: String = chars[i + 1..i + close].iter().collect();
            let sel = sel.trim().trim_matches('"').to_string();
            if sel.is_empty() {
                return Err(bad("'[]' selects nothing: give an index or a name"));
            }
            selectors.push(sel);
            i += close + 1;
        }
        out.push(Segment {
            key: name,
            selectors,
        });
        match chars.get(i) {
            None => return Ok(out),
            Some('.') => i += 1,
            Some(c) => return Err(bad(&format!("unexpected '{c}'"))),
        }
    }
}

/// The element of `array` that `selector` names: an index, or the value of its `name`,
/// `vendor`, `provider`, `offering` or `year` field, or `provider/chip`.
fn select(array: &[Value], selector: &str, at: &str) -> Result<usize, EditError> {
    if let Ok(i) = selector.parse::<usize>() {
        if i < array.len() {
            return Ok(i);
        }
    }
    let names: Vec<Vec<String>> = array.iter().map(element_names).collect();
    let wanted = normalize_name(selector);
    let found: Vec<usize> = names
        .iter()
        .enumerate()
        .filter(|(_, n)| n.iter().any(|n| normalize_name(n) == wanted))
        .map(|(i, _)| i)
        .collect();
    match found.as_slice() {
        [i] => Ok(*i),
        [] => Err(EditError::UnknownElement {
            at: at.to_string(),
            selector: selector.to_string(),
            names: names
                .iter()
                .map(|n| n.first().cloned().unwrap_or_else(|| "-".to_string()))
                .collect(),
        }),
        _ => Err(EditError::Ambiguous {
            at: at.to_string(),
            selector: selector.to_string(),
            indices: found,
        }),
    }
}

fn element_names(v: &Value) -> Vec<String> {
    let Value::Table(t) = v else {
        return Vec::new();
    };
    let text = |k: &str| match t.get(k) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Integer(i)) => Some(i.to_string()),
        _ => None,
    };
    let mut out: Vec<String> = ["name", "vendor", "offering", "year"]
        .into_iter()
        .filter_map(text)
        .collect();
    match (text("provider"), text("chip")) {
        (Some(p), Some(c)) => out.push(format!("{p}/{c}")),
        (Some(p), None) => out.push(p),
        _ => {}
    }
    out
}

/// The value's TOML text: as the user wrote it (`50e9`) when that is the value set, else as
/// TOML writes it.
fn as_written(raw: &str, value: &Value) -> String {
    let raw = raw.trim();
    match raw.parse::<Value>() {
        Ok(v) if v == *value => raw.to_string(),
        _ => value.to_string(),
    }
}

/// Reads `value` as a TOML value; a bare word, a month or a date is a string. Numbers are
/// fitted to the type the schema asks for at that place.
fn parse_value(value: &str, node: &Node<'_>) -> Value {
    let raw = value.trim();
    let parsed = match raw.parse::<Value>() {
        Ok(Value::Datetime(_)) | Err(_) => Value::String(raw.to_string()),
        Ok(v) => v,
    };
    let types = node.leaf_types();
    let wants = |t: &str| types.iter().any(|x| x == t);
    match parsed {
        Value::Float(x)
            if wants("integer") && !wants("number") && x.fract() == 0.0 && x.abs() < 9e15 =>
        {
            Value::Integer(x as i64)
        }
        Value::Integer(_) | Value::Float(_) | Value::Boolean(_)
            if !types.is_empty() && types.iter().all(|t| t == "string") =>
        {
            Value::String(raw.to_string())
        }
        v => v,
    }
}

/// A place in the scenario format's JSON Schema.
#[derive(Clone, Copy)]
struct Node<'a> {
    schema: &'a Json,
    root: &'a Json,
}

impl<'a> Node<'a> {
    fn at(&self, schema: &'a Json) -> Node<'a> {
        Node {
            schema,
            root: self.root,
        }
    }

    /// The alternatives this place allows, `$ref`s followed, `null` left out.
    fn branches(&self) -> Vec<&'a Json> {
        let mut out = Vec::new();
        let mut todo = vec![self.schema];
        while let Some(s) = todo.pop() {
            if let Some(r) = s.get("$ref").and_then(Json::as_str) {
                let name = r.rsplit('/').next().unwrap_or("");
                if let Some(d) = self.root.get("$defs").and_then(|d| d.get(name)) {
                    todo.push(d);
                }
                continue;
            }
            let mut split = false;
            for k in ["anyOf", "oneOf", "allOf"] {
                if let Some(list) = s.get(k).and_then(Json::as_array) {
                    todo.extend(list.iter().rev());
                    split = true;
                }
            }
            if !split && s.get("type").and_then(Json::as_str) != Some("null") {
                out.push(s);
            }
        }
        out
    }

    /// The schema of `key` in this table, or the keys valid here.
    fn key(&self, key: &str, at: &str) -> Result<Node<'a>, EditError> {
        let mut valid = Vec::new();
        for b in self.branches() {
            if let Some(props) = b.get("properties").and_then(Json::as_object) {
                if let Some(s) = props.get(key) {
                    return Ok(self.at(s));
                }
                valid.extend(props.keys().cloned());
            }
            if let Some(extra) = b.get("additionalProperties").filter(|a| a.is_object()) {
                return Ok(self.at(extra));
            }
        }
        if valid.is_empty() {
            return Err(EditError::NotContainer {
                at: at.to_string(),
                found: "a value",
                needed: "a table",
            });
        }
        Err(EditError::UnknownKey {
            at: at.to_string(),
            key: key.to_string(),
            valid,
        })
    }

    /// The schema of this array's elements.
    fn items(&self, at: &str) -> Result<Node<'a>, EditError> {
        self.branches()
            .into_iter()
            .find_map(|b| b.get("items"))
            .map(|s| self.at(s))
            .ok_or_else(|| EditError::NotContainer {
                at: at.to_string(),
                found: "not a list",
                needed: "an array",
            })
    }

    /// The JSON types a value here may have.
    fn leaf_types(&self) -> Vec<String> {
        let mut out = Vec::new();
        for b in self.branches() {
            match b.get("type") {
                Some(Json::String(t)) => out.push(t.clone()),
                Some(Json::Array(ts)) => out.extend(
                    ts.iter()
                        .filter_map(Json::as_str)
                        .filter(|t| *t != "null")
                        .map(str::to_string),
                ),
                _ => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"version = 1
# a comment that stays
[scenario]
name = "t"
start = "2027-01"
horizon_months = 12

[[training]]
name = "big"
model = "llama3.1-8b"
tokens = 5e10
deadline = "2027-06"

[[policy.vendor_cap]]
vendor = "nvidia"
max_share = 0.65

[performance]
maturity = { trainium3 = 0.85 }
"#;

    #[test]
    fn replaces_a_value_in_place() {
        let e = set_path(TEXT, "training[big].deadline", "2027-09").expect("edit");
        assert!(e.in_place);
        assert_eq!(e.path, "training[0].deadline");
        assert_eq!(e.old.as_deref(), Some("\"2027-06\""));
        assert_eq!(e.text, TEXT.replace("\"2027-06\"", "\"2027-09\""));
        let e = set_path(TEXT, "policy.vendor_cap[nvidia].max_share", "0.5").expect("edit");
        assert_eq!(e.text, TEXT.replace("0.65", "0.5"));
        let e = set_path(TEXT, "performance.maturity.trainium3", "0.7").expect("edit");
        assert_eq!(e.text, TEXT.replace("0.85", "0.7"));
        let e = set_path(TEXT, "policy.vendor_cap[0].max_share", "0.5").expect("edit");
        assert_eq!(e.path, "policy.vendor_cap[0].max_share");
    }

    #[test]
    fn adds_a_value_that_is_not_written() {
        let e = set_path(TEXT, "training[0].max_chips", "4096.0").expect("edit");
        assert!(!e.in_place);
        assert_eq!(e.old, None);
        assert_eq!(e.new, "4096");
        let t: toml::Table = e.text.parse().expect("toml");
        assert_eq!(t["training"][0]["max_chips"].as_integer(), Some(4096));
        let e = set_path(TEXT, "performance.maturity.tpu-v7", "1.1").expect("edit");
        let t: toml::Table = e.text.parse().expect("toml");
        assert_eq!(t["performance"]["maturity"]["tpu-v7"].as_float(), Some(1.1));
        let e = set_path(TEXT, "policy.power.pue", "1.3").expect("edit");
        let t: toml::Table = e.text.parse().expect("toml");
        assert_eq!(t["policy"]["power"]["pue"].as_float(), Some(1.3));
    }

    #[test]
    fn reads_values_as_toml_or_bare_strings() {
        let e = set_path(TEXT, "scenario.name", "42").expect("edit");
        assert_eq!(e.new, "\"42\"");
        let e = set_path(TEXT, "training[big].chips", r#"["h100", "gb200"]"#).expect("edit");
        assert_eq!(e.new, r#"["h100", "gb200"]"#);
        let e = set_path(TEXT, "training[big].model", "llama3.1-70b").expect("edit");
        assert_eq!(e.new, "\"llama3.1-70b\"");
    }

    #[test]
    fn explains_what_is_wrong_with_a_path() {
        let e = set_path(TEXT, "policy.vendor_cap[0].max_shar", "1").unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("did you mean 'max_share'?"), "{msg}");
        assert!(msg.contains("valid keys: vendor, max_share"), "{msg}");
        let e = set_path(TEXT, "traning[0].deadline", "2027-01").unwrap_err();
        assert!(e.to_string().contains("did you mean 'training'?"), "{e}");
        let e = set_path(TEXT, "training[bgi].deadline", "2027-01").unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("no element 'bgi'"), "{msg}");
        assert!(msg.contains("[0] big"), "{msg}");
        let e = set_path(TEXT, "training[big].deadline.x", "1").unwrap_err();
        assert!(e.to_string().contains("not a table"), "{e}");
        assert!(matches!(
            set_path(TEXT, "a..b", "1"),
            Err(EditError::BadPath { .. })
        ));
    }
}
