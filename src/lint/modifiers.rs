//! M3xx: modifier chains and the values they apply to.

use crate::codes;
use foldhash::{HashSet, HashSetExt};

use super::{DiagExt, Sink};
use crate::catalog::yaml::{Node, Resolved, Style, Value};
use crate::model::detection::Item;
use crate::model::modifier::{Modifier, check_chain};
use crate::model::sigma_string::SigmaString;

pub fn check(sink: &mut Sink<'_, '_>) {
    let Some(det) = sink.doc.detection() else {
        return;
    };
    for search in &det.searches {
        let fixes = super::wildcard_fix::fixes(&sink.doc.doc.file, &search.body);
        for item in search.body.items() {
            let before = sink.out.len();
            check_item(sink, item);
            let Some(fix) = item.key.and_then(|k| fixes.get(&k.span.start.at())) else {
                continue;
            };
            for d in &mut sink.out[before..] {
                if d.code == &codes::WILDCARDS_FOR_MODIFIERS {
                    d.fix = Some(fix.clone());
                }
            }
        }
    }
}

fn check_item(sink: &mut Sink<'_, '_>, item: &Item<'_>) {
    let span = item.span();
    for name in &item.unknown_modifiers {
        let d = sink.report(&codes::UNKNOWN_MODIFIER, span, format!("unknown modifier `{name}`"));
        match crate::diag::closest(name, Modifier::all().map(Modifier::name)) {
            Some(c) => d.with_help(format!("did you mean `{c}`?")),
            None => d.with_help("`detc list modifiers` shows the valid names"),
        };
    }
    if let Some(c) = item.field.and_then(|f| f.chars().find(|c| c.is_control())) {
        sink.report(
            &codes::FIELD_NAME_CONTROL_CHARACTER,
            span,
            format!("the field name contains the control character U+{:04X}", c as u32),
        )
        .with_help("no target can name such a field; in a double-quoted YAML key `\\t` is a tab");
    }
    for err in check_chain(&item.modifiers, item.field.is_some()) {
        sink.report(&codes::INVALID_CHAIN, span, err.message)
            .with_help(err.help);
    }
    check_combinations(sink, item);
    let values = item.values();
    check_duplicates(sink, &values);
    for v in values {
        check_value(sink, item, v);
    }
}

fn check_combinations(sink: &mut Sink<'_, '_>, item: &Item<'_>) {
    let span = item.span();
    let m = &item.modifiers;
    // A chain has a handful of modifiers: a scan of those before beats hashing.
    for (i, x) in m.iter().enumerate() {
        if m[..i].contains(x) && *x != Modifier::Base64 {
            sink.report(
                &codes::DUPLICATE_MODIFIER,
                span,
                format!("modifier `{x}` appears twice"),
            );
        }
    }
    if item.has(Modifier::Base64Offset) && !item.has(Modifier::Contains) {
        sink.report(
            &codes::BASE64OFFSET_WITHOUT_CONTAINS,
            span,
            "`base64offset` without `contains` only matches whole values",
        )
        .with_help("write `|base64offset|contains`");
    }
    if item.has(Modifier::Windash) && item.has(Modifier::All) {
        sink.report(&codes::WINDASH_ALL, span, "`windash` with `all`")
            .with_help("split the values into separate items");
    }
    if item.has(Modifier::All) {
        let values = item.values();
        let substring = m
            .iter()
            .any(|x| x.is_substring() || matches!(x, Modifier::Re | Modifier::Cidr | Modifier::Neq));
        let wildcards = values
            .iter()
            .any(|v| v.as_str().is_some_and(|s| SigmaString::parse(s, false).has_wildcards()));
        if values.len() < 2 {
            sink.report(&codes::ALL_MISUSE, span, "`all` on a single value has no effect")
                .with_help("remove `|all`");
        } else if item.field.is_some() && !substring && !wildcards {
            sink.report(
                &codes::ALL_MISUSE,
                span,
                "`all` requires the field to equal every one of these exact values at once: this never matches",
            )
            .with_help("use `|contains|all`, or drop `|all` to match any of the values");
        }
    }
}

