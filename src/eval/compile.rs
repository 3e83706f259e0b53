//! Detections compiled for evaluation, and the findings when one cannot be (T704) or when a
//! correlation's events carry no usable timestamp (T705). `detc eval` and `detc test` share them, so
//! both report a detection they cannot run once, at the detection, and never skip it silently.

use crate::codes;
use std::path::Path;
use std::sync::Arc;

use super::correlate::CompiledCorrelation;
use super::matcher::Matcher;
use super::time::fields_text;
use crate::catalog::Document;
use crate::diag::{Diagnostic, Span};
use crate::ir::Lowering;
use crate::model::correlation::Correlation;
use crate::model::{Body, Parsed};

/// Why a detection cannot be evaluated, and where the cause is written when that is known.
#[derive(Debug, Clone)]
pub struct Unevaluable {
    pub reason: String,
    pub cause: Option<(Arc<Path>, Span)>,
}

impl Unevaluable {
    fn plain(reason: String) -> Self {
        Unevaluable { reason, cause: None }
    }

    /// A lowering finding (B801) restated as a reason to not evaluate.
    fn from_lowering(d: &Diagnostic) -> Self {
        let reason = ["cannot convert the correlation: ", "cannot convert: "]
            .iter()
            .find_map(|p| d.message.strip_prefix(p))
            .unwrap_or(&d.message)
            .to_string();
        Unevaluable {
            reason,
            cause: d.span.map(|s| (d.path.clone(), s)),
        }
    }
}

/// A rule's conditions compiled to matchers (one per condition).
pub fn compile_rule(lowering: &Lowering<'_, '_>, p: &Parsed<'_>) -> Result<Vec<Matcher>, Unevaluable> {
    let exprs = lowering.rule_exprs(p).map_err(|d| Unevaluable::from_lowering(&d))?;
    exprs
        .iter()
        .map(Matcher::compile)
        .collect::<Result<Vec<_>, _>>()
        .map_err(Unevaluable::plain)
}

/// A correlation with its rules compiled.
pub fn compile_correlation<'a>(
    lowering: &Lowering<'a, '_>,
    p: &Parsed<'a>,
    c: &Correlation<'a>,
) -> Result<CompiledCorrelation, Unevaluable> {
    let plan = crate::ir::plan_correlation(lowering, p, c).map_err(|d| Unevaluable::from_lowering(&d))?;
    CompiledCorrelation::compile(&plan).map_err(Unevaluable::plain)
}

/// Where findings about a whole detection point: its first key (usually `title`).
pub fn head_span(doc: &Document) -> Span {
    doc.root
        .as_map()
        .and_then(|m| m.first())
        .map_or(doc.span, |e| e.key.span)
}

/// How a detection is named in findings: its title, else its name or id.
pub fn label(p: &Parsed<'_>) -> String {
    p.meta
        .title_str()
        .or(p.meta.name_str())
        .or(p.meta.id_str())
        .unwrap_or("(untitled)")
        .to_string()
}

fn kind(p: &Parsed<'_>) -> &'static str {
    match p.body {
        Body::Correlation(_) => "correlation",
        _ => "rule",
    }
}

/// T704 at the detection: what cannot be evaluated and, for `detc test`, how many tests did not run.
pub fn unevaluable_diag(p: &Parsed<'_>, u: &Unevaluable, tests_not_run: usize) -> Diagnostic {
    let not_run = match tests_not_run {
        0 => String::new(),
        1 => " (1 test not run)".to_string(),
        n => format!(" ({n} tests not run)"),
    };
    let head = head_span(p.doc);
    let mut d = Diagnostic::at(
        &codes::UNEVALUABLE,
        p.doc.path(),
        head,
        format!("{} `{}` cannot be evaluated: {}{not_run}", kind(p), label(p), u.reason),
    )
    .label("this detection is not evaluated")
    .help("change the construct named above (`detc convert` reports the same cause); until then no event is matched against it");
    if let Some((path, span)) = &u.cause
        && (path != p.doc.path() || *span != head)
    {
        d = d.related(path, Some(*span), "the cause");
    }
    d
}

/// T705 for `detc eval`: `count` events a correlation's rules matched had no usable timestamp.
pub fn untimed_diag(p: &Parsed<'_>, count: usize, first: usize, fields: &[String]) -> Diagnostic {
    let events = if count == 1 { "event" } else { "events" };
    Diagnostic::at(
        &codes::MISSING_TIMESTAMP,
        p.doc.path(),
        head_span(p.doc),
        format!(
            "correlation `{}`: {count} {events} without a usable timestamp in {} (first: line {first}); they were left out of its windows",
            label(p),
            fields_text(fields)
        ),
    )
    .label("its windows miss these events")
    .help(TIMESTAMP_HELP)
}

pub const TIMESTAMP_HELP: &str = "set `timestamp_field` in detc.yaml to the field that holds each event's time (RFC 3339 text, or epoch seconds or milliseconds)";

/// T706: `hits` values were abandoned at the backtracking limit, the first by `pattern`.
pub fn regex_limit_diag(p: &Parsed<'_>, hits: usize, pattern: &str) -> Diagnostic {
    let values = if hits == 1 { "value" } else { "values" };
    Diagnostic::at(
        &codes::REGEX_LIMIT,
        p.doc.path(),
        head_span(p.doc),
        format!(
            "{} `{}`: {hits} {values} abandoned at the regex backtracking limit ({pattern}); they counted as no match",
            kind(p),
            label(p)
        ),
    )
    .label("its verdicts on those events are unknown")
    .help("rewrite the regex without nested quantifiers such as `(a+)+`")
}
