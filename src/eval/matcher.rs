//! IR expressions compiled for evaluation: regexes built once, strings pre-lowered.

use std::sync::atomic::{AtomicUsize, Ordering};

use regex::{Regex, RegexBuilder};
use serde_json::Value as Json;

use super::event::{all_texts, as_number, as_text, lookup};
use super::prefilter::Need;
use crate::ir::{CmpOp, Expr, Leaf, Value};
use crate::model::pcre::{Flags, LimitExceeded, Pcre};
use crate::model::sigma_string::{Part, SigmaString};

/// A string test: exact (case-folded or not) or a compiled wildcard pattern.
#[derive(Debug)]
enum StrTest {
    Exact { text: String, cased: bool },
    Pattern(Regex),
}

impl StrTest {
    fn new(s: &SigmaString, cased: bool) -> Result<StrTest, String> {
        if let Some(plain) = s.as_plain() {
            return Ok(StrTest::Exact {
                text: if cased {
                    plain.into_owned()
                } else {
                    plain.to_lowercase()
                },
                cased,
            });
        }
        let mut re = String::from("^");
        for p in &s.parts {
            match p {
                Part::Text(t) => re.push_str(&regex::escape(t)),
                Part::AnyChars => re.push_str(".*"),
                Part::OneChar => re.push('.'),
                Part::Placeholder(n) => return Err(format!("placeholder `%{n}%` has no value")),
            }
        }
        re.push('$');
        RegexBuilder::new(&re)
            .case_insensitive(!cased)
            .dot_matches_new_line(true)
            .build()
            .map(StrTest::Pattern)
            .map_err(|e| e.to_string())
    }

    fn matches(&self, text: &str) -> bool {
        match self {
            StrTest::Exact {
                text: want,
                cased: true,
            } => text == want,
            StrTest::Exact {
                text: want,
                cased: false,
            } => text.len() == want.len() && text.eq_ignore_ascii_case(want) || text.to_lowercase() == *want,
            StrTest::Pattern(re) => re.is_match(text),
        }
    }
}

#[derive(Debug)]
enum Test {
    Str(StrTest),
    /// A number: equal to JSON numbers of the same value, and to strings that are its canonical
    /// text (`4624` equals `"4624"`, not `"4624.0"` or `"04624"`).
    Num(f64, String),
    Bool(bool),
    Null,
    Exists(bool),
    /// A PCRE-flavoured regex; `limit_hits` counts events abandoned at the backtracking limit.
    Regex {
        re: Pcre,
        limit_hits: AtomicUsize,
    },
    Cidr(std::net::IpAddr, u32),
    Compare(CmpOp, f64),
    /// Equal to another field's value (case-folded unless `cased`).
    FieldRef {
        other: String,
        cased: bool,
    },
}

/// One compiled leaf, with a description for explanations.
#[derive(Debug)]
pub struct CompiledLeaf {
    field: Option<String>,
    test: Test,
    pub description: String,
    /// What a raw event line must contain for this leaf to hold (see [`super::prefilter`]).
    need: Need,
}

#[derive(Debug)]
pub enum Matcher {
    And(Vec<Matcher>),
    Or(Vec<Matcher>),
    Not(Box<Matcher>),
    Leaf(CompiledLeaf),
}

impl Matcher {
    pub fn compile(expr: &Expr) -> Result<Matcher, String> {
        Ok(match expr {
            Expr::And(v) => Matcher::And(v.iter().map(Matcher::compile).collect::<Result<_, _>>()?),
            Expr::Or(v) | Expr::Expansion(v) => Matcher::Or(v.iter().map(Matcher::compile).collect::<Result<_, _>>()?),
            Expr::Not(x) => Matcher::Not(Box::new(Matcher::compile(x)?)),
            Expr::Leaf(l) => Matcher::Leaf(compile_leaf(l)?),
        })
    }

    pub fn matches(&self, event: &Json) -> bool {
        match self {
            Matcher::And(v) => v.iter().all(|m| m.matches(event)),
            Matcher::Or(v) => v.iter().any(|m| m.matches(event)),
            Matcher::Not(m) => !m.matches(event),
            Matcher::Leaf(l) => l.matches(event),
        }
    }

    /// How many regex matches were abandoned at the backtracking limit (the verdicts treated them as
    /// no match), and the first such pattern.
    pub fn limit_hits(&self) -> (usize, Option<String>) {
        match self {
            Matcher::And(v) | Matcher::Or(v) => total_limit_hits(v),
            Matcher::Not(m) => m.limit_hits(),
            Matcher::Leaf(l) => match &l.test {
                Test::Regex { limit_hits, .. } => {
                    let n = limit_hits.load(Ordering::Relaxed);
                    (n, (n > 0).then(|| l.description.clone()))
                }
                _ => (0, None),
            },
        }
    }