fn check_duplicates(sink: &mut Sink<'_, '_>, values: &[&Node]) {
    let mut seen = HashSet::with_capacity(values.len());
    for v in values {
        if let Some(t) = v.scalar_text()
            && !seen.insert(t)
        {
            sink.at_node(&codes::DUPLICATE_VALUE, v, format!("`{t}` appears twice in this list"));
        }
    }
}

fn check_value(sink: &mut Sink<'_, '_>, item: &Item<'_>, v: &Node) {
    let Value::Scalar(s) = &v.value else {
        // Flow-mapping placeholders have their own lint (C206).
        if v.as_map().is_none_or(|m| m.len() != 1) {
            sink.at_node(
                &codes::VALUE_TYPE,
                v,
                format!("a detection value cannot be {}", v.kind_name()),
            )
            .with_help("values are strings, numbers, booleans or null; use a list of maps for alternatives");
        }
        return;
    };
    let m = &item.modifiers;
    if s.resolved == Resolved::Timestamp {
        sink.at_node(
            &codes::VALUE_TYPE,
            v,
            format!("`{}` is a YAML date, which pySigma rejects as a value", s.text),
        )
        .with_help(format!("quote it: '{}'", s.text));
        return;
    }
    let is_string = s.resolved == Resolved::Str;
    if let Some(bad) = m
        .iter()
        .find(|x| x.wants_string())
        .filter(|_| !is_string && s.resolved != Resolved::Null)
    {
        sink.at_node(
            &codes::VALUE_TYPE,
            v,
            format!("`{bad}` needs a string, found {}", v.kind_name()),
        )
        .with_help(format!("quote the value: '{}'", s.text));
    }
    if let Some(cmp) = m.iter().find(|x| x.is_compare() || x.is_time_part())
        && !matches!(s.resolved, Resolved::Int(_) | Resolved::Float(_))
    {
        sink.at_node(
            &codes::VALUE_TYPE,
            v,
            format!("`{cmp}` needs a number, found {}", v.kind_name()),
        )
        .with_help("write the number unquoted");
    }
    if item.has(Modifier::Exists) && !matches!(s.resolved, Resolved::Bool(_)) {
        sink.at_node(
            &codes::VALUE_TYPE,
            v,
            format!("`exists` needs `true` or `false`, found {}", v.kind_name()),
        );
    }
    if s.style == Style::Plain {
        check_yaml11(sink, v, &s.text, s.resolved);
    }
    if !is_string {
        return;
    }
    let text = s.text.as_str();
    if item.has(Modifier::Re) {
        check_regex(sink, v, text);
    } else if item.has(Modifier::Cidr) {
        if let Err(msg) = crate::model::cidr::check_cidr(text) {
            sink.at_node(&codes::INVALID_CIDR, v, msg)
                .with_help("write the network address, e.g. 10.0.0.0/8");
        }
    } else {
        check_string(sink, item, v, s.style, text);
    }
}

fn check_yaml11(sink: &mut Sink<'_, '_>, v: &Node, text: &str, resolved: Resolved) {
    let what = match resolved {
        Resolved::Bool(b) if !matches!(text, "true" | "false" | "True" | "False" | "TRUE" | "FALSE") => {
            format!("the boolean {b}")
        }
        Resolved::Int(i)
            if text.contains(':')
                || text.starts_with("0x")
                || text.starts_with("0b")
                || (text.len() > 1 && text.starts_with('0')) =>
        {
            format!("the integer {i}")
        }
        _ => return,
    };
    sink.at_node(
        &codes::YAML11_AMBIGUOUS,
        v,
        format!("unquoted `{text}` is {what} in YAML 1.1 (pySigma)"),
    )
    .with_help(format!("quote it ('{text}') if you mean the text"));
}

