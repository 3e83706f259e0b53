//! Splunk SPL search (the `splunk` target), as pySigma's Splunk backend writes it where that is
//! faithful. Splunk's `?` has no single-character wildcard: it becomes `*` with a B801 warning.

pub mod correlation;

use std::sync::OnceLock;

use regex::Regex;

use std::cell::RefCell;
use std::collections::HashMap;

use super::boolean::{Dialect, Op, Query, Rendered, Syntax, Unsupported, render};
use crate::ir::{Expr, Leaf, Value};
use crate::model::sigma_string::{Part, SigmaString};
use crate::model::sigma_string::{StringStyle, render_string_into};

pub struct Splunk;

static DIALECT: Dialect = Dialect {
    and: " ",
    or: " OR ",
    not: "NOT ",
    precedence: [Op::Not, Op::Or, Op::And],
    parenthesize: false,
    group_negated_leaf: false,
};

const STYLE: StringStyle<'static> = StringStyle {
    escaped: &['\\', '"', '*'],
    escape: "\\",
    any_chars: "*",
    one_char: "*",
};

/// A field name in a search term or an `IN` list: bare when it is a plain word (and not one of SPL's operator words: `OR`, `AND`,
/// `NOT`, `IN`, `AS`, `BY` in any case), else double-quoted with `\` and `"` escaped, so a field name
/// cannot end the string early.
pub fn field(name: &str) -> String {
    static PLAIN: OnceLock<Regex> = OnceLock::new();
    let operator = ["OR", "AND", "NOT", "IN", "AS", "BY"]
        .iter()
        .any(|w| w.eq_ignore_ascii_case(name));
    // An ASCII word is plain without asking the (Unicode-aware) regex.
    let ascii_word = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.'));
    if (ascii_word || PLAIN.get_or_init(|| Regex::new(r"^[\w.]+$").unwrap()).is_match(name)) && !operator {
        name.to_string()
    } else {
        format!("\"{}\"", string_body(name))
    }
}

/// A field name as the argument of a command (`| regex F=…`, `| rex field=F`, `by F`, `dc(F)`,
/// `rename F as G`): bare, as pySigma writes it, unless it holds whitespace, a quote, a backslash, a
/// wildcard or a character SPL splits arguments on (`| = ! < > ( ) [ ] ,`), or is an operator word;
/// then double-quoted as in [`field`].
pub fn command_field(name: &str) -> String {
    let bare = !name.is_empty()
        && !name.chars().any(|c| {
            c.is_whitespace()
                || matches!(
                    c,
                    '"' | '\'' | '\\' | '*' | '|' | '=' | '!' | '<' | '>' | '(' | ')' | '[' | ']' | ','
                )
        })
        && !["OR", "AND", "NOT", "IN", "AS", "BY"]
            .iter()
            .any(|w| w.eq_ignore_ascii_case(name));
    if bare {
        name.to_string()
    } else {
        format!("\"{}\"", string_body(name))
    }
}

/// Text inside an SPL double-quoted string: backslash and quote escaped.
pub fn string_body(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// A field name in an eval expression (`| where 'a'='b'`): single-quoted. SPL has no escape for a
/// quote inside a single-quoted name, so names with `'` or `\` are refused.
fn eval_field(leaf: &Leaf, name: &str) -> Result<String, Unsupported> {
    if name.contains(['\'', '\\']) {
        return Err(Unsupported::at(
            leaf,
            format!(
                "Splunk eval expressions cannot name the field {name:?}: a single-quoted field name cannot hold `'` or `\\`"
            ),
        ));
    }
    Ok(format!("'{name}'"))
}

/// `'F'='G'` for `| where`: `where` compares text case-sensitively, so both sides are lower-cased
/// unless the rule says `|cased` (Sigma strings match case-insensitively).
fn field_equals(leaf: &Leaf, name: &str, other: &str, cased: bool) -> Result<String, Unsupported> {
    let (a, b) = (eval_field(leaf, name)?, eval_field(leaf, other)?);
    Ok(if cased {
        format!("{a}={b}")
    } else {
        format!("lower({a})=lower({b})")
    })
}

/// A `| rex` capture-group name (and the `eval` field built from it) from a field name: its last
/// dotted segment when that is a plain ASCII identifier, else the segment with every other
/// character replaced by `_` (PCRE group names and bare eval names allow nothing else).
fn capture_base(name: &str) -> String {
    let base = name.rsplit('.').next().unwrap_or(name);
    let mut out: String = base
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, 'f');
    }
    out
}

