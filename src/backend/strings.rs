//! Helpers shared by backends for writing Sigma strings in a target's syntax.

use crate::model::sigma_string::{Part, SigmaString};

/// How a target writes the pieces of a Sigma string.
pub struct StringStyle<'a> {
    /// Characters that get `escape` before them when they occur literally.
    pub escaped: &'a [char],
    pub escape: &'a str,
    pub any_chars: &'a str,
    pub one_char: &'a str,
}

/// Render the parts of `s`; placeholders must have been expanded before (they are rendered as text).
pub fn render_string(s: &SigmaString, style: &StringStyle<'_>) -> String {
    let mut out = String::new();
    for p in &s.parts {
        match p {
            Part::Text(t) => {
                for c in t.chars() {
                    if style.escaped.contains(&c) {
                        out.push_str(style.escape);
                    }
                    out.push(c);
                }
            }
            Part::AnyChars => out.push_str(style.any_chars),
            Part::OneChar => out.push_str(style.one_char),
            Part::Placeholder(n) => {
                out.push('%');
                out.push_str(n);
                out.push('%');
            }
        }
    }
    out
}

/// `X*` with no other wildcard: the text of X.
pub fn prefix_only(s: &SigmaString) -> Option<&str> {
    match s.parts.as_slice() {
        [Part::Text(t), Part::AnyChars] => Some(t),
        _ => None,
    }
}

/// `*X` with no other wildcard.
pub fn suffix_only(s: &SigmaString) -> Option<&str> {
    match s.parts.as_slice() {
        [Part::AnyChars, Part::Text(t)] => Some(t),
        _ => None,
    }
}

/// The field name as non-Splunk targets see it: Splunk's multivalue suffix `{}` removed, because
/// Elastic and Sumo flatten arrays (`roles{}` → `roles`, `a{}.b` → `a.b`).
pub fn flatten_field(field: &str) -> String {
    field.replace("{}", "")
}

pub fn lowercase(s: &SigmaString) -> SigmaString {
    SigmaString {
        parts: s
            .parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => Part::Text(t.to_lowercase()),
                other => other.clone(),
            })
            .collect(),
    }
}

/// A duration as the largest whole unit of d, h, m or s (`3600` → `1h`), the units EQL `maxspan`
/// and Sumo `timeslice` accept.
pub fn whole_unit_span(secs: u64) -> String {
    for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60)] {
        if secs.is_multiple_of(size) {
            return format!("{}{unit}", secs / size);
        }
    }
    format!("{secs}s")
}

/// A double-quoted string literal with backslash escapes for `\\`, `"`, newline, return and tab
/// (the string syntax ES|QL and Sumo Logic share).
pub fn c_string(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
        .replace('\t', "\\t");
    format!("\"{escaped}\"")
}
