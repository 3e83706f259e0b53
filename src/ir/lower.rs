//! Lowering a detection: conditions expanded over search identifiers, each detection item passed
//! through the rule's processing pipeline (when there is one), then lowered.

use std::collections::BTreeMap;

use super::expr::Expr;
use super::item::{LowerError, lower_spec};
use crate::model::condition::{Expr as Cond, Quantifier};
use crate::model::detection::{Detection, Item, SearchBody};
use crate::model::item_spec::ItemSpec;
use crate::pipeline::RulePlan;

/// What lowering reads besides the detection.
#[derive(Clone, Copy)]
pub struct LowerCtx<'c> {
    pub vars: &'c BTreeMap<String, String>,
    pub plan: Option<&'c RulePlan<'c>>,
}

/// One expression per condition of the detection (a list condition gives several queries).
pub fn lower_detection(
    det: &Detection<'_>,
    file: &crate::catalog::SourceFile,
    vars: &BTreeMap<String, String>,
) -> Result<Vec<Expr>, LowerError> {
    lower_detection_with(det, file, LowerCtx { vars, plan: None })
}

pub fn lower_detection_with(
    det: &Detection<'_>,
    file: &crate::catalog::SourceFile,
    ctx: LowerCtx<'_>,
) -> Result<Vec<Expr>, LowerError> {
    let mut out = Vec::new();
    let Some(key) = det.condition_key else {
        return Err(LowerError {
            span: Default::default(),
            message: "the detection has no `condition`".into(),
        });
    };
    for cond in &det.conditions {
        let expr = match &cond.expr {
            Ok(e) => e,
            Err(e) => {
                return Err(LowerError {
                    span: cond.span_of(file, e.range.clone()),
                    message: format!("invalid condition: {}", e.message),
                });
            }
        };
        match lower_condition_with(det, expr, ctx)? {
            Some(e) => out.push(e),
            None => {
                return Err(LowerError {
                    span: cond.node.span,
                    message: "the condition selects no search identifier, so there is no query (pySigma emits nothing)"
                        .into(),
                });
            }
        }
    }
    if out.is_empty() {
        return Err(LowerError {
            span: key.span,
            message: "the condition is empty".into(),
        });
    }
    Ok(out)
}

/// `None` when the condition part selects nothing (an unmatched `1 of x*`, or selections emptied by
/// a pipeline), which pySigma drops.
pub fn lower_condition(
    det: &Detection<'_>,
    cond: &Cond,
    vars: &BTreeMap<String, String>,
) -> Result<Option<Expr>, LowerError> {
    lower_condition_with(det, cond, LowerCtx { vars, plan: None })
}

fn lower_condition_with(det: &Detection<'_>, cond: &Cond, ctx: LowerCtx<'_>) -> Result<Option<Expr>, LowerError> {
    Ok(match cond {
        Cond::Ident { name, .. } => {
            let search = det.search(name).ok_or_else(|| LowerError {
                span: det.condition_key.map(|k| k.span).unwrap_or_default(),
                message: format!("`{name}` is not defined in `detection`"),
            })?;
            lower_body(&search.body, search.key.span, ctx)?
        }
        Cond::Selector {
            quantifier, pattern, ..
        } => {
            let mut items = Vec::new();
            for s in det.matching(pattern) {
                items.extend(lower_body(&s.body, s.key.span, ctx)?);
            }
            match quantifier {
                Quantifier::Any => Expr::or(items),
                Quantifier::All => Expr::and(items),
            }
        }
        Cond::Not(inner) => lower_condition_with(det, inner, ctx)?.map(|e| Expr::Not(Box::new(e))),
        Cond::And(items) => Expr::and(lower_all(det, items, ctx)?),
        Cond::Or(items) => Expr::or(lower_all(det, items, ctx)?),
    })
}

fn lower_all(det: &Detection<'_>, items: &[Cond], ctx: LowerCtx<'_>) -> Result<Vec<Expr>, LowerError> {
    let mut out = Vec::new();
    for i in items {
        out.extend(lower_condition_with(det, i, ctx)?);
    }
    Ok(out)
}

/// A search identifier's expression; `None` when a pipeline dropped all its items.
fn lower_body(body: &SearchBody<'_>, span: crate::diag::Span, ctx: LowerCtx<'_>) -> Result<Option<Expr>, LowerError> {
    let empty = || LowerError {
        span,
        message: "search identifier is empty".into(),
    };
    match body {
        SearchBody::Map(items) => {
            if items.is_empty() {
                return Err(empty());
            }
            let mut parts = Vec::new();
            for i in items {
                parts.extend(lower_item_with(i, ctx)?);
            }
            Ok(Expr::and(parts))
        }
        SearchBody::List(bodies) => {
            if bodies.is_empty() {
                return Err(empty());
            }
            let mut parts = Vec::new();
            for b in bodies {
                parts.extend(lower_body(b, span, ctx)?);
            }
            Ok(Expr::or(parts))
        }
        SearchBody::Keyword(item) => lower_item_with(item, ctx),
    }
}

/// One detection item through the pipeline: a one-to-many field mapping gives an OR of the mapped
/// items; a dropped item gives nothing.
fn lower_item_with(item: &Item<'_>, ctx: LowerCtx<'_>) -> Result<Option<Expr>, LowerError> {
    let spec = ItemSpec::from_item(item);
    let specs = match ctx.plan {
        None => vec![spec],
        Some(plan) => {
            let span = spec.span;
            plan.apply(spec).map_err(|m| LowerError {
                span,
                message: format!("pipeline: {m}"),
            })?
        }
    };
    let mut parts = Vec::new();
    for s in &specs {
        parts.push(lower_spec(s, ctx.vars)?);
    }
    Ok(Expr::or(parts))
}