fn quoted(s: &SigmaString) -> String {
    let mut out = String::with_capacity(16);
    quoted_into(&mut out, s);
    out
}

/// `"…"` around `s`, appended to `out`.
fn quoted_into(out: &mut String, s: &SigmaString) {
    out.push('"');
    render_string_into(out, s, &STYLE);
    out.push('"');
}

/// Whether the string uses `?`, which Splunk widens to `*`.
pub fn widens(s: &SigmaString) -> bool {
    s.parts.contains(&Part::OneChar)
}

fn regex_text(pattern: &str, flags: crate::ir::ReFlags) -> String {
    string_body(&format!("{}{}", flags.prefix(), pattern))
}

impl Syntax for Splunk {
    fn dialect(&self) -> &Dialect {
        &DIALECT
    }

    fn leaf(&self, leaf: &Leaf) -> Result<Rendered, Unsupported> {
        let Some(name) = leaf.field.as_deref() else {
            return Ok(Rendered::Inline(match &leaf.value {
                Value::Str(s) => quoted(s),
                Value::Num(n) => n.to_string(),
                _ => {
                    return Err(Unsupported::at(leaf, "this keyword value is not supported by Splunk"));
                }
            }));
        };
        let f = field(name);
        Ok(Rendered::Inline(match &leaf.value {
            Value::RawQuery(q) => q.clone(),
            Value::Str(s) => {
                let mut out = String::with_capacity(f.len() + 16);
                out.push_str(&f);
                out.push('=');
                quoted_into(&mut out, s);
                out
            }
            Value::Num(n) => format!("{f}={n}"),
            Value::Bool(b) => format!("{f}={b}"),
            Value::Null => format!("NOT {f}=*"),
            Value::Exists(true) => format!("{f}=*"),
            Value::Exists(false) => format!("NOT {f}=*"),
            Value::Compare(op, n) => format!("{f}{}{n}", op.symbol()),
            Value::Cidr(net) => format!("{f}=\"{net}\""),
            Value::Regex { pattern, flags } => {
                return Ok(Rendered::Deferred(format!(
                    "| regex {}=\"{}\"",
                    command_field(name),
                    regex_text(pattern, *flags)
                )));
            }
            Value::FieldRef { field: other, cased } => {
                return Ok(Rendered::Deferred(format!(
                    "| where {}",
                    field_equals(leaf, name, other, *cased)?
                )));
            }
            Value::CasedStr(_) => {
                return Err(Unsupported::at(
                    leaf,
                    "case-sensitive matching (`cased`) is not supported by Splunk search",
                ));
            }
            Value::Unsupported(m) => {
                return Err(Unsupported::at(leaf, format!("`{m}` is not supported by Splunk")));
            }
        }))
    }

    fn not_leaf(&self, leaf: &Leaf) -> Option<Result<Rendered, Unsupported>> {
        let name = leaf.field.as_deref()?;
        match &leaf.value {
            Value::Regex { pattern, flags } => Some(Ok(Rendered::Deferred(format!(
                "| regex {}!=\"{}\"",
                command_field(name),
                regex_text(pattern, *flags)
            )))),
            Value::FieldRef { field: other, cased } => Some(
                field_equals(leaf, name, other, *cased).map(|test| Rendered::Deferred(format!("| where NOT {test}"))),
            ),
            _ => None,
        }
    }

