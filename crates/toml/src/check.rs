//! Checking a TOML document against a JSON Schema, collecting every problem.
//!
//! Supports the subset of JSON Schema that `schemars` produces for our formats: `$ref` into
//! `$defs`, `type` (one or several), `properties`, `required`, `additionalProperties` (`false`
//! or a schema), `items`, `minItems`, `enum`, `const`, `anyOf`/`oneOf` (an untagged choice, or an
//! enum written as a `oneOf` of `const`s), `allOf`, `minimum`/`maximum` (and exclusive forms),
//! `minLength`, and the string formats `year-month`, `date`, `id`, `url` and `name`.

use std::ops::Range;

use allot_diag::{Diagnostic, did_you_mean};
use serde_json::Value;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::{Document, Path};

/// Checks `doc` against `schema` (a JSON Schema as produced by `schemars`), returning one
/// diagnostic per problem found.
pub fn check_schema(doc: &Document<'_>, schema: &Value) -> Vec<Diagnostic> {
    check_schema_at(doc, schema)
        .into_iter()
        .map(|(_, d)| d)
        .collect()
}

/// [`check_schema`], with the path of the value each problem is about (for an unknown field,
/// the field's own path).
pub fn check_schema_at(doc: &Document<'_>, schema: &Value) -> Vec<(Path, Diagnostic)> {
    let checker = Checker { root: schema };
    let mut problems = Vec::new();
    checker.check_table(
        &Path::root(),
        doc.root.get_ref(),
        doc.root.span(),
        schema,
        &mut problems,
    );
    problems
        .into_iter()
        .map(|p| {
            let d = Diagnostic {
                hints: p.hints,
                ..Diagnostic::error(doc.file(), Some(p.span), p.message)
            };
            (p.path, d)
        })
        .collect()
}

struct Problem {
    path: Path,
    span: Range<usize>,
    message: String,
    hints: Vec<String>,
}

fn at(path: &Path, message: impl std::fmt::Display) -> String {
    if path.is_root() {
        message.to_string()
    } else {
        format!("{path}: {message}")
    }
}

struct Checker<'s> {
    root: &'s Value,
}

/// The kind of a TOML value, as the schema sees it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    String,
    Integer,
    Float,
    Boolean,
    Datetime,
    Array,
    Table,
}

fn kind(value: &DeValue<'_>) -> Kind {
    match value {
        DeValue::String(_) => Kind::String,
        DeValue::Integer(_) => Kind::Integer,
        DeValue::Float(_) => Kind::Float,
        DeValue::Boolean(_) => Kind::Boolean,
        DeValue::Datetime(_) => Kind::Datetime,
        DeValue::Array(_) => Kind::Array,
        DeValue::Table(_) => Kind::Table,
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::String => "a string",
        Kind::Integer => "an integer",
        Kind::Float => "a float",
        Kind::Boolean => "a boolean",
        Kind::Datetime => "a TOML date",
        Kind::Array => "an array",
        Kind::Table => "a table",
    }
}

fn type_name(ty: &str) -> &'static str {
    match ty {
        "string" => "a string",
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "true or false",
        "array" => "an array",
        "object" => "a table",
        _ => "a value",
    }
}