fn check_string(sink: &mut Sink<'_, '_>, item: &Item<'_>, v: &Node, style: Style, text: &str) {
    if text.contains("**") {
        sink.at_node(&codes::DOUBLE_WILDCARD, v, "`**` is the same as `*`");
    }
    let parsed = SigmaString::parse(text, item.has(Modifier::Expand));
    if item.modifiers.is_empty()
        && item.field.is_some()
        && let Some(m) = implied_modifier(&parsed)
    {
        sink.at_node(
            &codes::WILDCARDS_FOR_MODIFIERS,
            v,
            format!("hand-written wildcards: `{m}` says this directly"),
        )
        .with_help(format!(
            "write `{}|{m}` with the wildcards removed",
            item.field.unwrap_or("")
        ));
    }
    if swallowed_separator(text) {
        let literal = parsed
            .parts
            .iter()
            .any(|p| matches!(p, crate::model::sigma_string::Part::Text(t) if t.contains('*') || t.contains('?')));
        if literal {
            sink.at_node(
                &codes::ESCAPED_WILDCARD,
                v,
                "escaped wildcard: this matches a literal `*` or `?`",
            )
            .with_help("remove the backslash if a wildcard was meant");
        }
    }
    if style != Style::Plain
        && item.modifiers.is_empty()
        && !text.is_empty()
        && text.len() < 19
        && text.chars().all(|c| c.is_ascii_digit())
    {
        sink.at_node(
            &codes::NUMBER_AS_STRING,
            v,
            format!("number `{text}` written as a string"),
        )
        .with_help("write it unquoted if the field holds a number");
    }
    if let Some(c) = text.chars().find(|c| c.is_control() && *c != '\n') {
        sink.at_node(
            &codes::CONTROL_CHARACTER,
            v,
            format!("value contains the control character U+{:04X}", c as u32),
        )
        .with_help("in a double-quoted YAML string `\\t` is a tab; use single quotes for backslashes");
    }
    if !item.has(Modifier::Expand) && has_percent_placeholder(text, &sink.options.variables) {
        sink.at_node(
            &codes::PLACEHOLDER_WITHOUT_EXPAND,
            v,
            "`%name%` is only a placeholder under the `expand` modifier",
        )
        .with_help("add `|expand` to the field, or escape the percent signs");
    }
}

/// Placeholder names the Sigma specification defines.
const STANDARD_PLACEHOLDERS: [&str; 5] = [
    "Administrators",
    "JumpServers",
    "Workstations",
    "Servers",
    "DomainControllers",
];

/// The modifier a value's leading/trailing `*` stand for, when they are its only wildcards.
pub(super) fn implied_modifier(s: &SigmaString) -> Option<&'static str> {
    use crate::model::sigma_string::Part;
    let inner_wild = s.parts.len() > 2
        && s.parts[1..s.parts.len() - 1]
            .iter()
            .any(|p| !matches!(p, Part::Text(_)));
    if inner_wild || s.parts.iter().any(|p| matches!(p, Part::OneChar)) {
        return None;
    }
    match (s.starts_with_any(), s.ends_with_any(), s.parts.len()) {
        (true, true, 3) => Some("contains"),
        (false, true, 2) => Some("startswith"),
        (true, false, 2) => Some("endswith"),
        _ => None,
    }
}

/// Whether `text` holds `%name%` for a standard placeholder or a configured variable. Other
/// `%…%` text is usually a Windows environment variable (`%APPDATA%`) meant literally.
fn has_percent_placeholder(text: &str, variables: &std::collections::BTreeMap<String, String>) -> bool {
    let parts: Vec<&str> = text.split('%').collect();
    parts.len() >= 3
        && parts[1..parts.len() - 1]
            .iter()
            .any(|p| STANDARD_PLACEHOLDERS.contains(p) || variables.contains_key(*p))
}

