//! Correlations evaluated over time-ordered events: a sliding window of `timespan` per group.
//!
//! For each event that one of the referenced rules matches, the window of its group holds the
//! matching events of the last `timespan` (at most `timespan` older than the current event, the
//! boundary included as Elastic's `maxspan` includes it). When the
//! condition holds over the window an alert is raised with those events, and the window restarts,
//! so one burst gives one alert.

use std::collections::{HashMap, HashSet, VecDeque};

use serde_json::Value as Json;

use super::event::{as_number, as_text, lookup};
use super::matcher::{Matcher, total_limit_hits};
use crate::ir::CorrelationPlan;
use crate::model::correlation::{CorrelationType, Op};

pub struct CompiledCorrelation {
    kind: CorrelationType,
    inputs: Vec<(Matcher, Vec<String>)>,
    window: f64,
    /// Every (operator, value) of the condition must hold.
    bounds: Vec<(Op, f64)>,
    field: Option<String>,
    percentile: Option<f64>,
    groups: HashMap<Vec<String>, VecDeque<Entry>>,
}

struct Entry {
    time: f64,
    index: usize,
    input: usize,
    value: Option<String>,
}

/// One alert: the events (by index) in the window that fired, and the group's values.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub events: Vec<usize>,
    pub group: Vec<String>,
}

impl CompiledCorrelation {
    pub fn compile(plan: &CorrelationPlan<'_>) -> Result<CompiledCorrelation, String> {
        let inputs = plan
            .inputs
            .iter()
            .map(|i| Ok((Matcher::compile(&i.expr)?, i.group_fields.clone())))
            .collect::<Result<_, String>>()?;
        Ok(CompiledCorrelation {
            kind: plan.kind,
            inputs,
            window: plan.timespan_secs as f64,
            bounds: plan.bounds.iter().map(|b| (b.op, b.value)).collect(),
            field: plan.field.clone(),
            percentile: plan.percentile,
            groups: HashMap::new(),
        })
    }

    /// Forget every window, as before the first event.
    pub fn reset(&mut self) {
        self.groups.clear();
    }

    /// Feed one event (in time order); returns the alerts it completes.
    pub fn push(&mut self, index: usize, time: f64, event: &Json) -> Vec<Alert> {
        let matched = self.matching_inputs(event);
        self.push_matched(index, time, event, &matched)
    }

    /// Which referenced rules match `event` (read-only, so it can run in parallel).
    /// Regex matches its rules abandoned at the backtracking limit, and the first pattern.
    pub fn limit_hits(&self) -> (usize, Option<String>) {
        total_limit_hits(self.inputs.iter().map(|(m, _)| m))
    }

    /// What a raw line must contain for one of the correlation's rules to match it.
    pub fn need(&self) -> super::prefilter::Need {
        super::prefilter::Need::any(self.inputs.iter().map(|(m, _)| m.need()))
    }

    /// Adds every field the correlation reads (its rules', group-by and value fields) to `out`;
    /// `false` when one of its rules reads the whole event.
    pub fn fields(&self, out: &mut Vec<String>) -> bool {
        out.extend(self.field.iter().cloned());
        self.inputs.iter().all(|(m, group)| {
            out.extend(group.iter().cloned());
            m.fields(out)
        })
    }

    pub fn matching_inputs(&self, event: &Json) -> Vec<bool> {
        self.inputs.iter().map(|(m, _)| m.matches(event)).collect()
    }

    /// [`CompiledCorrelation::push`] with the rule matches already known.
    pub fn push_matched(&mut self, index: usize, time: f64, event: &Json, matched: &[bool]) -> Vec<Alert> {
        let mut alerts = Vec::new();
        for (input, (_, group_fields)) in self.inputs.iter().enumerate() {
            if !matched.get(input).copied().unwrap_or(false) {
                continue;
            }
            // An event without a value for a group field belongs to no group (as `stats … by` drops it).
            let Some(group) = group_fields
                .iter()
                .map(|f| {
                    lookup(event, f)
                        .into_iter()
                        .find_map(|v| as_text(v).map(|s| s.into_owned()))
                })
                .collect::<Option<Vec<String>>>()
            else {
                continue;
            };
            let value = self.field.as_ref().and_then(|f| {
                lookup(event, f)
                    .into_iter()
                    .find_map(|v| as_text(v).map(|s| s.into_owned()))
            });
            let window = self.window;
            let entries = self.groups.entry(group.clone()).or_default();
            while entries.front().is_some_and(|e| e.time < time - window) {
                entries.pop_front();
            }
            entries.push_back(Entry {
                time,
                index,
                input,
                value,
            });
            let metric = metric(self.kind, entries, self.inputs.len(), self.percentile);
            if Self::holds(self.kind, &self.bounds, self.inputs.len(), metric, entries) {
                let mut events: Vec<usize> = entries.iter().map(|e| e.index).collect();
                events.dedup();
                alerts.push(Alert { events, group });
                entries.clear();
            }
        }
        alerts
    }

    fn holds(
        kind: CorrelationType,
        bounds: &[(Op, f64)],
        inputs: usize,
        metric: Option<f64>,
        entries: &VecDeque<Entry>,
    ) -> bool {
        if kind == CorrelationType::TemporalOrdered {
            return in_order(entries, inputs);
        }
        let Some(m) = metric else { return false };
        bounds.iter().all(|&(op, t)| match op {
            Op::Gt => m > t,
            Op::Gte => m >= t,
            Op::Lt => m < t,
            Op::Lte => m <= t,
            Op::Eq => m == t,
            Op::Neq => m != t,
        })
    }
}

fn metric(kind: CorrelationType, entries: &VecDeque<Entry>, _inputs: usize, percentile: Option<f64>) -> Option<f64> {
    let numbers = || {
        entries
            .iter()
            .filter_map(|e| e.value.as_deref().and_then(|v| as_number(&Json::String(v.to_string()))))
            .collect::<Vec<f64>>()
    };
    Some(match kind {
        CorrelationType::EventCount => entries.len() as f64,
        CorrelationType::ValueCount => entries
            .iter()
            .filter_map(|e| e.value.as_deref())
            .collect::<HashSet<_>>()
            .len() as f64,
        CorrelationType::Temporal | CorrelationType::TemporalOrdered => {
            entries.iter().map(|e| e.input).collect::<HashSet<_>>().len() as f64
        }
        CorrelationType::ValueSum => numbers().iter().sum(),
        CorrelationType::ValueAvg => {
            let n = numbers();
            if n.is_empty() {
                return None;
            }
            n.iter().sum::<f64>() / n.len() as f64
        }
        CorrelationType::ValuePercentile => {
            let mut n = numbers();
            if n.is_empty() {
                return None;
            }
            n.sort_by(f64::total_cmp);
            // Nearest rank.
            let p = percentile.unwrap_or(50.0).clamp(0.0, 100.0);
            let rank = ((p / 100.0) * n.len() as f64).ceil().max(1.0) as usize;
            n[rank - 1]
        }
    })
}

/// Whether the window holds the referenced rules in their listed order (as a subsequence).
fn in_order(entries: &VecDeque<Entry>, inputs: usize) -> bool {
    let mut next = 0;
    for e in entries {
        if e.input == next {
            next += 1;
            if next == inputs {
                return true;
            }
        }
    }
    false
}
