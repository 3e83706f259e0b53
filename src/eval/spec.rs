//! Detection tests as written in a document's `tests:` (or a `<stem>.tests.yml` sidecar).

use serde_json::Value as Json;

use crate::catalog::yaml::{Node, Resolved, Value};
use crate::diag::Span;
use crate::schema::to_json;

#[derive(Debug, Clone, PartialEq)]
pub enum Expect {
    Match,
    NoMatch,
    Alerts(u64),
}

#[derive(Debug, Clone)]
pub struct TestCase {
    pub name: String,
    pub expect: Expect,
    pub events: Vec<Json>,
    /// Where the test is written (its `name`, else the test item).
    pub span: Span,
    /// For sidecar tests: the id, name or title of the document tested.
    pub rule: Option<String>,
}

/// A test that cannot be run: where, which test (its name, else its position), and why.
#[derive(Debug, Clone)]
pub struct InvalidTest {
    pub span: Span,
    /// The test's name, else `#2` (its position): how JUnit names it.
    pub test: String,
    pub message: String,
}

/// Read the test list under `node` (a sequence of test mappings); malformed items are errors.
pub fn parse_tests(node: &Node) -> Vec<Result<TestCase, InvalidTest>> {
    let Some(items) = node.as_seq() else {
        return vec![Err(InvalidTest {
            span: node.span,
            test: "tests".into(),
            message: format!("`tests` must be a list of tests, not {}", shown(node)),
        })];
    };
    items.iter().enumerate().map(|(i, item)| parse_one(item, i)).collect()
}

/// How a test is named in messages: its `name`, else its 1-based position in the list.
fn label(item: &Node, index: usize) -> String {
    match item.get("name").and_then(Node::scalar_text) {
        Some(name) => format!("test `{name}`"),
        None => format!("test {} (unnamed)", index + 1),
    }
}

/// A value as a message quotes it: scalars as written, collections as compact JSON, cut at 60 characters.
pub fn shown(node: &Node) -> String {
    const MAX: usize = 60;
    let text = match &node.value {
        Value::Scalar(s) => s.text.clone(),
        _ => to_json(node).to_string(),
    };
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("`{}…`", &text[..cut]),
        None => format!("`{text}`"),
    }
}

/// The test's name, else `#N`.
fn name_of(item: &Node, index: usize) -> String {
    item.get("name")
        .and_then(Node::scalar_text)
        .map_or_else(|| format!("#{}", index + 1), str::to_string)
}

fn parse_one(item: &Node, index: usize) -> Result<TestCase, InvalidTest> {
    let label = label(item, index);
    let name = name_of(item, index);
    let err = |span: Span, m: String| InvalidTest {
        span,
        test: name.clone(),
        message: format!("{label}: {m}"),
    };
    if item.as_map().is_none() {
        return Err(err(
            item.span,
            format!(
                "a test is a mapping with `name`, `expect` and `event` or `events`, not {}",
                shown(item)
            ),
        ));
    }
    let name_node = item.get("name");
    let span = name_node.map_or(item.span, |n| n.span);
    let expect = parse_expect(item).map_err(|(at, m)| err(at.unwrap_or(span), m))?;
    let events = parse_events(item).map_err(|(at, m)| err(at.unwrap_or(span), m))?;
    let rule = item.get("rule").and_then(Node::scalar_text).map(str::to_string);
    Ok(TestCase {
        name: name.clone(),
        expect,
        events,
        span,
        rule,
    })
}

type Problem = (Option<Span>, String);