    /// Every leaf with its outcome on `event`, in rule order: what decided a verdict.
    pub fn explain<'m>(&'m self, event: &Json, out: &mut Vec<(&'m str, bool)>) {
        match self {
            Matcher::And(v) | Matcher::Or(v) => v.iter().for_each(|m| m.explain(event, out)),
            Matcher::Not(m) => m.explain(event, out),
            Matcher::Leaf(l) => out.push((&l.description, l.matches(event))),
        }
    }

    /// What a raw event line must contain for this matcher to possibly hold.
    pub fn need(&self) -> Need {
        match self {
            Matcher::And(v) => Need::all(v.iter().map(Matcher::need)),
            Matcher::Or(v) => Need::any(v.iter().map(Matcher::need)),
            Matcher::Not(_) => Need::Any,
            Matcher::Leaf(l) => l.need.clone(),
        }
    }

    /// Adds every field path this matcher reads to `out`; `false` when it reads the whole event
    /// (a keyword searches every value), after which the list no longer matters.
    pub fn fields(&self, out: &mut Vec<String>) -> bool {
        match self {
            Matcher::And(v) | Matcher::Or(v) => v.iter().all(|m| m.fields(out)),
            Matcher::Not(m) => m.fields(out),
            Matcher::Leaf(l) => {
                if let Test::FieldRef { other, .. } = &l.test {
                    out.push(other.clone());
                }
                match &l.field {
                    Some(f) => {
                        out.push(f.clone());
                        true
                    }
                    None => false,
                }
            }
        }
    }

    /// The fields of the leaves that hold on `event` (the "matched" of `detc eval`).
    pub fn matched_fields(&self, event: &Json, out: &mut Vec<String>) {
        match self {
            Matcher::And(v) | Matcher::Or(v) => v.iter().for_each(|m| m.matched_fields(event, out)),
            Matcher::Not(_) => {}
            Matcher::Leaf(l) => {
                if l.matches(event) {
                    let f = l.field.clone().unwrap_or_else(|| "(keyword)".into());
                    if !out.contains(&f) {
                        out.push(f);
                    }
                }
            }
        }
    }
}

/// [`Matcher::limit_hits`] summed over several matchers (a rule's conditions, a correlation's rules).
pub fn total_limit_hits<'m>(matchers: impl IntoIterator<Item = &'m Matcher>) -> (usize, Option<String>) {
    matchers
        .into_iter()
        .map(Matcher::limit_hits)
        .fold((0, None), |(n, first), (m, f)| (n + m, first.or(f)))
}

fn compile_leaf(leaf: &Leaf) -> Result<CompiledLeaf, String> {
    let mut need = Need::Any;
    let test = match &leaf.value {
        // A keyword is found anywhere in a value, as Splunk's term search and the Lucene and Sumo
        // renderings (`*evil*`) find it.
        Value::Str(s) if leaf.field.is_none() => {
            let mut s = s.clone();
            s.wrap_any(true, true);
            need = Need::of_string(&s, false, false);
            Test::Str(StrTest::new(&s, false)?)
        }
        Value::Str(s) => {
            need = Need::of_string(s, false, true);
            Test::Str(StrTest::new(s, false)?)
        }
        Value::CasedStr(s) => {
            need = Need::of_string(s, true, true);
            Test::Str(StrTest::new(s, true)?)
        }
        Value::Num(n) => Test::Num(n.as_f64(), n.to_string()),
        Value::Bool(b) => Test::Bool(*b),
        Value::Null => Test::Null,
        Value::Exists(b) => Test::Exists(*b),
        Value::Regex { pattern, flags } => Test::Regex {
            re: Pcre::new(
                pattern,
                Flags {
                    ignore_case: flags.ignore_case,
                    multiline: flags.multiline,
                    dot_all: flags.dot_all,
                },
            )
            .map_err(|e| format!("regex `{pattern}`: {e}"))?,
            limit_hits: AtomicUsize::new(0),
        },
        Value::Cidr(net) => {
            let (addr, len) = net.split_once('/').unwrap_or((net, ""));
            let addr: std::net::IpAddr = addr.parse().map_err(|_| format!("bad network `{net}`"))?;
            let max = if addr.is_ipv4() { 32 } else { 128 };
            Test::Cidr(
                addr,
                if len.is_empty() {
                    max
                } else {
                    len.parse().map_err(|_| format!("bad network `{net}`"))?
                },
            )
        }
        Value::Compare(op, n) => Test::Compare(*op, n.as_f64()),
        Value::FieldRef { field, cased } => Test::FieldRef {
            other: field.clone(),
            cased: *cased,
        },
        Value::Unsupported(m) => return Err(format!("`{m}` cannot be evaluated")),
        Value::RawQuery(q) => return Err(format!("a query expression placeholder (`{q}`) cannot be evaluated")),
    };
    Ok(CompiledLeaf {
        field: leaf.field.clone(),
        description: describe(leaf),
        test,
        need,
    })
}

