//! Transformations of pySigma's pipeline format that detc applies.

use std::collections::BTreeMap;

use regex::Regex;

use crate::catalog::yaml::{Resolved, Scalar, Style};
use crate::model::item_spec::{ItemSpec, SpecValue};
use crate::model::modifier::Modifier;

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
    /// pySigma's `case`: string values to lower case, upper case or snake_case.
    Case(CaseMethod),
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
    /// pySigma's `set_value`: every value of the item becomes this one (modifiers dropped, since
    /// pySigma sets the value after modifiers were applied).
    SetValue(Scalar),
    /// pySigma's `convert_type`: numbers to strings (`true`) or strings to numbers (`false`).
    ConvertType {
        to_str: bool,
    },
}

impl Transformation {
    /// Whether it acts on detection items (else on the rule as a whole).
    pub fn on_items(&self) -> bool {
        self.maps_fields()
            || matches!(
                self,
                Transformation::ReplaceString { .. }
                    | Transformation::Case(_)
                    | Transformation::ValuePlaceholders { .. }
                    | Transformation::QueryExpressionPlaceholders { .. }
                    | Transformation::DropDetectionItem
                    | Transformation::DetectionItemFailure(_)
                    | Transformation::SetValue(_)
                    | Transformation::ConvertType { .. }
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

    /// Rewrite the values of an item (replace_string, placeholders, set_value, convert_type); `vars`
    /// are the pipeline's. An error says why a value cannot be converted.
    pub fn rewrite_values(&self, item: &mut ItemSpec, vars: &BTreeMap<String, Vec<String>>) -> Result<(), String> {
        match self {
            Transformation::SetValue(value) => {
                item.modifiers.clear();
                for v in &mut item.values {
                    v.scalar = Some(value.clone());
                    v.raw_query = None;
                }
            }
            Transformation::ConvertType { to_str } => convert_type(item, *to_str)?,
            Transformation::ReplaceString { regex, replacement } => {
                for text in string_values(item) {
                    *text = regex.replace_all(text, replacement.as_str()).into_owned();
                }
            }
            Transformation::Case(method) => {
                for text in string_values(item) {
                    *text = method.apply(text);
                }
            }
            Transformation::ValuePlaceholders { include, exclude } if item.has(Modifier::Expand) => {
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
            } if item.has(Modifier::Expand) => {
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
        Ok(())
    }
}

/// pySigma's `convert_type` acts on plain numbers and strings only: a value under a comparison or
/// time-part modifier is an expression there, not a number, and stays as it is.
fn convert_type(item: &mut ItemSpec, to_str: bool) -> Result<(), String> {
    if item.modifiers.iter().any(|m| m.is_compare() || m.is_time_part()) {
        return Ok(());
    }
    let strings = !NOT_PLAIN_STRINGS.into_iter().any(|m| item.has(m));
    for s in item.values.iter_mut().filter_map(|v| v.scalar.as_mut()) {
        match (to_str, &s.resolved) {
            (true, Resolved::Int(i)) => {
                s.text = i.to_string();
                s.resolved = Resolved::Str;
            }
            (true, Resolved::Float(_)) => s.resolved = Resolved::Str,
            (false, Resolved::Str) if strings => {
                s.resolved = match (s.text.parse::<i64>(), s.text.parse::<f64>()) {
                    (Ok(i), _) => Resolved::Int(i),
                    (_, Ok(f)) if f.is_finite() => Resolved::Float(f),
                    _ => return Err(format!("`{}` cannot be converted to a number", s.text)),
                };
            }
            _ => {}
        }
    }
    Ok(())
}

/// Modifiers whose values pySigma's string-value transformations leave alone: they are not plain
/// strings there (regexes, CIDR ranges, field references, existence) or expand into several values
/// (`windash`, `base64offset`). Plain `base64` and the `wide`/`utf16` encodings are left alone too,
/// where pySigma rewrites the encoded text: lower-casing base64 text changes the bytes it stands for.
const NOT_PLAIN_STRINGS: [Modifier; 11] = [
    Modifier::Re,
    Modifier::Cidr,
    Modifier::FieldRef,
    Modifier::Exists,
    Modifier::Windash,
    Modifier::Base64,
    Modifier::Base64Offset,
    Modifier::Wide,
    Modifier::Utf16,
    Modifier::Utf16Le,
    Modifier::Utf16Be,
];

/// The texts of an item's string values, the ones string-value transformations (`replace_string`,
/// `case`) rewrite: not numbers, booleans or null, and not under [`NOT_PLAIN_STRINGS`].
fn string_values(item: &mut ItemSpec) -> impl Iterator<Item = &mut String> {
    let strings = !NOT_PLAIN_STRINGS.into_iter().any(|m| item.has(m));
    item.values
        .iter_mut()
        .filter_map(|v| v.scalar.as_mut())
        .filter(move |s| strings && s.resolved == Resolved::Str)
        .map(|s| &mut s.text)
}

/// How the `case` transformation rewrites a string value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseMethod {
    Lower,
    Upper,
    /// `processName` becomes `process_name`: `_` before each capital that does not start a
    /// literal part (parts are split by the `*` and `?` wildcards), then lower case.
    SnakeCase,
}

impl CaseMethod {
    pub fn parse(name: &str) -> Option<CaseMethod> {
        match name {
            "lower" => Some(CaseMethod::Lower),
            "upper" => Some(CaseMethod::Upper),
            "snake_case" => Some(CaseMethod::SnakeCase),
            _ => None,
        }
    }

    /// Rewrite `text`, a value in Sigma's escaped form (`\*` is a literal star, not a wildcard).
    fn apply(self, text: &str) -> String {
        match self {
            CaseMethod::Lower => text.to_lowercase(),
            CaseMethod::Upper => text.to_uppercase(),
            CaseMethod::SnakeCase => snake_case(text),
        }
    }
}

fn snake_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    let mut part_start = true;
    let mut escaped = false;
    for c in text.chars() {
        if c.is_ascii_uppercase() && !part_start {
            out.push('_');
        }
        out.extend(c.to_lowercase());
        let wildcard = !escaped && (c == '*' || c == '?');
        escaped = !escaped && c == '\\';
        part_start = wildcard;
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_splits_at_capitals_within_each_literal_part() {
        assert_eq!(snake_case("processName"), "process_name");
        assert_eq!(snake_case("ProcessName"), "process_name");
        // A wildcard starts a new part: no `_` before the capital right after it.
        assert_eq!(snake_case("Foo*Bar?Baz"), "foo*bar?baz");
        // An escaped star is literal text, so the capital after it is inside the part.
        assert_eq!(snake_case("Foo\\*Bar"), "foo\\*_bar");
        // A backslash before a letter is a literal backslash.
        assert_eq!(snake_case("C:\\Windows"), "c:\\_windows");
    }

    #[test]
    fn case_methods() {
        assert_eq!(CaseMethod::parse("upper").unwrap().apply("cmd.exe"), "CMD.EXE");
        assert_eq!(CaseMethod::parse("lower").unwrap().apply("CMD.EXE"), "cmd.exe");
        assert_eq!(CaseMethod::parse("title"), None);
    }
}
