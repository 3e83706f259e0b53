//! Correlation rules (Sigma 2 meta-rules): counting, distinct values and temporal proximity.

use crate::catalog::yaml::{Node, Resolved, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorrelationType {
    EventCount,
    ValueCount,
    Temporal,
    TemporalOrdered,
    ValueSum,
    ValueAvg,
    ValuePercentile,
}

impl CorrelationType {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "event_count" => Self::EventCount,
            "value_count" => Self::ValueCount,
            "temporal" => Self::Temporal,
            "temporal_ordered" => Self::TemporalOrdered,
            "value_sum" => Self::ValueSum,
            "value_avg" => Self::ValueAvg,
            "value_percentile" => Self::ValuePercentile,
            _ => return None,
        })
    }

    pub fn is_temporal(self) -> bool {
        matches!(self, Self::Temporal | Self::TemporalOrdered)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Gt,
    Gte,
    Lt,
    Lte,
    Eq,
    Neq,
}

impl Op {
    pub fn parse(s: &str) -> Option<Op> {
        Some(match s {
            "gt" => Op::Gt,
            "gte" => Op::Gte,
            "lt" => Op::Lt,
            "lte" => Op::Lte,
            "eq" => Op::Eq,
            "neq" => Op::Neq,
            _ => return None,
        })
    }
}

/// One `op: number` of a correlation condition.
#[derive(Debug, Clone)]
pub struct Bound<'a> {
    pub op: Op,
    pub value: f64,
    pub node: &'a Node,
    pub key: &'a Node,
}

#[derive(Debug)]
pub struct Correlation<'a> {
    pub node: &'a Node,
    pub kind: Option<CorrelationType>,
    pub type_node: Option<&'a Node>,
    /// Referenced rules (ids or names), each with its node.
    pub rules: Vec<&'a Node>,
    pub group_by: Vec<&'a Node>,
    pub group_by_node: Option<&'a Node>,
    pub timespan: Option<&'a Node>,
    /// Seconds, when `timespan` is well-formed.
    pub timespan_secs: Option<u64>,
    pub condition: Option<&'a Node>,
    pub bounds: Vec<Bound<'a>>,
    pub aliases: Option<&'a Node>,
}

impl<'a> Correlation<'a> {
    pub fn parse(node: &'a Node) -> Correlation<'a> {
        let list = |key: &str| match node.get(key).map(|n| &n.value) {
            Some(Value::Seq(items)) => items.iter().collect(),
            Some(Value::Scalar(_)) => vec![node.get(key).unwrap()],
            _ => Vec::new(),
        };
        let type_node = node.get("type");
        let timespan = node.get("timespan");
        let condition = node.get("condition");
        let bounds = condition
            .and_then(Node::as_map)
            .map(|m| {
                m.iter()
                    .filter_map(|e| {
                        let op = Op::parse(e.key.scalar_text()?)?;
                        let value = match e.value.as_scalar()?.resolved {
                            Resolved::Int(i) => i as f64,
                            Resolved::Float(f) => f,
                            _ => return None,
                        };
                        Some(Bound {
                            op,
                            value,
                            node: &e.value,
                            key: &e.key,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        Correlation {
            node,
            kind: type_node.and_then(Node::as_str).and_then(CorrelationType::parse),
            type_node,
            rules: list("rules"),
            group_by: list("group-by"),
            group_by_node: node.get("group-by"),
            timespan,
            timespan_secs: timespan.and_then(Node::scalar_text).and_then(parse_timespan),
            condition,
            bounds,
            aliases: node.get("aliases"),
        }
    }
}

/// `90m` → 5400. Units as pySigma accepts them: s, m, h, d, w, M (30.44 days), y (365.25 days).
pub fn parse_timespan(text: &str) -> Option<u64> {
    let unit = text.chars().last()?;
    let number: u64 = text[..text.len() - unit.len_utf8()].parse().ok()?;
    let factor: u64 = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        'w' => 604_800,
        'M' => 2_630_016,
        'y' => 31_557_600,
        _ => return None,
    };
    number.checked_mul(factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespans() {
        assert_eq!(parse_timespan("90m"), Some(5400));
        assert_eq!(parse_timespan("5d"), Some(432_000));
        assert_eq!(parse_timespan("1h30m"), None);
        assert_eq!(parse_timespan("h"), None);
    }
}
