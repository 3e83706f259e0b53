//! Transformations of pySigma's pipeline format that detc applies.

use std::collections::BTreeMap;

use regex::Regex;

use crate::catalog::yaml::{Resolved, Scalar, Style};
use crate::ir::{ItemSpec, SpecValue};

#[derive(Debug, Clone)]
pub enum Transformation {
    /// Field name → one or more names (several names: OR of the mapped items).
    FieldNameMapping(BTreeMap<String, Vec<String>>),
    FieldNamePrefixMapping(BTreeMap<String, String>),
    FieldNamePrefix(String),
    FieldNameSuffix(String),
    /// Detection items AND-ed onto every condition (`negated`: NOT of them).
    AddCondition {
        conditions: Vec<(String, Vec<Scalar>)>,
        negated: bool,
        template: bool,
    },
    ReplaceString {
        regex: Regex,
        replacement: String,
    },
    /// `%name%` placeholders replaced by the pipeline's `vars` (include/exclude name lists).
    ValuePlaceholders {
        include: Vec<String>,
        exclude: Vec<String>,
    },
    /// A value that is only a placeholder replaced by a raw query expression.
    QueryExpressionPlaceholders {
        expression: String,
        include: Vec<String>,
        exclude: Vec<String>,
        mapping: BTreeMap<String, String>,
    },
    DropDetectionItem,
    ChangeLogsource {
        category: Option<String>,
        product: Option<String>,
        service: Option<String>,
    },
    SetState {
        key: String,
        value: String,
    },
    RuleFailure(String),
    DetectionItemFailure(String),
}

impl Transformation {
    /// Whether it acts on detection items (else on the rule as a whole).
    pub fn on_items(&self) -> bool {
        self.maps_fields()
            || matches!(
                self,
                Transformation::ReplaceString { .. }
                    | Transformation::ValuePlaceholders { .. }
                    | Transformation::QueryExpressionPlaceholders { .. }
                    | Transformation::DropDetectionItem
                    | Transformation::DetectionItemFailure(_)
            )
    }

    /// Whether it renames fields (field-name conditions then pick which fields).
    pub fn maps_fields(&self) -> bool {
        matches!(
            self,
            Transformation::FieldNameMapping(_)
                | Transformation::FieldNamePrefixMapping(_)
                | Transformation::FieldNamePrefix(_)
                | Transformation::FieldNameSuffix(_)
        )
    }

    /// The new names of `field` (several for a one-to-many mapping), or `None` when not mapped.
    pub fn map_field(&self, field: &str) -> Option<Vec<String>> {
        match self {
            Transformation::FieldNameMapping(m) => m.get(field).cloned(),
            Transformation::FieldNamePrefixMapping(m) => m
                .iter()
                .find(|(from, _)| field.starts_with(from.as_str()))
                .map(|(from, to)| vec![format!("{to}{}", &field[from.len()..])]),
            Transformation::FieldNamePrefix(p) => Some(vec![format!("{p}{field}")]),
            Transformation::FieldNameSuffix(s) => Some(vec![format!("{field}{s}")]),
            _ => None,
        }
    }

    /// Rewrite the values of an item (replace_string, placeholders); `vars` are the pipeline's.
    pub fn rewrite_values(&self, item: &mut ItemSpec, vars: &BTreeMap<String, Vec<String>>) {
        match self {
            Transformation::ReplaceString { regex, replacement } if !item.has(crate::model::modifier::Modifier::Re) => {
                for v in &mut item.values {
                    if let Some(s) = v.scalar.as_mut().filter(|s| s.resolved == Resolved::Str) {
                        s.text = regex.replace_all(&s.text, replacement.as_str()).into_owned();
                    }
                }
            }
            Transformation::ValuePlaceholders { include, exclude }
                if item.has(crate::model::modifier::Modifier::Expand) =>
            {
                let wanted = |name: &str| {
                    (include.is_empty() || include.iter().any(|i| i == name))
                        && !exclude.iter().any(|e| e == name)
                        && vars.contains_key(name)
                };
                let mut out = Vec::new();
                for v in &item.values {
                    out.extend(expand_value(v, vars, &wanted));
                }
                item.values = out;
            }
            Transformation::QueryExpressionPlaceholders {
                expression,
                include,
                exclude,
                mapping,
            } if item.has(crate::model::modifier::Modifier::Expand) => {
                let field = item.field.clone().unwrap_or_default();
                for v in &mut item.values {
                    let Some(name) = v
                        .text()
                        .and_then(|t| t.strip_prefix('%'))
                        .and_then(|t| t.strip_suffix('%'))
                        .map(str::to_string)
                    else {
                        continue;
                    };
                    if name.contains('%') || !(include.is_empty() || include.contains(&name)) || exclude.contains(&name)
                    {
                        continue;
                    }
                    let id = mapping.get(&name).cloned().unwrap_or(name);
                    v.raw_query = Some(expression.replace("{field}", &field).replace("{id}", &id));
                }
            }
            _ => {}
        }
    }
}

/// Every value `v` stands for once its `%name%` placeholders take each of their values.
fn expand_value(v: &SpecValue, vars: &BTreeMap<String, Vec<String>>, wanted: &dyn Fn(&str) -> bool) -> Vec<SpecValue> {
    let Some(text) = v
        .text()
        .filter(|_| v.scalar.as_ref().is_some_and(|s| s.resolved == Resolved::Str))
    else {
        return vec![v.clone()];
    };
    static PLACEHOLDER: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let re = PLACEHOLDER.get_or_init(|| Regex::new(r"%([^%]+)%").expect("valid regex"));
    let Some(cap) = re.captures_iter(text).find(|c| wanted(&c[1])) else {
        return vec![v.clone()];
    };
    let whole = cap.get(0).expect("match");
    let mut out = Vec::new();
    for value in &vars[&cap[1]] {
        let replaced = format!("{}{value}{}", &text[..whole.start()], &text[whole.end()..]);
        let next = SpecValue {
            scalar: Some(Scalar {
                text: replaced,
                style: Style::SingleQuoted,
                resolved: Resolved::Str,
            }),
            kind: "a string",
            span: v.span,
            raw_query: None,
        };
        out.extend(expand_value(&next, vars, wanted));
    }
    out
}