fn check_regex(sink: &mut Sink<'_, '_>, v: &Node, text: &str) {
    if let Some(construct) = unsupported_regex_construct(text) {
        sink.at_node(
            &codes::REGEX_UNSUPPORTED,
            v,
            format!("regex uses {construct}, which Elastic's regex engines cannot run"),
        )
        .with_help("rewrite without it, e.g. split into a selection and a `not` filter");
        return;
    }
    // Sigma's flavour is PCRE: validate with the engine `detc test`/`eval` run it on.
    if let Err(msg) = crate::model::pcre::Pcre::validate(text, crate::model::pcre::Flags::default()) {
        let detail = msg.lines().last().unwrap_or(&msg).trim().to_string();
        sink.at_node(
            &codes::INVALID_REGEX,
            v,
            format!("invalid regular expression: {detail}"),
        )
        .with_help("escape literal ( ) [ ] { } . * + ? with a backslash");
    }
}

/// Regex features outside what Elasticsearch (and Rust's engine) support.
fn unsupported_regex_construct(text: &str) -> Option<&'static str> {
    const CONSTRUCTS: [(&str, &str); 6] = [
        ("(?=", "look-ahead `(?=…)`"),
        ("(?!", "negative look-ahead `(?!…)`"),
        ("(?<=", "look-behind `(?<=…)`"),
        ("(?<!", "negative look-behind `(?<!…)`"),
        ("(?>", "an atomic group `(?>…)`"),
        ("(?P=", "a named backreference"),
    ];
    if let Some((_, what)) = CONSTRUCTS.iter().find(|(pat, _)| text.contains(pat)) {
        return Some(what);
    }
    let bytes = text.as_bytes();
    (1..bytes.len())
        .any(|i| {
            bytes[i - 1] == b'\\' && bytes[i].is_ascii_digit() && bytes[i] != b'0' && (i < 2 || bytes[i - 2] != b'\\')
        })
        .then_some("a backreference `\\1`")
}

/// Whether, in a Windows path (`C:\Windows\*`), a wildcard is escaped by a single backslash right
/// after a path component: a path separator meant before a wildcard that escapes it instead. A
/// literal `*` or `?` outside a path (`/tn \*`, `page.asp\?id=`) or after an escaped backslash
/// (`\\\*`) is written on purpose.
fn swallowed_separator(text: &str) -> bool {
    let bytes = text.as_bytes();
    let separators = bytes
        .windows(2)
        .any(|w| w[0] == b'\\' && !matches!(w[1], b'*' | b'?' | b'\\'));
    separators
        && (1..bytes.len()).any(|i| {
            if !matches!(bytes[i], b'*' | b'?') || bytes[i - 1] != b'\\' {
                return false;
            }
            let run = bytes[..i].iter().rev().take_while(|b| **b == b'\\').count();
            let before = bytes[..i - run].last();
            run == 1 && before.is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'.' | b'-'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_placeholders() {
        let vars = std::collections::BTreeMap::from([("admins".to_string(), "root".to_string())]);
        assert!(has_percent_placeholder("%Servers%", &vars));
        assert!(has_percent_placeholder("x%admins%", &vars));
        assert!(!has_percent_placeholder("%APPDATA%\\x.exe", &vars));
        assert!(!has_percent_placeholder("50% off", &vars));
    }

    #[test]
    fn only_a_wildcard_after_a_path_component_is_suspect() {
        assert!(swallowed_separator(r"C:\Windows\*"));
        assert!(swallowed_separator(r"C:\Users\?"));
        assert!(!swallowed_separator(r"/asp.asp\?ui="), "a URL's literal question mark");
        assert!(!swallowed_separator(r"a\*b"), "no path");
        assert!(
            !swallowed_separator(r"/tn \*"),
            "after a space: a literal star on purpose"
        );
        assert!(!swallowed_separator(r"\\\\\*\\IPC$"), "after escaped backslashes");
        assert!(
            !swallowed_separator(r"C:\Windows\\*"),
            "an escaped backslash, then a wildcard"
        );
        assert!(!swallowed_separator("plain*"));
    }
}
