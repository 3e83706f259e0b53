//! Reading pipeline files (pySigma's YAML format) with a location for every problem.

use crate::codes;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use regex::Regex;

use super::condition::{CondSet, FieldCond, FieldPattern, ItemCond, RuleCond};
use super::transform::{CaseMethod, Transformation};
use crate::catalog::SourceFile;
use crate::catalog::yaml::{Node, Resolved, Scalar, Value, parse_documents};
use crate::diag::{Diagnostic, Span};
use crate::model::condition::parse_condition;

/// One processing item.
#[derive(Debug, Clone)]
pub struct ProcessingItem {
    /// The name of the pipeline the item comes from (for `convert --explain`).
    pub pipeline: String,
    pub id: String,
    pub transformation: Transformation,
    pub rule: CondSet<RuleCond>,
    pub item: CondSet<ItemCond>,
    pub field: CondSet<FieldCond>,
}

#[derive(Debug, Clone, Default)]
pub struct Pipeline {
    pub name: String,
    pub priority: i64,
    pub vars: BTreeMap<String, Vec<String>>,
    pub items: Vec<ProcessingItem>,
    /// `allowed_backends`: the detc targets the pipeline is written for (empty: any). pySigma's
    /// Elasticsearch names (`elasticsearch`, `opensearch`) stand for Lucene; names of backends detc
    /// does not have are kept and never match.
    pub allowed_targets: Vec<String>,
    /// The `allowed_targets` of the pipelines merged into this one, by name.
    pub restrictions: Vec<(String, Vec<String>)>,
}

impl Pipeline {
    /// Pipelines merged as pySigma's resolver merges them: by ascending priority, equal priorities
    /// by the name or path they were given as (a string sort, so `-p b -p a` runs `a` first).
    /// Each pipeline comes with the spec it was given as.
    pub fn merge(mut pipelines: Vec<(String, Pipeline)>) -> Pipeline {
        pipelines.sort_by(|(sa, a), (sb, b)| (a.priority, sa).cmp(&(b.priority, sb)));
        let pipelines: Vec<Pipeline> = pipelines.into_iter().map(|(_, p)| p).collect();
        let mut out = Pipeline {
            name: pipelines.iter().map(|p| p.name.clone()).collect::<Vec<_>>().join("+"),
            ..Pipeline::default()
        };
        for p in pipelines {
            out.vars.extend(p.vars);
            out.items.extend(p.items);
            if !p.allowed_targets.is_empty() {
                out.restrictions.push((p.name.clone(), p.allowed_targets));
            }
        }
        out
    }

    /// Whether the pipeline (every pipeline merged into it) is written for `target`; else the
    /// name of the first one that is not, and the targets it suits.
    pub fn refuses(&self, target: &str) -> Option<(&str, &[String])> {
        let own = (!self.allowed_targets.is_empty()).then_some((self.name.as_str(), &self.allowed_targets[..]));
        own.into_iter()
            .chain(self.restrictions.iter().map(|(n, t)| (n.as_str(), &t[..])))
            .find(|(_, targets)| !targets.iter().any(|t| t == target))
    }
}

