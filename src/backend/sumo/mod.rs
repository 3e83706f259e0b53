//! Sumo Logic log search (the `sumo` target): a scope, a `json` parse of the fields the rule uses,
//! and a `where` clause. `where` comparisons are case-sensitive in Sumo, so strings are compared as
//! `toLowerCase(field)` against lower-cased values; keywords test the raw message the same way.

pub mod correlation;

use std::collections::BTreeMap;

use super::boolean::{Dialect, Op, Rendered, Syntax, Unsupported};
use super::strings::{c_string, c_string_into, lowercase, slash_regex};
use crate::ir::{Expr, Leaf, Value};
use crate::model::sigma_string::{Part, SigmaString};

/// A rule's fields, each parsed once from the JSON message under a Sumo-safe alias.
#[derive(Default)]
pub struct Sumo {
    /// Sigma field → alias, ordered by field.
    aliases: BTreeMap<String, String>,
}

static DIALECT: Dialect = Dialect {
    and: " and ",
    or: " or ",
    not: "!",
    precedence: [Op::Not, Op::And, Op::Or],
    parenthesize: false,
    group_negated_leaf: true,
};

impl Sumo {
    /// Collect the fields of `exprs` and give each an alias (`data.type` → `data_type`).
    pub fn for_exprs(exprs: &[Expr]) -> Sumo {
        Self::for_exprs_and_fields(exprs, &[])
    }

    /// As [`Sumo::for_exprs`], plus extra fields (correlation group-by and value fields).
    pub fn for_exprs_and_fields(exprs: &[Expr], extra: &[String]) -> Sumo {
        let mut s = Sumo::default();
        let fields = exprs
            .iter()
            .flat_map(|e| {
                e.leaves()
                    .into_iter()
                    .flat_map(|l| {
                        let other = match &l.value {
                            Value::FieldRef { field: o, .. } => Some(o.clone()),
                            _ => None,
                        };
                        l.field.clone().into_iter().chain(other)
                    })
                    .collect::<Vec<_>>()
            })
            .chain(extra.iter().cloned());
        for f in fields {
            if !s.aliases.contains_key(&f) {
                let alias = s.fresh_alias(&f.replace("{}", ""));
                s.aliases.insert(f, alias);
            }
        }
        s
    }

    /// A new name for `base` that Sumo reads as a plain field: ASCII letters, digits and `_`, not
    /// starting with a digit, not an operator or a field detc's queries define, not yet taken.
    pub fn fresh_alias(&self, base: &str) -> String {
        const RESERVED: &[&str] = &[
            "and",
            "or",
            "not",
            "in",
            "as",
            "by",
            "matches",
            "where",
            "nodrop",
            "if",
            "true",
            "false",
            "null",
            "_raw",
            "_timeslice",
            "_count",
            "_sourcecategory",
            "_messagetime",
            "_receipttime",
            "_size",
            "event_type",
            "event_count",
            "value_count",
            "event_type_count",
            "value_sum",
            "value_avg",
            "value_percentile",
        ];
        let mut alias: String = base
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        if alias.is_empty() || alias.starts_with(|c: char| c.is_ascii_digit()) {
            alias.insert(0, 'f');
        }
        while self.aliases.values().any(|a| a == &alias) || RESERVED.contains(&alias.to_ascii_lowercase().as_str()) {
            alias.push('_');
        }
        alias
    }

    /// The alias a field was parsed under.
    pub fn alias_of(&self, field: &str) -> String {
        self.alias(field)
    }

    /// `| json field=_raw "a.b", "c" as a_b, c nodrop`; `{}` arrays are read whole with `[*]`.
    pub fn parse_clause(&self) -> Option<String> {
        if self.aliases.is_empty() {
            return None;
        }
        let paths: Vec<String> = self.aliases.keys().map(|f| format!("\"{}\"", json_path(f))).collect();
        let names: Vec<&str> = self.aliases.values().map(String::as_str).collect();
        Some(format!(
            "| json field=_raw {} as {} nodrop",
            paths.join(", "),
            names.join(", ")
        ))
    }

