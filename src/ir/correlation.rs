//! Correlations lowered: the referenced rules resolved to IR expressions, group-by fields per rule
//! (aliases resolved), the window and the threshold. Backends and the evaluator both consume this.

use crate::codes;
use std::collections::BTreeMap;

use super::catalog::Lowering;
use super::expr::Expr;
use crate::diag::Diagnostic;
use crate::model::Parsed;
use crate::model::correlation::{Bound, Correlation, CorrelationType, Op};
use crate::model::index::Resolution;

/// One referenced rule: its name for `event_type`, its expression, and its group-by fields.
pub struct Input {
    pub name: String,
    pub expr: Expr,
    /// The field each group-by entry stands for in this rule (aliases resolved).
    pub group_fields: Vec<String>,
    /// The rule's pipeline state (`set_state`: an ES|QL index, a Sumo source category).
    pub state: BTreeMap<String, String>,
}

/// What every backend's lowering needs.
pub struct CorrelationPlan<'a> {
    pub kind: CorrelationType,
    pub inputs: Vec<Input>,
    /// Group-by names as written (alias names or fields).
    pub group_by: Vec<String>,
    pub timespan: String,
    pub timespan_secs: u64,
    /// The condition's bounds, all of which must hold (one, or two for a range).
    pub bounds: Vec<Bound<'a>>,
    /// `condition.field` for value_* types.
    pub field: Option<String>,
    pub percentile: Option<f64>,
    /// The correlation document's own pipeline state.
    pub state: BTreeMap<String, String>,
}

impl CorrelationPlan<'_> {
    /// The values of pipeline state `key` the correlation's query reads: the base rules' (distinct,
    /// in rule order) when every base rule sets it, else the correlation document's own, else none.
    pub fn state_values(&self, key: &str) -> Vec<&str> {
        let per_rule: Option<Vec<&str>> = self
            .inputs
            .iter()
            .map(|i| i.state.get(key).map(String::as_str))
            .collect();
        match per_rule {
            Some(values) if !values.is_empty() => {
                let mut out: Vec<&str> = Vec::new();
                for v in values {
                    if !out.contains(&v) {
                        out.push(v);
                    }
                }
                out
            }
            _ => self.state.get(key).map(String::as_str).into_iter().collect(),
        }
    }

    /// The condition over an aggregate named `result`: `result >= 10`, or a range joined by `and`
    /// (`result > 10 AND result <= 100`); `eq` is written `eq`.
    pub fn condition(&self, result: &str, and: &str, eq: &str) -> String {
        self.bounds
            .iter()
            .map(|b| {
                let op = match b.op {
                    Op::Gt => ">",
                    Op::Gte => ">=",
                    Op::Lt => "<",
                    Op::Lte => "<=",
                    Op::Eq => eq,
                    Op::Neq => "!=",
                };
                format!("{result} {op} {}", crate::ir::Num::from_f64(b.value))
            })
            .collect::<Vec<_>>()
            .join(and)
    }
}

pub fn plan_correlation<'a>(
    ctx: &Lowering<'_, '_>,
    p: &Parsed<'a>,
    c: &Correlation<'a>,
) -> Result<CorrelationPlan<'a>, Box<Diagnostic>> {
    let fail = |m: String| {
        Box::new(p.doc.diagnostic(
            &codes::UNSUPPORTED,
            Some(c.node.span),
            format!("cannot convert the correlation: {m}"),
        ))
    };
    let kind = c.kind.ok_or_else(|| fail("unknown or missing `type`".into()))?;
    let timespan = c
        .timespan
        .and_then(|t| t.scalar_text())
        .ok_or_else(|| fail("missing `timespan`".into()))?;
    let timespan_secs = c
        .timespan_secs
        .ok_or_else(|| fail(format!("`{timespan}` is not a timespan")))?;
    let group_by: Vec<String> = c
        .group_by
        .iter()
        .filter_map(|g| g.scalar_text().map(str::to_string))
        .collect();
    let mut inputs = Vec::new();
    for r in &c.rules {
        let name = r
            .scalar_text()
            .ok_or_else(|| fail("a `rules` entry is not a string".into()))?;
        let base = match ctx.index.resolve(name, p.doc.path()) {
            Resolution::Found(b) => b,
            Resolution::Missing => {
                return Err(fail(format!("no rule has the id or name `{name}`")));
            }
            Resolution::Ambiguous(_) => {
                return Err(fail(format!("`{name}` matches several rules")));
            }
        };
        if base.doc.kind != crate::catalog::DocKind::Rule {
            return Err(fail(format!(
                "`{name}` is a correlation: chained correlations are not supported yet"
            )));
        }
        let mut exprs = ctx.rule_exprs(base)?;
        if exprs.len() != 1 {
            return Err(fail(format!(
                "`{name}` has {} conditions; a correlated rule needs exactly one",
                exprs.len()
            )));
        }
        // The base rule's pipeline renames its fields; its group-by fields are renamed the same way.
        let plan = ctx.pipeline.map(|pl| crate::pipeline::RulePlan::new(pl, base));
        let group_fields = group_by
            .iter()
            .map(|g| alias_field(c, g, name).unwrap_or_else(|| g.clone()))
            .map(|f| plan.as_ref().map_or(f.clone(), |pl| pl.map_field(&f)))
            .collect();
        let Some(expr) = exprs.pop() else {
            return Err(fail(format!("`{name}` has no condition")));
        };
        inputs.push(Input {
            name: name.to_string(),
            expr,
            group_fields,
            state: ctx.rule_state(base),
        });
    }
    let bounds = match c.bounds.as_slice() {
        // The spec's default for temporal types: all referenced rules seen.
        [] if kind.is_temporal() => vec![Bound {
            op: Op::Gte,
            value: inputs.len() as f64,
            node: c.node,
            key: c.node,
        }],
        [] => return Err(fail("missing `condition`".into())),
        some => some.to_vec(),
    };
    let cond = c.condition;
    let field = cond
        .and_then(|n| n.get("field"))
        .and_then(|f| f.scalar_text())
        .map(str::to_string);
    let percentile = cond
        .and_then(|n| n.get("percentile"))
        .and_then(|f| f.scalar_text())
        .and_then(|t| t.parse().ok());
    if matches!(
        kind,
        CorrelationType::ValueCount
            | CorrelationType::ValueSum
            | CorrelationType::ValueAvg
            | CorrelationType::ValuePercentile
    ) && field.is_none()
    {
        return Err(fail("value correlations need `condition.field`".into()));
    }
    Ok(CorrelationPlan {
        kind,
        inputs,
        group_by,
        timespan: timespan.to_string(),
        timespan_secs,
        bounds,
        field,
        percentile,
        state: ctx.rule_state(p),
    })
}

/// The field `alias` stands for in rule `rule`, from the correlation's `aliases`.
fn alias_field(c: &Correlation<'_>, alias: &str, rule: &str) -> Option<String> {
    c.aliases?.get(alias)?.get(rule)?.scalar_text().map(str::to_string)
}