/// A built-in pipeline by name, or a pipeline file by path.
pub fn resolve(name_or_path: &str) -> Result<Pipeline, Vec<Diagnostic>> {
    if let Some(b) = super::builtin::builtin(name_or_path) {
        return load_pipeline(
            Arc::from(Path::new(&format!("<builtin:{}>", b.name))),
            b.text.to_string(),
        );
    }
    let path: Arc<Path> = Arc::from(Path::new(name_or_path));
    let text = std::fs::read_to_string(&path).map_err(|e| {
        vec![
            Diagnostic::new(
                &codes::INVALID_PIPELINE,
                &path,
                None,
                format!("cannot read pipeline: {e}"),
            )
            .help(format!(
                "built-in pipelines: {}",
                super::builtin::BUILTIN
                    .iter()
                    .map(|b| b.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        ]
    })?;
    load_pipeline(path, text)
}

struct Reader {
    path: Arc<Path>,
    errors: Vec<Diagnostic>,
}

impl Reader {
    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.errors
            .push(Diagnostic::at(&codes::INVALID_PIPELINE, &self.path, span, message));
    }

    /// Report an unknown condition type at its `type` value.
    fn unknown_condition<T>(&mut self, node: &Node, kind: &str, name: &str) -> Option<T> {
        self.error(
            node.get("type").map_or(node.span, |n| n.span),
            format!("unknown or unsupported {kind} condition `{name}`"),
        );
        None
    }

    fn string(&mut self, node: &Node, key: &str) -> Option<String> {
        match node.get(key) {
            Some(v) if v.as_scalar().is_some() => v.scalar_text().map(str::to_string),
            Some(v) => {
                self.error(v.span, format!("`{key}` must be a string"));
                None
            }
            None => None,
        }
    }

    fn required(&mut self, node: &Node, key: &str) -> Option<String> {
        let v = self.string(node, key);
        if v.is_none() && node.get(key).is_none() {
            self.error(node.span, format!("missing `{key}`"));
        }
        v
    }

    fn strings(&mut self, node: &Node, key: &str) -> Vec<String> {
        match node.get(key).map(|n| &n.value) {
            None => Vec::new(),
            Some(Value::Scalar(s)) => vec![s.text.clone()],
            Some(Value::Seq(items)) => items
                .iter()
                .filter_map(|i| i.scalar_text().map(str::to_string))
                .collect(),
            Some(Value::Map(_)) => {
                self.error(
                    node.get(key).unwrap().span,
                    format!("`{key}` must be a string or a list of strings"),
                );
                Vec::new()
            }
        }
    }

    fn flag(&mut self, node: &Node, key: &str) -> bool {
        node.get(key).and_then(Node::scalar_text) == Some("true")
    }

    fn regex(&mut self, node: &Node, key: &str) -> Option<Regex> {
        let text = self.required(node, key)?;
        match Regex::new(&text) {
            Ok(r) => Some(r),
            Err(e) => {
                self.error(node.get(key).unwrap().span, format!("invalid regex: {e}"));
                None
            }
        }
    }
}

pub fn load_pipeline(path: Arc<Path>, text: String) -> Result<Pipeline, Vec<Diagnostic>> {
    let file = SourceFile::new(path.clone(), text);
    let (docs, diags) = parse_documents(&file);
    if !diags.is_empty() {
        return Err(diags);
    }
    let Some(root) = docs.into_iter().find_map(|d| d.root) else {
        return Err(vec![Diagnostic::new(
            &codes::INVALID_PIPELINE,
            &path,
            None,
            "empty pipeline file",
        )]);
    };
    let mut r = Reader {
        path: path.clone(),
        errors: Vec::new(),
    };
    for key in ["postprocessing", "finalizers"] {
        if let Some(n) = root.get(key) {
            r.error(
                n.span,
                format!("`{key}` is not supported by detc (query post-processing belongs in artifact templates)"),
            );
        }
    }
    let mut p = Pipeline {
        name: r.string(&root, "name").unwrap_or_else(|| path.display().to_string()),
        priority: root
            .get("priority")
            .and_then(Node::scalar_text)
            .and_then(|t| t.parse().ok())
            .unwrap_or(0),
        ..Pipeline::default()
    };
    p.allowed_targets = r
        .strings(&root, "allowed_backends")
        .into_iter()
        .map(|b| match b.as_str() {
            "elasticsearch" | "opensearch" => "lucene".to_string(),
            _ => b,
        })
        .collect();
    p.allowed_targets.dedup();
    if let Some(vars) = root.get("vars").and_then(Node::as_map) {
        for e in vars {
            let Some(name) = e.key.scalar_text() else { continue };
            let Some(values) = value_list(&e.value) else {
                r.error(e.value.span, "a variable is a value or a list of values");
                continue;
            };
            p.vars.insert(name.to_string(), values);
        }
    }
    match root.get("transformations") {
        Some(list) => match list.as_seq() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let Some(pi) = processing_item(&mut r, item, i, &p.name) {
                        p.items.push(pi);
                    }
                }
            }
            None => r.error(list.span, "`transformations` must be a list"),
        },
        None => r.error(root.span, "missing `transformations`"),
    }
    if r.errors.is_empty() { Ok(p) } else { Err(r.errors) }
}

