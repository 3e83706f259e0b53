//! Lowering a detection: conditions expanded over search identifiers, filters applied.

use std::collections::BTreeMap;

use super::expr::Expr;
use super::item::{LowerError, lower_item};
use crate::model::condition::{Expr as Cond, Quantifier};
use crate::model::detection::{Detection, SearchBody};

/// One expression per condition of the detection (a list condition gives several queries).
pub fn lower_detection(
    det: &Detection<'_>,
    file: &crate::catalog::SourceFile,
    vars: &BTreeMap<String, String>,
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
        match lower_condition(det, expr, vars)? {
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

/// `None` when the condition part selects nothing (an unmatched `1 of x*`), which pySigma drops.
pub fn lower_condition(
    det: &Detection<'_>,
    cond: &Cond,
    vars: &BTreeMap<String, String>,
) -> Result<Option<Expr>, LowerError> {
    Ok(match cond {
        Cond::Ident { name, .. } => {
            let search = det.search(name).ok_or_else(|| LowerError {
                span: det.condition_key.map(|k| k.span).unwrap_or_default(),
                message: format!("`{name}` is not defined in `detection`"),
            })?;
            Some(lower_body(&search.body, search.key.span, vars)?)
        }
        Cond::Selector {
            quantifier, pattern, ..
        } => {
            let mut items = Vec::new();
            for s in det.matching(pattern) {
                items.push(lower_body(&s.body, s.key.span, vars)?);
            }
            match quantifier {
                Quantifier::Any => Expr::or(items),
                Quantifier::All => Expr::and(items),
            }
        }
        Cond::Not(inner) => lower_condition(det, inner, vars)?.map(|e| Expr::Not(Box::new(e))),
        Cond::And(items) => Expr::and(lower_all(det, items, vars)?),
        Cond::Or(items) => Expr::or(lower_all(det, items, vars)?),
    })
}

fn lower_all(det: &Detection<'_>, items: &[Cond], vars: &BTreeMap<String, String>) -> Result<Vec<Expr>, LowerError> {
    let mut out = Vec::new();
    for i in items {
        out.extend(lower_condition(det, i, vars)?);
    }
    Ok(out)
}

fn lower_body(
    body: &SearchBody<'_>,
    span: crate::diag::Span,
    vars: &BTreeMap<String, String>,
) -> Result<Expr, LowerError> {
    let empty = || LowerError {
        span,
        message: "search identifier is empty".into(),
    };
    match body {
        SearchBody::Map(items) => {
            let mut parts = Vec::new();
            for i in items {
                parts.push(lower_item(i, vars)?);
            }
            Expr::and(parts).ok_or_else(empty)
        }
        SearchBody::List(bodies) => {
            let mut parts = Vec::new();
            for b in bodies {
                parts.push(lower_body(b, span, vars)?);
            }
            Expr::or(parts).ok_or_else(empty)
        }
        SearchBody::Keyword(item) => lower_item(item, vars),
    }
}
