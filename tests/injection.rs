//! Escaping is injection-proof: arbitrary field names and values (quotes, backslashes, pipes,
//! newlines, backticks, wildcards, unicode) always render as exactly one predicate, on every target.

use detc::backend::TargetId;
use detc::backend::convert::render_query;
use detc::ir::{Expr, Leaf, Value};
use detc::model::sigma_string::SigmaString;
use proptest::prelude::*;

/// Characters that matter to some query language, plus ordinary and non-ASCII ones.
fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just('"'),
            Just('\''),
            Just('\\'),
            Just('|'),
            Just('\n'),
            Just('\r'),
            Just('\t'),
            Just('`'),
            Just('*'),
            Just('?'),
            Just(' '),
            Just('('),
            Just(')'),
            Just(':'),
            Just('='),
            Just('/'),
            Just('{'),
            Just('}'),
            Just('['),
            Just(']'),
            Just('!'),
            Just('-'),
            Just('%'),
            Just('$'),
            Just('é'),
            Just('😀'),
            Just('a'),
            Just('Z'),
            Just('0'),
            Just('.'),
        ],
        0..24,
    )
    .prop_map(|cs| cs.into_iter().collect())
}

fn query(target: TargetId, field: &str, value: &str) -> String {
    let leaf = Expr::Leaf(Leaf {
        field: Some(field.to_string()),
        value: Value::Str(SigmaString::parse(value, false)),
        span: Default::default(),
    });
    render_query(target, &leaf).expect("a string comparison renders on every target")
}

/// Remove double-quoted strings (with backslash escapes) and backtick identifiers (with doubled
/// backticks), leaving the query's own syntax. Panics on an unterminated literal.
fn strip_literals(q: &str) -> String {
    let mut out = String::new();
    let mut chars = q.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                loop {
                    match chars.next() {
                        Some('\\') => {
                            chars.next().expect("escape at end of string");
                        }
                        Some('"') => break,
                        Some(_) => {}
                        None => panic!("unterminated string in {q:?}"),
                    }
                }
                out.push('S');
            }
            '`' => {
                loop {
                    match chars.next() {
                        Some('`') if chars.peek() == Some(&'`') => {
                            chars.next();
                        }
                        Some('`') => break,
                        Some(_) => {}
                        None => panic!("unterminated identifier in {q:?}"),
                    }
                }
                out.push('I');
            }
            c => out.push(c),
        }
    }
    out
}

/// Sumo: replace `/…/` regex literals (with backslash escapes) after `matches`.
fn strip_regex_literals(q: &str) -> String {
    let Some(at) = q.find("matches /") else {
        return q.to_string();
    };
    let start = at + "matches /".len();
    let mut chars = q[start..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '/' => return format!("{}R{}", &q[..at + "matches ".len()], &q[start + i + 1..]),
            '\n' => panic!("newline inside a regex literal in {q:?}"),
            _ => {}
        }
    }
    panic!("unterminated regex literal in {q:?}")
}

/// Lucene: drop backslash escapes; what is left is `field:value` with no structure in it.
fn lucene_skeleton(q: &str) -> String {
    let mut out = String::new();
    let mut chars = q.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            chars.next().expect("escape at end of query");
            out.push('e');
        } else {
            out.push(c);
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn splunk_one_term(field in text().prop_filter("field", |f| !f.is_empty()), value in text()) {
        let q = query(TargetId::Splunk, &field, &value);
        let skeleton = strip_literals(&q);
        // One `field=value` term: no pipe (new command), no space (second term), no parentheses.
        prop_assert!(!skeleton.contains('|') && !skeleton.contains(char::is_whitespace) && !skeleton.contains(['(', ')']), "{q:?} → {skeleton:?}");
        prop_assert_eq!(skeleton.matches('=').count(), 1, "{:?}", q);
    }

    #[test]
    fn lucene_one_clause(field in text().prop_filter("field", |f| !f.trim().is_empty()), value in text()) {
        let q = query(TargetId::Lucene, &field, &value);
        let skeleton = lucene_skeleton(&q);
        let rest = skeleton.replace("\"\"", "E"); // the empty-string value
        prop_assert!(!rest.contains(char::is_whitespace) && !rest.contains(['(', ')', '"', '[', ']', '{', '}']), "{q:?} → {rest:?}");
        prop_assert_eq!(rest.matches(':').count(), 1, "{:?}", q);
    }

    #[test]
    fn esql_one_comparison(field in text().prop_filter("field", |f| !f.is_empty()), value in text()) {
        let q = query(TargetId::Esql, &field, &value);
        let body = q.strip_prefix("from * metadata _id, _index, _version | where ").expect("prefix");
        let skeleton = strip_literals(body);
        prop_assert!(!skeleton.contains('|') && !skeleton.contains('\n'), "{q:?}");
        prop_assert!(!skeleton.contains(" and ") && !skeleton.contains(" or ") && !skeleton.contains("not "), "{q:?} → {skeleton:?}");
    }

    #[test]
    fn eql_one_comparison(field in text().prop_filter("field", |f| !f.is_empty()), value in text()) {
        let q = query(TargetId::Eql, &field, &value);
        let body = q.strip_prefix("any where ").expect("prefix");
        let skeleton = strip_literals(body);
        prop_assert!(!skeleton.contains('\n') && !skeleton.contains('|'), "{q:?}");
        prop_assert!(!skeleton.contains(" and ") && !skeleton.contains(" or ") && !skeleton.contains("not "), "{q:?} → {skeleton:?}");
    }

    #[test]
    fn sumo_one_condition(field in text().prop_filter("field", |f| !f.is_empty()), value in text()) {
        let q = query(TargetId::Sumo, &field, &value);
        let skeleton = strip_literals(&strip_regex_literals(&q));
        let lines: Vec<&str> = skeleton.lines().collect();
        prop_assert_eq!(lines.len(), 3, "{:?} → {:?}", q, skeleton);
        prop_assert!(lines[1].starts_with("| json field=_raw S as ") && lines[1].ends_with(" nodrop"), "{q:?}");
        let condition = lines[2].strip_prefix("| where ").expect("where");
        prop_assert!(!condition.contains('|') && !condition.contains(" and ") && !condition.contains(" or "), "{q:?} → {condition:?}");
    }
}