fn processing_item(r: &mut Reader, node: &Node, index: usize, pipeline: &str) -> Option<ProcessingItem> {
    if node.as_map().is_none() {
        r.error(node.span, "a transformation is a mapping with `type`");
        return None;
    }
    let kind = r.required(node, "type")?;
    let type_span = node.get("type").map_or(node.span, |n| n.span);
    let id = r.string(node, "id").unwrap_or_else(|| format!("#{index}"));
    let transformation = transformation(r, node, &kind, type_span)?;
    Some(ProcessingItem {
        pipeline: pipeline.to_string(),
        id,
        transformation,
        rule: cond_set(r, node, "rule", rule_cond),
        item: cond_set(r, node, "detection_item", item_cond),
        field: cond_set(r, node, "field_name", field_cond),
    })
}

fn mapping_of_lists(r: &mut Reader, node: &Node, key: &str) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    match node.get(key).map(|m| (m, m.as_map())) {
        Some((_, Some(entries))) => {
            for e in entries {
                let Some(k) = e.key.scalar_text() else { continue };
                let Some(v) = value_list(&e.value) else {
                    r.error(e.value.span, "a mapping target is a name or a list of names");
                    continue;
                };
                out.insert(k.to_string(), v);
            }
        }
        Some((other, None)) => r.error(other.span, format!("`{key}` must be a mapping")),
        None => r.error(node.span, format!("missing `{key}`")),
    }
    out
}

