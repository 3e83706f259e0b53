//! The catalog compiled for a build: every deployable document with its metadata and its queries
//! for each query language, lowered once per target pipeline and converted in parallel.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde_json::Value as Json;

use super::integrity::key_of;
use super::json_view::object;
use super::meta::rule_meta;
use crate::backend::convert::{convert_document_to, render_query};
use crate::backend::{Conversion, QueryLanguage};
use crate::catalog::DocKind;
use crate::diag::Severity;
use crate::eval::spec::{Expect, TestCase};
use crate::ir::Lowering;
use crate::model::doc_key::{DocKey, DocSet};
use crate::model::index::Resolution;
use crate::model::{Body, Parsed};
use crate::pipeline::{Pipeline, RulePlan};

/// What one query language made of a document: its queries, or why it has none; and the warnings
/// about what the target changes (fidelity notes), which the report records.
#[derive(Debug, Clone)]
pub struct TargetQueries {
    pub queries: Result<Vec<String>, String>,
    pub notes: Vec<String>,
}

impl TargetQueries {
    fn of(c: &Conversion<'_>) -> TargetQueries {
        let notes = c
            .diagnostics
            .iter()
            .filter(|d| d.severity != Severity::Error)
            .map(|d| format!("{} {}", d.code.code, d.message))
            .collect();
        let queries = if c.queries.is_empty() {
            Err(c
                .diagnostics
                .iter()
                .find(|d| d.severity == Severity::Error)
                .map_or("the target produced no query".into(), |d| d.message.clone()))
        } else {
            Ok(c.queries.clone())
        };
        TargetQueries { queries, notes }
    }
}

/// One document the build deploys.
pub struct Detection<'p, 'a> {
    pub parsed: &'p Parsed<'a>,
    pub key: DocKey,
    /// Metadata for templates (correlations inherit from their base rule).
    pub meta: Json,
    /// A correlation's window in seconds.
    pub timespan: Option<u64>,
    pub queries: BTreeMap<&'static str, TargetQueries>,
    /// For Elastic threshold rules: the base rule's Lucene query (the events to count).
    pub base_lucene: Option<String>,
    /// For correlations: group-by and value fields as the Elastic pipeline names them.
    pub elastic_group: Vec<String>,
    pub elastic_value: Option<String>,
    /// For correlations: group-by fields as the Splunk query's `by` clause names them.
    pub splunk_group: Vec<String>,
    pub tests: Vec<Json>,
}

impl Detection<'_, '_> {
    pub fn is_correlation(&self) -> bool {
        self.parsed.doc.kind == DocKind::Correlation
    }

    pub fn kind(&self) -> &'static str {
        if self.is_correlation() { "correlation" } else { "rule" }
    }

    pub fn title(&self) -> &str {
        self.meta["title"].as_str().unwrap_or("")
    }

    pub fn id(&self) -> &str {
        self.meta["id"].as_str().unwrap_or("")
    }

    pub fn level(&self) -> &str {
        self.meta["level"].as_str().unwrap_or("medium")
    }

    /// The queries of one query language (a backend id), or why there are none.
    pub fn queries(&self, target: &str) -> Result<&[String], &str> {
        match self.queries.get(target).map(|q| &q.queries) {
            Some(Ok(q)) => Ok(q),
            Some(Err(why)) => Err(why),
            None => Err("not converted"),
        }
    }
}

/// The lowering of the catalog under each target's pipeline.
pub struct Pipelines<'x> {
    pub splunk: Option<&'x Pipeline>,
    pub elastic: Option<&'x Pipeline>,
    pub sumo: Option<&'x Pipeline>,
}

impl<'x> Pipelines<'x> {
    /// The pipeline of a build target (a backend's [`family`](crate::backend::Backend::family)).
    fn of(&self, family: &str) -> Option<&'x Pipeline> {
        match family {
            "splunk" => self.splunk,
            "sumo" => self.sumo,
            _ => self.elastic,
        }
    }
}

/// Base rules of correlations (without `generate: true`): deployed only through their correlation.
pub fn consumed_rules(parsed: &[Parsed<'_>], vars: &BTreeMap<String, String>) -> DocSet {
    Lowering::new(parsed, vars).suppressed_rules()
}

/// Which documents [`compile`] picks (filters never: they live inside the rules they apply to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Select {
    /// What the build deploys: rules and correlations, not base rules consumed by a correlation.
    Deployable,
    /// Those and the base rules correlations consume (the site shows them with their own queries);
    /// one pass, so the catalog is lowered once either way.
    WithConsumed,
}