fn describe(leaf: &Leaf) -> String {
    let field = leaf.field.as_deref().unwrap_or("keyword");
    let value = match &leaf.value {
        Value::Str(s) | Value::CasedStr(s) => format!("= {:?}", crate::model::sigma_string::render_string(s, &DISPLAY)),
        Value::Num(n) => format!("= {n}"),
        Value::Bool(b) => format!("= {b}"),
        Value::Null => "is null".into(),
        Value::Exists(b) => format!("exists: {b}"),
        Value::Regex { pattern, flags } => format!("matches /{}{}/", flags.prefix(), pattern),
        Value::Cidr(n) => format!("in {n}"),
        Value::Compare(op, n) => format!("{} {n}", op.symbol()),
        Value::FieldRef { field, cased: false } => format!("= field {field}"),
        Value::FieldRef { field, cased: true } => format!("= field {field} (cased)"),
        Value::Unsupported(m) => format!("({m})"),
        Value::RawQuery(q) => format!("query {q}"),
    };
    format!("{field} {value}")
}

const DISPLAY: crate::model::sigma_string::StringStyle<'static> = crate::model::sigma_string::StringStyle {
    escaped: &['*', '?'],
    escape: "\\",
    any_chars: "*",
    one_char: "?",
};

impl CompiledLeaf {
    pub fn matches(&self, event: &Json) -> bool {
        let Some(field) = &self.field else {
            let Test::Str(t) = &self.test else { return false };
            let mut texts = Vec::new();
            all_texts(event, &mut texts);
            return texts.iter().any(|s| t.matches(s));
        };
        let values = lookup(event, field);
        match &self.test {
            Test::Null => values.iter().all(|v| v.is_null()),
            Test::Exists(want) => values.iter().any(|v| !v.is_null()) == *want,
            Test::Str(t) => values.iter().any(|v| as_text(v).is_some_and(|s| t.matches(&s))),
            Test::Num(n, text) => values.iter().any(|v| match v {
                Json::Number(x) => x.as_f64() == Some(*n),
                Json::String(s) => s == text,
                _ => false,
            }),
            Test::Bool(b) => values.iter().any(|v| match v {
                Json::Bool(x) => x == b,
                Json::String(s) => s.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
                _ => false,
            }),
            Test::Regex { re, limit_hits } => values.iter().any(|v| {
                as_text(v).is_some_and(|s| match re.is_match(&s) {
                    Ok(m) => m,
                    Err(LimitExceeded) => {
                        // Counted and reported after the run (T706), never a silent non-match.
                        limit_hits.fetch_add(1, Ordering::Relaxed);
                        false
                    }
                })
            }),
            Test::Cidr(net, len) => values.iter().any(|v| {
                as_text(v)
                    .and_then(|s| s.parse::<std::net::IpAddr>().ok())
                    .is_some_and(|ip| in_network(ip, *net, *len))
            }),
            Test::Compare(op, n) => values.iter().any(|v| {
                as_number(v).is_some_and(|x| match op {
                    CmpOp::Lt => x < *n,
                    CmpOp::Lte => x <= *n,
                    CmpOp::Gt => x > *n,
                    CmpOp::Gte => x >= *n,
                })
            }),
            Test::FieldRef { other, cased } => {
                let fold = |v: &Json| as_text(v).map(|s| if *cased { s.into_owned() } else { s.to_lowercase() });
                let others: Vec<String> = lookup(event, other).into_iter().filter_map(fold).collect();
                values.iter().filter_map(|v| fold(v)).any(|v| others.contains(&v))
            }
        }
    }
}

