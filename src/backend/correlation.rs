//! Correlations: resolving the referenced rules and dispatching to each backend's lowering.

use super::TargetId;
use super::convert::Conversion;
use crate::ir::{Lowering, error};
use crate::model::{Body, Parsed};

/// Convert one correlation to each of `targets`: the correlation is resolved and lowered once.
pub fn convert<'a>(ctx: &Lowering<'_, '_>, p: &Parsed<'a>, targets: &[TargetId]) -> Vec<Conversion<'a>> {
    let empty = || Conversion {
        doc: p.doc,
        queries: Vec::new(),
        diagnostics: Vec::new(),
        suppressed: false,
    };
    let Body::Correlation(c) = &p.body else {
        return targets.iter().map(|_| empty()).collect();
    };
    let spec = match ctx.correlation(p, c) {
        Ok(s) => s,
        Err(d) => {
            return targets
                .iter()
                .map(|_| {
                    let mut conv = empty();
                    conv.diagnostics.push((*d).clone());
                    conv
                })
                .collect();
        }
    };
    let names = check_spec_names(&spec);
    targets
        .iter()
        .map(|&target| {
            let mut conv = empty();
            let result = match &names {
                Err(m) => Err(super::render::Unsupported::new(m.clone())),
                Ok(()) => target.backend().correlation_query(&spec),
            };
            match result {
                Ok((query, notes)) => {
                    conv.queries.push(query);
                    conv.diagnostics
                        .extend(notes.into_iter().map(|n| error(p.doc, n.0, Some(c.node.span), n.1)));
                }
                Err(u) => conv
                    .diagnostics
                    .push(super::convert::unsupported_diag(p.doc, target, u)),
            }
            conv
        })
        .collect()
}

/// The names a correlation puts into a query outside its rules' conditions (group-by fields and
/// aliases, the value field, rule names as event labels) hold no control character.
fn check_spec_names(spec: &crate::ir::Spec<'_>) -> Result<(), String> {
    use super::strings::check_name;
    for g in &spec.group_by {
        check_name("group-by field", g)?;
    }
    if let Some(f) = &spec.field {
        check_name("`condition.field`", f)?;
    }
    for input in &spec.inputs {
        check_name("rule name (an event label)", &input.name)?;
        for g in &input.group_fields {
            check_name("group-by field", g)?;
        }
    }
    Ok(())
}

/// A fidelity note from a backend's correlation lowering.
pub type Note = (&'static crate::diag::Code, String);
