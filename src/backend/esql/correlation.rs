//! ES|QL correlations: `stats … by` over `date_trunc` buckets (ES|QL has no sliding window: B806).

use super::super::boolean::{Unsupported, render};
use super::super::strings::c_string;
use super::{Esql, field};
use crate::backend::boolean::Note;
use crate::codes;
use crate::ir::CorrelationPlan;
use crate::model::correlation::CorrelationType;

pub fn lower(plan: &CorrelationPlan<'_>) -> Result<(String, Vec<Note>), Unsupported> {
    let names = plan.inputs.iter().flat_map(|i| &i.group_fields);
    for f in names.chain(&plan.group_by).chain(&plan.field) {
        super::super::strings::check_flattened(f).map_err(Unsupported::new)?;
    }
    let mut conds = Vec::new();
    for input in &plan.inputs {
        conds.push(
            render(&Esql, &input.expr)?
                .main
                .ok_or_else(|| Unsupported::new("empty condition"))?,
        );
    }
    let wrapped: Vec<String> = if conds.len() == 1 {
        conds.clone()
    } else {
        conds.iter().map(|c| format!("({c})")).collect()
    };
    let mut lines = vec![format!(
        "{} | where {}",
        super::esql_from(&plan.state_values("index"))?,
        wrapped.join(" or ")
    )];
    let typed = matches!(plan.kind, CorrelationType::Temporal | CorrelationType::TemporalOrdered);
    if plan.kind == CorrelationType::TemporalOrdered {
        return Err(Unsupported::new(
            "ES|QL cannot check the order of events (temporal_ordered); use the eql target",
        ));
    }
    if typed {
        let cases: Vec<String> = conds
            .iter()
            .zip(&plan.inputs)
            .map(|(c, i)| format!("{c}, {}", c_string(&i.name)))
            .collect();
        lines.push(format!("| eval event_type=case({})", cases.join(", ")));
    }
    for (g, name) in plan.group_by.iter().enumerate() {
        if plan.inputs.iter().any(|i| &i.group_fields[g] != name) {
            let cases: Vec<String> = conds
                .iter()
                .zip(&plan.inputs)
                .map(|(c, i)| format!("{c}, {}", field(&i.group_fields[g])))
                .collect();
            lines.push(format!("| eval {}=case({})", field(name), cases.join(", ")));
        }
    }
    let agg = match plan.kind {
        CorrelationType::EventCount => "event_count=count()".to_string(),
        CorrelationType::ValueCount => {
            format!("value_count=count_distinct({})", field(value_field(plan)?))
        }
        CorrelationType::Temporal => "event_type_count=count_distinct(event_type)".to_string(),
        CorrelationType::ValueSum => format!("value_sum=sum({})", field(value_field(plan)?)),
        CorrelationType::ValueAvg => format!("value_avg=avg({})", field(value_field(plan)?)),
        CorrelationType::ValuePercentile => {
            let p = plan
                .percentile
                .ok_or_else(|| Unsupported::new("value_percentile needs `percentile:` in the condition"))?;
            format!(
                "value_percentile=percentile({}, {})",
                field(value_field(plan)?),
                crate::ir::Num::from_f64(p)
            )
        }
        CorrelationType::TemporalOrdered => unreachable!("rejected above"),
    };
    let result = agg.split('=').next().unwrap_or("").to_string();
    let mut by = vec!["timebucket".to_string()];
    by.extend(plan.group_by.iter().map(|g| field(g)));
    lines.push(format!(
        "| eval timebucket=date_trunc({}, @timestamp) | stats {agg} by {}",
        esql_span(&plan.timespan),
        by.join(", ")
    ));
    lines.push(format!("| where {}", plan.condition(&result, " and ", "==")));
    let note = (
        &codes::FIXED_WINDOW,
        format!("ES|QL counts in fixed {} buckets, not a sliding window", plan.timespan),
    );
    Ok((lines.join("\n"), vec![note]))
}

fn value_field<'s>(plan: &'s CorrelationPlan<'_>) -> Result<&'s str, Unsupported> {
    plan.field
        .as_deref()
        .ok_or_else(|| Unsupported::new("missing `condition.field`"))
}

/// `15m` → `15minutes`, as pySigma writes ES|QL time spans.
fn esql_span(timespan: &str) -> String {
    let (n, unit) = timespan.split_at(timespan.len() - 1);
    let word = match unit {
        "s" => "seconds",
        "m" => "minutes",
        "h" => "hours",
        "d" => "days",
        "w" => "weeks",
        "M" => "months",
        _ => "years",
    };
    format!("{n}{word}")
}