fn transformation(r: &mut Reader, node: &Node, kind: &str, span: Span) -> Option<Transformation> {
    Some(match kind {
        "field_name_mapping" => Transformation::FieldNameMapping(mapping_of_lists(r, node, "mapping")),
        "field_name_prefix_mapping" => Transformation::FieldNamePrefixMapping(
            mapping_of_lists(r, node, "mapping")
                .into_iter()
                .map(|(k, v)| (k, v.into_iter().next().unwrap_or_default()))
                .collect(),
        ),
        "field_name_prefix" => Transformation::FieldNamePrefix(r.required(node, "prefix")?),
        "field_name_suffix" => Transformation::FieldNameSuffix(r.required(node, "suffix")?),
        "add_condition" => {
            let Some(conds) = node.get("conditions").and_then(Node::as_map) else {
                r.error(
                    node.span,
                    "`add_condition` needs `conditions` (a mapping of field to value or values)",
                );
                return None;
            };
            let conditions = conds
                .iter()
                .filter_map(|e| {
                    let field = e.key.scalar_text()?.to_string();
                    let values: Vec<Scalar> = match &e.value.value {
                        Value::Seq(items) => items.iter().filter_map(|i| i.as_scalar().cloned()).collect(),
                        Value::Scalar(s) => vec![s.clone()],
                        Value::Map(_) => Vec::new(),
                    };
                    Some((field, values))
                })
                .collect();
            Transformation::AddCondition {
                conditions,
                negated: r.flag(node, "negated"),
                template: r.flag(node, "template"),
            }
        }
        "replace_string" => Transformation::ReplaceString {
            regex: r.regex(node, "regex")?,
            // Python's `\1` group references become the regex crate's `${1}`.
            replacement: Regex::new(r"\\(\d+)")
                .expect("valid")
                .replace_all(&r.required(node, "replacement")?, "$${$1}")
                .into_owned(),
        },
        "case" => {
            let method = r.string(node, "method").unwrap_or_else(|| "lower".to_string());
            match CaseMethod::parse(&method) {
                Some(m) => Transformation::Case(m),
                None => {
                    let at = node.get("method").map_or(span, |n| n.span);
                    r.error(
                        at,
                        format!("unknown case method `{method}`; expected lower, upper or snake_case"),
                    );
                    return None;
                }
            }
        }
        "value_placeholders" => Transformation::ValuePlaceholders {
            include: r.strings(node, "include"),
            exclude: r.strings(node, "exclude"),
        },
        "query_expression_placeholders" => Transformation::QueryExpressionPlaceholders {
            expression: r.required(node, "expression")?,
            include: r.strings(node, "include"),
            exclude: r.strings(node, "exclude"),
            mapping: node
                .get("mapping")
                .and_then(Node::as_map)
                .map(|m| {
                    m.iter()
                        .filter_map(|e| Some((e.key.scalar_text()?.to_string(), e.value.scalar_text()?.to_string())))
                        .collect()
                })
                .unwrap_or_default(),
        },
        "drop_detection_item" => Transformation::DropDetectionItem,
        "change_logsource" => Transformation::ChangeLogsource {
            category: r.string(node, "category"),
            product: r.string(node, "product"),
            service: r.string(node, "service"),
        },
        "set_state" => Transformation::SetState {
            key: r.required(node, "key")?,
            value: r.required(node, "val")?,
        },
        "rule_failure" => Transformation::RuleFailure(r.required(node, "message")?),
        "detection_item_failure" => Transformation::DetectionItemFailure(r.required(node, "message")?),
        "set_value" => {
            let Some(value) = node.get("value").and_then(Node::as_scalar) else {
                r.error(
                    node.span,
                    "`set_value` needs `value` (a string, number, boolean or null)",
                );
                return None;
            };
            let mut value = value.clone();
            match r.string(node, "force_type").as_deref() {
                None => {}
                Some("str") => value.resolved = Resolved::Str,
                Some("num") => match value.text.parse::<i64>() {
                    Ok(i) => value.resolved = Resolved::Int(i),
                    Err(_) => {
                        r.error(node.span, format!("`{}` is not a number (force_type: num)", value.text));
                        return None;
                    }
                },
                Some(other) => {
                    let at = node.get("force_type").map_or(span, |n| n.span);
                    r.error(at, format!("unknown force_type `{other}`; expected str or num"));
                    return None;
                }
            }
            Transformation::SetValue(value)
        }
        "convert_type" => match r.required(node, "target_type")?.as_str() {
            "str" => Transformation::ConvertType { to_str: true },
            "num" => Transformation::ConvertType { to_str: false },
            other => {
                let at = node.get("target_type").map_or(span, |n| n.span);
                r.error(at, format!("unknown target_type `{other}`; expected str or num"));
                return None;
            }
        },
        other => {
            r.error(
                span,
                format!(
                    "unknown or unsupported transformation `{other}`; detc supports field_name_mapping, field_name_prefix_mapping, field_name_prefix, field_name_suffix, add_condition, replace_string, case, value_placeholders, query_expression_placeholders, drop_detection_item, change_logsource, set_state, set_value, convert_type, rule_failure, detection_item_failure"
                ),
            );
            return None;
        }
    })
}

/// Conditions under `<prefix>_conditions` (a list, or a mapping of named conditions), with
/// `<prefix>_cond_op`, `<prefix>_cond_not` and `<prefix>_cond_expr`.
fn cond_set<C>(r: &mut Reader, node: &Node, prefix: &str, parse: fn(&mut Reader, &Node) -> Option<C>) -> CondSet<C> {
    let mut set = CondSet::default();
    if let Some(list) = node.get(&format!("{prefix}_conditions")) {
        match &list.value {
            Value::Seq(items) => {
                for (i, c) in items.iter().enumerate() {
                    if let Some(c) = parse(r, c) {
                        set.conds.push((format!("#{i}"), c));
                    }
                }
            }
            Value::Map(entries) => {
                for e in entries {
                    let name = e.key.scalar_text().unwrap_or("").to_string();
                    if let Some(c) = parse(r, &e.value) {
                        set.conds.push((name, c));
                    }
                }
            }
            Value::Scalar(_) => r.error(list.span, format!("`{prefix}_conditions` must be a list or a mapping")),
        }
    }
    set.or = node.get(&format!("{prefix}_cond_op")).and_then(Node::scalar_text) == Some("or");
    set.not = r.flag(node, &format!("{prefix}_cond_not"));
    if let Some(e) = node.get(&format!("{prefix}_cond_expr")) {
        match e.scalar_text().map(parse_condition) {
            Some(Ok(expr)) => set.expr = Some(expr),
            Some(Err(err)) => r.error(e.span, format!("invalid condition expression: {}", err.message)),
            None => r.error(e.span, "a condition expression is a string"),
        }
    }
    set
}

