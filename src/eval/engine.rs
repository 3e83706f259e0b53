//! The whole catalog compiled for evaluation over an event stream (`detc eval`).

use rayon::prelude::*;
use serde_json::{Value as Json, json};

use super::compile::{compile_correlation, compile_rule, regex_limit_diag, unevaluable_diag, untimed_diag};
use super::correlate::{Alert, CompiledCorrelation};
use super::matcher::{Matcher, total_limit_hits};
use super::prefilter::Need;
use super::reader::EventReader;
use super::time::{fields_read, timestamp};
use crate::diag::Diagnostic;
use crate::diag::emit::display_path;
use crate::ir::Lowering;
use crate::model::{Body, Parsed};

/// What the read-only (parallel) phase finds in one event; [`Engine::apply`] turns it into output
/// lines and advances the correlation windows, in event order.
#[derive(Debug, Default)]
pub struct Prepared {
    /// The rules that match: detector, and the fields of the leaves that hold.
    rules: Vec<(usize, Vec<String>)>,
    /// The correlations one of whose rules matches: detector, and which of its rules match.
    correlations: Vec<(usize, Vec<bool>)>,
    /// The event's time, looked up only when a correlation needs it.
    time: Option<f64>,
    /// The event itself, kept only for correlations (their group and value fields).
    event: Option<Json>,
}

impl Prepared {
    /// Nothing matched: [`Engine::apply`] would neither write nor change anything.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty() && self.correlations.is_empty()
    }
}

enum Kind {
    Rule(Vec<Matcher>),
    Correlation(Box<CompiledCorrelation>),
}

struct Detector {
    kind: Kind,
    /// The identifying part of every output line: kind, id, title, path, document.
    header: serde_json::Map<String, Json>,
    /// Which parsed document it is, for findings after the run.
    doc: usize,
    /// Events its correlation's rules matched that had no usable timestamp: how many, the first.
    untimed: usize,
    first_untimed: Option<usize>,
}

pub struct Engine {
    detectors: Vec<Detector>,
    timestamp_fields: Vec<String>,
}

