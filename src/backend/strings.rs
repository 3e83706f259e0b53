//! Helpers shared by backends for writing Sigma strings in a target's syntax.

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
pub fn flatten_field(field: &str) -> String {
    field.replace("{}", "")
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
    let escaped = text
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
        .replace('\t', "\\t");
    format!("\"{escaped}\"")
}

/// The first control character (NUL, newline, return, tab, DEL, C1) of `text`, if any.
pub fn control_char(text: &str) -> Option<char> {
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
