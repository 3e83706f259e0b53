//! ES|QL correlations: `stats … by` over `date_trunc` buckets (ES|QL has no sliding window: B806).

use super::super::boolean::{Unsupported, render};
use super::super::strings::c_string;
use super::{Esql, field};
use crate::backend::boolean::Note;
use crate::codes;
use crate::ir::CorrelationPlan;
use crate::model::correlation::CorrelationType;

pub fn lower(spec: &CorrelationPlan<'_>) -> Result<(String, Vec<Note>), Unsupported> {
    let names = spec.inputs.iter().flat_map(|i| &i.group_fields);
    for f in names.chain(&spec.group_by).chain(&spec.field) {
        super::super::strings::check_flattened(f).map_err(Unsupported::new)?;
    }
    let mut conds = Vec::new();
    for input in &spec.inputs {
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
        super::esql_from(&spec.state_values("index"))?,
        wrapped.join(" or ")
    )];
    let typed = matches!(spec.kind, CorrelationType::Temporal | CorrelationType::TemporalOrdered);
    if spec.kind == CorrelationType::TemporalOrdered {
        return Err(Unsupported::new(
            "ES|QL cannot check the order of events (temporal_ordered); use the eql target",
        ));
    }
    if typed {
        let cases: Vec<String> = conds
            .iter()
            .zip(&spec.inputs)
            .map(|(c, i)| format!("{c}, {}", c_string(&i.name)))
            .collect();
        lines.push(format!("| eval event_type=case({})", cases.join(", ")));
    }
    for (g, name) in spec.group_by.iter().enumerate() {
        if spec.inputs.iter().any(|i| &i.group_fields[g] != name) {
            let cases: Vec<String> = conds
                .iter()
                .zip(&spec.inputs)
                .map(|(c, i)| format!("{c}, {}", field(&i.group_fields[g])))
                .collect();
            lines.push(format!("| eval {}=case({})", field(name), cases.join(", ")));
        }
    }
    let agg = match spec.kind {
        CorrelationType::EventCount => "event_count=count()".to_string(),
        CorrelationType::ValueCount => {
            format!("value_count=count_distinct({})", field(value_field(spec)?))
        }
        CorrelationType::Temporal => "event_type_count=count_distinct(event_type)".to_string(),
        CorrelationType::ValueSum => format!("value_sum=sum({})", field(value_field(spec)?)),
        CorrelationType::ValueAvg => format!("value_avg=avg({})", field(value_field(spec)?)),
        CorrelationType::ValuePercentile => {
            let p = spec
                .percentile
                .ok_or_else(|| Unsupported::new("value_percentile needs `percentile:` in the condition"))?;
            format!(
                "value_percentile=percentile({}, {})",
                field(value_field(spec)?),
                crate::ir::Num::from_f64(p)
            )
        }
        CorrelationType::TemporalOrdered => unreachable!("rejected above"),
    };
    let result = agg.split('=').next().unwrap_or("").to_string();
    let mut by = vec!["timebucket".to_string()];
    by.extend(spec.group_by.iter().map(|g| field(g)));
    lines.push(format!(
        "| eval timebucket=date_trunc({}, @timestamp) | stats {agg} by {}",
        esql_span(&spec.timespan),
        by.join(", ")
    ));
    lines.push(format!("| where {}", spec.condition(&result, " and ", "==")));
    let note = (
        &codes::FIXED_WINDOW,
        format!("ES|QL counts in fixed {} buckets, not a sliding window", spec.timespan),
    );
    Ok((lines.join("\n"), vec![note]))
}

fn value_field<'s>(spec: &'s CorrelationPlan<'_>) -> Result<&'s str, Unsupported> {
    spec.field
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
