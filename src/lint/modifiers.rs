//! M3xx: modifier chains and the values they apply to.

use std::collections::HashSet;

use super::{DiagExt, Sink};
use crate::catalog::yaml::{Node, Resolved, Style, Value};
use crate::diag::{Code, Severity};
use crate::model::detection::Item;
use crate::model::modifier::{Modifier, check_chain};
use crate::model::sigma_string::SigmaString;

macro_rules! rule_yaml {
    ($sel:expr) => {
        concat!(
            "title: T\nlogsource: {product: windows}\ndetection:\n  sel:\n",
            $sel,
            "  condition: sel\n"
        )
    };
}

pub static UNKNOWN_MODIFIER: Code = Code {
    code: "M301",
    name: "unknown-modifier",
    severity: Severity::Error,
    summary: "a `|name` after a field is not a Sigma modifier",
    doc: "Modifiers are the names listed by `detc list modifiers`. An unknown one (a typo such as \
          `contain`, or `utf16le`, which pySigma does not know) makes the rule fail to convert.",
    bad: rule_yaml!("    CommandLine|contain: whoami\n"),
    good: rule_yaml!("    CommandLine|contains: whoami\n"),
};

pub static INVALID_CHAIN: Code = Code {
    code: "M302",
    name: "invalid-modifier-chain",
    severity: Severity::Error,
    summary: "modifiers combined in an order or way Sigma forbids",
    doc: "`re`, `cidr` and `exists` must come first; regex flags `i`, `m`, `s` need `re` before them; \
          `exists` stands alone; an encoding (`base64`, `base64offset`) after `contains` would encode the \
          wildcards; numeric comparisons cannot follow string modifiers.",
    bad: rule_yaml!("    CommandLine|contains|base64: whoami\n"),
    good: rule_yaml!("    CommandLine|base64|contains: whoami\n"),
};

pub static VALUE_TYPE: Code = Code {
    code: "M303",
    name: "value-type-mismatch",
    severity: Severity::Error,
    summary: "a value's type does not fit its modifiers (or is a date, a mapping…)",
    doc: "String modifiers need strings (`contains: 5` is an error in pySigma: quote the number), \
          `gt`/`gte`/`lt`/`lte` need numbers, `exists` needs `true` or `false`. Unquoted dates \
          (`2024-01-01`) are YAML dates, which pySigma rejects; nested mappings or lists are not values.",
    bad: rule_yaml!("    EventID|contains: 4688\n"),
    good: rule_yaml!("    EventID|contains: '4688'\n"),
};

pub static ALL_MISUSE: Code = Code {
    code: "M304",
    name: "all-modifier-misuse",
    severity: Severity::Warning,
    summary: "`|all` on a single value, or on exact values that can never all match",
    doc: "`|all` ANDs a value list. On a single value it does nothing. On exact (wildcard-free) values of \
          one field without `contains`/`startswith`/`endswith` it requires the field to equal several \
          different values at once, which never matches.",
    bad: rule_yaml!("    User|all: [alice, bob]\n"),
    good: rule_yaml!("    CommandLine|contains|all: [alice, bob]\n"),
};

pub static BASE64OFFSET_WITHOUT_CONTAINS: Code = Code {
    code: "M305",
    name: "base64offset-without-contains",
    severity: Severity::Warning,
    summary: "`base64offset` not followed by `contains`",
    doc: "The three `base64offset` variants are fragments of a longer encoding; they only match as \
          substrings. Write `|base64offset|contains`.",
    bad: rule_yaml!("    CommandLine|base64offset: whoami\n"),
    good: rule_yaml!("    CommandLine|base64offset|contains: whoami\n"),
};

pub static WINDASH_ALL: Code = Code {
    code: "M306",
    name: "windash-with-all",
    severity: Severity::Warning,
    summary: "`windash` combined with `all`",
    doc: "`windash` expands each value into alternatives that are always OR-ed; with `all` the result \
          is easy to misread. Split the values into separate items.",
    bad: rule_yaml!("    CommandLine|windash|contains|all: [' -a', ' -b']\n"),
    good: rule_yaml!("    CommandLine|windash|contains: [' -a', ' -b']\n"),
};