    /// Every field of the rendered expressions was given an alias; any other name is still written
    /// as one (never raw).
    fn alias(&self, field: &str) -> String {
        match self.aliases.get(field) {
            Some(a) => a.clone(),
            None => self.fresh_alias(&field.replace("{}", "")),
        }
    }
}

/// Sumo's JSON path for a Sigma field: `a{}.b` reads the whole array `a[*].b`.
fn json_path(field: &str) -> String {
    field.replace("{}", "[*]").replace('\\', "\\\\").replace('"', "\\\"")
}

fn literal(text: &str) -> String {
    c_string(text)
}

fn regex_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if "\\.+*?()|[]{}^$/".contains(c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A Sigma string as an anchored RE2 regex literal body (`?` and literal `*` need a regex).
fn as_regex(s: &SigmaString) -> String {
    let mut out = String::from("^");
    for p in &s.parts {
        match p {
            Part::Text(t) => out.push_str(&regex_escape(t)),
            Part::AnyChars => out.push_str(".*"),
            Part::OneChar => out.push('.'),
            Part::Placeholder(n) => out.push_str(&regex_escape(&format!("%{n}%"))),
        }
    }
    out.push('$');
    out
}

/// `toLowerCase(f)`.
fn to_lower_case(f: &str) -> String {
    ["toLowerCase(", f, ")"].concat()
}

/// Test `expr` (already lower-cased if needed) against a string with wildcards.
fn string_test(expr: &str, s: &SigmaString) -> String {
    if let Some(plain) = s.as_plain() {
        let mut out = String::with_capacity(expr.len() + plain.len() + 8);
        out.push_str(expr);
        out.push_str(" = ");
        c_string_into(&mut out, &plain);
        return out;
    }
    if let Some(pattern) = star_pattern(s) {
        matches_into(expr, |out| c_string_into(out, &pattern))
    } else {
        matches_into(expr, |out| {
            out.push('/');
            out.push_str(&as_regex(s));
            out.push('/');
        })
    }
}

/// The string as a `matches` pattern when its only wildcard is `*` and no text holds a `*` (which
/// `matches` could not tell from the wildcard); `None` otherwise (it needs a regex).
fn star_pattern(s: &SigmaString) -> Option<String> {
    let only_star = s.parts.iter().all(|p| match p {
        Part::Text(t) => !t.contains('*'),
        Part::OneChar => false,
        _ => true,
    });
    only_star.then(|| {
        s.parts
            .iter()
            .map(|p| if let Part::Text(t) = p { t.as_str() } else { "*" })
            .collect()
    })
}

/// `expr matches <pattern>`, the pattern written by `pattern`.
fn matches_into(expr: &str, pattern: impl FnOnce(&mut String)) -> String {
    let mut out = String::with_capacity(expr.len() + 32);
    out.push_str(expr);
    out.push_str(" matches ");
    pattern(&mut out);
    out
}

/// IPv4/IPv6 network as the wildcard prefixes that cover it (sigma-reference §3.3).
pub fn cidr_prefixes(net: &str) -> Option<Vec<String>> {
    let (addr, len) = net.split_once('/')?;
    let len: u32 = len.parse().ok()?;
    match addr.parse::<std::net::IpAddr>().ok()? {
        std::net::IpAddr::V4(a) => {
            let octets = a.octets();
            let full = (len / 8) as usize;
            if len.is_multiple_of(8) {
                let head: Vec<String> = octets[..full].iter().map(u8::to_string).collect();
                return Some(vec![if full == 4 {
                    head.join(".")
                } else if full == 0 {
                    "*".into()
                } else {
                    format!("{}.*", head.join("."))
                }]);
            }
            let span = 1u32 << (8 - len % 8);
            let start = u32::from(octets[full]);
            let head: Vec<String> = octets[..full].iter().map(u8::to_string).collect();
            Some(
                (start..start + span)
                    .map(|o| {
                        let mut parts = head.clone();
                        parts.push(o.to_string());
                        if parts.len() == 4 {
                            parts.join(".")
                        } else {
                            format!("{}.*", parts.join("."))
                        }
                    })
                    .collect(),
            )
        }
        std::net::IpAddr::V6(_) => None,
    }
}

impl Syntax for Sumo {
    fn dialect(&self) -> &Dialect {
        &DIALECT
    }

    fn leaf(&self, leaf: &Leaf) -> Result<Rendered, Unsupported> {
        let Some(name) = leaf.field.as_deref() else {
            return Ok(Rendered::Inline(match &leaf.value {
                Value::Str(s) => {
                    let mut s = lowercase(s);
                    s.wrap_any(true, true);
                    string_test("toLowerCase(_raw)", &s)
                }
                Value::Num(n) => format!("_raw matches \"*{n}*\""),
                _ => {
                    return Err(Unsupported::at(
                        leaf,
                        "this keyword value is not supported by Sumo Logic",
                    ));
                }
            }));
        };
        let f = self.alias(name);
        Ok(Rendered::Inline(match &leaf.value {
            Value::RawQuery(q) => q.clone(),
            // An array is read as its JSON text: look for the element as a quoted JSON string.
            Value::Str(s) if super::strings::has_array_suffix(name) => {
                let mut pattern = lowercase(s);
                pattern.parts.insert(0, Part::Text("\"".into()));
                pattern.parts.push(Part::Text("\"".into()));
                pattern.wrap_any(true, true);
                string_test(&to_lower_case(&f), &pattern)
            }
            Value::Str(s) => string_test(&to_lower_case(&f), &lowercase(s)),
            Value::CasedStr(s) => string_test(&f, s),
            Value::Num(n) => format!("{f} = {n}"),
            Value::Bool(b) => format!("toLowerCase({f}) = \"{b}\""),
            Value::Null | Value::Exists(false) => format!("isNull({f})"),
            Value::Exists(true) => format!("!isNull({f})"),
            Value::Compare(op, n) => format!("num({f}) {} {n}", op.symbol()),
            Value::Cidr(net) => {
                let prefixes = cidr_prefixes(net).ok_or_else(|| {
                    Unsupported::at(leaf, "IPv6 networks (`cidr`) are not supported for Sumo Logic yet")
                })?;
                let tests: Vec<String> = prefixes
                    .iter()
                    .map(|p| {
                        if p.ends_with('*') {
                            format!("{f} matches {}", literal(p))
                        } else {
                            format!("{f} = {}", literal(p))
                        }
                    })
                    .collect();
                if tests.len() == 1 {
                    tests[0].clone()
                } else {
                    format!("({})", tests.join(" or "))
                }
            }
            Value::Regex { pattern, flags } => {
                let body = slash_regex(pattern, true).ok_or_else(|| {
                    Unsupported::at(
                        leaf,
                        "the regex ends in a lone backslash, which would escape the closing `/`",
                    )
                })?;
                format!("{f} matches /{}{body}/", flags.prefix())
            }
            Value::FieldRef {
                field: other,
                cased: true,
            } => format!("{f} = {}", self.alias(other)),
            Value::FieldRef {
                field: other,
                cased: false,
            } => {
                format!("toLowerCase({f}) = toLowerCase({})", self.alias(other))
            }
            Value::Unsupported(m) => {
                return Err(Unsupported::at(leaf, format!("`{m}` is not supported by Sumo Logic")));
            }
        }))
    }
}

/// Sumo Logic's scope over the pipeline's `source_category` values: `*` when there are none,
/// `_sourceCategory=a/b` for a plain category, a quoted string otherwise, several joined by `OR`.
pub fn sumo_scope(categories: &[&str]) -> Result<String, Unsupported> {
    let mut scopes = Vec::new();
    for cat in categories {
        if let Some(c) = super::strings::control_char(cat) {
            return Err(Unsupported::new(format!(
                "the pipeline state `source_category` {cat:?} contains the control character U+{:04X}",
                c as u32
            )));
        }
        let plain = !cat.is_empty()
            && cat
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '*' | '-'));
        scopes.push(if plain {
            format!("_sourceCategory={cat}")
        } else {
            format!("_sourceCategory={}", super::strings::c_string(cat))
        });
    }
    Ok(match scopes.len() {
        0 => "*".to_string(),
        1 => scopes.pop().unwrap_or_default(),
        _ => format!("({})", scopes.join(" OR ")),
    })
}

