//! C22x: correlation rules: thresholds, grouping, and the rules a type needs.

use super::{DiagExt, Sink};
use crate::diag::{Code, Severity};
use crate::model::correlation::{Bound, CorrelationType, Op};

macro_rules! corr_yaml {
    ($body:expr) => {
        concat!(
            "title: Base\nname: base\nid: 9a0f4f4e-1c1e-4e71-9a5c-2d1f3b4c5d6e\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n---\ntitle: Many\nid: 0b8e5a66-7f7d-4c55-8f6e-0d8c7b6a5f4e\ncorrelation:\n",
            $body
        )
    };
}

pub static ALWAYS_TRUE: Code = Code {
    code: "C221",
    name: "threshold-always-true",
    severity: Severity::Error,
    summary: "a correlation threshold every group meets",
    doc: "A correlation only sees groups that have at least one event, so a count threshold such as \
          `gte: 0`, `gte: 1` or `gt: 0` holds for every group: the correlation fires on every matching \
          event and adds nothing but cost. Set the threshold the detection really needs.",
    bad: corr_yaml!(
        "  type: event_count\n  rules: [base]\n  group-by: [data.ip]\n  timespan: 1h\n  condition: {gte: 0}\n"
    ),
    good: corr_yaml!(
        "  type: event_count\n  rules: [base]\n  group-by: [data.ip]\n  timespan: 1h\n  condition: {gte: 10}\n"
    ),
};

pub static NEVER_FIRES: Code = Code {
    code: "C222",
    name: "threshold-never-fires",
    severity: Severity::Error,
    summary: "a correlation threshold no group can meet",
    doc: "Counts are never negative and a group has at least one event, so `lt: 1`, `lte: 0`, a negative \
          `eq`, or a range whose bounds exclude each other (`gt: 10` with `lt: 5`) can never fire.",
    bad: corr_yaml!(
        "  type: event_count\n  rules: [base]\n  group-by: [data.ip]\n  timespan: 1h\n  condition: {lt: 1}\n"
    ),
    good: corr_yaml!(
        "  type: event_count\n  rules: [base]\n  group-by: [data.ip]\n  timespan: 1h\n  condition: {lt: 5}\n"
    ),
};

pub static MISSING_GROUP_BY: Code = Code {
    code: "C223",
    name: "correlation-without-group-by",
    severity: Severity::Warning,
    summary: "an event_count, value_count or temporal correlation has no `group-by`",
    doc: "The Sigma specification makes `group-by` mandatory. Without it all events fall into one group, \
          so a threshold of failed logins counts the whole tenant instead of one IP or user.",
    bad: corr_yaml!("  type: event_count\n  rules: [base]\n  timespan: 1h\n  condition: {gte: 10}\n"),
    good: corr_yaml!(
        "  type: event_count\n  rules: [base]\n  group-by: [data.ip]\n  timespan: 1h\n  condition: {gte: 10}\n"
    ),
};

pub static TEMPORAL_ONE_RULE: Code = Code {
    code: "C224",
    name: "temporal-with-one-rule",
    severity: Severity::Warning,
    summary: "a temporal correlation over fewer than two rules",
    doc: "`temporal` and `temporal_ordered` ask whether several different rules fire close together; with \
          one rule the question is empty. Use `event_count` instead.",
    bad: corr_yaml!("  type: temporal\n  rules: [base]\n  group-by: [data.ip]\n  timespan: 1h\n"),
    good: corr_yaml!(
        "  type: event_count\n  rules: [base]\n  group-by: [data.ip]\n  timespan: 1h\n  condition: {gte: 2}\n"
    ),
};

pub static RANGE_CONDITION: Code = Code {
    code: "C225",
    name: "correlation-range-condition",
    severity: Severity::Warning,
    summary: "a correlation condition with two bounds, which pySigma rejects",
    doc: "The Sigma specification allows a range (`gt: 10` and `lte: 100`) but pySigma accepts exactly one \
          operator, so such a rule does not convert with sigma-cli. detc handles ranges; this warns about \
          portability.",
    bad: corr_yaml!(
        "  type: event_count\n  rules: [base]\n  group-by: [data.ip]\n  timespan: 1h\n  condition: {gt: 10, lte: 100}\n"
    ),
    good: corr_yaml!(
        "  type: event_count\n  rules: [base]\n  group-by: [data.ip]\n  timespan: 1h\n  condition: {gt: 10}\n"
    ),
};

pub static CODES: &[&Code] = &[
    &ALWAYS_TRUE,
    &NEVER_FIRES,
    &MISSING_GROUP_BY,
    &TEMPORAL_ONE_RULE,
    &RANGE_CONDITION,
];

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
            &RANGE_CONDITION,
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
            &MISSING_GROUP_BY,
            node,
            "correlation has no `group-by`: every event falls into one group",
        )
        .with_help("group by the entity the threshold is about, e.g. `group-by: [data.ip]`");
    }
    if kind.is_temporal() && c.rules.len() < 2 {
        let node = c.type_node.unwrap_or(c.node);
        sink.at_node(
            &TEMPORAL_ONE_RULE,
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
                &ALWAYS_TRUE,
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
            &NEVER_FIRES,
            span,
            "no count can satisfy this condition: the correlation can never fire",
        )
        .with_label("never true")
        .with_help("counts start at 1; check the operator and the value");
    }
}
