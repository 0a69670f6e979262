//! Escaping text for the two places a report puts it: HTML text and attributes, and JSON inside
//! a `<script>` element.

/// `text` safe as HTML text or a quoted attribute value: `&`, `<`, `>`, `"` and `'` become
/// character references.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON text `json` safe inside `<script type="application/json">…</script>`: every `<`, `>`
/// and `&` becomes its `\uXXXX` escape (so neither `</script>` nor `<!--` can appear), and so
/// do U+2028 and U+2029 (line terminators in older JavaScript). The escapes occur only inside
/// JSON strings, where they mean the same characters, so `JSON.parse` reads the same value.
pub fn script_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(
            html(r#"<b onclick='x()'>"A&B"</b>"#),
            "&lt;b onclick=&#39;x()&#39;&gt;&quot;A&amp;B&quot;&lt;/b&gt;"
        );
    }

    #[test]
    fn script_json_cannot_close_the_element_and_reads_back_the_same() {
        let hostile = "</script><script>alert(1)</script><!-- \u{2028}\u{2029} </SCRIPT> & ]]>";
        let json = serde_json::to_string(&serde_json::json!({ "name": hostile })).unwrap();
        let escaped = script_json(&json);
        let lower = escaped.to_lowercase();
        assert!(!lower.contains("</script"), "{escaped}");
        assert!(!escaped.contains("<!--"), "{escaped}");
        assert!(!escaped.contains('<') && !escaped.contains('>'));
        assert!(!escaped.contains('\u{2028}') && !escaped.contains('\u{2029}'));
        let back: serde_json::Value = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back["name"], hostile);
    }
}
