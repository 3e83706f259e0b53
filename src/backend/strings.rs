//! Helpers shared by backends for writing Sigma strings in a target's syntax.

use std::borrow::Cow;

use crate::model::sigma_string::{Part, SigmaString};

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
/// Borrowed when there is no suffix (nearly every name), so a leaf costs no allocation for it.
pub fn flatten_field(field: &str) -> Cow<'_, str> {
    if has_array_suffix(field) {
        Cow::Owned(field.replace("{}", ""))
    } else {
        Cow::Borrowed(field)
    }
}

/// Whether `name` holds Splunk's array suffix `{}`. A substring search costs more than the rest of
/// a leaf's checks and almost no name has a `{`, so a byte search for it comes first.
pub fn has_array_suffix(name: &str) -> bool {
    name.as_bytes().contains(&b'{') && name.contains("{}")
}

/// A field name that is only Splunk's array suffix (`{}`) names nothing once flattened.
pub fn check_flattened(name: &str) -> Result<(), String> {
    if flatten_field(name).is_empty() {
        return Err(format!(
            "the field name {name:?} is empty without Splunk's array suffix `{{}}`"
        ));
    }
    Ok(())
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
    let mut out = String::with_capacity(text.len() + 2);
    c_string_into(&mut out, text);
    out
}

/// [`c_string`] appended to `out`, in one pass: the runs without an escaped character are copied
/// whole (most values have none).
pub fn c_string_into(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push('"');
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        let escape = match b {
            b'\\' => "\\\\",
            b'"' => "\\\"",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        out.push_str(escape);
        start = i + 1;
    }
    out.push_str(&text[start..]);
    out.push('"');
}

/// The first control character (NUL, newline, return, tab, DEL, C1) of `text`, if any.
pub fn control_char(text: &str) -> Option<char> {
    // Printable ASCII and the lead bytes of characters above U+00BF hold no control character:
    // only a byte below 0x20, DEL or the lead byte 0xC2 (U+0080-U+00BF, the C1 range) can start one.
    if !text.bytes().any(|b| b < 0x20 || b == 0x7F || b == 0xC2) {
        return None;
    }
    text.chars().find(|c| c.is_control())
}

/// A name that goes into a query outside a string literal (a field, a group-by entry, an event
/// label) must not hold a control character: no target's identifier syntax can carry one safely, and
/// none is a real log field. `what` says which position (`field name`, `group-by field`).
pub fn check_name(what: &str, name: &str) -> Result<(), String> {
    match control_char(name) {
        Some(c) => Err(format!(
            "the {what} {name:?} contains the control character U+{:04X}, which this target cannot write in a name",
            c as u32
        )),
        None => Ok(()),
    }
}

/// A regex as the body of a `/…/` literal (Lucene, Sumo Logic): every `/` that is not already
/// escaped gets a backslash, an escaped `\/` stays as it is (both mean `/` to the regex), so no `/`
/// of the output is unescaped and none follows an escaped backslash. `controls` writes control
/// characters as regex escapes (`\n`, `\x{1}`) for targets whose literal cannot span lines.
/// `None` when the pattern ends in a lone backslash (not a regex; it would escape the closing `/`).
pub fn slash_regex(pattern: &str, controls: bool) -> Option<String> {
    let control = |c: char, out: &mut String| match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => out.push_str(&format!("\\x{{{:x}}}", c as u32)),
    };
    let mut out = String::with_capacity(pattern.len() + 2);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let next = chars.next()?;
                if controls && next.is_control() {
                    control(next, &mut out);
                } else {
                    out.push('\\');
                    out.push(next);
                }
            }
            '/' => out.push_str("\\/"),
            c if controls && c.is_control() => control(c, &mut out),
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The chained replacements [`c_string`] replaced: the oracle for it.
    fn c_string_simple(text: &str) -> String {
        let escaped = text
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
            .replace('\r', "\\r")
            .replace('\t', "\\t");
        format!("\"{escaped}\"")
    }

    /// Strings heavy in what the helpers treat specially: quotes, backslashes, wildcards, braces,
    /// control characters (C0, DEL, C1), multi-byte characters.
    const TRICKY: &str = "(?s).{0,40}|[a{}\\\\\"'*?% \n\r\t\u{0}-\u{1f}\u{7f}-\u{a0}é€\u{3000}😀]{0,40}";

    proptest! {
        #[test]
        fn c_string_escapes_as_chained_replacements_do(text in TRICKY) {
            prop_assert_eq!(c_string(&text), c_string_simple(&text));
        }

        #[test]
        fn control_char_scan_finds_the_first_control(text in TRICKY) {
            prop_assert_eq!(control_char(&text), text.chars().find(|c| c.is_control()));
        }

        #[test]
        fn flattening_checks_as_replacing_does(text in TRICKY) {
            prop_assert_eq!(has_array_suffix(&text), text.contains("{}"));
            prop_assert_eq!(flatten_field(&text).into_owned(), text.replace("{}", ""));
            prop_assert_eq!(check_flattened(&text).is_err(), text.replace("{}", "").is_empty());
        }
    }
}
