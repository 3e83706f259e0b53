//! E014: invisible characters in a rule's text: bidirectional controls, which reorder how a line
//! is displayed ("Trojan Source"), and zero-width characters, which make two different strings look
//! the same. Reported at the character itself, for every string of a document (keys and values) and
//! for the text around them (comments), with the YAML path of the string it sits in.

use crate::codes;
use std::sync::Arc;

use crate::catalog::SourceFile;
use crate::catalog::yaml::{Node, Style, Value};
use crate::diag::{Diagnostic, Span};
use crate::model::Parsed;

/// The Unicode name of a hidden character, or `None` for any other character.
pub fn hidden_name(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{200B}' => "ZERO WIDTH SPACE",
        '\u{200C}' => "ZERO WIDTH NON-JOINER",
        '\u{200D}' => "ZERO WIDTH JOINER",
        '\u{2060}' => "WORD JOINER",
        // The loader drops a byte-order mark at the start of a file; anywhere else it is text.
        '\u{FEFF}' => "ZERO WIDTH NO-BREAK SPACE (byte-order mark)",
        _ => return None,
    })
}

fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every hidden character shown as `<U+XXXX>`, safe to print in a message.
pub fn reveal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match hidden_name(c) {
            Some(_) => out.push_str(&format!("<U+{:04X}>", c as u32)),
            None => out.push(c),
        }
    }
    out
}

/// One string of a document: where it is written and how to name it in a message.
struct Str<'n> {
    node: &'n Node,
    /// `title`, `detection.sel.data.type`, `tags[1]`.
    path: String,
    key: bool,
}

/// Every scalar of `node`, keys included, with its YAML path.
fn strings<'n>(node: &'n Node, path: &str, out: &mut Vec<Str<'n>>) {
    match &node.value {
        Value::Scalar(_) => out.push(Str {
            node,
            path: path.to_string(),
            key: false,
        }),
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                strings(item, &format!("{path}[{i}]"), out);
            }
        }
        Value::Map(entries) => {
            for e in entries {
                let name = e.key.scalar_text().map_or_else(|| "?".to_string(), reveal);
                let child = if path.is_empty() {
                    name
                } else {
                    format!("{path}.{name}")
                };
                out.push(Str {
                    node: &e.key,
                    path: child.clone(),
                    key: true,
                });
                strings(&e.value, &child, out);
            }
        }
    }
}

/// Find hidden characters in every file of the catalog that holds a parsed document, file by file
/// in parallel (a file's documents are adjacent in the catalog).
pub fn check(parsed: &[Parsed<'_>]) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    let mut files: Vec<(&Arc<SourceFile>, Vec<&Parsed<'_>>)> = Vec::new();
    for p in parsed {
        match files.last_mut() {
            Some((file, docs)) if Arc::ptr_eq(file, &p.doc.file) => docs.push(p),
            _ => files.push((&p.doc.file, vec![p])),
        }
    }
    files
        .par_iter()
        .flat_map_iter(|(file, docs)| {
            let mut out = Vec::new();
            check_file(file, docs, &mut out);
            out
        })
        .collect()
}

