//! C22x: correlation rules: thresholds, grouping, and the rules a type needs.

use super::{DiagExt, Sink};
use crate::codes;
use crate::model::correlation::{Bound, CorrelationType, Op};

pub fn check(sink: &mut Sink<'_, '_>) {
    let Some(c) = sink.doc.correlation() else {
        return;
    };
    let Some(kind) = c.kind else { return };
    let counts = matches!(
        kind,
        CorrelationType::EventCount
            | CorrelationType::ValueCount
            | CorrelationType::Temporal
            | CorrelationType::TemporalOrdered
    );
    if counts {
        // A group exists only once an event falls into it: at least one event, one rule seen; but
        // the events of a group may all lack the counted field, so distinct values start at zero.
        let least = if kind == CorrelationType::ValueCount { 0.0 } else { 1.0 };
        check_count_bounds(sink, &c.bounds, least);
    }
    if c.bounds.len() > 1 {
        let span = c.bounds[0].key.span.join(c.bounds[c.bounds.len() - 1].node.span);
        sink.report(
            &codes::RANGE_CONDITION,
            span,
            "a range condition (two operators) does not convert with pySigma",
        )
        .with_help("keep one operator if the rule must also work with sigma-cli");
    }
    if c.group_by.is_empty()
        && kind != CorrelationType::ValueSum
        && kind != CorrelationType::ValueAvg
        && kind != CorrelationType::ValuePercentile
    {
        let node = c.type_node.unwrap_or(c.node);
        sink.at_node(
            &codes::MISSING_GROUP_BY,
            node,
            "correlation has no `group-by`: every event falls into one group",
        )
        .with_help("group by the entity the threshold is about, e.g. `group-by: [data.ip]`");
    }
    if kind.is_temporal() && c.rules.len() < 2 {
        let node = c.type_node.unwrap_or(c.node);
        sink.at_node(
            &codes::TEMPORAL_ONE_RULE,
            node,
            format!("a temporal correlation over {} rule", c.rules.len()),
        )
        .with_help("list at least two rules, or use `event_count`");
    }
}

/// For counts (always ≥ 1 in a group that exists): find thresholds that are always or never met.
fn check_count_bounds(sink: &mut Sink<'_, '_>, bounds: &[Bound<'_>], least: f64) {
    // The smallest and largest count the bounds allow.
    let (mut lo, mut hi) = (least, f64::INFINITY);
    for b in bounds {
        let v = b.value;
        match b.op {
            Op::Gt => lo = lo.max(v.floor() + 1.0),
            Op::Gte => lo = lo.max(v.ceil()),
            Op::Lt => hi = hi.min(v.ceil() - 1.0),
            Op::Lte => hi = hi.min(v.floor()),
            Op::Eq => {
                lo = lo.max(v);
                hi = hi.min(v);
            }
            Op::Neq => {}
        }
        let always = match b.op {
            Op::Gt => v < least,
            Op::Gte => v <= least,
            Op::Neq => v < least || v.fract() != 0.0,
            _ => false,
        };
        if always {
            let text = b.node.scalar_text().unwrap_or("?");
            let key = b.key.scalar_text().unwrap_or("?");
            sink.report(
                &codes::ALWAYS_TRUE,
                b.key.span.join(b.node.span),
                format!(
                    "`{key}: {text}` holds for every group: every group has at least {least} {}",
                    if least == 0.0 { "distinct values" } else { "event" }
                ),
            )
            .with_label("always true")
            .with_help("raise the threshold to the count that is actually suspicious");
        }
    }
    if lo > hi {
        let span = bounds[0].key.span.join(bounds[bounds.len() - 1].node.span);
        sink.report(
            &codes::NEVER_FIRES,
            span,
            "no count can satisfy this condition: the correlation can never fire",
        )
        .with_label("never true")
        .with_help("counts start at 1; check the operator and the value");
    }
}
