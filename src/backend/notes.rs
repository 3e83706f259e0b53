//! Fidelity notes several backends share.

use crate::catalog::Document;
use crate::codes;
use crate::diag::Diagnostic;
use crate::ir::{Expr, Value};

/// B804 when a regex is not already `.*…*.`: Elastic regexes match the whole value.
pub fn regex_anchored(doc: &Document, expr: &Expr) -> Option<Diagnostic> {
    let leaves = expr.leaves();
    let span = leaves
        .iter()
        .find(|l| matches!(&l.value, Value::Regex { pattern, .. } if !(pattern.starts_with(".*") && pattern.ends_with(".*"))))
        .map(|l| l.span)?;
    Some(doc.diagnostic(
        &codes::REGEX_ANCHORED,
        Some(span),
        "Elastic regexes must match the whole value; Sigma's match a substring",
    ))
}

/// B805 when a field uses Splunk's multivalue suffix (`roles{}`), which this target approximates.
pub fn array_approximated(doc: &Document, expr: &Expr, why: &str) -> Option<Diagnostic> {
    let leaves = expr.leaves();
    let l = leaves.iter().find(|l| {
        l.field
            .as_deref()
            .is_some_and(crate::backend::strings::has_array_suffix)
    })?;
    Some(doc.diagnostic(&codes::ARRAY_APPROXIMATED, Some(l.span), why.to_string()))
}
