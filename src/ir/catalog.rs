//! Lowering a whole catalog: filters, variables and the rule index shared by every rule and
//! correlation, and which base rules a correlation consumes.

use crate::codes;
use std::collections::BTreeMap;

use super::expr::Expr;
use super::{LowerCtx, apply_filters, lower_detection_with, lower_spec};
use crate::catalog::{DocKind, Document};
use crate::diag::Diagnostic;
use crate::model::{Body, Parsed};
use crate::pipeline::{Pipeline, RulePlan};

/// Everything needed to lower any document of a catalog.
pub struct Lowering<'p, 'a> {
    pub parsed: &'p [Parsed<'a>],
    pub filters: Vec<&'p Parsed<'a>>,
    pub vars: &'p BTreeMap<String, String>,
    pub index: crate::model::index::RuleIndex<'p, 'a>,
    /// The processing pipeline applied to every rule, if any.
    pub pipeline: Option<&'p Pipeline>,
}

impl<'p, 'a> Lowering<'p, 'a> {
    pub fn new(parsed: &'p [Parsed<'a>], vars: &'p BTreeMap<String, String>) -> Self {
        Lowering {
            parsed,
            filters: parsed.iter().filter(|p| p.doc.kind == DocKind::Filter).collect(),
            vars,
            index: crate::model::index::RuleIndex::new(parsed),
            pipeline: None,
        }
    }

    pub fn with_pipeline(mut self, pipeline: Option<&'p Pipeline>) -> Self {
        self.pipeline = pipeline;
        self
    }

    /// The pipeline state of a rule (`set_state`: an ES|QL index, a Sumo source category).
    pub fn rule_state(&self, p: &Parsed<'_>) -> BTreeMap<String, String> {
        self.pipeline.map(|pl| RulePlan::new(pl, p).state).unwrap_or_default()
    }

    /// Rules referenced by a correlation without `generate: true` produce no query of their own.
    pub fn suppressed_rules(&self) -> crate::model::doc_key::DocSet {
        let mut out = crate::model::doc_key::DocSet::default();
        for p in self.parsed {
            let Body::Correlation(c) = &p.body else {
                continue;
            };
            let generate = c
                .node
                .get("generate")
                .and_then(|g| g.as_scalar())
                .is_some_and(|s| s.text == "true");
            if generate {
                continue;
            }
            for r in &c.rules {
                if let Some(name) = r.scalar_text()
                    && let crate::model::index::Resolution::Found(base) = self.index.resolve(name, p.doc.path())
                {
                    out.insert(crate::model::doc_key::DocKey::of(base));
                }
            }
        }
        out
    }

    /// Lower a rule to its IR expressions (filters applied).
    pub fn rule_exprs(&self, p: &Parsed<'_>) -> Result<Vec<Expr>, Box<Diagnostic>> {
        let plan = self.pipeline.map(|pl| RulePlan::new(pl, p));
        self.rule_exprs_with(p, plan.as_ref())
    }

    /// What the pipeline changes in a rule, change by change (`detc convert --explain`), and the
    /// rule's expressions or why it cannot be lowered. Empty without a pipeline.
    pub fn explain_rule(
        &self,
        p: &Parsed<'_>,
    ) -> (Vec<crate::pipeline::TraceEntry>, Result<Vec<Expr>, Box<Diagnostic>>) {
        let Some(pl) = self.pipeline else {
            return (Vec::new(), self.rule_exprs_with(p, None));
        };
        let plan = RulePlan::traced(pl, p);
        let exprs = self.rule_exprs_with(p, Some(&plan));
        (plan.trace(), exprs)
    }

    fn rule_exprs_with(&self, p: &Parsed<'_>, plan: Option<&RulePlan<'_>>) -> Result<Vec<Expr>, Box<Diagnostic>> {
        let Body::Rule(det) = &p.body else {
            return Err(Box::new(p.doc.diagnostic(
                &codes::UNSUPPORTED,
                None,
                "not a detection rule",
            )));
        };
        if let Some(message) = plan.and_then(|pl| pl.failure.clone()) {
            // A rule failure is decided on the rule's log source (or tags, fields): shown there.
            return Err(Box::new(p.doc.diagnostic(
                &codes::UNSUPPORTED,
                p.meta.logsource.map(|l| l.span),
                format!("pipeline: {message}"),
            )));
        }
        let ctx = LowerCtx { vars: self.vars, plan };
        let exprs = lower_detection_with(det, &p.doc.file, ctx).map_err(|e| lower_diag(p.doc, e))?;
        let exprs = apply_filters(p, exprs, &self.filters, self.vars).map_err(|e| lower_diag(p.doc, e))?;
        let Some(plan) = plan else { return Ok(exprs) };
        // pySigma's add_condition rewrites each condition as `[not ]_cond and (<condition>)`, item
        // after item, so a later item wraps the earlier ones. The added items go through the
        // processing items after the one that added them.
        let mut added = Vec::new();
        for a in &plan.added {
            let mut parts = Vec::new();
            for item in &a.items {
                let specs = plan.apply_added(a, item.clone()).map_err(|m| {
                    Box::new(
                        p.doc
                            .diagnostic(&codes::UNSUPPORTED, None, format!("cannot convert: pipeline: {m}")),
                    )
                })?;
                let lowered = specs
                    .iter()
                    .map(|i| lower_spec(i, self.vars))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| lower_diag(p.doc, e))?;
                parts.extend(Expr::or(lowered));
            }
            if let Some(cond) = Expr::and(parts) {
                added.push(if a.negated { Expr::Not(Box::new(cond)) } else { cond });
            }
        }
        Ok(exprs
            .into_iter()
            .map(|e| added.iter().fold(e, |inner, cond| Expr::And(vec![cond.clone(), inner])))
            .collect())
    }
}

fn lower_diag(doc: &Document, e: crate::ir::LowerError) -> Box<Diagnostic> {
    let span = (e.span.start.line > 0).then_some(e.span);
    Box::new(doc.diagnostic(&codes::UNSUPPORTED, span, format!("cannot convert: {}", e.message)))
}
