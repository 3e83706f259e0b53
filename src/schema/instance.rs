//! Turning a YAML tree into the JSON instance the schemas validate, and JSON pointers back into spans.

use serde_json::{Map, Number, Value as Json};

use crate::catalog::yaml::{Node, Resolved, Value};
use crate::diag::Span;

/// The JSON value of a YAML tree, typed as pySigma would type it, except that dates stay strings
/// (the schemas check their format) and non-finite floats become strings (JSON has none).
pub fn to_json(node: &Node) -> Json {
    match &node.value {
        Value::Scalar(s) => match s.resolved {
            Resolved::Null => Json::Null,
            Resolved::Bool(b) => Json::Bool(b),
            Resolved::Int(i) => Json::Number(i.into()),
            Resolved::Float(f) => Number::from_f64(f).map_or_else(|| Json::String(s.text.clone()), Json::Number),
            Resolved::Timestamp | Resolved::Str => Json::String(s.text.clone()),
        },
        Value::Seq(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => {
            let mut map = Map::with_capacity(entries.len());
            for e in entries {
                map.insert(key_text(&e.key), to_json(&e.value));
            }
            Json::Object(map)
        }
    }
}

fn key_text(key: &Node) -> String {
    match key.scalar_text() {
        Some(t) => t.to_string(),
        None => to_json(key).to_string(),
    }
}

/// What a JSON pointer designates in the YAML tree.
pub struct Located<'a> {
    pub node: &'a Node,
    /// The key node when the pointer's last step was a mapping key.
    pub key: Option<&'a Node>,
}

/// Follow a JSON pointer (`/detection/selection/0`) through the YAML tree. Stops at the deepest node
/// that exists, so a pointer into a missing part still lands near the problem.
pub fn locate<'a>(root: &'a Node, pointer: &str) -> Located<'a> {
    let mut here = Located { node: root, key: None };
    for raw in pointer.split('/').skip(1) {
        let step = raw.replace("~1", "/").replace("~0", "~");
        let next = match &here.node.value {
            Value::Map(entries) => entries
                .iter()
                .rev() // a duplicate key's last value is the one in the JSON instance
                .find(|e| key_text(&e.key) == step)
                .map(|e| Located {
                    node: &e.value,
                    key: Some(&e.key),
                }),
            Value::Seq(items) => step
                .parse::<usize>()
                .ok()
                .and_then(|i| items.get(i))
                .map(|n| Located { node: n, key: None }),
            Value::Scalar(_) => None,
        };
        match next {
            Some(n) => here = n,
            None => break,
        }
    }
    here
}

/// The span to underline for a finding about `located`: the value, or for an empty value its key.
pub fn span_of(located: &Located<'_>) -> Span {
    let value = located.node.span;
    match located.key {
        Some(k) if value.start.byte == value.end.byte => k.span.join(value),
        _ => value,
    }
}
