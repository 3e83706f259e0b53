//! Elastic ES|QL (the `esql` target). ES|QL comparisons are case-sensitive, so unlike pySigma we
//! compare `TO_LOWER(field)` with the lower-cased value: Sigma's default matching, faithfully.

pub mod correlation;

use super::boolean::{Dialect, Op, Rendered, Syntax, Unsupported};
use super::strings::{c_string, c_string_into, flatten_field, lowercase, prefix_only, suffix_only};
use crate::ir::{Leaf, Value};
use crate::model::sigma_string::SigmaString;
use crate::model::sigma_string::{StringStyle, render_string};

pub struct Esql;

static DIALECT: Dialect = Dialect {
    and: " and ",
    or: " or ",
    not: "not ",
    precedence: [Op::Not, Op::And, Op::Or],
    parenthesize: false,
    group_negated_leaf: false,
};

/// A `like` pattern escapes `\\`, `*` and `?` with a backslash (the pattern level); the pattern
/// then goes in a string literal, which doubles every backslash (the string level). pySigma does
/// only one level, so its literal backslashes and stars reach `like` as escapes of the next character.
const LIKE: StringStyle<'static> = StringStyle {
    escaped: &['\\', '*', '?'],
    escape: "\\",
    any_chars: "*",
    one_char: "?",
};

/// A field name: bare when every dotted part is an ES|QL unquoted identifier (`[A-Za-z]\w*`, or
/// `_`/`@` followed by word characters) and not a keyword, else one backtick-quoted identifier with
/// backticks doubled (ES|QL reads `` `a.b` `` as the field `a.b`).
pub fn field(name: &str) -> String {
    let name = flatten_field(name);
    if name.split('.').all(plain_part) {
        name.into_owned()
    } else {
        format!("`{}`", name.replace('`', "``"))
    }
}

const KEYWORDS: &[&str] = &[
    "and", "or", "not", "like", "rlike", "in", "is", "null", "true", "false", "nulls", "first", "last", "asc", "desc",
    "by", "on", "with", "metadata", "where",
];

/// `[A-Za-z][A-Za-z0-9_]*` or `[_@][A-Za-z0-9_]+`, not a keyword in any case (checked by bytes and
/// without lower-casing a copy: this runs for every part of every field of every leaf).
fn plain_part(part: &str) -> bool {
    let bytes = part.as_bytes();
    let word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    let shape = match bytes.split_first() {
        Some((first, rest)) if first.is_ascii_alphabetic() => rest.iter().all(word),
        Some((b'_' | b'@', rest)) => !rest.is_empty() && rest.iter().all(word),
        _ => false,
    };
    shape && !KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(part))
}

fn literal(text: &str) -> String {
    c_string(text)
}

/// A string comparison on an already-prepared field expression, written in one buffer.
fn string_test(f: &str, s: &SigmaString) -> String {
    let mut out = String::with_capacity(f.len() + 32);
    if let Some(plain) = s.as_plain() {
        out.push_str(f);
        out.push_str("==");
        c_string_into(&mut out, &plain);
    } else if let Some(p) = prefix_only(s) {
        call_into(&mut out, "starts_with(", f, p);
    } else if let Some(x) = suffix_only(s) {
        call_into(&mut out, "ends_with(", f, x);
    } else {
        out.push_str(f);
        out.push_str(" like ");
        c_string_into(&mut out, &render_string(s, &LIKE));
    }
    out
}

/// `name(f, "text")`.
fn call_into(out: &mut String, open: &str, f: &str, text: &str) {
    out.push_str(open);
    out.push_str(f);
    out.push_str(", ");
    c_string_into(out, text);
    out.push(')');
}

impl Syntax for Esql {
    fn dialect(&self) -> &Dialect {
        &DIALECT
    }

    fn check_name(&self, name: &str) -> Result<(), String> {
        super::strings::check_flattened(name)
    }

    fn leaf(&self, leaf: &Leaf) -> Result<Rendered, Unsupported> {
        let Some(name) = leaf.field.as_deref() else {
            return Err(Unsupported::at(
                leaf,
                "ES|QL has no keyword search over all fields; name the field",
            ));
        };
        let f = field(name);
        Ok(Rendered::Inline(match &leaf.value {
            Value::RawQuery(q) => q.clone(),
            Value::Str(s) => string_test(&["TO_LOWER(", &f, ")"].concat(), &lowercase(s)),
            Value::CasedStr(s) => string_test(&f, s),
            Value::Num(n) => format!("{f}=={n}"),
            Value::Bool(b) => format!("{f}=={b}"),
            Value::Null | Value::Exists(false) => format!("{f} is null"),
            Value::Exists(true) => format!("{f} is not null"),
            Value::Compare(op, n) => format!("{f}{}{n}", op.symbol()),
            Value::Cidr(net) => format!("cidr_match({f}, {})", literal(net)),
            Value::Regex { pattern, flags } => {
                format!("{f} rlike {}", literal(&format!("{}{}", flags.prefix(), pattern)))
            }
            Value::FieldRef {
                field: other,
                cased: true,
            } => format!("{f}=={}", field(other)),
            Value::FieldRef {
                field: other,
                cased: false,
            } => format!("TO_LOWER({f})==TO_LOWER({})", field(other)),
            Value::Unsupported(m) => {
                return Err(Unsupported::at(leaf, format!("`{m}` is not supported by ES|QL")));
            }
        }))
    }

