//! The whole catalog compiled for evaluation over an event stream (`detc eval`).

use serde_json::{Value as Json, json};

use super::correlate::{Alert, CompiledCorrelation};
use super::matcher::Matcher;
use super::time::timestamp;
use crate::diag::Diagnostic;
use crate::diag::emit::display_path;
use crate::ir::Lowering;
use crate::model::{Body, Parsed};

enum Kind {
    Rule(Vec<Matcher>),
    Correlation(Box<CompiledCorrelation>),
}

struct Detector {
    kind: Kind,
    /// The identifying part of every output line: kind, id, title, path, document.
    header: serde_json::Map<String, Json>,
}

pub struct Engine {
    detectors: Vec<Detector>,
    timestamp_fields: Vec<String>,
}

impl Engine {
    /// Compile every rule and correlation; documents that cannot be evaluated are returned as
    /// diagnostics and left out.
    pub fn build(
        parsed: &[Parsed<'_>],
        lowering: &Lowering<'_, '_>,
        timestamp_fields: Vec<String>,
    ) -> (Engine, Vec<Diagnostic>) {
        let mut detectors = Vec::new();
        let mut diags = Vec::new();
        for p in parsed {
            let kind = match &p.body {
                Body::Rule(_) => lowering
                    .rule_exprs(p)
                    .and_then(|exprs| {
                        exprs
                            .iter()
                            .map(Matcher::compile)
                            .collect::<Result<Vec<_>, _>>()
                            .map_err(|m| diag(p, m))
                    })
                    .map(Kind::Rule),
                Body::Correlation(c) => lowering
                    .correlation(p, c)
                    .and_then(|spec| CompiledCorrelation::compile(&spec).map_err(|m| diag(p, m)))
                    .map(|c| Kind::Correlation(Box::new(c))),
                Body::Filter { .. } => continue,
            };
            match kind {
                Ok(kind) => detectors.push(Detector {
                    header: header(p, &kind),
                    kind,
                }),
                Err(d) => diags.push(*d),
            }
        }
        (
            Engine {
                detectors,
                timestamp_fields,
            },
            diags,
        )
    }

    /// Evaluate one event (in stream order); each detection becomes one JSON line.
    pub fn push(&mut self, index: usize, event: &Json, out: &mut Vec<Json>) {
        let time = timestamp(event, &self.timestamp_fields);
        for d in &mut self.detectors {
            match &mut d.kind {
                Kind::Rule(matchers) => {
                    if let Some(m) = matchers.iter().find(|m| m.matches(event)) {
                        let mut fields = Vec::new();
                        m.matched_fields(event, &mut fields);
                        let mut line = d.header.clone();
                        line.insert("event".into(), json!(index));
                        line.insert("matched".into(), json!(fields));
                        out.push(Json::Object(line));
                    }
                }
                Kind::Correlation(c) => {
                    let Some(t) = time else { continue };
                    for Alert { events, group } in c.push(index, t, event) {
                        let mut line = d.header.clone();
                        line.insert("events".into(), json!(events));
                        line.insert("group".into(), json!(group));
                        out.push(Json::Object(line));
                    }
                }
            }
        }
    }

    pub fn detector_count(&self) -> usize {
        self.detectors.len()
    }
}

fn diag(p: &Parsed<'_>, message: String) -> Box<Diagnostic> {
    Box::new(crate::ir::error(
        p.doc,
        &crate::eval::codes::INVALID_TEST,
        None,
        format!("cannot evaluate: {message}"),
    ))
}

fn header(p: &Parsed<'_>, kind: &Kind) -> serde_json::Map<String, Json> {
    let mut m = serde_json::Map::new();
    m.insert(
        "kind".into(),
        json!(if matches!(kind, Kind::Rule(_)) {
            "rule"
        } else {
            "correlation"
        }),
    );
    m.insert("id".into(), json!(p.meta.id_str()));
    m.insert("title".into(), json!(p.meta.title_str()));
    m.insert("path".into(), json!(display_path(p.doc.path())));
    m.insert("document".into(), json!(p.doc.index));
    m
}
