//! Correlations: resolving the referenced rules and dispatching to each backend's lowering.

use super::TargetId;
use super::codes;
use super::convert::{Context, Conversion, error, rule_exprs};
use crate::diag::Diagnostic;
use crate::ir::Expr;
use crate::lint::references::Resolution;
use crate::model::correlation::{Bound, Correlation, CorrelationType, Op};
use crate::model::{Body, Parsed};

/// One referenced rule: its name for `event_type`, its expression, and its group-by fields.
pub struct Input {
    pub name: String,
    pub expr: Expr,
    /// The field each group-by entry stands for in this rule (aliases resolved).
    pub group_fields: Vec<String>,
}

/// What every backend's lowering needs.
pub struct Spec<'a> {
    pub kind: CorrelationType,
    pub inputs: Vec<Input>,
    /// Group-by names as written (alias names or fields).
    pub group_by: Vec<String>,
    pub timespan: String,
    pub timespan_secs: u64,
    pub bound: Bound<'a>,
    /// `condition.field` for value_* types.
    pub field: Option<String>,
    pub percentile: Option<f64>,
}

impl Spec<'_> {
    /// `>= 10`-style operator text.
    pub fn op_symbol(&self) -> &'static str {
        match self.bound.op {
            Op::Gt => ">",
            Op::Gte => ">=",
            Op::Lt => "<",
            Op::Lte => "<=",
            Op::Eq => "==",
            Op::Neq => "!=",
        }
    }

    pub fn threshold(&self) -> String {
        crate::ir::Num::from_f64(self.bound.value).to_string()
    }
}

pub fn convert<'a>(ctx: &Context<'_, '_>, p: &Parsed<'a>, target: TargetId) -> Conversion<'a> {
    let mut conv = Conversion {
        doc: p.doc,
        queries: Vec::new(),
        diagnostics: Vec::new(),
        suppressed: false,
    };
    let Body::Correlation(c) = &p.body else {
        return conv;
    };
    let spec = match spec(ctx, p, c) {
        Ok(s) => s,
        Err(d) => {
            conv.diagnostics.push(*d);
            return conv;
        }
    };
    let result = match target {
        TargetId::Splunk => super::splunk::correlation::lower(&spec),
        TargetId::Esql => super::esql::correlation::lower(&spec),
        TargetId::Eql => super::eql::correlation::lower(&spec),
        TargetId::Sumo => super::sumo::correlation::lower(&spec),
        TargetId::Lucene => Err(super::render::Unsupported::new(
            "a Lucene query string cannot count or correlate events (`detc build` turns event_count correlations into Elastic threshold rules)",
        )),
    };
    match result {
        Ok((query, notes)) => {
            conv.queries.push(query);
            conv.diagnostics
                .extend(notes.into_iter().map(|n| error(p.doc, n.0, Some(c.node.span), n.1)));
        }
        Err(u) => conv
            .diagnostics
            .push(super::convert::unsupported_diag(p.doc, target, u)),
    }
    conv
}

/// A fidelity note from a backend's correlation lowering.
pub type Note = (&'static crate::diag::Code, String);

fn spec<'a>(ctx: &Context<'_, '_>, p: &Parsed<'a>, c: &Correlation<'a>) -> Result<Spec<'a>, Box<Diagnostic>> {
    let fail = |m: String| {
        Box::new(error(
            p.doc,
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
        let mut exprs = rule_exprs(ctx, base)?;
        if exprs.len() != 1 {
            return Err(fail(format!(
                "`{name}` has {} conditions; a correlated rule needs exactly one",
                exprs.len()
            )));
        }
        let group_fields = group_by
            .iter()
            .map(|g| alias_field(c, g, name).unwrap_or_else(|| g.clone()))
            .collect();
        inputs.push(Input {
            name: name.to_string(),
            expr: exprs.pop().unwrap(),
            group_fields,
        });
    }
    let default_bound;
    let bound = match c.bounds.as_slice() {
        [one] => one.clone(),
        [] if kind.is_temporal() => {
            // The spec's default for temporal types: all referenced rules seen.
            default_bound = Bound {
                op: Op::Gte,
                value: inputs.len() as f64,
                node: c.node,
                key: c.node,
            };
            default_bound
        }
        [] => return Err(fail("missing `condition`".into())),
        _ => {
            return Err(fail("a range condition (two operators) is not supported yet".into()));
        }
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
    Ok(Spec {
        kind,
        inputs,
        group_by,
        timespan: timespan.to_string(),
        timespan_secs,
        bound,
        field,
        percentile,
    })
}

/// The field `alias` stands for in rule `rule`, from the correlation's `aliases`.
fn alias_field(c: &Correlation<'_>, alias: &str, rule: &str) -> Option<String> {
    c.aliases?.get(alias)?.get(rule)?.scalar_text().map(str::to_string)
}
