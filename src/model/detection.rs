//! The `detection` section: search identifiers, detection items with modifier chains, conditions.

use std::ops::Range;

use super::condition::{ConditionError, Expr, parse_condition};
use super::modifier::Modifier;
use crate::catalog::SourceFile;
use crate::catalog::yaml::{Node, Style, Value};
use crate::diag::Span;

/// One `field|mod|mod: value(s)` entry of a selection map, or a keyword list entry.
#[derive(Debug)]
pub struct Item<'a> {
    /// `None` for keywords (a list of plain values, or a `|mod` key with an empty field name).
    pub field: Option<&'a str>,
    /// The map key (`Field|contains`); `None` for list keywords.
    pub key: Option<&'a Node>,
    /// Known modifiers, in chain order, each with its index in the key.
    pub modifiers: Vec<Modifier>,
    /// Modifier names that are not Sigma modifiers.
    pub unknown_modifiers: Vec<&'a str>,
    /// The value exactly as written (a scalar, or a list of values).
    pub value: &'a Node,
}

impl<'a> Item<'a> {
    /// The individual values: the list items, or the single scalar.
    pub fn values(&self) -> Vec<&'a Node> {
        match &self.value.value {
            Value::Seq(items) => items.iter().collect(),
            _ => vec![self.value],
        }
    }

    pub fn has(&self, m: Modifier) -> bool {
        self.modifiers.contains(&m)
    }

    /// The span of the field name part of the key (or the value for keywords).
    pub fn span(&self) -> Span {
        self.key.map_or(self.value.span, |k| k.span)
    }
}

/// What a search identifier holds.
#[derive(Debug)]
pub enum SearchBody<'a> {
    /// A mapping: all items must match.
    Map(Vec<Item<'a>>),
    /// A list: any element matches (keywords, or maps, or nested lists).
    List(Vec<SearchBody<'a>>),
    /// A single keyword (scalar directly under the identifier, or a list element).
    Keyword(Item<'a>),
}

impl<'a> SearchBody<'a> {
    /// Every detection item, depth first.
    pub fn items(&self) -> Vec<&Item<'a>> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect<'s>(&'s self, out: &mut Vec<&'s Item<'a>>) {
        match self {
            SearchBody::Map(items) => out.extend(items.iter()),
            SearchBody::Keyword(item) => out.push(item),
            SearchBody::List(list) => list.iter().for_each(|b| b.collect(out)),
        }
    }
}

#[derive(Debug)]
pub struct Search<'a> {
    pub name: &'a str,
    pub key: &'a Node,
    pub node: &'a Node,
    pub body: SearchBody<'a>,
}

/// One condition string and its parse.
#[derive(Debug)]
pub struct Condition<'a> {
    pub node: &'a Node,
    pub text: &'a str,
    pub expr: Result<Expr, ConditionError>,
}

impl Condition<'_> {
    /// Map a byte range of the condition text to a file span. Exact for plain and single-quoted
    /// one-line scalars; otherwise the whole condition value.
    pub fn span_of(&self, file: &SourceFile, range: Range<usize>) -> Span {
        let whole = self.node.span;
        let Some(source) = file.text.get(whole.byte_range()) else {
            return whole;
        };
        let offset = match self.node.as_scalar().map(|s| s.style) {
            Some(Style::Plain) if source == self.text => 0,
            Some(Style::SingleQuoted | Style::DoubleQuoted)
                if source.get(1..source.len().saturating_sub(1)) == Some(self.text) =>
            {
                1
            }
            _ => return whole,
        };
        let start = whole.start.at() + offset;
        file.span_of_bytes(start + range.start..start + range.end)
    }
}

#[derive(Debug, Default)]
pub struct Detection<'a> {
    pub searches: Vec<Search<'a>>,
    pub conditions: Vec<Condition<'a>>,
    /// The `condition` key, when present.
    pub condition_key: Option<&'a Node>,
}

impl<'a> Detection<'a> {
    /// Read a `detection` (or filter) mapping. Shape errors are the schema's job; this keeps what it can.
    pub fn parse(node: &'a Node, reserved: &[&str]) -> Detection<'a> {
        let mut det = Detection::default();
        let Some(entries) = node.as_map() else {
            return det;
        };
        for e in entries {
            let Some(name) = e.key.scalar_text() else {
                continue;
            };
            if name == "condition" {
                det.condition_key = Some(&e.key);
                det.conditions = conditions(&e.value);
            } else if !reserved.contains(&name) {
                det.searches.push(Search {
                    name,
                    key: &e.key,
                    node: &e.value,
                    body: body(&e.value),
                });
            }
        }
        det
    }

    pub fn search(&self, name: &str) -> Option<&Search<'a>> {
        self.searches.iter().find(|s| s.name == name)
    }

    /// Names matched by a selector pattern (`them`, `sel_*`), following pySigma: identifiers starting
    /// with `_` are skipped unless the pattern itself starts with `_`.
    pub fn matching(&self, pattern: &str) -> Vec<&Search<'a>> {
        self.searches
            .iter()
            .filter(|s| {
                if pattern == "them" {
                    !s.name.starts_with('_')
                } else {
                    (pattern.starts_with('_') || !s.name.starts_with('_')) && wildcard_match(pattern, s.name)
                }
            })
            .collect()
    }
}

fn conditions(node: &Node) -> Vec<Condition<'_>> {
    let nodes: Vec<&Node> = match &node.value {
        Value::Seq(items) => items.iter().collect(),
        _ => vec![node],
    };
    nodes
        .into_iter()
        .filter_map(|n| {
            let text = n.scalar_text()?;
            Some(Condition {
                node: n,
                text,
                expr: parse_condition(text),
            })
        })
        .collect()
}

fn body(node: &Node) -> SearchBody<'_> {
    match &node.value {
        Value::Map(entries) => SearchBody::Map(entries.iter().map(|e| item_from_entry(&e.key, &e.value)).collect()),
        Value::Seq(items) => SearchBody::List(
            items
                .iter()
                .map(|n| match &n.value {
                    Value::Scalar(_) => SearchBody::Keyword(keyword(n)),
                    _ => body(n),
                })
                .collect(),
        ),
        Value::Scalar(_) => SearchBody::Keyword(keyword(node)),
    }
}

fn keyword(node: &Node) -> Item<'_> {
    Item {
        field: None,
        key: None,
        modifiers: Vec::new(),
        unknown_modifiers: Vec::new(),
        value: node,
    }
}

fn item_from_entry<'a>(key: &'a Node, value: &'a Node) -> Item<'a> {
    let text = key.scalar_text().unwrap_or("");
    let mut parts = text.split('|');
    let field = parts.next().filter(|f| !f.is_empty());
    let mut modifiers = Vec::new();
    let mut unknown_modifiers = Vec::new();
    for name in parts {
        match Modifier::parse(name) {
            Some(m) => modifiers.push(m),
            None => unknown_modifiers.push(name),
        }
    }
    Item {
        field,
        key: Some(key),
        modifiers,
        unknown_modifiers,
        value,
    }
}

/// Anchored `*` matching of condition patterns against identifiers.
pub fn wildcard_match(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || !name[first.len()..].ends_with(last) || name.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_are_anchored() {
        assert!(wildcard_match("sel_*", "sel_a"));
        assert!(wildcard_match("*", "x"));
        assert!(wildcard_match("a*b*c", "aXbYc"));
        assert!(!wildcard_match("sel_*", "xsel_a"));
        assert!(!wildcard_match("a*a", "a"));
    }
}