pub static DUPLICATE_MODIFIER: Code = Code {
    code: "M307",
    name: "duplicate-modifier",
    severity: Severity::Warning,
    summary: "the same modifier appears twice in a chain",
    doc: "Apart from `base64` (double encoding), repeating a modifier is a mistake.",
    bad: rule_yaml!("    CommandLine|contains|contains: whoami\n"),
    good: rule_yaml!("    CommandLine|contains: whoami\n"),
};

pub static INVALID_REGEX: Code = Code {
    code: "M308",
    name: "invalid-regex",
    severity: Severity::Error,
    summary: "a `|re` value is not a valid regular expression",
    doc: "The value of a `re` item must compile. The error names the problem and its position.",
    bad: rule_yaml!("    CommandLine|re: 'a(b'\n"),
    good: rule_yaml!("    CommandLine|re: 'a\\(b'\n"),
};

pub static INVALID_CIDR: Code = Code {
    code: "M309",
    name: "invalid-cidr",
    severity: Severity::Error,
    summary: "a `|cidr` value is not a network in CIDR notation (or has host bits set)",
    doc: "`cidr` takes `address/prefix` with an IPv4 or IPv6 network address whose host bits are zero \
          (`10.0.0.0/8`, not `10.0.0.1/8`), as pySigma requires.",
    bad: rule_yaml!("    SourceIp|cidr: 10.0.0.1/8\n"),
    good: rule_yaml!("    SourceIp|cidr: 10.0.0.0/8\n"),
};

pub static REGEX_UNSUPPORTED: Code = Code {
    code: "M310",
    name: "regex-construct-unsupported",
    severity: Severity::Warning,
    summary: "a regex uses look-around, backreferences or atomic groups that Elastic cannot run",
    doc: "Elasticsearch (Lucene regexp, ES|QL `rlike`, EQL `regex`) has no look-ahead, look-behind, \
          backreferences or atomic groups, and Lucene regexes are anchored. Such a rule cannot be deployed \
          to Elastic with the same meaning; rewrite it with plain alternation and a separate `not` selection.",
    bad: rule_yaml!("    CommandLine|re: 'powershell(?!\\.exe)'\n"),
    good: rule_yaml!("    CommandLine|re: 'powershell[^.]'\n"),
};

pub static YAML11_AMBIGUOUS: Code = Code {
    code: "M311",
    name: "yaml11-ambiguous-value",
    severity: Severity::Warning,
    summary: "an unquoted value that YAML 1.1 reads as a boolean or an unexpected number",
    doc: "pySigma reads rules with PyYAML (YAML 1.1): unquoted `yes`, `no`, `on`, `off` are booleans, \
          `0755` is octal 493, `1:30` is 90 and `0x1F` is 31. A YAML 1.2 tool reads them differently, so \
          quote the value to say which you mean.",
    bad: rule_yaml!("    Enabled: on\n"),
    good: rule_yaml!("    Enabled: 'on'\n"),
};

pub static DOUBLE_WILDCARD: Code = Code {
    code: "M312",
    name: "double-wildcard",
    severity: Severity::Info,
    summary: "`**` in a value",
    doc: "Two consecutive `*` wildcards mean the same as one; usually a leftover of editing.",
    bad: rule_yaml!("    CommandLine: '**whoami*'\n"),
    good: rule_yaml!("    CommandLine: '*whoami*'\n"),
};

pub static NUMBER_AS_STRING: Code = Code {
    code: "M313",
    name: "number-as-string",
    severity: Severity::Info,
    summary: "a number written as a quoted string",
    doc: "`EventID: '4688'` is a string and converts to `EventID=\"4688\"`; a number converts to \
          `EventID=4688`. Backends compare them differently; write numbers unquoted unless the field is text.",
    bad: rule_yaml!("    EventID: '4688'\n"),
    good: rule_yaml!("    EventID: 4688\n"),
};

pub static CONTROL_CHARACTER: Code = Code {
    code: "M314",
    name: "control-character",
    severity: Severity::Warning,
    summary: "a value contains a control character",
    doc: "A tab, backspace or other control character in a value is almost always a double-quoted YAML \
          string where `\\t` or `\\b` was meant as a backslash and a letter (`\"C:\\temp\"`). Use single quotes.",
    bad: rule_yaml!("    Image: \"C:\\temp\\a.exe\"\n"),
    good: rule_yaml!("    Image: 'C:\\temp\\a.exe'\n"),
};

