//! One detection item as owned data, shared by processing pipelines (which rewrite it) and lowering
//! (which reads it).

use crate::catalog::yaml::{Node, Scalar, Value as YamlValue};
use crate::diag::Span;
use crate::model::detection::Item;
use crate::model::modifier::Modifier;

/// One detection item as owned data: what lowering reads, and what processing pipelines rewrite
/// (field names, values, added or dropped items) before lowering.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemSpec {
    /// `None` for keywords.
    pub field: Option<String>,
    pub modifiers: Vec<Modifier>,
    pub unknown_modifiers: Vec<String>,
    /// The values; empty for `F: []` (which means null, as in pySigma).
    pub values: Vec<SpecValue>,
    /// Where the item is written (its key, or the value for keywords).
    pub span: Span,
    pub value_span: Span,
}

/// One value of an item: a YAML scalar, or a non-scalar (reported when lowered).
#[derive(Debug, Clone, PartialEq)]
pub struct SpecValue {
    pub scalar: Option<Scalar>,
    pub kind: &'static str,
    pub span: Span,
    /// Set by a `query_expression_placeholders` pipeline item: the value is this query text.
    pub raw_query: Option<String>,
}

impl SpecValue {
    pub fn text(&self) -> Option<&str> {
        self.scalar.as_ref().map(|s| s.text.as_str())
    }
}

impl ItemSpec {
    pub fn from_item(item: &Item<'_>) -> ItemSpec {
        let nodes: Vec<&Node> = match &item.value.value {
            YamlValue::Seq(items) if items.is_empty() => vec![],
            _ => item.values(),
        };
        ItemSpec {
            field: item.field.map(str::to_string),
            modifiers: item.modifiers.clone(),
            unknown_modifiers: item.unknown_modifiers.iter().map(|s| s.to_string()).collect(),
            values: nodes
                .into_iter()
                .map(|n| SpecValue {
                    scalar: n.as_scalar().cloned(),
                    kind: n.kind_name(),
                    span: n.span,
                    raw_query: None,
                })
                .collect(),
            span: item.span(),
            value_span: item.value.span,
        }
    }

    pub fn has(&self, m: Modifier) -> bool {
        self.modifiers.contains(&m)
    }
}
