//! Elastic EQL (the `eql` target): `:` is EQL's case-insensitive, wildcard-aware equality.

pub mod correlation;

use super::boolean::{Dialect, Op, Rendered, Syntax, Unsupported};
use super::strings::{control_char, flatten_field};
use crate::ir::{Leaf, Value};
use crate::model::sigma_string::{Part, SigmaString};
use crate::model::sigma_string::{StringStyle, render_string_into};

pub struct Eql;

static DIALECT: Dialect = Dialect {
    and: " and ",
    or: " or ",
    not: "not ",
    precedence: [Op::Not, Op::And, Op::Or],
    parenthesize: true,
    group_negated_leaf: false,
};

const STYLE: StringStyle<'static> = StringStyle {
    escaped: &['\\', '"', '*', '?'],
    escape: "\\",
    any_chars: "*",
    one_char: "?",
};

/// Field names that are not plain identifiers go in backticks (EQL needs them for `c-uri` too,
/// which pySigma leaves bare): a plain name is dotted parts of `[A-Za-z_][A-Za-z0-9_]*`, none of
/// them an EQL keyword (Elastic's `eql` parser rejects a bare `@timestamp`, so `@` is quoted too). A name with a backtick cannot be written ([`Syntax::check_name`]).
pub fn field(name: &str) -> String {
    let name = flatten_field(name);
    if name.split('.').all(plain_part) {
        name.into_owned()
    } else {
        format!("`{}`", name.replace('`', "``"))
    }
}

fn plain_part(part: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "and",
        "or",
        "not",
        "in",
        "like",
        "regex",
        "of",
        "where",
        "sequence",
        "sample",
        "join",
        "by",
        "with",
        "until",
        "maxspan",
        "runs",
        "true",
        "false",
        "null",
        "any",
        "descendant",
        "child",
        "event",
    ];
    part.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(part))
}

/// Control characters in an EQL string literal as escapes (a raw line break ends the string for
/// Elastic's parser); the other special characters are escaped before this.
fn escape_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:02X}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// `"…"` around `s` in `style`, with control characters escaped, written in one buffer: the
/// string is rendered in place and only one with a control character is rewritten.
fn quoted_with(s: &SigmaString, style: &StringStyle<'_>) -> String {
    let mut out = String::with_capacity(16);
    out.push('"');
    render_string_into(&mut out, s, style);
    if control_char(&out[1..]).is_some() {
        out = format!("\"{}", escape_controls(&out[1..]));
    }
    out.push('"');
    out
}

fn quoted(s: &SigmaString) -> String {
    quoted_with(s, &STYLE)
}

/// A string for `==`, which has no wildcards: only `\\` and `"` are escaped.
fn exact(s: &SigmaString) -> String {
    const EXACT: StringStyle<'static> = StringStyle {
        escaped: &['\\', '"'],
        ..STYLE
    };
    quoted_with(s, &EXACT)
}

impl Syntax for Eql {
    fn dialect(&self) -> &Dialect {
        &DIALECT
    }