pub static FIELD_NAME_CONTROL_CHARACTER: Code = Code {
    code: "M315",
    name: "field-name-control-character",
    severity: Severity::Error,
    summary: "a field name contains a control character",
    doc: "No target query can name a field with a tab, line break, NUL or other control character \
          (no log field has one), so the rule cannot be converted (B801 on every target). It is \
          usually a double-quoted YAML key where `\\t` was meant literally.",
    bad: rule_yaml!("    \"Image\\tPath\": a\n"),
    good: rule_yaml!("    Image: a\n"),
};

pub static DUPLICATE_VALUE: Code = Code {
    code: "M316",
    name: "duplicate-value",
    severity: Severity::Warning,
    summary: "the same value appears twice in one list",
    doc: "A repeated value in a field's list adds nothing; it often hides a typo in the value meant.",
    bad: rule_yaml!("    Image: [a.exe, b.exe, a.exe]\n"),
    good: rule_yaml!("    Image: [a.exe, b.exe, c.exe]\n"),
};

pub static PLACEHOLDER_WITHOUT_EXPAND: Code = Code {
    code: "M317",
    name: "placeholder-without-expand",
    severity: Severity::Warning,
    summary: "a `%name%` placeholder in a value without the `expand` modifier",
    doc: "Sigma placeholders are only replaced under `|expand`; without it `%Servers%` is matched as the \
          literal text. Add `|expand` (and define the variable), or escape the percent signs.",
    bad: rule_yaml!("    Computer: '%DomainControllers%'\n"),
    good: rule_yaml!("    Computer|expand: '%DomainControllers%'\n"),
};

pub static WILDCARDS_FOR_MODIFIERS: Code = Code {
    code: "M318",
    name: "wildcards-instead-of-modifiers",
    severity: Severity::Info,
    summary: "`*x*`, `x*` or `*x` written by hand instead of contains, startswith or endswith",
    doc: "Leading and trailing wildcards say the same as `|contains`, `|startswith` and `|endswith`, but the \
          modifiers state the intent, survive pipelines that rewrite values, and let backends choose their \
          fastest operator.",
    bad: rule_yaml!("    CommandLine: '*whoami*'\n"),
    good: rule_yaml!("    CommandLine|contains: whoami\n"),
};

pub static ESCAPED_WILDCARD: Code = Code {
    code: "M319",
    name: "escaped-wildcard",
    severity: Severity::Info,
    summary: "a value contains an escaped wildcard `\\*` or `\\?`",
    doc: "`\\*` matches a literal asterisk. That is rare in logs; check that a wildcard was not meant, or that \
          a Windows path such as `C:\\*` did not lose a backslash.",
    bad: rule_yaml!("    CommandLine: 'a\\*b'\n"),
    good: rule_yaml!("    CommandLine: 'a*b'\n"),
};

pub static CODES: &[&Code] = &[
    &WILDCARDS_FOR_MODIFIERS,
    &ESCAPED_WILDCARD,
    &UNKNOWN_MODIFIER,
    &INVALID_CHAIN,
    &VALUE_TYPE,
    &ALL_MISUSE,
    &BASE64OFFSET_WITHOUT_CONTAINS,
    &WINDASH_ALL,
    &DUPLICATE_MODIFIER,
    &INVALID_REGEX,
    &INVALID_CIDR,
    &REGEX_UNSUPPORTED,
    &YAML11_AMBIGUOUS,
    &DOUBLE_WILDCARD,
    &NUMBER_AS_STRING,
    &CONTROL_CHARACTER,
    &FIELD_NAME_CONTROL_CHARACTER,
    &DUPLICATE_VALUE,
    &PLACEHOLDER_WITHOUT_EXPAND,
];

pub fn check(sink: &mut Sink<'_, '_>) {
    let Some(det) = sink.doc.detection() else {
        return;
    };
    for search in &det.searches {
        for item in search.body.items() {
            check_item(sink, item);
        }
    }
}

