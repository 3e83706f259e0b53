//! Converting a loaded catalog to one target: lowering, filters, rendering, wrapping, fidelity notes;
//! correlations: their plan, then each backend's lowering.

use crate::codes;
use std::collections::BTreeMap;

use rayon::prelude::*;

use super::boolean::{Note, Query, Unsupported, render};
use super::{QueryLanguage, eql::Eql, esql::Esql, lucene::Lucene, splunk, sumo::Sumo};
use crate::catalog::{Catalog, DocKind, Document};
use crate::diag::Diagnostic;
use crate::ir::{Expr, Lowering, Value};
use crate::model::{Body, Parsed};

/// The result for one document.
pub struct Conversion<'a> {
    pub doc: &'a Document,
    pub queries: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
    /// A base rule of a correlation (without `generate: true`): it yields no standalone query.
    pub suppressed: bool,
}

/// Convert every rule and correlation of the catalog (filters are applied, not output).
pub fn convert_catalog<'a>(
    catalog: &'a Catalog,
    target: QueryLanguage,
    vars: &BTreeMap<String, String>,
) -> Vec<Conversion<'a>> {
    convert_catalog_with(catalog, target, vars, None)
}

/// [`convert_catalog`] with a processing pipeline applied to every rule.
pub fn convert_catalog_with<'a>(
    catalog: &'a Catalog,
    target: QueryLanguage,
    vars: &BTreeMap<String, String>,
    pipeline: Option<&crate::pipeline::Pipeline>,
) -> Vec<Conversion<'a>> {
    let parsed: Vec<Parsed<'a>> = catalog.documents.iter().map(Parsed::parse).collect();
    let ctx = Lowering::new(&parsed, vars).with_pipeline(pipeline);
    let suppressed = ctx.suppressed_rules();
    parsed
        .par_iter()
        .filter(|p| p.doc.kind != DocKind::Filter)
        .map(|p| {
            let mut c = convert_document(&ctx, p, target);
            c.suppressed = suppressed.contains(&(p.doc.path().clone(), p.doc.index));
            if c.suppressed {
                c.queries.clear();
            }
            c
        })
        .collect()
}

/// Convert one rule or correlation of a lowered catalog to `target`.
pub fn convert_document<'a>(ctx: &Lowering<'_, '_>, p: &Parsed<'a>, target: QueryLanguage) -> Conversion<'a> {
    match &p.body {
        Body::Correlation(_) => convert_correlation(ctx, p, target),
        _ => convert_rule(ctx, p, target),
    }
}

pub fn unsupported_diag(doc: &Document, target: QueryLanguage, u: Unsupported) -> Diagnostic {
    doc.diagnostic(
        &codes::UNSUPPORTED,
        u.span,
        format!("{}: {}", target.describe(), u.message),
    )
}

fn convert_rule<'a>(ctx: &Lowering<'_, '_>, p: &Parsed<'a>, target: QueryLanguage) -> Conversion<'a> {
    let mut conv = Conversion {
        doc: p.doc,
        queries: Vec::new(),
        diagnostics: Vec::new(),
        suppressed: false,
    };
    let exprs = match ctx.rule_exprs(p) {
        Ok(e) => e,
        Err(d) => {
            conv.diagnostics.push(*d);
            return conv;
        }
    };
    let state = ctx.rule_state(p);
    for expr in &exprs {
        match render_query_with(target, expr, &state) {
            Ok(q) => conv.queries.push(q),
            Err(u) => {
                conv.diagnostics.push(unsupported_diag(p.doc, target, u));
                conv.queries.clear();
                return conv;
            }
        }
        conv.diagnostics.extend(fidelity_notes(p.doc, target, expr));
    }
    conv
}

/// The target's full query for one expression.
pub fn render_query(target: QueryLanguage, expr: &Expr) -> Result<String, Unsupported> {
    render_query_with(target, expr, &BTreeMap::new())
}

/// [`render_query`] with pipeline state: `index` for ES|QL's `from`, `source_category` for Sumo.
pub fn render_query_with(
    target: QueryLanguage,
    expr: &Expr,
    state: &BTreeMap<String, String>,
) -> Result<String, Unsupported> {
    let values = |key: &str| state.get(key).map(String::as_str).into_iter().collect::<Vec<_>>();
    match target {
        QueryLanguage::Splunk => splunk::query(expr),
        QueryLanguage::Lucene => main_only(render(&Lucene, expr)?),
        QueryLanguage::Esql => Ok(format!(
            "{} | where {}",
            super::esql::esql_from(&values("index"))?,
            main_only(render(&Esql, expr)?)?
        )),
        QueryLanguage::Eql => Ok(format!("any where {}", main_only(render(&Eql, expr)?)?)),
        QueryLanguage::Sumo => {
            let sumo = Sumo::for_exprs(std::slice::from_ref(expr));
            let q = main_only(render(&sumo, expr)?)?;
            Ok(super::sumo::sumo_query(
                &sumo,
                &super::sumo::sumo_scope(&values("source_category"))?,
                &q,
            ))
        }
    }
}

