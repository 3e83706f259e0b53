//! Text as it reaches the site's HTML: escaped for element text and quoted attributes alike, and
//! URLs kept only when they are plain web links.

/// Text for HTML element content or a double- or single-quoted attribute value.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    escape_into(&mut out, text);
    out
}

/// [`escape`], appended to `out`; text between the characters it replaces is copied in runs.
pub fn escape_into(out: &mut String, text: &str) {
    let mut run = 0;
    for (i, c) in text.char_indices() {
        let replacement = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&#39;",
            // Controls other than tab and line feed are not allowed in HTML text: show a space.
            c if c.is_control() && c != '\n' && c != '\t' => " ",
            _ => continue,
        };
        out.push_str(&text[run..i]);
        out.push_str(replacement);
        run = i + c.len_utf8();
    }
    out.push_str(&text[run..]);
}

/// The URL when it is an absolute http or https link, else `None`: `javascript:`, `data:`,
/// relative and protocol-relative links never become links on the site.
pub fn web_url(url: &str) -> Option<&str> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let web = lower.starts_with("http://") || lower.starts_with("https://");
    // A URL with whitespace or controls is not one link (browsers strip some of them silently).
    (web && !url.chars().any(|c| c.is_whitespace() || c.is_control())).then_some(url)
}

/// JSON for a JavaScript file or a `<script>` element: `<`, `>` and `&` escaped so that no `</script>`
/// or `<!--` can appear, and the two line separators JavaScript once refused in strings.
pub fn script_json(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_cannot_open_markup() {
        assert_eq!(
            escape("<script>\"a\" & 'b'"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;"
        );
        assert_eq!(escape("nul\0"), "nul ");
    }

    proptest::proptest! {
        /// Copying runs changes nothing: every character is what a character-by-character escape
        /// makes of it (C1 controls and multi-byte characters included).
        #[test]
        fn runs_escape_as_single_characters_do(text in "(?s).{0,40}|[a<>&\"'\u{0}-\u{1f}\u{7f}-\u{a0}é€😀]{0,40}") {
            let one_by_one: String = text
                .chars()
                .map(|c| match c {
                    '&' => "&amp;".to_string(),
                    '<' => "&lt;".to_string(),
                    '>' => "&gt;".to_string(),
                    '"' => "&quot;".to_string(),
                    '\'' => "&#39;".to_string(),
                    c if c.is_control() && c != '\n' && c != '\t' => " ".to_string(),
                    c => c.to_string(),
                })
                .collect();
            proptest::prop_assert_eq!(escape(&text), one_by_one);
        }
    }

    #[test]
    fn only_web_links_are_links() {
        assert_eq!(web_url("https://example.com/a?b=c"), Some("https://example.com/a?b=c"));
        assert_eq!(web_url("HTTP://example.com"), Some("HTTP://example.com"));
        for bad in [
            "javascript:alert(1)",
            " javascript:x",
            "data:text/html,x",
            "//evil",
            "/rel",
            "http://a b",
            "http:\n//x",
        ] {
            assert_eq!(web_url(bad), None, "{bad}");
        }
    }

    #[test]
    fn script_json_cannot_end_the_script() {
        let s = script_json(r#"{"t":"</script><!--&"}"#);
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'), "{s}");
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["t"], "</script><!--&");
    }
}

/// A URL query or fragment component: everything but unreserved characters percent-encoded.
pub fn url_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod url_tests {
    #[test]
    fn components_are_percent_encoded() {
        assert_eq!(super::url_component("a b&c#d/é"), "a%20b%26c%23d%2F%C3%A9");
    }
}