fn check_item(sink: &mut Sink<'_, '_>, item: &Item<'_>) {
    let span = item.span();
    for name in &item.unknown_modifiers {
        let d = sink.report(&UNKNOWN_MODIFIER, span, format!("unknown modifier `{name}`"));
        match super::detection::closest(name, Modifier::all().map(Modifier::name)) {
            Some(c) => d.with_help(format!("did you mean `{c}`?")),
            None => d.with_help("`detc list modifiers` shows the valid names"),
        };
    }
    if let Some(c) = item.field.and_then(|f| f.chars().find(|c| c.is_control())) {
        sink.report(
            &FIELD_NAME_CONTROL_CHARACTER,
            span,
            format!("the field name contains the control character U+{:04X}", c as u32),
        )
        .with_help("no target can name such a field; in a double-quoted YAML key `\\t` is a tab");
    }
    for err in check_chain(&item.modifiers, item.field.is_some()) {
        sink.report(&INVALID_CHAIN, span, err.message).with_help(err.help);
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
    let mut seen = HashSet::new();
    for x in m {
        if !seen.insert(*x) && *x != Modifier::Base64 {
            sink.report(&DUPLICATE_MODIFIER, span, format!("modifier `{x}` appears twice"));
        }
    }
    if item.has(Modifier::Base64Offset) && !item.has(Modifier::Contains) {
        sink.report(
            &BASE64OFFSET_WITHOUT_CONTAINS,
            span,
            "`base64offset` without `contains` only matches whole values",
        )
        .with_help("write `|base64offset|contains`");
    }
    if item.has(Modifier::Windash) && item.has(Modifier::All) {
        sink.report(&WINDASH_ALL, span, "`windash` with `all`")
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
            sink.report(&ALL_MISUSE, span, "`all` on a single value has no effect")
                .with_help("remove `|all`");
        } else if item.field.is_some() && !substring && !wildcards {
            sink.report(
                &ALL_MISUSE,
                span,
                "`all` requires the field to equal every one of these exact values at once: this never matches",
            )
            .with_help("use `|contains|all`, or drop `|all` to match any of the values");
        }
    }
}

fn check_duplicates(sink: &mut Sink<'_, '_>, values: &[&Node]) {
    let mut seen = HashSet::new();
    for v in values {
        if let Some(t) = v.scalar_text()
            && !seen.insert(t)
        {
            sink.at_node(&DUPLICATE_VALUE, v, format!("`{t}` appears twice in this list"));
        }
    }
}

