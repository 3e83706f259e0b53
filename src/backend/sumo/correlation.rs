//! Sumo Logic correlations: `timeslice` buckets with `count`/`count_distinct`/`sum`/`avg`/`pct` by
//! the group fields, then `where` on the result (fixed buckets: B806).

use super::super::boolean::{Unsupported, render};
use super::super::strings::{c_string, whole_unit_span};
use super::Sumo;
use crate::backend::boolean::Note;
use crate::codes;
use crate::ir::CorrelationPlan;
use crate::model::correlation::CorrelationType;

pub fn lower(plan: &CorrelationPlan<'_>) -> Result<(String, Vec<Note>), Unsupported> {
    if plan.kind == CorrelationType::TemporalOrdered {
        return Err(Unsupported::new(
            "Sumo Logic log search cannot check the order of events (temporal_ordered)",
        ));
    }
    let exprs: Vec<crate::ir::Expr> = plan.inputs.iter().map(|i| i.expr.clone()).collect();
    let mut fields: Vec<String> = plan
        .inputs
        .iter()
        .flat_map(|i| i.group_fields.iter().cloned())
        .collect();
    fields.extend(plan.field.iter().cloned());
    let sumo = Sumo::for_exprs_and_fields(&exprs, &fields);
    let mut conds = Vec::new();
    for e in &exprs {
        conds.push(
            render(&sumo, e)?
                .main
                .ok_or_else(|| Unsupported::new("empty condition"))?,
        );
    }
    let mut lines = vec![super::sumo_scope(&plan.state_values("source_category"))?];
    lines.extend(sumo.parse_clause());
    let wrapped: Vec<String> = if conds.len() == 1 {
        conds.clone()
    } else {
        conds.iter().map(|c| format!("({c})")).collect()
    };
    lines.push(format!("| where {}", wrapped.join(" or ")));
    if plan.kind == CorrelationType::Temporal {
        lines.push(format!(
            "| {} as event_type",
            nested_if(
                &conds,
                &plan.inputs.iter().map(|i| c_string(&i.name)).collect::<Vec<_>>()
            )
        ));
    }
    let mut group_names = Vec::new();
    for (g, name) in plan.group_by.iter().enumerate() {
        let per_rule: Vec<String> = plan.inputs.iter().map(|i| sumo.alias_of(&i.group_fields[g])).collect();
        if per_rule.iter().all(|f| f == &per_rule[0]) {
            group_names.push(per_rule[0].clone());
        } else {
            let alias = sumo.fresh_alias(name);
            lines.push(format!("| {} as {alias}", nested_if(&conds, &per_rule)));
            group_names.push(alias);
        }
    }
    lines.push(format!("| timeslice {}", whole_unit_span(plan.timespan_secs)));
    let value = || {
        plan.field
            .as_deref()
            .map(|f| sumo.alias_of(f))
            .ok_or_else(|| Unsupported::new("missing `condition.field`"))
    };
    let (agg, result) = match plan.kind {
        CorrelationType::EventCount => ("count as event_count".to_string(), "event_count"),
        CorrelationType::ValueCount => (format!("count_distinct({}) as value_count", value()?), "value_count"),
        CorrelationType::Temporal => (
            "count_distinct(event_type) as event_type_count".to_string(),
            "event_type_count",
        ),
        CorrelationType::ValueSum => (format!("sum({}) as value_sum", value()?), "value_sum"),
        CorrelationType::ValueAvg => (format!("avg({}) as value_avg", value()?), "value_avg"),
        CorrelationType::ValuePercentile => {
            let p = plan
                .percentile
                .ok_or_else(|| Unsupported::new("value_percentile needs `percentile:` in the condition"))?;
            (
                format!("pct({}, {}) as value_percentile", value()?, crate::ir::Num::from_f64(p)),
                "value_percentile",
            )
        }
        CorrelationType::TemporalOrdered => unreachable!("rejected above"),
    };
    let mut by = vec!["_timeslice".to_string()];
    by.extend(group_names);
    lines.push(format!("| {agg} by {}", by.join(", ")));
    lines.push(format!("| where {}", plan.condition(result, " and ", "=")));
    let note = (
        &codes::FIXED_WINDOW,
        format!(
            "Sumo Logic counts in fixed {} timeslices, not a sliding window",
            plan.timespan
        ),
    );
    Ok((lines.join("\n"), vec![note]))
}

/// `if(c1, v1, if(c2, v2, ""))`
fn nested_if(conds: &[String], values: &[String]) -> String {
    let mut out = "\"\"".to_string();
    for (c, v) in conds.iter().zip(values).rev() {
        out = format!("if({c}, {v}, {out})");
    }
    out
}
