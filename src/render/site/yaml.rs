//! The detection (or correlation) block of a rule as written, with simple YAML highlighting: keys,
//! quoted strings, literals, block-scalar text and comments get a class each. Every character of the
//! source is escaped; the highlighter only chooses where `<span>`s start and end.

use super::html::escape_into;
use crate::catalog::Document;

/// The source text of the `key:` entry of the document (from the key's line to the end of its
/// value), highlighted; `None` when the document has no such key.
pub fn block_of(doc: &Document, key: &str) -> Option<String> {
    let entry = doc.root.entry(key)?;
    let text = &doc.file.text;
    let start = text[..entry.key.span.start.byte].rfind('\n').map_or(0, |i| i + 1);
    let end = entry.value.span.end.byte.max(entry.key.span.end.byte).min(text.len());
    Some(highlight(text.get(start..end)?.trim_end()))
}

/// Highlighted HTML of YAML text, line by line.
pub fn highlight(yaml: &str) -> String {
    let mut out = String::with_capacity(yaml.len() * 2);
    // Inside a block scalar (`|`, `>`): lines indented deeper than its key are plain text.
    let mut block_indent: Option<usize> = None;
    for (n, line) in yaml.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let indent = line.len() - line.trim_start().len();
        if let Some(b) = block_indent {
            if line.trim().is_empty() || indent > b {
                span(&mut out, "yb", line);
                continue;
            }
            block_indent = None;
        }
        if line_is_block_start(line, &mut out) {
            block_indent = Some(indent);
        }
    }
    out
}

/// Writes one line; true when its value opens a block scalar.
fn line_is_block_start(line: &str, out: &mut String) -> bool {
    let (code, comment) = split_comment(line);
    let body_start = code.len() - code.trim_start_matches([' ', '-']).len();
    // A `- ` list marker is part of the prefix only when followed by a space.
    let (prefix, rest) = code.split_at(body_start);
    escape_into(out, prefix);
    let (key, value) = match key_split(rest) {
        Some(k) => k,
        None => ("", rest),
    };
    if !key.is_empty() {
        span(out, "yk", key);
        out.push(':');
    }
    let trimmed = value.trim_start();
    escape_into(out, &value[..value.len() - trimmed.len()]);
    let block = trimmed.starts_with('|') || trimmed.starts_with('>');
    let class = if block {
        "yp"
    } else if trimmed.starts_with('"') || trimmed.starts_with('\'') {
        "ys"
    } else if is_literal(trimmed.trim_end()) {
        "yn"
    } else {
        ""
    };
    span(out, class, trimmed);
    span(out, "yc", comment);
    block
}

fn span(out: &mut String, class: &str, text: &str) {
    if text.is_empty() {
        return;
    }
    if class.is_empty() {
        escape_into(out, text);
    } else {
        out.push_str("<span class=\"");
        out.push_str(class);
        out.push_str("\">");
        escape_into(out, text);
        out.push_str("</span>");
    }
}

/// `true`, `false`, `null`, `~` and numbers.
fn is_literal(v: &str) -> bool {
    matches!(v, "true" | "false" | "null" | "~" | "True" | "False" | "Null")
        || (!v.is_empty() && v.parse::<f64>().is_ok())
}

/// The code and the comment of a line: a `#` at the start or after a blank, outside quotes.
fn split_comment(line: &str) -> (&str, &str) {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && (prev == ' ' || prev == '\t') => return (&line[..i], &line[i..]),
            None => {}
        }
        prev = c;
    }
    (line, "")
}

/// The key and the value after its `:` when the text is a `key: value` pair.
fn key_split(text: &str) -> Option<(&str, &str)> {
    if text.starts_with(['"', '\'', '{', '[']) {
        return None;
    }
    let bytes = text.as_bytes();
    let at = (0..bytes.len()).find(|&i| bytes[i] == b':' && (i + 1 == bytes.len() || bytes[i + 1] == b' '))?;
    Some((&text[..at], &text[at + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_values_and_comments_get_classes() {
        let out = highlight("detection:\n    sel:\n        a|contains: 'x' # why\n        n: 5\n    condition: sel");
        assert!(out.contains("<span class=\"yk\">detection</span>:"), "{out}");
        assert!(
            out.contains("<span class=\"ys\">&#39;x&#39; </span><span class=\"yc\"># why</span>"),
            "{out}"
        );
        assert!(out.contains("<span class=\"yn\">5</span>"), "{out}");
    }

    #[test]
    fn block_scalars_and_markup_stay_text() {
        let out = highlight("a: |\n  b: <script>\nc: d");
        assert!(out.contains("<span class=\"yb\">  b: &lt;script&gt;</span>"), "{out}");
        assert!(out.contains("<span class=\"yk\">c</span>"), "{out}");
    }

    #[test]
    fn list_items_keep_their_dashes() {
        let out = highlight("  - x: \"#not a comment\"");
        assert!(out.starts_with("  - <span class=\"yk\">x</span>:"), "{out}");
        assert!(!out.contains("yc"), "{out}");
    }
}