fn check_value(sink: &mut Sink<'_, '_>, item: &Item<'_>, v: &Node) {
    let Value::Scalar(s) = &v.value else {
        // Flow-mapping placeholders have their own lint (C206).
        if v.as_map().is_none_or(|m| m.len() != 1) {
            sink.at_node(&VALUE_TYPE, v, format!("a detection value cannot be {}", v.kind_name()))
                .with_help("values are strings, numbers, booleans or null; use a list of maps for alternatives");
        }
        return;
    };
    let m = &item.modifiers;
    if s.resolved == Resolved::Timestamp {
        sink.at_node(
            &VALUE_TYPE,
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
            &VALUE_TYPE,
            v,
            format!("`{bad}` needs a string, found {}", v.kind_name()),
        )
        .with_help(format!("quote the value: '{}'", s.text));
    }
    if let Some(cmp) = m.iter().find(|x| x.is_compare() || x.is_time_part())
        && !matches!(s.resolved, Resolved::Int(_) | Resolved::Float(_))
    {
        sink.at_node(
            &VALUE_TYPE,
            v,
            format!("`{cmp}` needs a number, found {}", v.kind_name()),
        )
        .with_help("write the number unquoted");
    }
    if item.has(Modifier::Exists) && !matches!(s.resolved, Resolved::Bool(_)) {
        sink.at_node(
            &VALUE_TYPE,
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
        if let Err(msg) = check_cidr(text) {
            sink.at_node(&INVALID_CIDR, v, msg)
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
        &YAML11_AMBIGUOUS,
        v,
        format!("unquoted `{text}` is {what} in YAML 1.1 (pySigma)"),
    )
    .with_help(format!("quote it ('{text}') if you mean the text"));
}

fn check_string(sink: &mut Sink<'_, '_>, item: &Item<'_>, v: &Node, style: Style, text: &str) {
    if text.contains("**") {
        sink.at_node(&DOUBLE_WILDCARD, v, "`**` is the same as `*`");
    }
    let parsed = SigmaString::parse(text, item.has(Modifier::Expand));
    if item.modifiers.is_empty()
        && item.field.is_some()
        && let Some(m) = implied_modifier(&parsed)
    {
        sink.at_node(
            &WILDCARDS_FOR_MODIFIERS,
            v,
            format!("hand-written wildcards: `{m}` says this directly"),
        )
        .with_help(format!(
            "write `{}|{m}` with the wildcards removed",
            item.field.unwrap_or("")
        ));
    }
    if text.contains("\\*") || text.contains("\\?") {
        let literal = parsed
            .parts
            .iter()
            .any(|p| matches!(p, crate::model::sigma_string::Part::Text(t) if t.contains('*') || t.contains('?')));
        if literal {
            sink.at_node(
                &ESCAPED_WILDCARD,
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
        sink.at_node(&NUMBER_AS_STRING, v, format!("number `{text}` written as a string"))
            .with_help("write it unquoted if the field holds a number");
    }
    if let Some(c) = text.chars().find(|c| c.is_control() && *c != '\n') {
        sink.at_node(
            &CONTROL_CHARACTER,
            v,
            format!("value contains the control character U+{:04X}", c as u32),
        )
        .with_help("in a double-quoted YAML string `\\t` is a tab; use single quotes for backslashes");
    }
    if !item.has(Modifier::Expand) && has_percent_placeholder(text, &sink.options.variables) {
        sink.at_node(
            &PLACEHOLDER_WITHOUT_EXPAND,
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

/// Whether `text` holds `%name%` for a standard placeholder or a configured variable. Other
/// `%…%` text is usually a Windows environment variable (`%APPDATA%`) meant literally.
/// The modifier a value's leading/trailing `*` stand for, when they are its only wildcards.
fn implied_modifier(s: &SigmaString) -> Option<&'static str> {
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
            &REGEX_UNSUPPORTED,
            v,
            format!("regex uses {construct}, which Elastic's regex engines cannot run"),
        )
        .with_help("rewrite without it, e.g. split into a selection and a `not` filter");
        return;
    }
    // Sigma's flavour is PCRE: validate with the engine `detc test`/`eval` run it on.
    if let Err(msg) = crate::model::pcre::Pcre::new(text, crate::model::pcre::Flags::default()) {
        let detail = msg.lines().last().unwrap_or(&msg).trim().to_string();
        sink.at_node(&INVALID_REGEX, v, format!("invalid regular expression: {detail}"))
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

/// Validate `addr/prefix` with zero host bits.
pub fn check_cidr(text: &str) -> Result<(), String> {
    let (addr, prefix) = text.split_once('/').unwrap_or((text, ""));
    let addr: std::net::IpAddr = addr
        .parse()
        .map_err(|_| format!("`{text}` is not an IP network in CIDR notation"))?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let prefix: u32 = if prefix.is_empty() {
        max
    } else {
        prefix.parse().map_err(|_| format!("`{text}`: bad prefix length"))?
    };
    if prefix > max {
        return Err(format!("`{text}`: prefix length {prefix} exceeds {max}"));
    }
    let bits: u128 = match addr {
        std::net::IpAddr::V4(a) => u32::from(a) as u128,
        std::net::IpAddr::V6(a) => u128::from(a),
    };
    let host_mask = if prefix == max {
        0
    } else {
        (1u128 << (max - prefix)) - 1
    };
    if bits & host_mask != 0 {
        return Err(format!("`{text}` has host bits set: it is not a network address"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_checks() {
        assert!(check_cidr("10.0.0.0/8").is_ok());
        assert!(check_cidr("10.0.0.1/8").is_err());
        assert!(check_cidr("2001:db8::/32").is_ok());
        assert!(check_cidr("10.0.0.0/33").is_err());
        assert!(check_cidr("nope").is_err());
    }

    #[test]
    fn percent_placeholders() {
        let vars = std::collections::BTreeMap::from([("admins".to_string(), "root".to_string())]);
        assert!(has_percent_placeholder("%Servers%", &vars));
        assert!(has_percent_placeholder("x%admins%", &vars));
        assert!(!has_percent_placeholder("%APPDATA%\\x.exe", &vars));
        assert!(!has_percent_placeholder("50% off", &vars));
    }
}
