//! Conditions of a processing item: on the rule, on a detection item, on a field name. Each set of
//! conditions combines with `and`/`or` (`*_cond_op`), may be negated (`*_cond_not`), or combines by
//! an expression over the names of a mapping of conditions (`*_cond_expr`).

use std::collections::BTreeMap;

use regex::Regex;

use crate::model::condition::Expr;
use crate::model::item_spec::ItemSpec;

#[derive(Debug, Clone)]
pub enum RuleCond {
    Logsource {
        category: Option<String>,
        product: Option<String>,
        service: Option<String>,
    },
    ContainsField(String),
    IsRule,
    IsCorrelation,
    Applied(String),
    Tag(String),
}

#[derive(Debug, Clone)]
pub enum ItemCond {
    /// `match_string`: a regex over string values, any or all, optionally negated.
    MatchString {
        pattern: Regex,
        all: bool,
        negate: bool,
    },
    IsNull {
        all: bool,
    },
    /// `match_value`: a value equal to this one, in type and value (pySigma compares typed values:
    /// the string `'true'` is not the boolean `true`).
    MatchValue {
        value: crate::catalog::yaml::Scalar,
        all: bool,
    },
    Applied(String),
}

#[derive(Debug, Clone)]
pub enum FieldCond {
    Include(Vec<FieldPattern>),
    Exclude(Vec<FieldPattern>),
    Applied(String),
}

#[derive(Debug, Clone)]
pub enum FieldPattern {
    Plain(String),
    Re(Regex),
}

impl FieldPattern {
    fn matches(&self, field: &str) -> bool {
        match self {
            FieldPattern::Plain(p) => p == field,
            FieldPattern::Re(r) => r.is_match(field),
        }
    }
}

/// A set of conditions of one kind and how they combine.
#[derive(Debug, Clone)]
pub struct CondSet<C> {
    pub conds: Vec<(String, C)>,
    pub or: bool,
    pub not: bool,
    pub expr: Option<Expr>,
}

impl<C> Default for CondSet<C> {
    fn default() -> Self {
        CondSet {
            conds: Vec::new(),
            or: false,
            not: false,
            expr: None,
        }
    }
}

impl<C> CondSet<C> {
    /// Evaluate with `test` for each condition; an empty set holds.
    pub fn holds(&self, test: impl Fn(&C) -> bool) -> bool {
        if self.conds.is_empty() {
            return true;
        }
        let values: BTreeMap<&str, bool> = self.conds.iter().map(|(n, c)| (n.as_str(), test(c))).collect();
        let result = match &self.expr {
            Some(e) => eval(e, &values),
            None if self.or => values.values().any(|v| *v),
            None => values.values().all(|v| *v),
        };
        result != self.not
    }
}

fn eval(e: &Expr, values: &BTreeMap<&str, bool>) -> bool {
    match e {
        Expr::Ident { name, .. } => values.get(name.as_str()).copied().unwrap_or(false),
        Expr::Not(x) => !eval(x, values),
        Expr::And(v) => v.iter().all(|x| eval(x, values)),
        Expr::Or(v) => v.iter().any(|x| eval(x, values)),
        Expr::Selector { .. } => false,
    }
}

/// The rule as rule conditions see it.
pub struct RuleView<'r> {
    pub logsource: &'r BTreeMap<String, String>,
    pub fields: &'r [String],
    pub tags: &'r [String],
    pub correlation: bool,
    pub applied: &'r [String],
}

impl RuleCond {
    pub fn holds(&self, r: &RuleView<'_>) -> bool {
        match self {
            // Set attributes must be equal; unset ones match anything.
            RuleCond::Logsource {
                category,
                product,
                service,
            } => [("category", category), ("product", product), ("service", service)]
                .iter()
                .all(|(k, want)| want.as_ref().is_none_or(|w| r.logsource.get(*k) == Some(w))),
            RuleCond::ContainsField(f) => r.fields.iter().any(|x| x == f),
            RuleCond::IsRule => !r.correlation,
            RuleCond::IsCorrelation => r.correlation,
            RuleCond::Applied(id) => r.applied.iter().any(|a| a == id),
            RuleCond::Tag(t) => r.tags.iter().any(|x| x == t),
        }
    }
}

impl ItemCond {
    pub fn holds(&self, item: &ItemSpec, applied: &[String]) -> bool {
        match self {
            ItemCond::MatchString { pattern, all, negate } => {
                let texts: Vec<&str> = item.values.iter().filter_map(|v| v.text()).collect();
                let hit = if *all {
                    !texts.is_empty() && texts.iter().all(|t| pattern.is_match(t))
                } else {
                    texts.iter().any(|t| pattern.is_match(t))
                };
                hit != *negate
            }
            ItemCond::IsNull { all } => {
                let nulls = item.values.iter().map(|v| {
                    v.scalar
                        .as_ref()
                        .is_some_and(|s| s.resolved == crate::catalog::yaml::Resolved::Null)
                });
                if *all {
                    item.values.iter().all(|v| {
                        v.scalar
                            .as_ref()
                            .is_some_and(|s| s.resolved == crate::catalog::yaml::Resolved::Null)
                    })
                } else {
                    nulls.clone().any(|n| n)
                }
            }
            ItemCond::MatchValue { value, all } => {
                let equal =
                    |v: &crate::model::item_spec::SpecValue| v.scalar.as_ref().is_some_and(|s| same_value(s, value));
                if *all {
                    item.values.iter().all(equal)
                } else {
                    item.values.iter().any(equal)
                }
            }
            ItemCond::Applied(id) => applied.iter().any(|a| a == id),
        }
    }
}

fn same_value(a: &crate::catalog::yaml::Scalar, b: &crate::catalog::yaml::Scalar) -> bool {
    use crate::catalog::yaml::Resolved::*;
    match (&a.resolved, &b.resolved) {
        (Str, Str) => a.text == b.text,
        (Bool(x), Bool(y)) => x == y,
        (Int(x), Int(y)) => x == y,
        (Int(x), Float(y)) | (Float(y), Int(x)) => (*x as f64) == *y,
        (Float(x), Float(y)) => x == y,
        (Null, Null) => true,
        _ => false,
    }
}

impl FieldCond {
    pub fn holds(&self, field: &str, applied: &[String]) -> bool {
        self.holds_on(Some(field), applied)
    }

    /// As [`FieldCond::holds`], for an item that may be a keyword (no field): like pySigma, no
    /// field is never included and so always excluded.
    pub fn holds_on(&self, field: Option<&str>, applied: &[String]) -> bool {
        let included = |p: &[FieldPattern]| field.is_some_and(|f| p.iter().any(|p| p.matches(f)));
        match self {
            FieldCond::Include(p) => included(p),
            FieldCond::Exclude(p) => !included(p),
            FieldCond::Applied(id) => applied.iter().any(|a| a == id),
        }
    }
}
