//! Finding where a value or key sits in a YAML text, for messages: the YAML reader gives values
//! without positions, so a problem is placed at the first occurrence of its key or value inside
//! the document it belongs to.

use std::ops::Range;

use allot_diag::normalize_name;

/// `did you mean 'X'?` for the plausible candidate sharing the longest prefix with `input`
/// (then the fewest edits): `H10` is more likely `H100` than `A10`.
pub fn did_you_mean<'a, I>(input: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let folded = normalize_name(input);
    let mut best: Option<(usize, usize, &str)> = None;
    for c in candidates {
        if allot_diag::suggest(input, [c]).is_none() {
            continue;
        }
        let n = normalize_name(c);
        let prefix = folded
            .chars()
            .zip(n.chars())
            .take_while(|(a, b)| a == b)
            .count();
        let distance = strsim::damerau_levenshtein(&folded, &n);
        if best.is_none_or(|(p, d, _)| prefix > p || (prefix == p && distance < d)) {
            best = Some((prefix, distance, c));
        }
    }
    best.map(|(_, _, c)| format!("did you mean '{c}'?"))
}

/// Byte ranges of the documents of a multi-document YAML text (split at `---` lines).
pub fn documents(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed.starts_with("--- ") {
            if offset > start || !out.is_empty() {
                out.push(start..offset);
            }
            start = offset + line.len();
        }
        offset += line.len();
    }
    out.push(start..text.len());
    out
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.'
}

/// The first occurrence of `needle` in `text[within]` standing as a whole token (not part of a
/// longer name), outside comments.
pub fn find_token(text: &str, within: &Range<usize>, needle: &str) -> Option<Range<usize>> {
    if needle.is_empty() {
        return None;
    }
    let hay = &text[within.clone()];
    let bytes = hay.as_bytes();
    let mut from = 0;
    while let Some(i) = hay[from..].find(needle) {
        let at = from + i;
        let end = at + needle.len();
        let before_ok = at == 0 || !is_word(bytes[at - 1]);
        let after_ok = end >= bytes.len() || !is_word(bytes[end]) || needle.ends_with(':');
        let line_start = hay[..at].rfind('\n').map_or(0, |p| p + 1);
        let in_comment = hay[line_start..at].contains('#');
        if before_ok && after_ok && !in_comment {
            return Some(within.start + at..within.start + end);
        }
        from = at + needle.len().max(1);
    }
    None
}

/// The span of `key:` in the document, then of `value` after it (or anywhere in the document).
pub fn find_value(
    text: &str,
    within: &Range<usize>,
    key: &str,
    value: &str,
) -> Option<Range<usize>> {
    let key_span = find_token(text, within, &format!("{key}:"));
    let after = key_span
        .as_ref()
        .map_or(within.clone(), |k| k.start..within.end);
    find_token(text, &after, value)
        .or_else(|| find_token(text, within, value))
        .or(key_span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_documents_and_finds_whole_tokens() {
        let text = "name: dag\n---\nresources:\n  accelerators: H1000:8 # H10\n---\nx: H10:2\n";
        let docs = documents(text);
        assert_eq!(docs.len(), 3);
        assert_eq!(&text[docs[0].clone()], "name: dag\n");
        assert_eq!(find_token(text, &docs[1], "H10"), None);
        let found = find_token(text, &docs[2], "H10").unwrap();
        assert_eq!(&text[found], "H10");
        let v = find_value(text, &docs[1], "accelerators", "H1000").unwrap();
        assert_eq!(&text[v], "H1000");
    }
}
