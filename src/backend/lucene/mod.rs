//! Elastic Lucene query string (the `lucene` target). Values are backslash-escaped, and a plain
//! multi-word value is a quoted phrase; every non-leaf operand is parenthesised, as pySigma's Lucene
//! backend (2.1.1) does.

use super::boolean::{Dialect, Op, Rendered, Syntax, Unsupported};
use super::strings::{flatten_field, slash_regex};
use crate::ir::{Leaf, Value};
use crate::model::sigma_string::SigmaString;
use crate::model::sigma_string::{StringStyle, render_string, render_string_into};

pub struct Lucene;

static DIALECT: Dialect = Dialect {
    and: " AND ",
    or: " OR ",
    not: "NOT ",
    precedence: [Op::Not, Op::And, Op::Or],
    parenthesize: true,
    group_negated_leaf: false,
};

/// pySigma's escaped characters, plus every character Lucene's query parser reads as whitespace
/// (line breaks, tab and the ideographic space U+3000), which would otherwise end the term.
const SPECIAL: &[char] = &[
    '+', '-', '=', '&', '|', '!', '(', ')', '{', '}', '[', ']', '<', '>', '^', '"', '~', '*', '?', ':', '\\', '/', ' ',
    '\n', '\r', '\t', '\u{3000}',
];
const STYLE: StringStyle<'static> = StringStyle {
    escaped: SPECIAL,
    escape: "\\",
    any_chars: "*",
    one_char: "?",
};
/// Inside a phrase only `"` and `\` must be escaped; the others keep pySigma's escapes (the parser
/// drops the backslash of any escaped character in a phrase, so they mean the same).
const PHRASE: StringStyle<'static> = StringStyle {
    escaped: &[
        '+', '-', '=', '&', '|', '!', '(', ')', '{', '}', '[', ']', '<', '>', '^', '"', '~', '*', '?', ':', '\\', '/',
    ],
    escape: "\\",
    any_chars: "*",
    one_char: "?",
};

fn field(name: &str) -> String {
    let name = flatten_field(name);
    // Most names (`Image`, `winlog.event_data.User`, `c-uri`) need no escape: checked by bytes.
    let plain = !name.starts_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        && !matches!(&*name, "AND" | "OR" | "NOT" | "TO");
    if plain {
        return name.into_owned();
    }
    field_escaped(&name)
}

