//! Converting a loaded catalog to one target: lowering, filters, rendering, wrapping, fidelity notes;
//! correlations: their plan, then each backend's lowering.

use crate::codes;
use std::collections::BTreeMap;

use rayon::prelude::*;

use super::QueryLanguage;
use super::boolean::{Query, Unsupported};
use crate::catalog::{Catalog, DocKind, Document};
use crate::diag::Diagnostic;
use crate::ir::{Expr, Lowering};
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
    convert_catalog_to(catalog, &[target], vars, pipeline)
        .pop()
        .map(|(_, c)| c)
        .unwrap_or_default()
}

/// Convert the catalog to several targets in one pass: the documents are parsed and lowered once
/// (one pipeline for every target) and each document is rendered for each target. One list of
/// conversions per target, in `targets` order.
pub fn convert_catalog_to<'a>(
    catalog: &'a Catalog,
    targets: &[QueryLanguage],
    vars: &BTreeMap<String, String>,
    pipeline: Option<&crate::pipeline::Pipeline>,
) -> Vec<(QueryLanguage, Vec<Conversion<'a>>)> {
    let parsed: Vec<Parsed<'a>> = catalog.documents.par_iter().map(Parsed::parse).collect();
    convert_parsed_to(&parsed, targets, vars, pipeline)
}

/// [`convert_catalog_to`] for a caller that has parsed the catalog (and checks it too).
pub fn convert_parsed_to<'a>(
    parsed: &[Parsed<'a>],
    targets: &[QueryLanguage],
    vars: &BTreeMap<String, String>,
    pipeline: Option<&crate::pipeline::Pipeline>,
) -> Vec<(QueryLanguage, Vec<Conversion<'a>>)> {
    let mut out: Vec<(QueryLanguage, Vec<Conversion<'a>>)> =
        targets.iter().map(|&t| (t, Vec::with_capacity(parsed.len()))).collect();
    convert_parsed_in_batches(parsed, targets, vars, pipeline, |batch| {
        for convs in batch {
            for (slot, c) in out.iter_mut().zip(convs) {
                slot.1.push(c);
            }
        }
    });
    out
}

/// Documents converted (in parallel) per batch of [`convert_parsed_in_batches`].
const BATCH: usize = 256;

/// [`convert_parsed_to`] for a caller that writes conversions out as they come: `each` is called,
/// in document order, with the conversions of each batch of documents (per document, one per
/// target in `targets` order; filters are applied, not converted). Nothing is held between batches, so a caller that
/// does not keep them converts a catalog to every target in the memory of one batch.
pub fn convert_parsed_in_batches<'a>(
    parsed: &[Parsed<'a>],
    targets: &[QueryLanguage],
    vars: &BTreeMap<String, String>,
    pipeline: Option<&crate::pipeline::Pipeline>,
    mut each: impl FnMut(Vec<Vec<Conversion<'a>>>),
) {
    let ctx = Lowering::new(parsed, vars).with_pipeline(pipeline);
    let suppressed = ctx.suppressed_rules();
    // In path order (the catalog's, unless its caller gave documents in another).
    let mut documents: Vec<&Parsed<'a>> = parsed.iter().filter(|p| p.doc.kind != DocKind::Filter).collect();
    documents.sort_by(|a, b| crate::diag::cmp_paths(a.doc.path(), b.doc.path()).then(a.doc.index.cmp(&b.doc.index)));
    for batch in documents.chunks(BATCH) {
        let converted = batch
            .par_iter()
            .map(|p| {
                let mut convs = convert_document_to(&ctx, p, targets);
                if suppressed.contains(&crate::model::doc_key::DocKey::of(p)) {
                    for c in &mut convs {
                        c.suppressed = true;
                        c.queries.clear();
                    }
                }
                // A caller may hold every conversion of the catalog: without the slack of
                // building them, the queries take a fifth less memory.
                for q in convs.iter_mut().flat_map(|c| &mut c.queries) {
                    q.shrink_to_fit();
                }
                convs
            })
            .collect();
        each(converted);
    }
}

/// Convert one rule or correlation of a lowered catalog to `target`.
pub fn convert_document<'a>(ctx: &Lowering<'_, '_>, p: &Parsed<'a>, target: QueryLanguage) -> Conversion<'a> {
    let mut convs = convert_document_to(ctx, p, &[target]);
    convs.pop().expect("one conversion per target")
}