/// Whether a JSON Schema `type` accepts a TOML value of `kind`.
fn accepts(ty: &str, kind: Kind) -> bool {
    matches!(
        (ty, kind),
        ("string", Kind::String)
            | ("integer", Kind::Integer)
            | ("number", Kind::Integer | Kind::Float)
            | ("boolean", Kind::Boolean)
            | ("array", Kind::Array)
            | ("object", Kind::Table)
    )
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

impl<'s> Checker<'s> {
    fn resolve(&self, mut schema: &'s Value) -> &'s Value {
        for _ in 0..32 {
            let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
                break;
            };
            let target = reference
                .strip_prefix("#/$defs/")
                .and_then(|name| self.root.get("$defs")?.get(name))
                .or_else(|| {
                    let name = reference.strip_prefix("#/definitions/")?;
                    self.root.get("definitions")?.get(name)
                });
            match target {
                Some(t) => schema = t,
                None if reference == "#" => schema = self.root,
                None => break,
            }
        }
        schema
    }

    /// The `type`s a schema allows, without `null` (TOML has no null).
    fn types(&self, schema: &'s Value) -> Vec<&'s str> {
        let schema = self.resolve(schema);
        let mut out: Vec<&str> = match schema.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if out.is_empty() {
            if schema.get("properties").is_some() || schema.get("additionalProperties").is_some() {
                out.push("object");
            } else if let Some(values) = self.enum_values(schema) {
                if values.iter().all(Value::is_string) {
                    out.push("string");
                }
            } else if let Some(branches) = self.branches(schema) {
                for b in branches {
                    for t in self.types(b) {
                        if !out.contains(&t) {
                            out.push(t);
                        }
                    }
                }
            }
        }
        out.retain(|t| *t != "null");
        out
    }

    fn branches(&self, schema: &'s Value) -> Option<Vec<&'s Value>> {
        let list = schema
            .get("anyOf")
            .or_else(|| schema.get("oneOf"))?
            .as_array()?;
        Some(
            list.iter()
                .filter(|b| self.resolve(b).get("type").and_then(Value::as_str) != Some("null"))
                .collect(),
        )
    }

    /// The allowed values when a schema is an enumeration (`enum`, `const`, or a `oneOf` of them).
    fn enum_values(&self, schema: &'s Value) -> Option<Vec<Value>> {
        let schema = self.resolve(schema);
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return Some(values.iter().filter(|v| !v.is_null()).cloned().collect());
        }
        if let Some(value) = schema.get("const") {
            return Some(vec![value.clone()]);
        }
        let branches = self.branches(schema)?;
        let mut out = Vec::new();
        for b in branches {
            out.extend(self.enum_values(b)?);
        }
        Some(out)
    }

    fn check_value(
        &self,
        path: &Path,
        value: &Spanned<DeValue<'_>>,
        schema: &'s Value,
        out: &mut Vec<Problem>,
    ) {
        let schema = self.resolve(schema);
        if schema.as_bool() == Some(true) {
            return;
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for s in all {
                self.check_value(path, value, s, out);
            }
        }
        if let Some(allowed) = self.enum_values(schema) {
            self.check_enum(path, value, &allowed, out);
            return;
        }
        if let Some(branches) = self.branches(schema) {
            self.check_choice(path, value, &branches, out);
            return;
        }
        let types = self.types(schema);
        let k = kind(value.get_ref());
        if !types.is_empty() && !types.iter().any(|t| accepts(t, k)) {
            out.push(self.type_mismatch(path, value, schema, &types));
            return;
        }
        let span = value.span();
        match value.get_ref() {
            DeValue::Table(table) => self.check_table(path, table, span, schema, out),
            DeValue::Array(items) => {
                if let Some(min) = schema.get("minItems").and_then(Value::as_u64)
                    && (items.len() as u64) < min
                {
                    let what = if min == 1 {
                        "must not be empty".to_string()
                    } else {
                        format!("needs at least {min} items")
                    };
                    out.push(Problem {
                        path: path.clone(),
                        span: span.clone(),
                        message: at(path, what),
                        hints: vec![],
                    });
                }
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.check_value(&path.index(i), item, item_schema, out);
                    }
                }
            }
            DeValue::String(s) => self.check_string(path, s, span, schema, out),
            DeValue::Integer(i) => {
                let n = i128::from_str_radix(i.as_str(), i.radix())
                    .ok()
                    .map(|n| n as f64);
                self.check_number(path, n, &i.to_string(), span, schema, out);
            }
            DeValue::Float(f) => {
                if types.contains(&"integer") && !types.contains(&"number") {
                    out.push(Problem {
                        path: path.clone(),
                        span,
                        message: at(
                            path,
                            format!("expected a whole number, found {}", f.as_str()),
                        ),
                        hints: vec![],
                    });
                    return;
                }
                self.check_number(
                    path,
                    f.as_str().parse::<f64>().ok(),
                    f.as_str(),
                    span,
                    schema,
                    out,
                );
            }
            DeValue::Boolean(_) | DeValue::Datetime(_) => {}
        }
    }

    fn type_mismatch(
        &self,
        path: &Path,
        value: &Spanned<DeValue<'_>>,
        schema: &'s Value,
        types: &[&str],
    ) -> Problem {
        let k = kind(value.get_ref());
        let mut expected: Vec<String> = types.iter().map(|t| type_name(t).to_string()).collect();
        expected.dedup();
        let mut hints = Vec::new();
        let format = schema.get("format").and_then(Value::as_str);
        if k == Kind::Datetime {
            hints.push(format!(
                "write dates as quoted strings, e.g. \"{}\"",
                example_for(format)
            ));
        } else if k == Kind::String && types.iter().any(|t| *t == "number" || *t == "integer") {
            if let DeValue::String(s) = value.get_ref() {
                hints.push(format!(
                    "write numbers without quotes, in the unit the field name gives (e.g. {})",
                    s.split_whitespace()
                        .next()
                        .filter(|n| n.parse::<f64>().is_ok())
                        .unwrap_or("38e9")
                ));
            }
        } else if k == Kind::Table && types.contains(&"array") {
            hints.push("use [[name]] (double brackets) for a list of tables".to_string());
        } else if k == Kind::Array && types.contains(&"object") {
            hints.push("use [name] (single brackets) for a single table".to_string());
        }
        Problem {
            path: path.clone(),
            span: value.span(),
            message: at(
                path,
                format!("expected {}, found {}", join_or(&expected), kind_name(k)),
            ),
            hints,
        }
    }

    fn check_enum(
        &self,
        path: &Path,
        value: &Spanned<DeValue<'_>>,
        allowed: &[Value],
        out: &mut Vec<Problem>,
    ) {
        let names: Vec<&str> = allowed.iter().filter_map(Value::as_str).collect();
        let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
        match value.get_ref() {
            DeValue::String(s) if names.contains(&s.as_ref()) => {}
            DeValue::String(s) => out.push(Problem {
                path: path.clone(),
                span: value.span(),
                message: at(
                    path,
                    format!("unknown value '{s}', expected {}", join_or(&quoted)),
                ),
                hints: did_you_mean(s, names.iter().copied()).into_iter().collect(),
            }),
            other => out.push(Problem {
                path: path.clone(),
                span: value.span(),
                message: at(
                    path,
                    format!(
                        "expected {}, found {}",
                        join_or(&quoted),
                        kind_name(kind(other))
                    ),
                ),
                hints: vec![],
            }),
        }
    }

    /// An untagged choice: the value must match one branch; report the closest branch's problems.
    fn check_choice(
        &self,
        path: &Path,
        value: &Spanned<DeValue<'_>>,
        branches: &[&'s Value],
        out: &mut Vec<Problem>,
    ) {
        let k = kind(value.get_ref());
        let fitting: Vec<&Value> = branches
            .iter()
            .copied()
            .filter(|b| self.types(b).iter().any(|t| accepts(t, k)))
            .collect();
        if fitting.is_empty() {
            let mut expected: Vec<String> = Vec::new();
            for b in branches {
                for t in self.types(b) {
                    let name = type_name(t).to_string();
                    if !expected.contains(&name) {
                        expected.push(name);
                    }
                }
            }
            out.push(Problem {
                path: path.clone(),
                span: value.span(),
                message: at(
                    path,
                    format!("expected {}, found {}", join_or(&expected), kind_name(k)),
                ),
                hints: vec![],
            });
            return;
        }
        let mut failures = Vec::new();
        for branch in &fitting {
            let mut trial = Vec::new();
            self.check_value(path, value, branch, &mut trial);
            if trial.is_empty() {
                return;
            }
            failures.push(trial);
        }
        if failures.len() == 1 {
            out.extend(failures.pop().unwrap_or_default());
            return;
        }
        // Several forms of the same kind, none matching: describe them all.
        let forms: Vec<String> = branches.iter().map(|b| self.describe(b)).collect();
        out.push(Problem {
            path: path.clone(),
            span: value.span(),
            message: at(
                path,
                format!(
                    "matches none of the accepted forms: {}",
                    forms.join("; or ")
                ),
            ),
            hints: vec![],
        });
    }

    /// A short description of what a schema accepts, e.g. `a table { initial, growth_per_year, from? }`.
    fn describe(&self, schema: &'s Value) -> String {
        let schema = self.resolve(schema);
        let types = self.types(schema);
        if types.contains(&"object")
            && let Some(props) = schema.get("properties").and_then(Value::as_object)
        {
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let fields: Vec<String> = props
                .keys()
                .map(|k| {
                    if required.contains(&k.as_str()) {
                        k.clone()
                    } else {
                        format!("{k}?")
                    }
                })
                .collect();
            return format!("a table {{ {} }}", fields.join(", "));
        }
        let names: Vec<String> = types.iter().map(|t| type_name(t).to_string()).collect();
        join_or(&names)
    }

    fn check_table(
        &self,
        path: &Path,
        table: &DeTable<'_>,
        span: Range<usize>,
        schema: &'s Value,
        out: &mut Vec<Problem>,
    ) {
        let schema = self.resolve(schema);
        let empty = serde_json::Map::new();
        let properties = schema
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let additional = schema.get("additionalProperties");
        for (key, value) in table.iter() {
            let name = key.get_ref().as_ref();
            if let Some(prop) = properties.get(name) {
                self.check_value(&path.key(name), value, prop, out);
                continue;
            }
            match additional {
                Some(Value::Bool(false)) => {
                    let known: Vec<&str> = properties.keys().map(String::as_str).collect();
                    let hint = did_you_mean(name, known.iter().copied()).or_else(|| {
                        (known.len() <= 16)
                            .then(|| format!("expected one of: {}", known.join(", ")))
                    });
                    out.push(Problem {
                        path: path.key(name),
                        span: key.span(),
                        message: at(path, format!("unknown field '{name}'")),
                        hints: hint.into_iter().collect(),
                    });
                }
                Some(extra) if extra.is_object() => {
                    self.check_value(&path.key(name), value, extra, out)
                }
                _ => {}
            }
        }
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for field in required.iter().filter_map(Value::as_str) {
                if table.get(field).is_none() {
                    out.push(Problem {
                        path: path.clone(),
                        span: span.clone(),
                        message: at(path, format!("missing field '{field}'")),
                        hints: vec![],
                    });
                }
            }
        }
    }

    fn check_string(
        &self,
        path: &Path,
        s: &str,
        span: Range<usize>,
        schema: &'s Value,
        out: &mut Vec<Problem>,
    ) {
        if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
            && (s.trim().chars().count() as u64) < min
        {
            out.push(Problem {
                path: path.clone(),
                span: span.clone(),
                message: at(path, "must not be empty"),
                hints: vec![],
            });
            return;
        }
        let format = schema.get("format").and_then(Value::as_str);
        // Every string reaches some output: a name follows the name rule, free text holds no
        // control character but newlines and tabs (allot_diag::name).
        let rule = match format {
            Some("name") => allot_diag::check_name(s),
            _ => allot_diag::check_text(s),
        };
        if let Err(e) = rule {
            out.push(Problem {
                path: path.clone(),
                span,
                message: at(path, e.to_string()),
                hints: vec![e.hint().to_string()],
            });
            return;
        }
        let Some(format) = format else {
            return;
        };
        let problem = match format {
            "year-month" => (!is_year_month(s)).then(|| format!("'{s}' is not a month, expected YYYY-MM")),
            "date" => (!is_date(s)).then(|| format!("'{s}' is not a date, expected YYYY, YYYY-MM or YYYY-MM-DD")),
            "id" => (!is_id(s)).then(|| {
                format!("'{s}' is not a valid id: use lowercase letters, digits, '.', '_' and '-', starting with a letter or digit")
            }),
            "url" => (!(s.starts_with("https://") || s.starts_with("http://")) || s.contains(char::is_whitespace))
                .then(|| format!("'{s}' is not a URL: expected http:// or https://")),
            _ => None,
        };
        if let Some(message) = problem {
            let hints = match format {
                "year-month" => vec![format!("write months as \"{}\"", example_for(Some(format)))],
                _ => vec![],
            };
            out.push(Problem {
                path: path.clone(),
                span,
                message: at(path, message),
                hints,
            });
        }
    }

    fn check_number(
        &self,
        path: &Path,
        n: Option<f64>,
        written: &str,
        span: Range<usize>,
        schema: &'s Value,
        out: &mut Vec<Problem>,
    ) {
        let Some(n) = n.filter(|n| n.is_finite()) else {
            out.push(Problem {
                path: path.clone(),
                span,
                message: at(path, format!("must be a finite number, found {written}")),
                hints: vec![],
            });
            return;
        };
        if n.abs() > LARGEST_NUMBER {
            out.push(Problem {
                path: path.clone(),
                span,
                message: at(
                    path,
                    format!("must be at most 1e18 in size, found {written}"),
                ),
                hints: vec![
                    "numbers past 1e18 are beyond what the planner's solver can take (it \
                     refuses coefficients past 1e15 in its own units); check the unit and the \
                     exponent"
                        .to_string(),
                ],
            });
            return;
        }
        let bound = |key: &str| schema.get(key).and_then(Value::as_f64);
        let mut fail = |what: String| {
            out.push(Problem {
                path: path.clone(),
                span: span.clone(),
                message: at(path, format!("{what}, found {written}")),
                hints: vec![],
            });
        };
        if let Some(min) = bound("minimum")
            && n < min
        {
            return fail(format!("must be at least {}", fmt_bound(min)));
        }
        if let Some(min) = bound("exclusiveMinimum")
            && n <= min
        {
            return fail(format!("must be greater than {}", fmt_bound(min)));
        }
        if let Some(max) = bound("maximum")
            && n > max
        {
            // A bound set by what the planner can represent says so (`x-hint` in the schema).
            let hints = schema
                .get("x-hint")
                .and_then(Value::as_str)
                .map(str::to_string);
            out.push(Problem {
                path: path.clone(),
                span,
                message: at(
                    path,
                    format!("must be at most {}, found {written}", fmt_bound(max)),
                ),
                hints: hints.into_iter().collect(),
            });
            return;
        }
        // The integer type's own range: past it, the reader failed with no field.
        let (lo, hi) = match schema.get("format").and_then(Value::as_str) {
            Some("uint8") => (0.0, f64::from(u8::MAX)),
            Some("uint16") => (0.0, f64::from(u16::MAX)),
            Some("uint32") => (0.0, f64::from(u32::MAX)),
            Some("int32") => (f64::from(i32::MIN), f64::from(i32::MAX)),
            _ => (f64::NEG_INFINITY, f64::INFINITY),
        };
        if n > hi || n < lo {
            return fail(format!(
                "must be from {} to {}",
                fmt_bound(lo),
                fmt_bound(hi)
            ));
        }
        if let Some(max) = bound("exclusiveMaximum")
            && n >= max
        {
            fail(format!("must be less than {}", fmt_bound(max)));
        }
    }
}