fn main_only(q: Query) -> Result<String, Unsupported> {
    q.main
        .ok_or_else(|| Unsupported::new("the condition has no part this target can search"))
}

/// Warnings for what a target changes about the rule's meaning.
fn fidelity_notes(doc: &Document, target: QueryLanguage, expr: &Expr) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let leaves = expr.leaves();
    let first = |pred: &dyn Fn(&Value) -> bool| leaves.iter().find(|l| pred(&l.value)).map(|l| l.span);
    match target {
        QueryLanguage::Splunk => {
            if let Some(span) = first(&|v| matches!(v, Value::Str(s) if splunk::widens(s))) {
                out.push(doc.diagnostic(
                    &codes::WILDCARD_WIDENED,
                    Some(span),
                    "Splunk has no single-character wildcard: `?` is written as `*` and may match more",
                ));
            }
        }
        QueryLanguage::Lucene => {
            if let Some(span) = leaves
                .iter()
                .find(|l| l.field.is_some() && matches!(l.value, Value::Str(_)))
                .map(|l| l.span)
            {
                out.push(doc.diagnostic(
                    &codes::CASE_SENSITIVE,
                    Some(span),
                    "Lucene compares keyword fields case-sensitively; this rule matches case-insensitively in Sigma",
                ));
            }
        }
        QueryLanguage::Esql | QueryLanguage::Sumo => {
            let why = if target == QueryLanguage::Esql {
                "ES|QL comparisons on a multi-valued field return null: an array field matches only when it holds one value"
            } else {
                "Sumo Logic reads the whole array as JSON text: the element test is approximated on that text"
            };
            if let Some(l) = leaves
                .iter()
                .find(|l| l.field.as_deref().is_some_and(|f| f.contains("{}")))
            {
                out.push(doc.diagnostic(&codes::ARRAY_APPROXIMATED, Some(l.span), why));
            }
        }
        _ => {}
    }
    if matches!(target, QueryLanguage::Lucene | QueryLanguage::Esql | QueryLanguage::Eql)
        && let Some(span) = first(
            &|v| matches!(v, Value::Regex { pattern, .. } if !(pattern.starts_with(".*") && pattern.ends_with(".*"))),
        )
    {
        out.push(doc.diagnostic(
            &codes::REGEX_ANCHORED,
            Some(span),
            "Elastic regexes must match the whole value; Sigma's match a substring",
        ));
    }
    out
}

/// Convert one correlation: its plan, then the target's lowering.
fn convert_correlation<'a>(ctx: &Lowering<'_, '_>, p: &Parsed<'a>, target: QueryLanguage) -> Conversion<'a> {
    let mut conv = Conversion {
        doc: p.doc,
        queries: Vec::new(),
        diagnostics: Vec::new(),
        suppressed: false,
    };
    let Body::Correlation(c) = &p.body else {
        return conv;
    };
    let plan = match crate::ir::plan_correlation(ctx, p, c) {
        Ok(s) => s,
        Err(d) => {
            conv.diagnostics.push(*d);
            return conv;
        }
    };
    let result = match check_plan_names(&plan) {
        Err(m) => Err(Unsupported::new(m)),
        Ok(()) => lower(&plan, target),
    };
    match result {
        Ok((query, notes)) => {
            conv.queries.push(query);
            conv.diagnostics
                .extend(notes.into_iter().map(|n| p.doc.diagnostic(n.0, Some(c.node.span), n.1)));
        }
        Err(u) => conv.diagnostics.push(unsupported_diag(p.doc, target, u)),
    }
    conv
}

/// The names a correlation puts into a query outside its rules' conditions (group-by fields and
/// aliases, the value field, rule names as event labels) hold no control character.
fn check_plan_names(plan: &crate::ir::CorrelationPlan<'_>) -> Result<(), String> {
    use super::strings::check_name;
    for g in &plan.group_by {
        check_name("group-by field", g)?;
    }
    if let Some(f) = &plan.field {
        check_name("`condition.field`", f)?;
    }
    for input in &plan.inputs {
        check_name("rule name (an event label)", &input.name)?;
        for g in &input.group_fields {
            check_name("group-by field", g)?;
        }
    }
    Ok(())
}

fn lower(plan: &crate::ir::CorrelationPlan<'_>, target: QueryLanguage) -> Result<(String, Vec<Note>), Unsupported> {
    match target {
        QueryLanguage::Splunk => splunk::correlation::lower(plan),
        QueryLanguage::Esql => super::esql::correlation::lower(plan),
        QueryLanguage::Eql => super::eql::correlation::lower(plan),
        QueryLanguage::Sumo => super::sumo::correlation::lower(plan),
        QueryLanguage::Lucene => Err(Unsupported::new(
            "a Lucene query string cannot count or correlate events (`detc build` turns event_count correlations into Elastic threshold rules)",
        )),
    }
}