    fn in_list(&self, leaves: &[&Leaf], _expansion: bool) -> Option<String> {
        let f = field(leaves[0].field.as_deref()?);
        // Numbers compare as they are; strings lower-cased. A mixed list stays an `or` chain.
        if let Some(numbers) = leaves
            .iter()
            .map(|l| match &l.value {
                Value::Num(n) => Some(n.to_string()),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
        {
            return Some(format!("{f} in ({})", numbers.join(", ")));
        }
        let values: Vec<String> = leaves
            .iter()
            .map(|l| match &l.value {
                Value::Str(s) => lowercase(s).as_plain().map(|p| literal(&p)),
                _ => None,
            })
            .collect::<Option<_>>()?;
        Some(format!("TO_LOWER({f}) in ({})", values.join(", ")))
    }
}

/// ES|QL's source command over the pipeline's `index` values (`*` when there are none). An index
/// pattern is written bare, so it must be one: letters, digits and `_ . * : -` only.
pub fn esql_from(indexes: &[&str]) -> Result<String, Unsupported> {
    let bad = indexes.iter().find(|i| {
        i.is_empty()
            || !i
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '*' | ':' | '-'))
    });
    if let Some(bad) = bad {
        return Err(Unsupported::new(format!(
            "the pipeline state `index` {bad:?} is not an index pattern ES|QL can read (letters, digits, `_ . * : -`)"
        )));
    }
    let list = if indexes.is_empty() {
        "*".to_string()
    } else {
        indexes.join(", ")
    };
    Ok(format!("from {list} metadata _id, _index, _version"))
}

/// The `esql` entry of [`crate::backend::BACKENDS`].
pub struct EsqlBackend;

pub static BACKEND: EsqlBackend = EsqlBackend;

impl crate::backend::Backend for EsqlBackend {
    fn about(&self) -> &'static crate::backend::About {
        &crate::backend::About {
            id: "esql",
            describe: "Elastic ES|QL",
            family: "elastic",
        }
    }

    fn rule_query(
        &self,
        expr: &crate::ir::Expr,
        state: &std::collections::BTreeMap<String, String>,
    ) -> Result<String, Unsupported> {
        let indexes: Vec<&str> = state.get("index").map(String::as_str).into_iter().collect();
        Ok(format!(
            "{} | where {}",
            esql_from(&indexes)?,
            super::convert::main_only(super::boolean::render(&Esql, expr)?)?
        ))
    }

    fn correlation_query(
        &self,
        plan: &crate::ir::CorrelationPlan<'_>,
    ) -> Result<(String, Vec<crate::backend::Note>), Unsupported> {
        correlation::lower(plan)
    }

    fn fidelity_notes(&self, doc: &crate::catalog::Document, expr: &crate::ir::Expr) -> Vec<crate::diag::Diagnostic> {
        let array = super::notes::array_approximated(
            doc,
            expr,
            "ES|QL comparisons on a multi-valued field return null: an array field matches only when it holds one value",
        );
        array
            .into_iter()
            .chain(super::notes::regex_anchored(doc, expr))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use regex::Regex;

    /// The regex and lower-cased copy [`plain_part`] replaced: the oracle for it.
    fn plain_part_simple(part: &str) -> bool {
        Regex::new(r"^(?:[A-Za-z][A-Za-z0-9_]*|[_@][A-Za-z0-9_]+)$")
            .unwrap()
            .is_match(part)
            && !KEYWORDS.contains(&part.to_ascii_lowercase().as_str())
    }

    /// The `format!` chain [`string_test`] replaced: the oracle for it.
    fn string_test_simple(f: &str, s: &SigmaString) -> String {
        if let Some(plain) = s.as_plain() {
            return format!("{f}=={}", c_string(&plain));
        }
        if let Some(p) = prefix_only(s) {
            return format!("starts_with({f}, {})", c_string(p));
        }
        if let Some(x) = suffix_only(s) {
            return format!("ends_with({f}, {})", c_string(x));
        }
        format!("{f} like {}", c_string(&render_string(s, &LIKE)))
    }

    proptest! {
        #[test]
        fn string_tests_in_one_buffer_match_the_format_chain(raw in "(?s).{0,30}|[a\\\\\"*?%: \n\r\t\u{0}-\u{1f}\u{7f}-\u{a0}é€\u{3000}😀]{0,30}", expand in any::<bool>()) {
            let s = SigmaString::parse(&raw, expand);
            prop_assert_eq!(string_test("TO_LOWER(f)", &s), string_test_simple("TO_LOWER(f)", &s));
        }

        #[test]
        fn plain_parts_are_what_the_regex_accepts(
            part in "(?s).{0,12}|[aZ09_@.`\\-é\n]{0,8}|and|AND|Nulls|_|@|@x|a1_",
        ) {
            prop_assert_eq!(plain_part(&part), plain_part_simple(&part));
        }
    }
}
