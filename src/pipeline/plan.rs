//! A pipeline applied to one rule: rule conditions are decided once, in order (a log source
//! change affects the conditions after it); then every detection item goes through the item-level
//! transformations that apply to the rule.

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::condition::RuleView;
use super::load::{Pipeline, ProcessingItem};
use super::trace::{Trace, TraceEntry, describe_item};
use super::transform::Transformation;
use crate::catalog::yaml::Scalar;
use crate::model::Parsed;
use crate::model::item_spec::{ItemSpec, SpecValue};

/// Detection items an `add_condition` AND-s onto every condition of the rule.
#[derive(Debug)]
pub struct Added {
    pub items: Vec<ItemSpec>,
    pub negated: bool,
    /// The id of the processing item that added them (their first `processing_item_applied`).
    pub id: String,
    /// How many item-level steps came before it: only the later ones rewrite these items, as in
    /// pySigma, where the added detection exists only from its processing item on.
    pub from_step: usize,
}

#[derive(Debug, Default)]
pub struct RulePlan<'p> {
    /// Item-level processing items whose rule conditions hold, in order.
    steps: Vec<&'p ProcessingItem>,
    vars: BTreeMap<String, Vec<String>>,
    /// Detection items AND-ed onto every condition, in the order they were added.
    pub added: Vec<Added>,
    /// Pipeline state (`set_state`), e.g. the ES|QL index.
    pub state: BTreeMap<String, String>,
    /// A `rule_failure` whose conditions hold.
    pub failure: Option<String>,
    /// What each processing item changed, when asked for (`convert --explain`).
    trace: Option<Mutex<Trace>>,
}

