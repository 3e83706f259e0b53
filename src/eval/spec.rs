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

/// Read the test list under `node` (a sequence of test mappings); malformed items are errors.
pub fn parse_tests(node: &Node) -> Vec<Result<TestCase, (Span, String)>> {
    let Some(items) = node.as_seq() else {
        return vec![Err((node.span, "`tests` must be a list of tests".into()))];
    };
    items.iter().map(parse_one).collect()
}

fn parse_one(item: &Node) -> Result<TestCase, (Span, String)> {
    let err = |m: &str| (item.span, m.to_string());
    if item.as_map().is_none() {
        return Err(err("a test is a mapping with `name`, `expect` and `event` or `events`"));
    }
    let name_node = item.get("name");
    let name = name_node
        .and_then(Node::scalar_text)
        .unwrap_or("(unnamed test)")
        .to_string();
    let span = name_node.map_or(item.span, |n| n.span);
    let expect = match item.get("expect").map(|e| &e.value) {
        Some(Value::Scalar(s)) if s.text == "match" => Expect::Match,
        Some(Value::Scalar(s)) if s.text == "no_match" => Expect::NoMatch,
        Some(Value::Map(_)) => match item
            .get("expect")
            .and_then(|e| e.get("alerts"))
            .and_then(Node::as_scalar)
        {
            Some(s) if matches!(s.resolved, Resolved::Int(n) if n >= 0) => Expect::Alerts(s.text.parse().unwrap_or(0)),
            _ => return Err(err("`expect: {alerts: N}` needs a count N >= 0")),
        },
        _ => return Err(err("`expect` must be `match`, `no_match` or `{alerts: N}`")),
    };
    let events: Vec<Json> = match (item.get("event"), item.get("events")) {
        (Some(e), None) => vec![to_json(e)],
        (None, Some(list)) => match list.as_seq() {
            Some(items) if !items.is_empty() => items.iter().map(to_json).collect(),
            _ => return Err(err("`events` must be a non-empty list of events")),
        },
        _ => return Err(err("a test needs `event` or `events` (one of them)")),
    };
    if let Some(bad) = events.iter().find(|e| !e.is_object()) {
        return Err(err(&format!("an event must be a mapping, not {bad}")));
    }
    let rule = item.get("rule").and_then(Node::scalar_text).map(str::to_string);
    Ok(TestCase {
        name,
        expect,
        events,
        span,
        rule,
    })
}