    fn leaf(&self, leaf: &Leaf) -> Result<Rendered, Unsupported> {
        let Some(_) = leaf.field.as_deref() else {
            // pySigma writes a bare string, which EQL rejects: EQL has no full-text search.
            return Err(Unsupported::at(
                leaf,
                "EQL has no keyword search over all fields; name the field",
            ));
        };
        let name = leaf.field.as_deref().unwrap_or_default();
        let f = field(name);
        Ok(Rendered::Inline(match &leaf.value {
            Value::RawQuery(q) => q.clone(),
            // EQL strings cannot escape a wildcard: a literal `*` or `?` is matched by an
            // equivalent case-insensitive regex instead (pySigma writes `\*`, which EQL rejects).
            Value::Str(s) if has_literal_wildcard(s) => format!("{f} regex~ {}", eql_string(&as_regex(s))),
            Value::Str(s) => match s.as_plain() {
                // pySigma uses `==` for the empty string and IP addresses.
                Some(p) if p.is_empty() || p.parse::<std::net::IpAddr>().is_ok() => {
                    format!("{f}=={}", quoted(s))
                }
                _ => format!("{f}:{}", quoted(s)),
            },
            // Case-sensitive: a literal `*`/`?` next to a wildcard needs the regex too; `==` has no
            // wildcards, so its string needs no wildcard escapes (which EQL would reject).
            Value::CasedStr(s) if has_literal_wildcard(s) && s.has_wildcards() => {
                format!("{f} regex {}", eql_string(&as_regex(s)))
            }
            Value::CasedStr(s) if s.has_wildcards() => format!("{f} like {}", quoted(s)),
            Value::CasedStr(s) => format!("{f} == {}", exact(s)),
            // EQL's `:` compares strings only; numbers and booleans need `==` (pySigma writes `:`).
            Value::Num(n) => format!("{f} == {n}"),
            Value::Bool(b) => format!("{f} == {b}"),
            Value::Null | Value::Exists(false) => format!("?{f} == null"),
            Value::Exists(true) => format!("?{f} != null"),
            Value::Compare(op, n) => format!("{f} {} {n}", op.symbol()),
            Value::Cidr(net) => format!("cidrMatch({f}, \"{net}\")"),
            Value::Regex { pattern, flags } => {
                // An EQL string escapes `\\` and `"`; pySigma escapes `/` instead, which EQL rejects.
                let text = format!("{}{}", flags.prefix(), pattern);
                // Sigma regexes are case-sensitive unless `|i`: `regex` then, `regex~` only with `i`
                // (pySigma always writes the case-insensitive `regex~`).
                let op = if flags.ignore_case { "regex~" } else { "regex" };
                format!("{f} {op} {}", eql_string(&text))
            }
            Value::FieldRef { .. } => {
                return Err(Unsupported::at(
                    leaf,
                    "comparing two fields (`fieldref`) is not supported by EQL",
                ));
            }
            Value::Unsupported(m) => {
                return Err(Unsupported::at(leaf, format!("`{m}` is not supported by EQL")));
            }
        }))
    }

    fn compound_leaf(&self, leaf: &Leaf) -> bool {
        matches!(leaf.value, Value::Null)
    }

    fn check_name(&self, name: &str) -> Result<(), String> {
        check_field(name)
    }

    fn not_leaf(&self, leaf: &Leaf) -> Option<Result<Rendered, Unsupported>> {
        let name = leaf.field.as_deref()?;
        matches!(leaf.value, Value::Null).then(|| Ok(Rendered::Inline(format!("?{} != null", field(name)))))
    }

    fn in_list(&self, leaves: &[&Leaf], expansion: bool) -> Option<String> {
        let f = field(leaves[0].field.as_deref()?);
        let numbers: Option<Vec<String>> = leaves
            .iter()
            .map(|l| match &l.value {
                Value::Num(n) => Some(n.to_string()),
                _ => None,
            })
            .collect();
        if let Some(numbers) = numbers {
            return Some(format!("{f} in ({})", numbers.join(", ")));
        }
        let strings: Vec<&SigmaString> = leaves
            .iter()
            .map(|l| match &l.value {
                Value::Str(s) => Some(s),
                _ => None,
            })
            .collect::<Option<_>>()?;
        Some(string_list(&f, &strings, expansion))
    }
}

/// `F like~ ("a", "b*")` for a list of strings; the values with a literal `*` or `?` (which no EQL
/// string can escape) go to `F regex~ (…)` as whole-value regexes, joined by `or` to the rest and
/// parenthesised when the list is one value's alternatives (rendered as a single operand).
fn string_list(f: &str, strings: &[&SigmaString], expansion: bool) -> String {
    let (regexes, likes): (Vec<&SigmaString>, Vec<&SigmaString>) =
        strings.iter().partition(|s| has_literal_wildcard(s));
    let likes: Vec<String> = likes.into_iter().map(quoted).collect();
    let regexes: Vec<String> = regexes.into_iter().map(|s| eql_string(&as_regex(s))).collect();
    match (likes.is_empty(), regexes.is_empty()) {
        (_, true) => format!("{f} like~ ({})", likes.join(", ")),
        (true, false) => format!("{f} regex~ ({})", regexes.join(", ")),
        (false, false) => {
            let both = format!(
                "{f} like~ ({}) or {f} regex~ ({})",
                likes.join(", "),
                regexes.join(", ")
            );
            if expansion { format!("({both})") } else { both }
        }
    }
}