fn in_network(ip: std::net::IpAddr, net: std::net::IpAddr, len: u32) -> bool {
    let bits = |a: std::net::IpAddr| -> (u128, u32) {
        match a {
            std::net::IpAddr::V4(v) => (u32::from(v) as u128, 32),
            std::net::IpAddr::V6(v) => (u128::from(v), 128),
        }
    };
    let ((a, wa), (b, wb)) = (bits(ip), bits(net));
    if wa != wb {
        return false;
    }
    let shift = wa - len.min(wa);
    if shift >= 128 { true } else { a >> shift == b >> shift }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(yaml_detection: &str) -> Matcher {
        let text = format!("title: T\nlogsource: {{product: x}}\ndetection:\n{yaml_detection}");
        let catalog = crate::catalog::Catalog::from_sources(&[("t.yml", &text)]);
        let parsed = crate::model::Parsed::parse(&catalog.documents[0]);
        let det = parsed.detection().unwrap();
        let exprs = crate::ir::lower_detection(det, &catalog.files[0], &Default::default()).unwrap();
        Matcher::compile(&exprs[0]).unwrap()
    }

    #[test]
    fn sigma_semantics() {
        let m = rule("  sel:\n    data.type: SAPI\n    data.description|contains: brute\n  condition: sel\n");
        assert!(m.matches(&json!({"data": {"type": "sapi", "description": "Update Brute-force settings"}})));
        assert!(!m.matches(&json!({"data": {"type": "sapi", "description": "Update MFA"}})));
        let m = rule("  sel: {a: 5}\n  condition: sel\n");
        assert!(m.matches(&json!({"a": 5})) && m.matches(&json!({"a": "5"})) && !m.matches(&json!({"a": 6})));
        assert!(m.matches(&json!({"a": 5.0})), "the same JSON number");
        for text in [" 5", "+5", "05", "5e0", "5.0"] {
            assert!(!m.matches(&json!({"a": text})), "{text:?} is other text than 5");
        }
        let m = rule("  sel: {n|gt: 9}\n  condition: sel\n");
        assert!(m.matches(&json!({"n": "10"})) && m.matches(&json!({"n": "9.5"})));
        assert!(
            !m.matches(&json!({"n": " 10"})) && !m.matches(&json!({"n": "1e3"})) && !m.matches(&json!({"n": "010"}))
        );
        let m = rule("  sel: {a: null}\n  condition: sel\n");
        assert!(m.matches(&json!({})) && m.matches(&json!({"a": null})) && !m.matches(&json!({"a": ""})));
        let m = rule("  sel: {a: ''}\n  condition: sel\n");
        assert!(m.matches(&json!({"a": ""})) && !m.matches(&json!({})));
        let m = rule("  sel: {ip|cidr: 10.0.0.0/8}\n  condition: sel\n");
        assert!(m.matches(&json!({"ip": "10.1.2.3"})) && !m.matches(&json!({"ip": "11.0.0.1"})));
        let m = rule("  sel: {'roles{}': admin}\n  condition: sel\n");
        assert!(m.matches(&json!({"roles": ["user", "Admin"]})));
        let m = rule("  sel: {a|re: 'b.d'}\n  condition: sel\n");
        assert!(m.matches(&json!({"a": "xxbad"})) && !m.matches(&json!({"a": "BAD"})));
        let m = rule("  sel: {a|cased: Ab}\n  condition: sel\n");
        assert!(m.matches(&json!({"a": "Ab"})) && !m.matches(&json!({"a": "ab"})));
        let m = rule("  kw: [evil]\n  condition: kw\n");
        assert!(m.matches(&json!({"x": {"y": "very EVIL here"}})) && !m.matches(&json!({"x": "good"})));
        let m = rule("  sel: {n|gte: 10}\n  condition: sel\n");
        assert!(m.matches(&json!({"n": 10})) && !m.matches(&json!({"n": 9})));
        let m = rule("  sel: {a|exists: true}\n  condition: sel\n");
        assert!(m.matches(&json!({"a": 0})) && !m.matches(&json!({"b": 0})));
        let m = rule("  sel: {a|fieldref: b}\n  condition: sel\n");
        assert!(
            m.matches(&json!({"a": "C:\\Windows", "b": "c:\\windows"})),
            "fieldref folds case"
        );
        assert!(!m.matches(&json!({"a": "x", "b": "y"})) && !m.matches(&json!({"a": "x"})));
        let m = rule("  sel: {a|fieldref|cased: b}\n  condition: sel\n");
        assert!(m.matches(&json!({"a": "Ab", "b": "Ab"})) && !m.matches(&json!({"a": "Ab", "b": "ab"})));
        let m = rule("  sel: {a: 'x?z'}\n  condition: sel\n");
        assert!(m.matches(&json!({"a": "XYZ"})) && !m.matches(&json!({"a": "xyyz"})));
    }
}