/// A field name with every character escaped that would end the term or start a clause.
fn field_escaped(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        // pySigma escapes whitespace and `*`; every other query-syntax character is escaped too so a
        // field name cannot start a new clause. `-` is left bare except in front (`-f` is NOT f), and
        // a name that is an operator word (`AND`) gets its first letter escaped.
        let operator = i == 0 && matches!(name, "AND" | "OR" | "NOT" | "TO");
        if c.is_whitespace() || (SPECIAL.contains(&c) && (c != '-' || i == 0)) || operator {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A plain value with a space as a quoted phrase (`F:"Data pipeline"`), as pySigma 2.1.1 writes it:
/// a phrase keeps the words together on analysed text fields, where `Data\ pipeline` is split by
/// the analyser into separate terms. Not for values with a wildcard (a phrase has none) nor with a
/// control character (kept escaped and unquoted, as before: pySigma leaves them raw in the phrase).
fn phrase(s: &SigmaString) -> Option<String> {
    let text = s.as_plain()?;
    (text.contains(' ') && !text.chars().any(char::is_control)).then(|| format!("\"{}\"", render_string(s, &PHRASE)))
}

fn value(s: &SigmaString) -> String {
    let mut out = String::new();
    value_into(&mut out, s);
    out
}

/// [`value`] appended to `out`.
fn value_into(out: &mut String, s: &SigmaString) {
    if let Some(p) = phrase(s) {
        out.push_str(&p);
        return;
    }
    let start = out.len();
    render_string_into(out, s, &STYLE);
    match &out[start..] {
        "" => out.push_str("\"\""),
        // A bare operator word would be read as the operator: its first letter is escaped.
        "AND" | "OR" | "NOT" | "TO" => out.insert(start, '\\'),
        _ => {}
    }
}

/// A number with its minus sign escaped: a term cannot start with `-` (`F:-1` is a syntax error to
/// Elasticsearch, and a bare `-1` means NOT 1), and `F:<=\-3` keeps the comparison one term.
fn number(n: &crate::ir::Num) -> String {
    let text = n.to_string();
    match text.strip_prefix('-') {
        Some(rest) => format!("\\-{rest}"),
        None => text,
    }
}

fn escape_all(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if SPECIAL.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl Syntax for Lucene {
    fn dialect(&self) -> &Dialect {
        &DIALECT
    }

    fn check_name(&self, name: &str) -> Result<(), String> {
        super::strings::check_flattened(name)
    }

    fn leaf(&self, leaf: &Leaf) -> Result<Rendered, Unsupported> {
        let Some(name) = leaf.field.as_deref() else {
            return Ok(Rendered::Inline(match &leaf.value {
                // pySigma writes keywords as unbound, wildcarded terms.
                Value::Str(s) => {
                    let mut s = s.clone();
                    s.wrap_any(true, true);
                    value(&s)
                }
                Value::Num(n) => number(n),
                _ => {
                    return Err(Unsupported::at(leaf, "this keyword value is not supported by Lucene"));
                }
            }));
        };
        let f = field(name);
        Ok(Rendered::Inline(match &leaf.value {
            Value::RawQuery(q) => q.clone(),
            Value::Str(s) => {
                let mut out = String::with_capacity(f.len() + 2 * s.parts.len() + 16);
                out.push_str(&f);
                out.push(':');
                value_into(&mut out, s);
                out
            }
            Value::Num(n) => format!("{f}:{}", number(n)),
            Value::Bool(b) => format!("{f}:{b}"),
            Value::Null | Value::Exists(false) => format!("NOT _exists_:{f}"),
            Value::Exists(true) => format!("_exists_:{f}"),
            Value::Compare(op, n) => format!("{f}:{}{}", op.symbol(), number(n)),
            Value::Cidr(net) => format!("{f}:{}", escape_all(net)),
            Value::Regex { pattern, flags } => {
                let body = slash_regex(pattern, false).ok_or_else(|| {
                    Unsupported::at(
                        leaf,
                        "the regex ends in a lone backslash, which would escape the closing `/`",
                    )
                })?;
                format!("{f}:/{}{body}/", flags.prefix())
            }
            Value::CasedStr(_) => {
                return Err(Unsupported::at(
                    leaf,
                    "case-sensitive matching (`cased`) cannot be expressed in a Lucene query string",
                ));
            }
            Value::FieldRef { .. } => {
                return Err(Unsupported::at(
                    leaf,
                    "comparing two fields (`fieldref`) cannot be expressed in a Lucene query string",
                ));
            }
            Value::Unsupported(m) => {
                return Err(Unsupported::at(leaf, format!("`{m}` is not supported by Lucene")));
            }
        }))
    }

    fn compound_leaf(&self, leaf: &Leaf) -> bool {
        matches!(leaf.value, Value::Null)
    }

    fn not_leaf(&self, leaf: &Leaf) -> Option<Result<Rendered, Unsupported>> {
        let name = leaf.field.as_deref()?;
        matches!(leaf.value, Value::Null).then(|| Ok(Rendered::Inline(format!("_exists_:{}", field(name)))))
    }

    fn in_list(&self, leaves: &[&Leaf], _expansion: bool) -> Option<String> {
        let values: Vec<String> = leaves
            .iter()
            .map(|l| match &l.value {
                Value::Str(s) => Some(value(s)),
                Value::Num(n) => Some(number(n)),
                _ => None,
            })
            .collect::<Option<_>>()?;
        Some(format!(
            "{}:({})",
            field(leaves[0].field.as_deref()?),
            values.join(" OR ")
        ))
    }
}

/// The `lucene` entry of [`crate::backend::BACKENDS`].
pub struct LuceneBackend;

pub static BACKEND: LuceneBackend = LuceneBackend;

impl crate::backend::Backend for LuceneBackend {
    fn about(&self) -> &'static crate::backend::About {
        &crate::backend::About {
            id: "lucene",
            describe: "Elastic Lucene query string",
            family: "elastic",
        }
    }

    fn rule_query(
        &self,
        expr: &crate::ir::Expr,
        _state: &std::collections::BTreeMap<String, String>,
    ) -> Result<String, Unsupported> {
        super::convert::main_only(super::boolean::render(&Lucene, expr)?)
    }

    fn correlation_query(
        &self,
        _plan: &crate::ir::CorrelationPlan<'_>,
    ) -> Result<(String, Vec<crate::backend::Note>), Unsupported> {
        Err(Unsupported::new(
            "a Lucene query string cannot count or correlate events (`detc build` turns event_count correlations into Elastic threshold rules)",
        ))
    }

    fn fidelity_notes(&self, doc: &crate::catalog::Document, expr: &crate::ir::Expr) -> Vec<crate::diag::Diagnostic> {
        let leaves = expr.leaves();
        let case = leaves
            .iter()
            .find(|l| l.field.is_some() && matches!(l.value, Value::Str(_)))
            .map(|l| {
                doc.diagnostic(
                    &crate::codes::CASE_SENSITIVE,
                    Some(l.span),
                    "Lucene compares keyword fields case-sensitively; this rule matches case-insensitively in Sigma",
                )
            });
        case.into_iter()
            .chain(super::notes::regex_anchored(doc, expr))
            .collect()
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod fast_path_tests {
    use super::*;
    use proptest::prelude::*;

    /// The `format!` version of [`value`]: the oracle for it.
    fn value_simple(s: &SigmaString) -> String {
        if let Some(p) = phrase(s) {
            return p;
        }
        let v = render_string(s, &STYLE);
        match v.as_str() {
            "" => "\"\"".to_string(),
            "AND" | "OR" | "NOT" | "TO" => format!("\\{v}"),
            _ => v,
        }
    }

    proptest! {
        #[test]
        fn values_in_one_buffer_match_the_format_version(
            raw in "(?s).{0,30}|[a\\\\\"*?%: \n\r\t\u{0}-\u{1f}\u{7f}-\u{a0}é€\u{3000}😀]{0,30}|AND|TO|NOT\\*|a b", expand in any::<bool>(),
        ) {
            let s = SigmaString::parse(&raw, expand);
            prop_assert_eq!(value(&s), value_simple(&s));
        }

        /// The byte check lets through only names the character-by-character escape leaves as
        /// they are.
        #[test]
        fn plain_field_names_escape_as_before(name in "(?s).{0,20}|[aA_.\\-{} *:\n\u{3000}é]{0,12}|AND|OR|NOT|TO|-a") {
            prop_assert_eq!(field(&name), field_escaped(&flatten_field(&name)));
        }
    }
}
