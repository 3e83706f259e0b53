//! Splunk SPL search (the `splunk` target), as pySigma's Splunk backend writes it where that is
//! faithful. Splunk's `?` has no single-character wildcard: it becomes `*` with a B801 warning.

pub mod correlation;

use std::sync::OnceLock;

use regex::Regex;

use super::render::{Dialect, Op, Rendered, Target, Unsupported};
use super::strings::{StringStyle, render_string};
use crate::ir::{Leaf, Value};
use crate::model::sigma_string::{Part, SigmaString};

pub struct Splunk;

static DIALECT: Dialect = Dialect {
    and: " ",
    or: " OR ",
    not: "NOT ",
    precedence: [Op::Not, Op::Or, Op::And],
    parenthesize: false,
};

const STYLE: StringStyle<'static> = StringStyle {
    escaped: &['\\', '"', '*'],
    escape: "\\",
    any_chars: "*",
    one_char: "*",
};

fn field(name: &str) -> String {
    static PLAIN: OnceLock<Regex> = OnceLock::new();
    if PLAIN
        .get_or_init(|| Regex::new(r"^[\w.]+$").unwrap())
        .is_match(name)
    {
        name.to_string()
    } else {
        format!("\"{name}\"")
    }
}

fn quoted(s: &SigmaString) -> String {
    format!("\"{}\"", render_string(s, &STYLE))
}

/// Whether the string uses `?`, which Splunk widens to `*`.
pub fn widens(s: &SigmaString) -> bool {
    s.parts.contains(&Part::OneChar)
}

fn regex_text(pattern: &str, flags: crate::ir::ReFlags) -> String {
    let body = format!("{}{}", flags.prefix(), pattern);
    body.replace('\\', "\\\\").replace('"', "\\\"")
}

impl Target for Splunk {
    fn dialect(&self) -> &Dialect {
        &DIALECT
    }

    fn leaf(&self, leaf: &Leaf) -> Result<Rendered, Unsupported> {
        let Some(name) = leaf.field.as_deref() else {
            return Ok(Rendered::Inline(match &leaf.value {
                Value::Str(s) => quoted(s),
                Value::Num(n) => n.to_string(),
                _ => {
                    return Err(Unsupported::at(
                        leaf,
                        "this keyword value is not supported by Splunk",
                    ));
                }
            }));
        };
        let f = field(name);
        Ok(Rendered::Inline(match &leaf.value {
            Value::Str(s) => format!("{f}={}", quoted(s)),
            Value::Num(n) => format!("{f}={n}"),
            Value::Bool(b) => format!("{f}={b}"),
            Value::Null => format!("NOT {f}=*"),
            Value::Exists(true) => format!("{f}=*"),
            Value::Exists(false) => format!("NOT {f}=*"),
            Value::Compare(op, n) => format!("{f}{}{n}", op.symbol()),
            Value::Cidr(net) => format!("{f}=\"{net}\""),
            Value::Regex { pattern, flags } => {
                return Ok(Rendered::Deferred(format!(
                    "| regex {f}=\"{}\"",
                    regex_text(pattern, *flags)
                )));
            }
            Value::FieldRef(other) => {
                return Ok(Rendered::Deferred(format!("| where '{name}'='{other}'")));
            }
            Value::CasedStr(_) => {
                return Err(Unsupported::at(
                    leaf,
                    "case-sensitive matching (`cased`) is not supported by Splunk search",
                ));
            }
            Value::Unsupported(m) => {
                return Err(Unsupported::at(
                    leaf,
                    format!("`{m}` is not supported by Splunk"),
                ));
            }
        }))
    }

    fn not_leaf(&self, leaf: &Leaf) -> Option<Result<Rendered, Unsupported>> {
        let name = leaf.field.as_deref()?;
        match &leaf.value {
            Value::Regex { pattern, flags } => Some(Ok(Rendered::Deferred(format!(
                "| regex {}!=\"{}\"",
                field(name),
                regex_text(pattern, *flags)
            )))),
            Value::FieldRef(other) => Some(Ok(Rendered::Deferred(format!(
                "| where NOT '{name}'='{other}'"
            )))),
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
