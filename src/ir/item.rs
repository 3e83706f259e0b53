//! Lowering one detection item (`field|modifiers: values`) to an expression.

use std::collections::BTreeMap;

use super::encode;
use super::expr::{CmpOp, Expr, Leaf, Num, ReFlags, Value};
use crate::catalog::yaml::Resolved;
use crate::diag::Span;
use crate::model::detection::Item;
use crate::model::item_spec::{ItemSpec, SpecValue};
use crate::model::modifier::Modifier;
use crate::model::sigma_string::{Part, SigmaString};
use crate::model::tokens;

/// Why an item cannot be lowered; reported as a conversion error at `span`.
#[derive(Debug, Clone)]
pub struct LowerError {
    pub span: Span,
    pub message: String,
}

fn err<T>(span: Span, message: impl Into<String>) -> Result<T, LowerError> {
    Err(LowerError {
        span,
        message: message.into(),
    })
}

pub fn lower_item(item: &Item<'_>, vars: &BTreeMap<String, String>) -> Result<Expr, LowerError> {
    lower_spec(&ItemSpec::from_item(item), vars)
}

pub fn lower_spec(item: &ItemSpec, vars: &BTreeMap<String, String>) -> Result<Expr, LowerError> {
    if let Some(name) = item.unknown_modifiers.first() {
        return err(item.span, format!("unknown modifier `{name}`"));
    }
    let field = item.field.as_deref();
    let mut alternatives = Vec::new();
    if item.values.is_empty() {
        // `F: []` means the field is null, as `F: null` (pySigma).
        alternatives.push(leaf(field, Value::Null, item.value_span));
    }
    for v in &item.values {
        alternatives.push(lower_value(item, field, v, vars)?);
    }
    let linked = if item.has(Modifier::All) {
        Expr::and(alternatives)
    } else {
        Expr::or(alternatives)
    };
    let expr = linked.expect("at least one alternative");
    Ok(if item.has(Modifier::Neq) {
        Expr::Not(Box::new(expr))
    } else {
        expr
    })
}

fn leaf(field: Option<&str>, value: Value, span: Span) -> Expr {
    Expr::Leaf(Leaf {
        field: field.map(str::to_string),
        value,
        span,
    })
}

fn lower_value(
    item: &ItemSpec,
    field: Option<&str>,
    v: &SpecValue,
    vars: &BTreeMap<String, String>,
) -> Result<Expr, LowerError> {
    let span = v.span;
    if let Some(raw) = &v.raw_query {
        return Ok(leaf(field, Value::RawQuery(raw.clone()), span));
    }
    let mods = &item.modifiers;
    let Some(scalar) = &v.scalar else {
        return err(span, format!("a detection value cannot be {}", v.kind));
    };
    let time_part = mods.iter().find(|m| m.is_time_part());
    let compare = mods.iter().find(|m| m.is_compare());
    match scalar.resolved {
        Resolved::Null => Ok(leaf(field, Value::Null, span)),
        Resolved::Bool(b) if item.has(Modifier::Exists) => Ok(leaf(field, Value::Exists(b), span)),
        Resolved::Bool(b) => Ok(leaf(field, Value::Bool(b), span)),
        Resolved::Timestamp => err(
            span,
            format!("`{}` is a YAML date; quote it to match it as text", scalar.text),
        ),
        Resolved::Int(_) | Resolved::Float(_) => {
            let n = match scalar.resolved {
                Resolved::Int(i) => Num::Int(i),
                Resolved::Float(f) if f.is_finite() => Num::from_f64(f),
                _ => return err(span, "infinite or NaN numbers cannot be matched"),
            };
            if let Some(m) = mods.iter().find(|m| m.wants_string()) {
                return err(span, format!("`{m}` needs a string value; quote the number"));
            }
            if let Some(t) = time_part {
                return Ok(leaf(field, Value::Unsupported(t.name()), span));
            }
            Ok(match compare {
                Some(m) => leaf(field, Value::Compare(cmp_op(*m), n), span),
                None => leaf(field, Value::Num(n), span),
            })
        }
        Resolved::Str => {
            if item.has(Modifier::Exists) {
                return err(span, "`exists` needs `true` or `false`");
            }
            if let Some(m) = compare.or(time_part) {
                return err(span, format!("`{m}` needs a number"));
            }
            lower_string(item, field, &scalar.text, span, vars)
        }
    }
}