/// Compile the documents of `parsed` that `select` picks (never filters); `tests` are each
/// document's tests (inline and sidecar), indexed like `parsed`, for the docs pages.
pub fn compile<'p, 'a>(
    parsed: &'p [Parsed<'a>],
    tests: &[Vec<TestCase>],
    vars: &'p BTreeMap<String, String>,
    pipelines: &Pipelines<'p>,
    consumed: &DocSet,
    select: Select,
) -> Vec<Detection<'p, 'a>> {
    // One lowering per distinct pipeline, shared by the backends of every family that uses it (without
    // pipelines, the whole catalog is lowered once, not once per family).
    let same = |a: Option<&Pipeline>, b: Option<&Pipeline>| match (a, b) {
        (Some(a), Some(b)) => std::ptr::eq(a, b),
        (a, b) => a.is_none() && b.is_none(),
    };
    let mut lowerings: Vec<(Option<&'p Pipeline>, Lowering<'p, 'a>)> = Vec::new();
    for t in QueryLanguage::all() {
        let pipeline = pipelines.of(t.backend().family());
        if !lowerings.iter().any(|(p, _)| same(*p, pipeline)) {
            lowerings.push((pipeline, Lowering::new(parsed, vars).with_pipeline(pipeline)));
        }
    }
    let lowering = |family: &str| {
        let pipeline = pipelines.of(family);
        &lowerings
            .iter()
            .find(|(p, _)| same(*p, pipeline))
            .expect("every pipeline is lowered")
            .1
    };
    let plain = Lowering::new(parsed, vars);
    // The artifact families' own needs: Kibana threshold rules count the base rule's Lucene query,
    // Splunk's alert suppression names the `by` fields.
    let lucene = QueryLanguage::parse("lucene").expect("lucene is a backend");
    let elastic = lowering(lucene.backend().family());
    let splunk = lowering("splunk");
    parsed
        .par_iter()
        .zip(tests)
        .filter(|(p, _)| {
            p.doc.kind != DocKind::Filter && (select == Select::WithConsumed || !consumed.contains(&key_of(p)))
        })
        .map(|(p, tests)| {
            // Each document is lowered once per pipeline and rendered for the backends using it.
            let mut queries = BTreeMap::new();
            for (pipeline, ctx) in &lowerings {
                let targets: Vec<QueryLanguage> = QueryLanguage::all()
                    .filter(|t| same(pipelines.of(t.backend().family()), *pipeline))
                    .collect();
                for (t, c) in targets.iter().zip(convert_document_to(ctx, p, &targets)) {
                    queries.insert(t.name(), TargetQueries::of(&c));
                }
            }
            let base = base_rule(&plain, p);
            let (elastic_group, elastic_value) = correlation_fields(elastic, p, base, pipelines.elastic);
            let splunk_group = p
                .correlation()
                .and_then(|c| crate::ir::plan_correlation(splunk, p, c).ok())
                .map(|plan| plan.group_by)
                .unwrap_or_default();
            // Threshold rules search the base rule's events: its Lucene query, as a rule of its own.
            let base_lucene = base
                .and_then(|b| elastic.rule_exprs(b).ok())
                .filter(|exprs| exprs.len() == 1)
                .and_then(|exprs| render_query(lucene, &exprs[0]).ok());
            Detection {
                parsed: p,
                key: key_of(p),
                meta: fill_meta_tokens(rule_meta(p, base), vars),
                timespan: p.correlation().and_then(|c| c.timespan_secs),
                queries,
                base_lucene,
                elastic_group,
                elastic_value,
                splunk_group,
                tests: tests_json(tests),
            }
        })
        .collect()
}

/// Descriptions often cite the deployment's `{token}`s ("more than {threshold} events"): the known
/// ones are filled there too, so the deployed description matches the deployed query.
fn fill_meta_tokens(mut meta: Json, vars: &BTreeMap<String, String>) -> Json {
    fn fill(v: &mut Json, vars: &BTreeMap<String, String>) {
        match v {
            Json::String(s) => *s = crate::model::tokens::fill_known(s, vars, str::to_string),
            Json::Array(items) => items.iter_mut().for_each(|i| fill(i, vars)),
            _ => {}
        }
    }
    for key in ["description", "falsepositives"] {
        fill(&mut meta[key], vars);
    }
    if let Some(custom) = meta["custom"].as_object_mut() {
        for key in ["explanation", "prevention", "comments"] {
            if let Some(v) = custom.get_mut(key) {
                fill(v, vars);
            }
        }
    }
    meta
}

/// A correlation's first referenced rule, which lends it missing metadata.
fn base_rule<'p, 'a>(lowering: &Lowering<'p, 'a>, p: &Parsed<'a>) -> Option<&'p Parsed<'a>> {
    let Body::Correlation(c) = &p.body else { return None };
    let first = c.rules.first()?.scalar_text()?;
    match lowering.index.resolve(first, p.doc.path()) {
        Resolution::Found(b) => Some(b),
        _ => None,
    }
}

/// Group-by fields and the value field of a correlation, named as a target's pipeline names them,
/// with Splunk's multivalue suffix removed.
fn correlation_fields(
    lowering: &Lowering<'_, '_>,
    p: &Parsed<'_>,
    base: Option<&Parsed<'_>>,
    pipeline: Option<&Pipeline>,
) -> (Vec<String>, Option<String>) {
    let Some(c) = p.correlation() else {
        return (Vec::new(), None);
    };
    let Ok(lowered) = crate::ir::plan_correlation(lowering, p, c) else {
        return (Vec::new(), None);
    };
    let group = lowered
        .inputs
        .first()
        .map(|i| i.group_fields.iter().map(|f| f.replace("{}", "")).collect())
        .unwrap_or_default();
    let plan = base.zip(pipeline).map(|(b, pl)| RulePlan::new(pl, b));
    let value = lowered
        .field
        .as_ref()
        .map(|f| plan.as_ref().map_or(f.clone(), |pl| pl.map_field(f)).replace("{}", ""));
    (group, value)
}

fn tests_json(tests: &[TestCase]) -> Vec<Json> {
    tests
        .iter()
        .map(|t| {
            let expect = match t.expect {
                Expect::Match => "match".to_string(),
                Expect::NoMatch => "no match".to_string(),
                Expect::Alerts(n) => format!("{n} alert(s)"),
            };
            object([
                ("name", Json::from(t.name.as_str())),
                ("expect", Json::String(expect)),
                ("events", Json::Array(t.events.clone())),
            ])
        })
        .collect()
}