    fn in_list(&self, leaves: &[&Leaf], expansion: bool) -> Option<String> {
        if expansion {
            return None;
        }
        let values: Vec<String> = leaves
            .iter()
            .map(|l| match &l.value {
                Value::Str(s) => Some(quoted(s)),
                Value::Num(n) => Some(n.to_string()),
                _ => None,
            })
            .collect::<Option<_>>()?;
        Some(format!(
            "{} IN ({})",
            field(leaves[0].field.as_deref()?),
            values.join(", ")
        ))
    }
}

/// The full SPL query of an expression. A regex below an OR cannot be a trailing `| regex`, so then
/// every regex becomes a `| rex` capture tested in a final `| search` (pySigma's layout).
pub fn query(expr: &Expr) -> Result<String, Unsupported> {
    if !regex_under_or(expr, false) {
        return Ok(splunk_query(render(&Splunk, expr)?));
    }
    // Leading plain terms of the top-level AND stay in front of the rex pipeline.
    let mut top = Vec::new();
    flatten_and(expr, &mut top);
    let n = top
        .iter()
        .take_while(|e| matches!(e, Expr::Leaf(l) if matches!(l.value, Value::Str(_) | Value::Num(_) | Value::Bool(_))))
        .count();
    let (hoisted, rest) = top.split_at(n);
    let head: Vec<String> = hoisted
        .iter()
        .map(|e| render(&Splunk, e).map(|q| q.main.unwrap_or_default()))
        .collect::<Result<_, _>>()?;
    let rest_expr = Expr::and(rest.iter().map(|e| (*e).clone()).collect()).expect("a regex is in the rest");
    // Only regexes below an OR become `| rex` captures; the others stay trailing `| regex` filters.
    let mut under_or = Vec::new();
    regexes_under_or(&rest_expr, false, &mut under_or);
    let rex = RexSplunk {
        under_or: under_or.into_iter().map(|l| l as *const Leaf).collect(),
        ..RexSplunk::default()
    };
    let body = render(&rex, &rest_expr)?;
    let mut out = head.join(" ");
    for line in rex.lines.borrow().iter() {
        out.push('\n');
        out.push_str(line);
    }
    out.push_str("\n| search ");
    out.push_str(&body.main.unwrap_or_default());
    for d in body.deferred {
        out.push('\n');
        out.push_str(&d);
    }
    Ok(out)
}

/// The operands of nested top-level ANDs, in order (AND is associative).
fn flatten_and<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match e {
        Expr::And(items) => items.iter().for_each(|i| flatten_and(i, out)),
        other => out.push(other),
    }
}

fn regex_under_or(e: &Expr, under_or: bool) -> bool {
    match e {
        Expr::Leaf(l) => under_or && matches!(l.value, Value::Regex { .. }),
        Expr::Not(x) => regex_under_or(x, under_or),
        Expr::And(v) => v.iter().any(|x| regex_under_or(x, under_or)),
        Expr::Or(v) | Expr::Expansion(v) => v.iter().any(|x| regex_under_or(x, true)),
    }
}

/// Splunk rendering where each regex is captured by `| rex` and tested as `<Field>Condition="true"`.
#[derive(Default)]
struct RexSplunk {
    lines: RefCell<Vec<String>>,
    counts: RefCell<HashMap<String, usize>>,
    /// The regex leaves (by address in the rendered expression) that sit below an OR.
    under_or: std::collections::HashSet<*const Leaf>,
}

/// The regex leaves of `e` that have an OR above them.
fn regexes_under_or<'e>(e: &'e Expr, under_or: bool, out: &mut Vec<&'e Leaf>) {
    match e {
        Expr::Leaf(l) if under_or && matches!(l.value, Value::Regex { .. }) => out.push(l),
        Expr::Leaf(_) => {}
        Expr::Not(x) => regexes_under_or(x, under_or, out),
        Expr::And(v) => v.iter().for_each(|x| regexes_under_or(x, under_or, out)),
        Expr::Or(v) | Expr::Expansion(v) => v.iter().for_each(|x| regexes_under_or(x, true, out)),
    }
}

impl Syntax for RexSplunk {
    fn dialect(&self) -> &Dialect {
        &DIALECT
    }