pub fn sumo_query(sumo: &Sumo, scope: &str, where_clause: &str) -> String {
    let mut out = scope.to_string();
    if let Some(parse) = sumo.parse_clause() {
        out.push('\n');
        out.push_str(&parse);
    }
    out.push_str("\n| where ");
    out.push_str(where_clause);
    out
}

/// The `sumo` entry of [`crate::backend::BACKENDS`].
pub struct SumoBackend;

pub static BACKEND: SumoBackend = SumoBackend;

impl crate::backend::Backend for SumoBackend {
    fn about(&self) -> &'static crate::backend::About {
        &crate::backend::About {
            id: "sumo",
            describe: "Sumo Logic log search",
            family: "sumo",
        }
    }

    fn rule_query(&self, expr: &Expr, state: &BTreeMap<String, String>) -> Result<String, Unsupported> {
        let categories: Vec<&str> = state.get("source_category").map(String::as_str).into_iter().collect();
        let sumo = Sumo::for_exprs(std::slice::from_ref(expr));
        let q = super::convert::main_only(super::boolean::render(&sumo, expr)?)?;
        Ok(sumo_query(&sumo, &sumo_scope(&categories)?, &q))
    }

    fn correlation_query(
        &self,
        plan: &crate::ir::CorrelationPlan<'_>,
    ) -> Result<(String, Vec<crate::backend::Note>), Unsupported> {
        correlation::lower(plan)
    }

    fn fidelity_notes(&self, doc: &crate::catalog::Document, expr: &Expr) -> Vec<crate::diag::Diagnostic> {
        super::notes::array_approximated(
            doc,
            expr,
            "Sumo Logic reads the whole array as JSON text: the element test is approximated on that text",
        )
        .into_iter()
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The `format!` version of [`string_test`]: the oracle for it.
    fn string_test_simple(expr: &str, s: &SigmaString) -> String {
        if let Some(plain) = s.as_plain() {
            return format!("{expr} = {}", literal(&plain));
        }
        if let Some(pattern) = star_pattern(s) {
            format!("{expr} matches {}", literal(&pattern))
        } else {
            format!("{expr} matches /{}/", as_regex(s))
        }
    }

    proptest! {
        #[test]
        fn string_tests_in_one_buffer_match_the_format_chain(raw in "(?s).{0,30}|[a\\\\\"*?%: \n\r\t\u{0}-\u{1f}\u{7f}-\u{a0}é€\u{3000}😀]{0,30}", expand in any::<bool>()) {
            let s = SigmaString::parse(&raw, expand);
            prop_assert_eq!(string_test("toLowerCase(f)", &s), string_test_simple("toLowerCase(f)", &s));
        }
    }

    #[test]
    fn cidr_prefix_expansion() {
        assert_eq!(cidr_prefixes("10.0.0.0/8").unwrap(), ["10.*"]);
        assert_eq!(cidr_prefixes("192.168.0.0/23").unwrap(), ["192.168.0.*", "192.168.1.*"]);
        assert_eq!(cidr_prefixes("172.16.0.0/12").unwrap().len(), 16);
        assert_eq!(cidr_prefixes("1.2.3.4/32").unwrap(), ["1.2.3.4"]);
        assert_eq!(cidr_prefixes("0.0.0.0/0").unwrap(), ["*"]);
    }
}