fn rule_cond(r: &mut Reader, node: &Node) -> Option<RuleCond> {
    let kind = r.required(node, "type")?;
    Some(match kind.as_str() {
        "logsource" => RuleCond::Logsource {
            category: r.string(node, "category"),
            product: r.string(node, "product"),
            service: r.string(node, "service"),
        },
        "contains_field" => RuleCond::ContainsField(r.required(node, "field")?),
        "is_sigma_rule" => RuleCond::IsRule,
        "is_sigma_correlation_rule" => RuleCond::IsCorrelation,
        "processing_item_applied" => RuleCond::Applied(r.required(node, "processing_item_id")?),
        "tag" => RuleCond::Tag(r.required(node, "tag")?),
        other => return r.unknown_condition(node, "rule", other),
    })
}

fn item_cond(r: &mut Reader, node: &Node) -> Option<ItemCond> {
    let kind = r.required(node, "type")?;
    let all = node.get("cond").and_then(Node::scalar_text) == Some("all");
    Some(match kind.as_str() {
        // pySigma tests with Python's `re.match`: anchored at the start of the value.
        "match_string" => {
            let pattern = r.regex(node, "pattern")?;
            let anchored = Regex::new(&format!("^(?:{})", pattern.as_str())).unwrap_or(pattern);
            ItemCond::MatchString {
                pattern: anchored,
                all,
                negate: r.flag(node, "negate"),
            }
        }
        "is_null" => ItemCond::IsNull { all },
        "match_value" => match node.get("value").and_then(Node::as_scalar) {
            Some(value) => ItemCond::MatchValue {
                value: value.clone(),
                all,
            },
            None => {
                r.error(node.span, "`match_value` needs `value` (a string, number or boolean)");
                return None;
            }
        },
        "processing_item_applied" => ItemCond::Applied(r.required(node, "processing_item_id")?),
        other => return r.unknown_condition(node, "detection item", other),
    })
}

fn field_cond(r: &mut Reader, node: &Node) -> Option<FieldCond> {
    let kind = r.required(node, "type")?;
    let re = node.get("type_re").is_none() && node.get("mode").and_then(Node::scalar_text) == Some("re");
    let patterns = |r: &mut Reader| -> Vec<FieldPattern> {
        r.strings(node, "fields")
            .into_iter()
            .filter_map(|f| {
                if re {
                    // Python's `re.match`: anchored at the start only, so `.*Image` takes `ImageLoaded` too.
                    match Regex::new(&format!("^(?:{f})")) {
                        Ok(pattern) => Some(FieldPattern::Re(pattern)),
                        Err(e) => {
                            let at = node.get("fields").map_or(node.span, |n| n.span);
                            r.error(at, format!("invalid field-name regex `{f}`: {e}"));
                            None
                        }
                    }
                } else {
                    Some(FieldPattern::Plain(f))
                }
            })
            .collect()
    };
    Some(match kind.as_str() {
        "include_fields" => FieldCond::Include(patterns(r)),
        "exclude_fields" => FieldCond::Exclude(patterns(r)),
        "processing_item_applied" => FieldCond::Applied(r.required(node, "processing_item_id")?),
        other => return r.unknown_condition(node, "field name", other),
    })
}

/// A scalar or a list of scalars as strings; `None` for a mapping.
fn value_list(node: &Node) -> Option<Vec<String>> {
    match &node.value {
        Value::Seq(items) => Some(
            items
                .iter()
                .filter_map(|i| i.scalar_text().map(str::to_string))
                .collect(),
        ),
        Value::Scalar(s) => Some(vec![s.text.clone()]),
        Value::Map(_) => None,
    }
}
