//! EQL correlations: ordered sequences (`sequence by … with maxspan`), and event counts as a
//! sequence of runs of one query.

use super::super::boolean::{Unsupported, render};
use super::super::strings::whole_unit_span;
use super::{Eql, field};
use crate::backend::boolean::Note;
use crate::ir::CorrelationPlan;
use crate::model::correlation::{CorrelationType, Op};

/// The most repetitions an event-count sequence is written with (EQL's `with runs` limit).
const MAX_RUNS: u64 = 100;

pub fn lower(plan: &CorrelationPlan<'_>) -> Result<(String, Vec<Note>), Unsupported> {
    for f in plan.inputs.iter().flat_map(|i| &i.group_fields) {
        super::check_field(f).map_err(Unsupported::new)?;
    }
    let maxspan = whole_unit_span(plan.timespan_secs);
    let query = match plan.kind {
        CorrelationType::TemporalOrdered => {
            let mut lines = vec![format!("sequence{} with maxspan={maxspan}", shared_by(plan))];
            for input in &plan.inputs {
                let q = render(&Eql, &input.expr)?
                    .main
                    .ok_or_else(|| Unsupported::new("empty condition"))?;
                lines.push(format!("  [any where {q}]{}", own_by(plan, input)));
            }
            lines.join("\n")
        }
        CorrelationType::EventCount => {
            let [input] = plan.inputs.as_slice() else {
                return Err(Unsupported::new("EQL counts events of one rule only"));
            };
            let [bound] = plan.bounds.as_slice() else {
                return Err(Unsupported::new(
                    "EQL can only require at least N events (one gt/gte bound)",
                ));
            };
            let runs = match bound.op {
                Op::Gte => bound.value.ceil() as u64,
                Op::Gt => bound.value.floor() as u64 + 1,
                _ => {
                    return Err(Unsupported::new("EQL can only require at least N events (gt/gte)"));
                }
            };
            if runs == 1 {
                // Every group has one event: the count adds nothing, the rule's own query says it.
                let q = render(&Eql, &input.expr)?
                    .main
                    .ok_or_else(|| Unsupported::new("empty condition"))?;
                return Ok((format!("any where {q}"), Vec::new()));
            }
            if !(2..=MAX_RUNS).contains(&runs) {
                return Err(Unsupported::new(format!(
                    "EQL sequences support 2 to {MAX_RUNS} repeated events, not {runs}"
                )));
            }
            let q = render(&Eql, &input.expr)?
                .main
                .ok_or_else(|| Unsupported::new("empty condition"))?;
            // `N` events of one query: the query repeated N times. (Elastic also accepts
            // `[…] with runs=N`, but Elastic's `eql` parser package does not.)
            let step = format!("\n  [any where {q}]{}", own_by(plan, input));
            format!(
                "sequence{} with maxspan={maxspan}{}",
                shared_by(plan),
                step.repeat(runs as usize)
            )
        }
        _ => {
            return Err(Unsupported::new(
                "EQL can express ordered sequences (temporal_ordered) and event counts, not distinct-value, unordered-temporal or value aggregations",
            ));
        }
    };
    Ok((query, Vec::new()))
}

/// `by a, b` after `sequence` when every rule groups on the same fields.
fn shared_by(plan: &CorrelationPlan<'_>) -> String {
    let same = plan
        .inputs
        .iter()
        .all(|i| i.group_fields == plan.inputs[0].group_fields);
    if plan.group_by.is_empty() || !same {
        return String::new();
    }
    let fields: Vec<String> = plan.inputs[0].group_fields.iter().map(|f| field(f)).collect();
    format!(" by {}", fields.join(", "))
}

/// Per-query `by` when aliases give rules different fields.
fn own_by(plan: &CorrelationPlan<'_>, input: &crate::ir::Input) -> String {
    let same = plan
        .inputs
        .iter()
        .all(|i| i.group_fields == plan.inputs[0].group_fields);
    if plan.group_by.is_empty() || same {
        return String::new();
    }
    let fields: Vec<String> = input.group_fields.iter().map(|f| field(f)).collect();
    format!(" by {}", fields.join(", "))
}