impl Engine {
    /// Compile every rule and correlation; each document that cannot be evaluated is one T704
    /// diagnostic and is left out.
    /// With `include_base`, base rules of correlations are evaluated too and their matches reported
    /// as `"kind": "base-rule"` (a hunter asking where a rule hit), without changing what the
    /// correlations see.
    pub fn build(
        parsed: &[Parsed<'_>],
        lowering: &Lowering<'_, '_>,
        timestamp_fields: Vec<String>,
        include_base: bool,
    ) -> (Engine, Vec<Diagnostic>) {
        let mut detectors = Vec::new();
        let mut diags = Vec::new();
        // Base rules of correlations (without `generate: true`) feed their correlation only, as in
        // `convert`: they are not detections of their own.
        let suppressed = lowering.suppressed_rules();
        for (doc, p) in parsed.iter().enumerate() {
            let base = suppressed.contains(&crate::model::doc_key::DocKey::of(p));
            let kind = match &p.body {
                Body::Rule(_) if base && !include_base => continue,
                Body::Rule(_) => compile_rule(lowering, p).map(Kind::Rule),
                Body::Correlation(c) => compile_correlation(lowering, p, c).map(|c| Kind::Correlation(Box::new(c))),
                Body::Filter { .. } => continue,
            };
            match kind {
                Ok(kind) => detectors.push(Detector {
                    header: header(p, &kind, base),
                    kind,
                    doc,
                    untimed: 0,
                    first_untimed: None,
                }),
                Err(u) => diags.push(unevaluable_diag(p, &u, 0)),
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

    /// Findings about the events seen so far: one T705 per correlation whose rules matched events
    /// without a usable timestamp. `parsed` is the slice the engine was built from.
    pub fn finish(&self, parsed: &[Parsed<'_>]) -> Vec<Diagnostic> {
        let mut out: Vec<Diagnostic> = self
            .detectors
            .iter()
            .filter(|d| d.untimed > 0)
            .filter_map(|d| {
                Some(untimed_diag(
                    parsed.get(d.doc)?,
                    d.untimed,
                    d.first_untimed?,
                    &self.timestamp_fields,
                ))
            })
            .collect();
        // And one T706 per detection whose regexes hit the backtracking limit.
        for d in &self.detectors {
            let (hits, pattern) = match &d.kind {
                Kind::Rule(matchers) => total_limit_hits(matchers),
                Kind::Correlation(c) => c.limit_hits(),
            };
            if let (true, Some(p), Some(pattern)) = (hits > 0, parsed.get(d.doc), pattern) {
                out.push(regex_limit_diag(p, hits, &pattern));
            }
        }
        out
    }

    /// The reader for raw lines: it keeps only the fields the detections read and tells which
    /// detections could match each line.
    pub fn reader(&self) -> EventReader {
        let mut fields: Vec<String> = fields_read(&self.timestamp_fields).map(str::to_string).collect();
        let mut partial = true;
        let mut needs = Vec::with_capacity(self.detectors.len());
        for d in &self.detectors {
            match &d.kind {
                Kind::Rule(matchers) => {
                    partial &= matchers.iter().all(|m| m.fields(&mut fields));
                    needs.push(Need::any(matchers.iter().map(Matcher::need)));
                }
                Kind::Correlation(c) => {
                    partial &= c.fields(&mut fields);
                    needs.push(c.need());
                }
            }
        }
        EventReader::new(partial.then_some(fields), &needs)
    }

    /// Evaluate a batch of consecutive events, `numbers[i]` being the input line of `events[i]` (its
    /// 1-based line in JSON Lines, its 1-based position in a JSON array: the numbering bad lines are
    /// reported with too); each detection becomes one JSON line, in event order. `candidates[i]`,
    /// when given, says which detections could match `events[i]` (from [`EventReader`]); the others
    /// are not evaluated on it.
    pub fn push_batch(
        &mut self,
        numbers: &[usize],
        events: &[Json],
        candidates: &[Option<Vec<bool>>],
        out: &mut Vec<Json>,
    ) {
        let this = &*self;
        let prepared: Vec<Prepared> = events
            .par_iter()
            .enumerate()
            .map(|(i, event)| this.prepare(event.clone(), candidates.get(i).and_then(Option::as_deref)))
            .collect();
        for (&number, p) in numbers.iter().zip(prepared) {
            self.apply(number, p, out);
        }
    }

    /// Evaluate one event (in stream order).
    pub fn push(&mut self, line: usize, event: &Json, out: &mut Vec<Json>) {
        self.push_batch(&[line], std::slice::from_ref(event), &[], out);
    }

    /// Everything about `event` that needs no state: which rules match, which rules of each
    /// correlation, its time. Read-only, so events are prepared in parallel. `candidate`, when
    /// given, says which detections could match (the others are not evaluated).
    pub fn prepare(&self, event: Json, candidate: Option<&[bool]>) -> Prepared {
        let mut p = Prepared::default();
        for (k, d) in self.detectors.iter().enumerate() {
            if candidate.is_some_and(|c| !c[k]) {
                continue;
            }
            match &d.kind {
                Kind::Rule(matchers) => {
                    if let Some(m) = matchers.iter().find(|m| m.matches(&event)) {
                        let mut fields = Vec::new();
                        m.matched_fields(&event, &mut fields);
                        p.rules.push((k, fields));
                    }
                }
                Kind::Correlation(c) => {
                    let matched = c.matching_inputs(&event);
                    if matched.contains(&true) {
                        p.correlations.push((k, matched));
                    }
                }
            }
        }
        // Only events a correlation's rule matched need a time.
        if !p.correlations.is_empty() {
            p.time = timestamp(&event, &self.timestamp_fields);
            p.event = Some(event);
        }
        p
    }

    /// The output lines of a prepared event, input line `number`; the correlations see it, in
    /// stream order.
    pub fn apply(&mut self, number: usize, p: Prepared, out: &mut Vec<Json>) {
        for (k, fields) in p.rules {
            let mut line = self.detectors[k].header.clone();
            line.insert("line".into(), json!(number));
            line.insert("matched".into(), json!(fields));
            out.push(Json::Object(line));
        }
        let (Some(time), Some(event)) = (p.time, &p.event) else {
            // Not silently: each correlation counts the events of its rules it could not place.
            for (k, _) in p.correlations {
                let d = &mut self.detectors[k];
                d.untimed += 1;
                d.first_untimed.get_or_insert(number);
            }
            return;
        };
        for (k, matched) in p.correlations {
            let d = &mut self.detectors[k];
            if let Kind::Correlation(c) = &mut d.kind {
                for Alert { events, group } in c.push_matched(number, time, event, &matched) {
                    out.push(correlation_line(&d.header, events, group));
                }
            }
        }
    }

    pub fn detector_count(&self) -> usize {
        self.detectors.len()
    }
}

fn header(p: &Parsed<'_>, kind: &Kind, base: bool) -> serde_json::Map<String, Json> {
    let mut m = serde_json::Map::new();
    m.insert(
        "kind".into(),
        json!(match kind {
            Kind::Rule(_) if base => "base-rule",
            Kind::Rule(_) => "rule",
            Kind::Correlation(_) => "correlation",
        }),
    );
    m.insert("id".into(), json!(p.meta.id_str()));
    m.insert("title".into(), json!(p.meta.title_str()));
    m.insert("path".into(), json!(display_path(p.doc.path())));
    m.insert("document".into(), json!(p.doc.index));
    m
}

fn correlation_line(header: &serde_json::Map<String, Json>, events: Vec<usize>, group: Vec<String>) -> Json {
    let mut line = header.clone();
    line.insert("lines".into(), json!(events));
    line.insert("group".into(), json!(group));
    Json::Object(line)
}
