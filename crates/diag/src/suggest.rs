//! Did-you-mean suggestions for misspelt names.

/// Folds a name for lookups: lowercase, without spaces, dashes, underscores and dots... except
/// dots between digits ("llama3.1" keeps its dot, "p5.48xlarge" too).
pub fn normalize_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    let mut out = String::with_capacity(chars.len());
    for (i, &c) in chars.iter().enumerate() {
        match c {
            ' ' | '-' | '_' | '\t' => {}
            '.' => {
                let digit_before = i > 0 && chars[i - 1].is_ascii_alphanumeric();
                let digit_after = chars.get(i + 1).is_some_and(char::is_ascii_alphanumeric);
                if digit_before && digit_after {
                    out.push('.');
                }
            }
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The candidate closest to `input`, if it is close enough to be a plausible typo: at most one
/// edit per four characters (at least one edit), or a longer name that `input` begins.
/// Comparison is on [`normalize_name`]d forms; ties go to the earlier candidate.
pub fn suggest<'a, I>(input: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let folded = normalize_name(input);
    let len = folded.chars().count();
    if len == 0 {
        return None;
    }
    let allowed = (len / 4).clamp(1, 3);
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let c = normalize_name(candidate);
        let distance = strsim::damerau_levenshtein(&folded, &c);
        let score = if distance <= allowed {
            distance
        } else if len >= 4 && c.starts_with(&folded) {
            allowed + 1
        } else {
            continue;
        };
        if best.is_none_or(|(b, _)| score < b) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// `did you mean 'X'?` for the closest candidate, if any is close.
pub fn did_you_mean<'a, I>(input: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    suggest(input, candidates).map(|c| format!("did you mean '{c}'?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_and_separators() {
        assert_eq!(normalize_name("H100 SXM"), "h100sxm");
        assert_eq!(normalize_name("tpu-v5e"), "tpuv5e");
        assert_eq!(normalize_name("llama3.1-405b"), "llama3.1405b");
        assert_eq!(normalize_name("p5.48xlarge"), "p5.48xlarge");
        assert_eq!(normalize_name(" a. b "), "ab");
    }

    #[test]
    fn suggests_close_names_only() {
        let chips = [
            "h100",
            "h200",
            "b200",
            "gb200",
            "mi300x",
            "trainium2",
            "tpu-v5e",
        ];
        assert_eq!(suggest("H10", chips), Some("h100"));
        assert_eq!(suggest("trainum2", chips), Some("trainium2"));
        assert_eq!(suggest("MI300", chips), Some("mi300x"));
        assert_eq!(suggest("tpuv5e", chips), Some("tpu-v5e"));
        assert_eq!(suggest("zzzzzz", chips), None);
        assert_eq!(suggest("", chips), None);
        assert_eq!(
            suggest("deepseek", ["llama3.1-8b", "deepseek-v3"]),
            Some("deepseek-v3")
        );
        let ids = ["aws/p5/us-east-1/on-demand", "aws/p5/us-east-1/spot"];
        assert_eq!(suggest("aws/p5/us-east-1/negotiatd", ids), None);
        assert_eq!(
            suggest("aws/p5/us-east-1/ondemnd", ids),
            Some("aws/p5/us-east-1/on-demand")
        );
        assert_eq!(suggest("qaurter", ["month", "quarter"]), Some("quarter"));
        assert_eq!(
            did_you_mean("gb20", chips).as_deref(),
            Some("did you mean 'gb200'?")
        );
    }
}