/// Convert one rule or correlation to each of `targets` (one conversion each, in order): the
/// document is lowered once and rendered per target.
pub fn convert_document_to<'a>(
    ctx: &Lowering<'_, '_>,
    p: &Parsed<'a>,
    targets: &[QueryLanguage],
) -> Vec<Conversion<'a>> {
    match &p.body {
        Body::Correlation(_) => convert_correlation(ctx, p, targets),
        _ => convert_rule(ctx, p, targets),
    }
}

impl<'a> Conversion<'a> {
    fn empty(doc: &'a Document) -> Conversion<'a> {
        Conversion {
            doc,
            queries: Vec::new(),
            diagnostics: Vec::new(),
            suppressed: false,
        }
    }

    /// One conversion per target, each carrying the lowering error `d` that stopped them all.
    fn failed_for_each(doc: &'a Document, targets: &[QueryLanguage], d: &Diagnostic) -> Vec<Conversion<'a>> {
        targets
            .iter()
            .map(|_| {
                let mut conv = Conversion::empty(doc);
                conv.diagnostics.push(d.clone());
                conv
            })
            .collect()
    }
}

pub fn unsupported_diag(doc: &Document, target: QueryLanguage, u: Unsupported) -> Diagnostic {
    doc.diagnostic(
        &codes::UNSUPPORTED,
        u.span,
        format!("{}: {}", target.describe(), u.message),
    )
}

fn convert_rule<'a>(ctx: &Lowering<'_, '_>, p: &Parsed<'a>, targets: &[QueryLanguage]) -> Vec<Conversion<'a>> {
    let empty = || Conversion::empty(p.doc);
    let exprs = match ctx.rule_exprs(p) {
        Ok(e) => e,
        Err(d) => return Conversion::failed_for_each(p.doc, targets, &d),
    };
    let state = ctx.rule_state(p);
    targets
        .iter()
        .map(|&target| {
            let mut conv = empty();
            for expr in &exprs {
                match render_query_with(target, expr, &state) {
                    Ok(q) => conv.queries.push(q),
                    Err(u) => {
                        conv.diagnostics.push(unsupported_diag(p.doc, target, u));
                        conv.queries.clear();
                        return conv;
                    }
                }
                conv.diagnostics.extend(target.backend().fidelity_notes(p.doc, expr));
            }
            conv
        })
        .collect()
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
    target.backend().rule_query(expr, state)
}

pub fn main_only(q: Query) -> Result<String, Unsupported> {
    q.main
        .ok_or_else(|| Unsupported::new("the condition has no part this target can search"))
}

/// Convert one correlation to each of `targets`: its plan (made once), then each target's lowering.
fn convert_correlation<'a>(ctx: &Lowering<'_, '_>, p: &Parsed<'a>, targets: &[QueryLanguage]) -> Vec<Conversion<'a>> {
    let empty = || Conversion::empty(p.doc);
    let Body::Correlation(c) = &p.body else {
        return targets.iter().map(|_| empty()).collect();
    };
    let plan = match crate::ir::plan_correlation(ctx, p, c) {
        Ok(s) => s,
        Err(d) => return Conversion::failed_for_each(p.doc, targets, &d),
    };
    let names = check_plan_names(&plan);
    targets
        .iter()
        .map(|&target| {
            let mut conv = empty();
            let result = match &names {
                Err(m) => Err(Unsupported::new(m.clone())),
                Ok(()) => target.backend().correlation_query(&plan),
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
        })
        .collect()
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