    fn leaf(&self, leaf: &Leaf) -> Result<Rendered, Unsupported> {
        let (Some(name), Value::Regex { pattern, flags }) = (leaf.field.as_deref(), &leaf.value) else {
            return Splunk.leaf(leaf);
        };
        if !self.under_or.contains(&(leaf as *const Leaf)) {
            return Splunk.leaf(leaf);
        }
        let base = capture_base(name);
        let n = {
            let mut counts = self.counts.borrow_mut();
            let c = counts.entry(base.clone()).or_insert(0);
            *c += 1;
            *c
        };
        let suffix = if n == 1 { String::new() } else { n.to_string() };
        let mut lines = self.lines.borrow_mut();
        lines.push(format!(
            "| rex field={} \"(?<{base}Match{suffix}>{})\"",
            command_field(name),
            regex_text(pattern, *flags)
        ));
        lines.push(format!(
            "| eval {base}Condition{suffix}=if(isnotnull({base}Match{suffix}), \"true\", \"false\")"
        ));
        Ok(Rendered::Inline(format!("{base}Condition{suffix}=\"true\"")))
    }

    fn not_leaf(&self, leaf: &Leaf) -> Option<Result<Rendered, Unsupported>> {
        if self.under_or.contains(&(leaf as *const Leaf)) {
            None
        } else {
            Splunk.not_leaf(leaf)
        }
    }

    fn in_list(&self, leaves: &[&Leaf], expansion: bool) -> Option<String> {
        Splunk.in_list(leaves, expansion)
    }
}

/// Splunk: the search, then each deferred `| regex`/`| where` on its own line; `*` when only deferred.
pub fn splunk_query(q: Query) -> String {
    let mut out = q.main.unwrap_or_else(|| "*".to_string());
    for d in q.deferred {
        out.push('\n');
        out.push_str(&d);
    }
    out
}

/// The `splunk` entry of [`crate::backend::BACKENDS`].
pub struct SplunkBackend;

pub static BACKEND: SplunkBackend = SplunkBackend;

impl crate::backend::Backend for SplunkBackend {
    fn about(&self) -> &'static crate::backend::About {
        &crate::backend::About {
            id: "splunk",
            describe: "Splunk SPL search",
            family: "splunk",
        }
    }

    fn rule_query(
        &self,
        expr: &Expr,
        _state: &std::collections::BTreeMap<String, String>,
    ) -> Result<String, Unsupported> {
        query(expr)
    }

    fn correlation_query(
        &self,
        plan: &crate::ir::CorrelationPlan<'_>,
    ) -> Result<(String, Vec<crate::backend::Note>), Unsupported> {
        correlation::lower(plan)
    }

    fn fidelity_notes(&self, doc: &crate::catalog::Document, expr: &Expr) -> Vec<crate::diag::Diagnostic> {
        let leaves = expr.leaves();
        leaves
            .iter()
            .find(|l| matches!(&l.value, Value::Str(s) if widens(s)))
            .map(|l| {
                doc.diagnostic(
                    &crate::codes::WILDCARD_WIDENED,
                    Some(l.span),
                    "Splunk has no single-character wildcard: `?` is written as `*` and may match more",
                )
            })
            .into_iter()
            .collect()
    }
}

#[cfg(test)]
mod fast_path_tests {
    use super::*;
    use proptest::prelude::*;

    /// The regex-only [`field`] the ASCII check was put in front of: the oracle for it.
    fn field_simple(name: &str) -> String {
        let operator = ["OR", "AND", "NOT", "IN", "AS", "BY"]
            .iter()
            .any(|w| w.eq_ignore_ascii_case(name));
        if Regex::new(r"^[\w.]+$").unwrap().is_match(name) && !operator {
            name.to_string()
        } else {
            format!("\"{}\"", string_body(name))
        }
    }

    proptest! {
        #[test]
        fn ascii_words_are_fields_as_the_regex_says(name in "(?s).{0,12}|[aZ09_.\\-\"é ]{0,8}|or|In") {
            prop_assert_eq!(field(&name), field_simple(&name));
        }
    }
}