fn check_file(file: &Arc<SourceFile>, docs: &[&Parsed<'_>], out: &mut Vec<Diagnostic>) {
    // Every hidden character is outside ASCII; most rule files are pure ASCII.
    if file.text.is_ascii() {
        return;
    }
    let raw: Vec<(usize, char)> = file
        .text
        .char_indices()
        .filter(|&(_, c)| hidden_name(c).is_some())
        .collect();
    let mut all = Vec::new();
    for p in docs {
        strings(&p.doc.root, "", &mut all);
    }
    // Scalars never overlap (an alias repeats a node with the same span), so the one holding a
    // position is the last that starts at or before it, if it ends after it.
    all.sort_by_key(|s| s.node.span.start.byte);
    // Characters written as such, wherever they are.
    for &(at, c) in &raw {
        let before = all.partition_point(|s| s.node.span.start.at() <= at);
        let inner = before
            .checked_sub(1)
            .map(|i| &all[i])
            .filter(|s| s.node.span.byte_range().contains(&at));
        let span = file.span_of_bytes(at..at + c.len_utf8());
        let place = match inner {
            Some(s) if s.key => format!("in the key `{}`", s.path),
            Some(s) => format!("in `{}`", s.path),
            None => "outside any string (in a comment?)".to_string(),
        };
        out.push(report(file, span, c, &place, false));
    }
    // Characters a double-quoted string spells as an escape: visible in the file, invisible in the
    // value (and so in every query and artifact). An alias repeats a node: report its text once.
    let mut seen = std::collections::HashSet::new();
    for s in &all {
        let Value::Scalar(scalar) = &s.node.value else { continue };
        if scalar.style != Style::DoubleQuoted
            || !scalar.text.chars().any(|c| hidden_name(c).is_some())
            || !seen.insert(s.node.span)
        {
            continue;
        }
        let start = s.node.span.start.at();
        let source = file.text.get(s.node.span.byte_range()).unwrap_or("");
        for (offset, len, c) in escapes(source) {
            if hidden_name(c).is_some() {
                let span = file.span_of_bytes(start + offset..start + offset + len);
                let place = if s.key {
                    format!("in the key `{}`", s.path)
                } else {
                    format!("in `{}`", s.path)
                };
                out.push(report(file, span, c, &place, true));
            }
        }
    }
}

fn report(file: &SourceFile, span: Span, c: char, place: &str, escaped: bool) -> Diagnostic {
    let name = hidden_name(c).unwrap_or("");
    let code = format!("U+{:04X}", c as u32);
    let (label, help) = if escaped {
        (
            format!("written as an escape: the value holds an invisible {code}"),
            "remove the escape unless the events really contain this character".to_string(),
        )
    } else if is_bidi(c) {
        (
            format!("invisible {code} here: the text after it may display reordered"),
            format!(
                "delete it; if events really contain it, write it as `\\u{:04X}` in a double-quoted string",
                c as u32
            ),
        )
    } else {
        (
            format!("invisible {code} here"),
            format!(
                "delete it; if events really contain it, write it as `\\u{:04X}` in a double-quoted string",
                c as u32
            ),
        )
    };
    Diagnostic::at(
        &codes::HIDDEN_UNICODE,
        &file.path,
        span,
        format!("{code} {name} {place}"),
    )
    .label(label)
    .help(help)
}

/// The escapes `\xXX`, `\uXXXX` and `\UXXXXXXXX` of a double-quoted scalar's source: byte offset,
/// length and the character each stands for. Other escapes (`\\`, `\"`) are skipped whole.
fn escapes(source: &str) -> Vec<(usize, usize, char)> {
    let bytes = source.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        let digits = match bytes.get(i + 1) {
            Some(b'x') => 2,
            Some(b'u') => 4,
            Some(b'U') => 8,
            _ => {
                i += 2;
                continue;
            }
        };
        let hex = source
            .get(i + 2..i + 2 + digits)
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
        if let Some(c) = hex
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .and_then(char::from_u32)
        {
            out.push((i, 2 + digits, c));
            i += 2 + digits;
        } else {
            i += 2;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn found(yaml: &str) -> Vec<(u32, u32, String)> {
        let catalog = Catalog::from_sources(&[("r.yml", yaml)]);
        let parsed: Vec<Parsed<'_>> = catalog.documents.iter().map(Parsed::parse).collect();
        check(&parsed)
            .into_iter()
            .map(|d| {
                let s = d.span.unwrap();
                (s.start.line, s.start.col, d.message)
            })
            .collect()
    }

    #[test]
    fn bidi_control_in_a_title_at_its_column() {
        let got = found("title: é \u{202E}Admin\nlogsource: {product: auth0}\n");
        assert_eq!(got, [(1, 10, "U+202E RIGHT-TO-LEFT OVERRIDE in `title`".to_string())]);
    }

    #[test]
    fn zero_width_characters_in_field_names_values_tags_and_comments() {
        let yaml = "title: T\ntags:\n  - attack.t1078\n  - attack.\u{200B}t1110\ndetection:\n  sel:\n    data.ty\u{2060}pe: s\u{200D}\n  condition: sel # ok\u{2069}\n";
        let got = found(yaml);
        assert_eq!(
            got,
            [
                (4, 12, "U+200B ZERO WIDTH SPACE in `tags[1]`".to_string()),
                (
                    7,
                    12,
                    "U+2060 WORD JOINER in the key `detection.sel.data.ty<U+2060>pe`".to_string()
                ),
                (
                    7,
                    18,
                    "U+200D ZERO WIDTH JOINER in `detection.sel.data.ty<U+2060>pe`".to_string()
                ),
                (
                    8,
                    22,
                    "U+2069 POP DIRECTIONAL ISOLATE outside any string (in a comment?)".to_string()
                ),
            ]
        );
    }

    #[test]
    fn escapes_are_reported_at_the_escape_and_a_leading_bom_is_not() {
        let got = found("\u{FEFF}title: \"a\\u202eb \\\\u200B \\x41\"\ndescription: 'x\u{FEFF}y'\n");
        assert_eq!(
            got,
            [
                (
                    2,
                    16,
                    "U+FEFF ZERO WIDTH NO-BREAK SPACE (byte-order mark) in `description`".to_string()
                ),
                (1, 10, "U+202E RIGHT-TO-LEFT OVERRIDE in `title`".to_string()),
            ]
        );
    }

    #[test]
    fn plain_text_and_other_unicode_are_quiet() {
        assert!(found("title: Connexion échouée → 🔒\ndescription: \"\\u00e9\"\n").is_empty());
    }
}