fn parse_expect(item: &Node) -> Result<Expect, Problem> {
    let Some(node) = item.get("expect") else {
        return Err((None, "no `expect` (`match`, `no_match` or `{alerts: N}`)".into()));
    };
    match &node.value {
        Value::Scalar(s) if s.text == "match" => Ok(Expect::Match),
        Value::Scalar(s) if s.text == "no_match" => Ok(Expect::NoMatch),
        Value::Map(_) => match node.get("alerts") {
            Some(n) => match n.as_scalar() {
                Some(s) if matches!(s.resolved, Resolved::Int(c) if c >= 0) => {
                    Ok(Expect::Alerts(s.text.parse().unwrap_or(0)))
                }
                _ => Err((
                    Some(n.span),
                    format!("`alerts` must be a count N >= 0, not {}", shown(n)),
                )),
            },
            None => Err((
                Some(node.span),
                format!("`expect: {{alerts: N}}` needs `alerts`, got {}", shown(node)),
            )),
        },
        _ => Err((
            Some(node.span),
            format!(
                "`expect` must be `match`, `no_match` or `{{alerts: N}}`, not {}",
                shown(node)
            ),
        )),
    }
}

fn parse_events(item: &Node) -> Result<Vec<Json>, Problem> {
    let nodes: Vec<&Node> = match (item.get("event"), item.get("events")) {
        (Some(e), None) => vec![e],
        (None, Some(list)) => match list.as_seq() {
            Some(items) if !items.is_empty() => items.iter().collect(),
            _ => {
                return Err((
                    Some(list.span),
                    format!("`events` must be a non-empty list of events, not {}", shown(list)),
                ));
            }
        },
        (Some(_), Some(_)) => return Err((None, "has both `event` and `events`; keep one".into())),
        (None, None) => return Err((None, "needs `event` or `events`".into())),
    };
    if let Some((i, bad)) = nodes.iter().enumerate().find(|(_, e)| e.as_map().is_none()) {
        return Err((
            Some(bad.span),
            format!("event {i} must be a mapping of fields, not {}", shown(bad)),
        ));
    }
    Ok(nodes.into_iter().map(to_json).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::SourceFile;
    use crate::catalog::yaml::parse_documents;
    use std::path::Path;
    use std::sync::Arc;

    fn problems(yaml: &str) -> Vec<String> {
        let file = SourceFile::new(Arc::from(Path::new("t.yml")), yaml.to_string());
        let (docs, _) = parse_documents(&file);
        let root = docs[0].root.as_ref().unwrap();
        parse_tests(root.get("tests").unwrap())
            .into_iter()
            .filter_map(Result::err)
            .map(|e| e.message)
            .collect()
    }

    #[test]
    fn every_message_names_the_test_and_quotes_the_bad_value() {
        let got = problems(
            "tests:\n\
             - {name: a, expect: maybe, event: {x: 1}}\n\
             - {expect: {alerts: -2}, event: {x: 1}}\n\
             - {name: c, expect: match, events: []}\n\
             - {name: d, expect: match, events: [{x: 1}, 7]}\n\
             - {name: e, expect: match}\n\
             - just text\n\
             - {name: g, event: {x: 1}}\n",
        );
        assert_eq!(
            got,
            [
                "test `a`: `expect` must be `match`, `no_match` or `{alerts: N}`, not `maybe`",
                "test 2 (unnamed): `alerts` must be a count N >= 0, not `-2`",
                "test `c`: `events` must be a non-empty list of events, not `[]`",
                "test `d`: event 1 must be a mapping of fields, not `7`",
                "test `e`: needs `event` or `events`",
                "test 6 (unnamed): a test is a mapping with `name`, `expect` and `event` or `events`, not `just text`",
                "test `g`: no `expect` (`match`, `no_match` or `{alerts: N}`)",
            ]
        );
    }

    #[test]
    fn a_long_value_is_cut() {
        let long = "x".repeat(100);
        let got = problems(&format!("tests:\n- {{name: a, expect: {long}, event: {{x: 1}}}}\n"));
        assert!(got[0].ends_with("…`") && got[0].len() < 150, "{got:?}");
    }

    #[test]
    fn a_scalar_list_is_quoted() {
        assert_eq!(
            problems("tests: nope\n"),
            ["`tests` must be a list of tests, not `nope`"]
        );
    }
}