impl<'p> RulePlan<'p> {
    pub fn new(pipeline: &'p Pipeline, rule: &Parsed<'_>) -> RulePlan<'p> {
        Self::build(pipeline, rule, false)
    }

    /// As [`RulePlan::new`], recording what each processing item changes ([`RulePlan::trace`]).
    pub fn traced(pipeline: &'p Pipeline, rule: &Parsed<'_>) -> RulePlan<'p> {
        Self::build(pipeline, rule, true)
    }

    /// The changes recorded so far, in order, each once.
    pub fn trace(&self) -> Vec<TraceEntry> {
        self.trace
            .as_ref()
            .map(|t| t.lock().unwrap_or_else(|e| e.into_inner()).entries())
            .unwrap_or_default()
    }

    fn note(&self, item: &ProcessingItem, change: impl FnOnce() -> String) {
        if let Some(t) = &self.trace {
            t.lock().unwrap_or_else(|e| e.into_inner()).push(item, change());
        }
    }

    fn build(pipeline: &'p Pipeline, rule: &Parsed<'_>, traced: bool) -> RulePlan<'p> {
        let mut plan = RulePlan {
            vars: pipeline.vars.clone(),
            trace: traced.then(|| Mutex::new(Trace::default())),
            ..RulePlan::default()
        };
        let mut logsource: BTreeMap<String, String> = rule
            .meta
            .logsource
            .and_then(|l| l.as_map())
            .map(|m| {
                m.iter()
                    .filter_map(|e| Some((e.key.scalar_text()?.to_string(), e.value.scalar_text()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        let fields: Vec<String> = rule
            .detection()
            .map(|d| {
                d.searches
                    .iter()
                    .flat_map(|s| s.body.items())
                    .filter_map(|i| i.field.map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let tags: Vec<String> = rule
            .meta
            .tags
            .iter()
            .filter_map(|t| t.scalar_text().map(str::to_string))
            .collect();
        let mut applied: Vec<String> = Vec::new();
        for item in &pipeline.items {
            let view = RuleView {
                logsource: &logsource,
                fields: &fields,
                tags: &tags,
                correlation: rule.correlation().is_some(),
                applied: &applied,
            };
            if !item.rule.holds(|c| c.holds(&view)) {
                continue;
            }
            applied.push(item.id.clone());
            match &item.transformation {
                Transformation::ChangeLogsource {
                    category,
                    product,
                    service,
                } => {
                    // All three are replaced; one not given becomes unset (as pySigma does).
                    let before = logsource_text(&logsource);
                    for (k, v) in [("category", category), ("product", product), ("service", service)] {
                        match v {
                            Some(v) => logsource.insert(k.to_string(), v.clone()),
                            None => logsource.remove(k),
                        };
                    }
                    plan.note(item, || format!("log source {before} → {}", logsource_text(&logsource)));
                }
                Transformation::SetState { key, value } => {
                    plan.note(item, || format!("state {key} = {value:?}"));
                    plan.state.insert(key.clone(), value.clone());
                }
                Transformation::RuleFailure(m) => {
                    plan.note(item, || format!("rule failed: {m}"));
                    plan.failure = Some(m.clone());
                }
                Transformation::AddCondition {
                    conditions,
                    negated,
                    template,
                } => {
                    let items: Vec<ItemSpec> = conditions
                        .iter()
                        .map(|(field, values)| ItemSpec {
                            field: Some(field.clone()),
                            modifiers: Vec::new(),
                            unknown_modifiers: Vec::new(),
                            values: values.iter().map(|v| added_value(v, *template, &logsource)).collect(),
                            span: Default::default(),
                            value_span: Default::default(),
                        })
                        .collect();
                    plan.note(item, || {
                        let text: Vec<String> = items.iter().map(describe_item).collect();
                        format!(
                            "condition added: {}{}",
                            if *negated { "not " } else { "" },
                            text.join(" and ")
                        )
                    });
                    plan.added.push(Added {
                        items,
                        negated: *negated,
                        id: item.id.clone(),
                        from_step: plan.steps.len(),
                    });
                }
                t if t.on_items() => plan.steps.push(item),
                _ => {}
            }
        }
        plan
    }

    /// A field name (a correlation's group-by or value field) after the field-name transformations
    /// that apply to the rule; the first name of a one-to-many mapping.
    pub fn map_field(&self, field: &str) -> String {
        let mut name = field.to_string();
        let mut applied: Vec<String> = Vec::new();
        for step in self.steps.iter().filter(|s| s.transformation.maps_fields()) {
            if step.field.holds(|c| c.holds(&name, &applied))
                && let Some(first) = step.transformation.map_field(&name).and_then(|v| v.into_iter().next())
            {
                name = first;
                applied.push(step.id.clone());
            }
        }
        name
    }

    /// A detection item after the pipeline: several items (a one-to-many field mapping: OR-ed), none
    /// (dropped), or an error message (`detection_item_failure`).
    pub fn apply(&self, spec: ItemSpec) -> Result<Vec<ItemSpec>, String> {
        self.apply_steps(spec, 0, Vec::new())
    }

    /// An item of an `add_condition` after the steps that follow it.
    pub fn apply_added(&self, added: &Added, spec: ItemSpec) -> Result<Vec<ItemSpec>, String> {
        self.apply_steps(spec, added.from_step, vec![added.id.clone()])
    }

    fn apply_steps(&self, spec: ItemSpec, from: usize, applied: Vec<String>) -> Result<Vec<ItemSpec>, String> {
        let mut items = vec![(spec, applied)];
        for step in &self.steps[from.min(self.steps.len())..] {
            let mut next = Vec::new();
            for (mut item, mut applied) in items {
                if !step.item.holds(|c| c.holds(&item, &applied)) {
                    next.push((item, applied));
                    continue;
                }
                let t = &step.transformation;
                // Field-name conditions gate every item transformation on the item's field, as pySigma's
                // detection-item match does (a keyword has no field: never included). Field mappings
                // check them per name instead, since they also rename field references in values.
                if !t.maps_fields() && !step.field.holds(|c| c.holds_on(item.field.as_deref(), &applied)) {
                    next.push((item, applied));
                    continue;
                }
                match t {
                    Transformation::DropDetectionItem => {
                        self.note(step, || format!("dropped {}", describe_item(&item)));
                        continue;
                    }
                    Transformation::DetectionItemFailure(m) => {
                        self.note(step, || format!("failed on {}: {m}", describe_item(&item)));
                        return Err(m.clone());
                    }
                    t if t.maps_fields() => {
                        // A field reference's value names a field: pySigma renames it too.
                        if item.has(crate::model::modifier::Modifier::FieldRef) {
                            for v in &mut item.values {
                                let Some(s) = v.scalar.as_mut() else { continue };
                                if step.field.holds(|c| c.holds(&s.text, &applied))
                                    && let Some(first) = t.map_field(&s.text).and_then(|n| n.into_iter().next())
                                {
                                    self.note(step, || format!("field reference {} → {first}", s.text));
                                    s.text = first;
                                }
                            }
                        }
                        let mapped = item
                            .field
                            .as_deref()
                            .filter(|f| step.field.holds(|c| c.holds(f, &applied)))
                            .and_then(|f| t.map_field(f));
                        match mapped {
                            Some(names) => {
                                self.note(step, || {
                                    format!("field {} → {}", item.field.as_deref().unwrap_or(""), names.join(" or "))
                                });
                                applied.push(step.id.clone());
                                for name in names {
                                    let mut copy = item.clone();
                                    copy.field = Some(name);
                                    next.push((copy, applied.clone()));
                                }
                            }
                            None => next.push((item, applied)),
                        }
                    }
                    t => {
                        let before = item.clone();
                        t.rewrite_values(&mut item, &self.vars)?;
                        if item != before {
                            self.note(step, || {
                                format!("{} → {}", describe_item(&before), describe_item(&item))
                            });
                            applied.push(step.id.clone());
                        }
                        next.push((item, applied));
                    }
                }
            }
            items = next;
        }
        Ok(items.into_iter().map(|(i, _)| i).collect())
    }
}

fn logsource_text(l: &BTreeMap<String, String>) -> String {
    let parts: Vec<String> = l.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!("{{{}}}", parts.join(", "))
}

/// A value of an added condition; with `template`, `$category`, `$product`, `$service` are filled.
fn added_value(v: &Scalar, template: bool, logsource: &BTreeMap<String, String>) -> SpecValue {
    let mut scalar = v.clone();
    if template {
        for k in ["category", "product", "service"] {
            scalar.text = scalar
                .text
                .replace(&format!("${k}"), logsource.get(k).map(String::as_str).unwrap_or(""));
        }
    }
    SpecValue {
        scalar: Some(scalar),
        kind: "a string",
        span: Default::default(),
        raw_query: None,
    }
}