fn cmp_op(m: Modifier) -> CmpOp {
    match m {
        Modifier::Lt => CmpOp::Lt,
        Modifier::Lte => CmpOp::Lte,
        Modifier::Gt => CmpOp::Gt,
        _ => CmpOp::Gte,
    }
}

fn lower_string(
    item: &ItemSpec,
    field: Option<&str>,
    text: &str,
    span: Span,
    vars: &BTreeMap<String, String>,
) -> Result<Expr, LowerError> {
    let mods = &item.modifiers;
    // `{name}` tokens with a value are filled first, as literal text of the value's kind.
    if item.has(Modifier::Re) {
        let text = tokens::fill_known(text, vars, regex::escape);
        return Ok(leaf(field, regex_value(&text, mods), span));
    }
    let expand = item.has(Modifier::Expand);
    let filled = tokens::fill_known(text, vars, |v| sigma_literal(v, expand));
    let text = filled.as_str();
    if item.has(Modifier::Cidr) {
        crate::model::cidr::check_cidr(text).map_err(|m| LowerError { span, message: m })?;
        return Ok(leaf(field, Value::Cidr(text.to_string()), span));
    }
    if item.has(Modifier::FieldRef) {
        if mods.iter().any(|m| m.is_substring()) {
            return Ok(leaf(
                field,
                Value::Unsupported("fieldref with contains/startswith/endswith"),
                span,
            ));
        }
        let value = Value::FieldRef {
            field: text.to_string(),
            cased: item.has(Modifier::Cased),
        };
        return Ok(leaf(field, value, span));
    }
    // Run the chain left to right over a list of alternatives (expansions add alternatives).
    let mut alts = vec![SigmaString::parse(text, expand)];
    for m in mods {
        alts = apply(*m, alts, vars).map_err(|message| LowerError { span, message })?;
    }
    let cased = item.has(Modifier::Cased);
    let mut exprs: Vec<Expr> = alts
        .into_iter()
        .map(|s| leaf(field, if cased { Value::CasedStr(s) } else { Value::Str(s) }, span))
        .collect();
    // An expanding modifier keeps its alternatives together even when there is only one (pySigma
    // then renders a one-element list in Lucene and EQL).
    let expands = mods
        .iter()
        .any(|m| matches!(m, Modifier::Windash | Modifier::Base64Offset));
    Ok(if exprs.len() == 1 && !expands {
        exprs.pop().unwrap()
    } else {
        Expr::Expansion(exprs)
    })
}

/// `value` written as a Sigma string that matches it literally (no wildcards, no placeholders).
fn sigma_literal(value: &str, expand: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '\\' | '*' | '?') || (expand && c == '%') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn regex_value(text: &str, mods: &[Modifier]) -> Value {
    let mut pattern = text.to_string();
    let starts_free = |p: &str| p.starts_with(".*") || p.starts_with('^');
    let ends_free = |p: &str| p.ends_with(".*") || p.ends_with('$');
    for m in mods {
        match m {
            Modifier::Contains => {
                if !starts_free(&pattern) {
                    pattern.insert_str(0, ".*");
                }
                if !ends_free(&pattern) {
                    pattern.push_str(".*");
                }
            }
            Modifier::StartsWith if !ends_free(&pattern) => pattern.push_str(".*"),
            Modifier::EndsWith if !starts_free(&pattern) => pattern.insert_str(0, ".*"),
            _ => {}
        }
    }
    let flags = ReFlags {
        ignore_case: mods.contains(&Modifier::IgnoreCase),
        multiline: mods.contains(&Modifier::Multiline),
        dot_all: mods.contains(&Modifier::DotAll),
    };
    Value::Regex { pattern, flags }
}

