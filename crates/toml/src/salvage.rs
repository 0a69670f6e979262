//! Salvaging a document with structural problems: dropping the top-level entries that have
//! them, so that the rest can still be deserialised and checked for meaning. This is how a file
//! with a wrong type in one training run still gets its other runs' unknown chips reported.

use std::collections::HashMap;

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

use crate::{Document, Path};

/// What is left of a document after dropping the entries with problems.
#[derive(Debug)]
pub struct Salvaged<T> {
    /// The remaining document, deserialised.
    pub value: T,
    /// For each top-level array that lost elements, the original index of each kept element.
    pub kept: HashMap<String, Vec<usize>>,
    /// Dropped array elements: (array, original index, the element's `name` if it has one).
    pub dropped: Vec<(String, usize, Option<String>)>,
}

impl<T> Salvaged<T> {
    /// Rewrites a path into the salvaged document (`training[1].chips`) into the same path in
    /// the original document (`training[2].chips`).
    pub fn original_path(&self, path: &str) -> String {
        let Some((key, index, rest)) = split_first(path) else {
            return path.to_string();
        };
        match (index, self.kept.get(key)) {
            (Some(i), Some(kept)) => match kept.get(i) {
                Some(orig) => format!("{key}[{orig}]{rest}"),
                None => path.to_string(),
            },
            _ => path.to_string(),
        }
    }
}

/// Splits `key[i]rest` or `key.rest` into the first key, its index and the rest.
fn split_first(path: &str) -> Option<(&str, Option<usize>, &str)> {
    if path.starts_with('"') {
        return None;
    }
    let end = path.find(['.', '[']).unwrap_or(path.len());
    let (key, rest) = path.split_at(end);
    if let Some(after) = rest.strip_prefix('[') {
        let close = after.find(']')?;
        let index = after[..close].parse().ok()?;
        return Some((key, Some(index), &after[close + 1..]));
    }
    Some((key, None, rest))
}

/// Deserialises `text` without the top-level entries that `error_paths` fall in: an array
/// element (`training[2]`) is dropped alone, any other top-level key whole. Returns `None` when
/// that is not possible (a syntax error, a problem at the root, or what is left does not
/// deserialise).
pub fn salvage<T: DeserializeOwned>(
    file: &str,
    text: &str,
    error_paths: &[Path],
) -> Option<Salvaged<T>> {
    let (doc, syntax) = Document::parse(file, text);
    if !syntax.is_empty() {
        return None;
    }
    let mut drop_keys: Vec<&str> = Vec::new();
    let mut drop_items: HashMap<&str, Vec<usize>> = HashMap::new();
    for path in error_paths {
        let (key, index, _) = split_first(path.as_str())?;
        if key.is_empty() {
            return None;
        }
        match index {
            Some(i) => drop_items.entry(key).or_default().push(i),
            None => drop_keys.push(key),
        }
    }
    let span = doc.root().span();
    let mut root = DeTable::new();
    let mut kept: HashMap<String, Vec<usize>> = HashMap::new();
    let mut dropped = Vec::new();
    for (key, value) in doc.root().get_ref().iter() {
        let name: &str = key.get_ref();
        if drop_keys.contains(&name) {
            continue;
        }
        let (Some(bad), DeValue::Array(items)) = (drop_items.get(name), value.get_ref()) else {
            root.insert(key.clone(), value.clone());
            continue;
        };
        let mut array = DeArray::new();
        let mut originals = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if bad.contains(&i) {
                let item_name = match item.get_ref() {
                    DeValue::Table(t) => t
                        .get("name")
                        .and_then(|n| n.get_ref().as_str())
                        .map(str::to_string),
                    _ => None,
                };
                dropped.push((name.to_string(), i, item_name));
            } else {
                array.push(item.clone());
                originals.push(i);
            }
        }
        kept.insert(name.to_string(), originals);
        root.insert(
            key.clone(),
            Spanned::new(value.span(), DeValue::Array(array)),
        );
    }
    let value = T::deserialize(toml::de::Deserializer::from(Spanned::new(span, root))).ok()?;
    Some(Salvaged {
        value,
        kept,
        dropped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_paths() {
        assert_eq!(
            split_first("training[2].chips[0]"),
            Some(("training", Some(2), ".chips[0]"))
        );
        assert_eq!(
            split_first("policy.power"),
            Some(("policy", None, ".power"))
        );
        assert_eq!(split_first("version"), Some(("version", None, "")));
    }

    #[test]
    fn drops_bad_elements_and_maps_paths_back() {
        #[derive(serde::Deserialize, Debug)]
        struct Doc {
            run: Vec<Run>,
        }
        #[derive(serde::Deserialize, Debug)]
        struct Run {
            #[allow(dead_code)]
            name: String,
            #[allow(dead_code)]
            n: u32,
        }
        let text = "[[run]]\nname = \"a\"\nn = 1\n[[run]]\nname = \"b\"\nn = \"x\"\n[[run]]\nname = \"c\"\nn = 3\n";
        let s = salvage::<Doc>("f", text, &[Path::from("run[1].n")]).expect("salvaged");
        assert_eq!(s.value.run.len(), 2);
        assert_eq!(
            s.dropped,
            vec![("run".to_string(), 1, Some("b".to_string()))]
        );
        assert_eq!(s.original_path("run[1].n"), "run[2].n");
        assert_eq!(s.original_path("run[0]"), "run[0]");
        assert!(salvage::<Doc>("f", text, &[Path::root()]).is_none());
    }
}
