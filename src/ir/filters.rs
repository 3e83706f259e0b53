//! Meta-filters (Sigma filter documents): their condition is AND-ed onto every rule they target.

use std::collections::BTreeMap;

use super::expr::Expr;
use super::item::LowerError;
use super::lower::lower_detection;
use crate::catalog::yaml::Node;
use crate::model::{Body, Parsed};

/// Whether `filter`'s logsource contains `rule`'s: every attribute the filter sets must be equal.
fn logsource_contains(filter: &Parsed<'_>, rule: &Parsed<'_>) -> bool {
    let (Some(f), r) = (filter.meta.logsource, rule.meta.logsource) else {
        return true;
    };
    ["category", "product", "service"]
        .iter()
        .all(|k| match f.get(k).and_then(Node::scalar_text) {
            None => true,
            Some(v) => r.and_then(|r| r.get(k)).and_then(Node::scalar_text) == Some(v),
        })
}

fn targets(rules: Option<&Node>, rule: &Parsed<'_>) -> bool {
    let Some(rules) = rules else { return true };
    if rules.scalar_text() == Some("any") || rules.as_seq().is_some_and(|s| s.is_empty()) {
        return true;
    }
    let wanted: Vec<&str> = match rules.as_seq() {
        Some(items) => items.iter().filter_map(Node::scalar_text).collect(),
        None => rules.scalar_text().into_iter().collect(),
    };
    wanted
        .iter()
        .any(|w| Some(*w) == rule.meta.id_str() || Some(*w) == rule.meta.name_str())
}

/// Whether a filter document (with its `rules:` node) applies to `rule`.
pub fn filter_applies(filter: &Parsed<'_>, rules: Option<&Node>, rule: &Parsed<'_>) -> bool {
    logsource_contains(filter, rule) && targets(rules, rule)
}

/// AND each applicable filter's condition onto each of the rule's condition expressions.
pub fn apply_filters(
    rule: &Parsed<'_>,
    exprs: Vec<Expr>,
    filters: &[&Parsed<'_>],
    vars: &BTreeMap<String, String>,
) -> Result<Vec<Expr>, LowerError> {
    let mut extra = Vec::new();
    for f in filters {
        let Body::Filter { detection, rules } = &f.body else {
            continue;
        };
        if !filter_applies(f, *rules, rule) {
            continue;
        }
        extra.extend(lower_detection(detection, &f.doc.file, vars)?);
    }
    if extra.is_empty() {
        return Ok(exprs);
    }
    Ok(exprs
        .into_iter()
        .map(|e| {
            let mut parts = vec![e];
            parts.extend(extra.iter().cloned());
            Expr::And(parts)
        })
        .collect())
}