/// Apply one modifier to every alternative.
fn apply(m: Modifier, alts: Vec<SigmaString>, vars: &BTreeMap<String, String>) -> Result<Vec<SigmaString>, String> {
    let mut out = Vec::with_capacity(alts.len());
    for s in alts {
        match m {
            Modifier::Contains => out.push(wrapped(s, true, true)),
            Modifier::StartsWith => out.push(wrapped(s, false, true)),
            Modifier::EndsWith => out.push(wrapped(s, true, false)),
            Modifier::Expand => out.push(expand(s, vars)?),
            Modifier::Wide | Modifier::Utf16Le => out.push(plain_map(&s, m, encode::utf16le)?),
            Modifier::Utf16Be => out.push(plain_map(&s, m, encode::utf16be)?),
            Modifier::Utf16 => out.push(plain_map(&s, m, encode::utf16_bom)?),
            Modifier::Base64 => out.push(plain_map(&s, m, |t| Ok(encode::base64(&encode::value_bytes(t))))?),
            Modifier::Base64Offset => {
                let text = plain(&s, m)?;
                out.extend(encode::base64_offsets(&text).into_iter().map(|t| SigmaString {
                    parts: vec![Part::Text(t)],
                }));
            }
            Modifier::Windash => out.extend(windash(&s)),
            // All, Neq, Cased act on the item; others were handled before the chain.
            _ => out.push(s),
        }
    }
    Ok(out)
}

fn wrapped(mut s: SigmaString, start: bool, end: bool) -> SigmaString {
    s.wrap_any(start, end);
    s
}

fn plain(s: &SigmaString, m: Modifier) -> Result<String, String> {
    s.as_plain().map(std::borrow::Cow::into_owned).ok_or_else(|| {
        format!(
            "`{m}` cannot encode a value with wildcards or placeholders; put `{m}` before contains/startswith/endswith"
        )
    })
}

fn plain_map(s: &SigmaString, m: Modifier, f: impl Fn(&str) -> Result<String, String>) -> Result<SigmaString, String> {
    let text = f(&plain(s, m)?)?;
    Ok(SigmaString {
        parts: vec![Part::Text(text)],
    })
}

fn expand(s: SigmaString, vars: &BTreeMap<String, String>) -> Result<SigmaString, String> {
    let mut parts = Vec::new();
    for p in s.parts {
        match p {
            Part::Placeholder(name) => {
                let value = vars.get(&name).ok_or_else(|| {
                    format!("placeholder `%{name}%` has no value (set it with --var {name}=… or in detc.yaml)")
                })?;
                parts.extend(SigmaString::parse(value, false).parts);
            }
            other => parts.push(other),
        }
    }
    Ok(merge_text(parts))
}

/// Join adjacent text parts (after substitutions) so renderers see canonical strings.
fn merge_text(parts: Vec<Part>) -> SigmaString {
    let mut out: Vec<Part> = Vec::with_capacity(parts.len());
    for p in parts {
        match (out.last_mut(), p) {
            (Some(Part::Text(a)), Part::Text(b)) => a.push_str(&b),
            (_, p) => out.push(p),
        }
    }
    SigmaString { parts: out }
}

/// Every combination of dash characters at the flag positions of the text parts.
fn windash(s: &SigmaString) -> Vec<SigmaString> {
    let mut results = vec![Vec::<Part>::new()];
    for part in &s.parts {
        let Part::Text(text) = part else {
            results.iter_mut().for_each(|r| r.push(part.clone()));
            continue;
        };
        let positions = encode::windash_positions(text);
        let mut variants = vec![String::new()];
        let mut last = 0;
        for &pos in &positions {
            let chunk = &text[last..pos];
            variants = variants
                .into_iter()
                .flat_map(|v| encode::WINDASH_CHARS.iter().map(move |c| format!("{v}{chunk}{c}")))
                .collect();
            last = pos + 1; // `-` and `/` are one byte
        }
        let rest = &text[last..];
        results = results
            .into_iter()
            .flat_map(|r| {
                variants.iter().map(move |v| {
                    let mut r = r.clone();
                    r.push(Part::Text(format!("{v}{rest}")));
                    r
                })
            })
            .collect();
    }
    results.into_iter().map(merge_text).collect()
}
