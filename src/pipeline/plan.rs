//! A pipeline applied to one rule: rule conditions are decided once, in order (a log source
//! change affects the conditions after it); then every detection item goes through the item-level
//! transformations that apply to the rule.

use std::collections::BTreeMap;

use super::condition::RuleView;
use super::load::{Pipeline, ProcessingItem};
use super::transform::Transformation;
use crate::catalog::yaml::Scalar;
use crate::model::Parsed;
use crate::model::item_spec::{ItemSpec, SpecValue};

#[derive(Debug, Default)]
pub struct RulePlan<'p> {
    /// Item-level processing items whose rule conditions hold, in order.
    steps: Vec<&'p ProcessingItem>,
    vars: BTreeMap<String, Vec<String>>,
    /// Detection items AND-ed onto every condition (with whether negated).
    pub added: Vec<(Vec<ItemSpec>, bool)>,
    /// Pipeline state (`set_state`), e.g. the ES|QL index.
    pub state: BTreeMap<String, String>,
    /// A `rule_failure` whose conditions hold.
    pub failure: Option<String>,
}

impl<'p> RulePlan<'p> {
    pub fn new(pipeline: &'p Pipeline, rule: &Parsed<'_>) -> RulePlan<'p> {
        let mut plan = RulePlan {
            vars: pipeline.vars.clone(),
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
                    for (k, v) in [("category", category), ("product", product), ("service", service)] {
                        match v {
                            Some(v) => logsource.insert(k.to_string(), v.clone()),
                            None => logsource.remove(k),
                        };
                    }
                }
                Transformation::SetState { key, value } => {
                    plan.state.insert(key.clone(), value.clone());
                }
                Transformation::RuleFailure(m) => plan.failure = Some(m.clone()),
                Transformation::AddCondition {
                    conditions,
                    negated,
                    template,
                } => {
                    let items = conditions
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
                    plan.added.push((items, *negated));
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
        let mut items = vec![(spec, Vec::<String>::new())];
        for step in &self.steps {
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
                    Transformation::DropDetectionItem => continue,
                    Transformation::DetectionItemFailure(m) => return Err(m.clone()),
                    t if t.maps_fields() => {
                        // A field reference's value names a field: pySigma renames it too.
                        if item.has(crate::model::modifier::Modifier::FieldRef) {
                            for v in &mut item.values {
                                let Some(s) = v.scalar.as_mut() else { continue };
                                if step.field.holds(|c| c.holds(&s.text, &applied))
                                    && let Some(first) = t.map_field(&s.text).and_then(|n| n.into_iter().next())
                                {
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
                        t.rewrite_values(&mut item, &self.vars);
                        if item != before {
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