/// The largest number, in size, that any field may hold: larger ones would reach the solver as
/// coefficients or bounds it refuses or takes for infinity (issue 22, item 10).
pub const LARGEST_NUMBER: f64 = 1e18;

fn fmt_bound(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

fn example_for(format: Option<&str>) -> &'static str {
    match format {
        Some("year-month") => "2027-03",
        _ => "2027-03-31",
    }
}

fn is_year_month(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 7 && b[4] == b'-' && parse_year(&s[..4]) && parse_month(&s[5..])
}

fn parse_year(s: &str) -> bool {
    s.len() == 4
        && s.bytes().all(|c| c.is_ascii_digit())
        && s.parse::<u32>().is_ok_and(|y| (1900..=2200).contains(&y))
}

fn parse_month(s: &str) -> bool {
    s.len() == 2
        && s.bytes().all(|c| c.is_ascii_digit())
        && s.parse::<u32>().is_ok_and(|m| (1..=12).contains(&m))
}

fn is_date(s: &str) -> bool {
    match s.len() {
        4 => parse_year(s),
        7 => is_year_month(s),
        10 => {
            is_year_month(&s[..7]) && s.as_bytes()[7] == b'-' && {
                let days = match s[5..7].parse::<u32>().unwrap_or(0) {
                    2 => {
                        let y = s[..4].parse::<u32>().unwrap_or(1);
                        if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
                            29
                        } else {
                            28
                        }
                    }
                    4 | 6 | 9 | 11 => 30,
                    _ => 31,
                };
                s[8..].bytes().all(|c| c.is_ascii_digit())
                    && s[8..].parse::<u32>().is_ok_and(|d| (1..=days).contains(&d))
            }
        }
        _ => false,
    }
}

/// Whether `s` is a valid lowercase id: `[a-z0-9][a-z0-9._-]*`.
pub(crate) fn is_id(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_formats() {
        assert!(is_year_month("2026-01"));
        assert!(!is_year_month("2026-13"));
        assert!(!is_year_month("2026-1"));
        assert!(!is_year_month("26-01-01"));
        assert!(is_date("2026"));
        assert!(is_date("2024-02-29"));
        assert!(!is_date("2025-02-29"));
        assert!(!is_date("2026-04-31"));
        assert!(is_id("tpu-v5e"));
        assert!(!is_id("TPU"));
        assert!(!is_id("-x"));
    }
}