/// A field name EQL can write: Elastic's `eql` parser package reads a backtick-quoted name up to
/// the next backtick (it has no escape for one).
pub fn check_field(name: &str) -> Result<(), String> {
    super::strings::check_flattened(name)?;
    if name.contains('`') {
        return Err(format!(
            "EQL cannot name the field {name:?}: a backtick-quoted field name cannot hold a backtick"
        ));
    }
    Ok(())
}

fn has_literal_wildcard(s: &SigmaString) -> bool {
    s.parts
        .iter()
        .any(|p| matches!(p, Part::Text(t) if t.contains(['*', '?'])))
}

/// A Sigma string as a whole-value regex (EQL's `regex` matches the entire value).
fn as_regex(s: &SigmaString) -> String {
    s.parts
        .iter()
        .map(|p| match p {
            Part::Text(t) => regex::escape(t),
            Part::AnyChars => ".*".into(),
            Part::OneChar => ".".into(),
            Part::Placeholder(n) => regex::escape(&format!("%{n}%")),
        })
        .collect()
}

/// An EQL string literal: backslashes and quotes escaped.
fn eql_string(text: &str) -> String {
    format!(
        "\"{}\"",
        escape_controls(&text.replace('\\', "\\\\").replace('"', "\\\""))
    )
}

/// The `eql` entry of [`crate::backend::BACKENDS`].
pub struct EqlBackend;

pub static BACKEND: EqlBackend = EqlBackend;

impl crate::backend::Backend for EqlBackend {
    fn about(&self) -> &'static crate::backend::About {
        &crate::backend::About {
            id: "eql",
            describe: "Elastic EQL",
            family: "elastic",
        }
    }

    fn rule_query(
        &self,
        expr: &crate::ir::Expr,
        _state: &std::collections::BTreeMap<String, String>,
    ) -> Result<String, Unsupported> {
        Ok(format!(
            "any where {}",
            super::convert::main_only(super::boolean::render(&Eql, expr)?)?
        ))
    }

    fn correlation_query(
        &self,
        plan: &crate::ir::CorrelationPlan<'_>,
    ) -> Result<(String, Vec<crate::backend::Note>), Unsupported> {
        correlation::lower(plan)
    }

    fn fidelity_notes(&self, doc: &crate::catalog::Document, expr: &crate::ir::Expr) -> Vec<crate::diag::Diagnostic> {
        super::notes::regex_anchored(doc, expr).into_iter().collect()
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod fast_path_tests {
    use super::*;
    use crate::model::sigma_string::render_string;
    use proptest::prelude::*;

    /// The three-step quoting [`quoted`] replaced: the oracle for it.
    fn quoted_simple(s: &SigmaString) -> String {
        format!("\"{}\"", escape_controls(&render_string(s, &STYLE)))
    }

    /// The lower-cased copy [`plain_part`] replaced (its keyword test).
    fn keyword_simple(part: &str) -> bool {
        ["and", "where", "maxspan", "event"].contains(&part.to_ascii_lowercase().as_str())
    }

    proptest! {
        #[test]
        fn quoting_in_place_matches_quoting_by_steps(
            raw in "(?s).{0,30}|[a\\\\\"*?\n\r\t\u{0}-\u{1f}\u{7f}-\u{a0}é€😀]{0,30}",
        ) {
            let s = SigmaString::parse(&raw, false);
            prop_assert_eq!(quoted(&s), quoted_simple(&s));
        }

        #[test]
        fn keywords_match_in_any_case(part in "[aAnNdDwWhHeErRmMxXsSpPvVtT]{0,8}|and|AND|Where|évent") {
            let keyword = ["and", "where", "maxspan", "event"].iter().any(|k| k.eq_ignore_ascii_case(&part));
            prop_assert_eq!(keyword, keyword_simple(&part));
        }
    }
}
