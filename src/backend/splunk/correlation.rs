//! Splunk correlations with a sliding window: `streamstats time_window=…` over time-sorted events
//! (pySigma uses fixed `bin _time` buckets, which miss bursts that straddle a boundary).

use super::super::boolean::Unsupported;
use crate::backend::boolean::Note;
use crate::ir::CorrelationPlan;
use crate::model::correlation::CorrelationType;

pub fn lower(plan: &CorrelationPlan<'_>) -> Result<(String, Vec<Note>), Unsupported> {
    let mut lines = vec![search(plan)?];
    lines.push("| sort 0 _time".to_string());
    let by = if plan.group_by.is_empty() {
        String::new()
    } else {
        let fields: Vec<String> = plan.group_by.iter().map(|g| super::command_field(g)).collect();
        format!(" by {}", fields.join(" "))
    };
    let window = format!("| streamstats time_window={}", splunk_span(&plan.timespan));
    let (agg, result) = match plan.kind {
        CorrelationType::EventCount => ("count as event_count".to_string(), "event_count"),
        CorrelationType::ValueCount => (format!("dc({}) as value_count", field(plan)?), "value_count"),
        CorrelationType::Temporal => ("dc(event_type) as event_type_count".to_string(), "event_type_count"),
        CorrelationType::TemporalOrdered => ("list(event_type) as event_types".to_string(), "event_types"),
        CorrelationType::ValueSum => (format!("sum({}) as value_sum", field(plan)?), "value_sum"),
        CorrelationType::ValueAvg => (format!("avg({}) as value_avg", field(plan)?), "value_avg"),
        CorrelationType::ValuePercentile => {
            let p = plan
                .percentile
                .ok_or_else(|| Unsupported::new("value_percentile needs `percentile:` in the condition"))?;
            (
                format!(
                    "perc{}({}) as value_percentile",
                    crate::ir::Num::from_f64(p),
                    field(plan)?
                ),
                "value_percentile",
            )
        }
    };
    lines.push(format!("{window} {agg}{by}"));
    if plan.kind == CorrelationType::TemporalOrdered {
        // The window's event types in time order must contain the rules in the listed order. They
        // are joined with spaces, so a name with whitespace would be read as several events.
        if let Some(i) = plan.inputs.iter().find(|i| i.name.contains(char::is_whitespace)) {
            return Err(Unsupported::new(format!(
                "Splunk's temporal_ordered check joins the event labels with spaces: the rule name {:?} cannot contain whitespace",
                i.name
            )));
        }
        let names: Vec<String> = plan.inputs.iter().map(|i| regex_escape(&i.name)).collect();
        lines.push(format!(
            "| where match(mvjoin(event_types, \" \"), \"(^| ){}( |$)\")",
            names.join("( .*)? ")
        ));
    } else {
        lines.push(format!("| where {}", plan.condition(result, " AND ", "==")));
    }
    Ok((lines.join("\n"), Vec::new()))
}

/// `condition.field`, written as a Splunk field name.
fn field(plan: &CorrelationPlan<'_>) -> Result<String, Unsupported> {
    plan.field
        .as_deref()
        .map(super::command_field)
        .ok_or_else(|| Unsupported::new("missing `condition.field`"))
}

/// The events of every referenced rule, tagged with `event_type` and with alias fields renamed.
fn search(plan: &CorrelationPlan<'_>) -> Result<String, Unsupported> {
    let typed = plan.kind == CorrelationType::Temporal || plan.kind == CorrelationType::TemporalOrdered;
    if let [one] = plan.inputs.as_slice()
        && !typed
        && one.group_fields == plan.group_by
    {
        return super::query(&one.expr);
    }
    let mut lines = vec!["| multisearch".to_string()];
    for input in &plan.inputs {
        let q = super::query(&input.expr)?.replace('\n', " ");
        let mut part = format!("[ search {q} | eval event_type=\"{}\"", super::string_body(&input.name));
        for (field, alias) in input.group_fields.iter().zip(&plan.group_by) {
            if field != alias {
                part.push_str(&format!(
                    " | rename {} as {}",
                    super::command_field(field),
                    super::command_field(alias)
                ));
            }
        }
        part.push_str(" ]");
        lines.push(part);
    }
    Ok(lines.join("\n"))
}

/// Splunk time units: `M` (month) is `mon`.
fn splunk_span(timespan: &str) -> String {
    match timespan.strip_suffix('M') {
        Some(n) => format!("{n}mon"),
        None => timespan.to_string(),
    }
}

/// A rule name as a literal regex inside an SPL string: regex metacharacters escaped, then the
/// string's own backslashes and quotes.
fn regex_escape(s: &str) -> String {
    let mut re = String::new();
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            re.push('\\');
        }
        re.push(c);
    }
    super::string_body(&re)
}
