//! Correlations: resolving the referenced rules and dispatching to each backend's lowering.

use super::TargetId;
use super::convert::Conversion;
use crate::ir::{Lowering, error};
use crate::model::{Body, Parsed};

pub fn convert<'a>(ctx: &Lowering<'_, '_>, p: &Parsed<'a>, target: TargetId) -> Conversion<'a> {
    let mut conv = Conversion {
        doc: p.doc,
        queries: Vec::new(),
        diagnostics: Vec::new(),
        suppressed: false,
    };
    let Body::Correlation(c) = &p.body else {
        return conv;
    };
    let spec = match ctx.correlation(p, c) {
        Ok(s) => s,
        Err(d) => {
            conv.diagnostics.push(*d);
            return conv;
        }
    };
    let result = match check_spec_names(&spec) {
        Err(m) => Err(super::render::Unsupported::new(m)),
        Ok(()) => lower(&spec, target),
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

fn lower(spec: &crate::ir::Spec<'_>, target: TargetId) -> Result<(String, Vec<Note>), super::render::Unsupported> {
    match target {
        TargetId::Splunk => super::splunk::correlation::lower(spec),
        TargetId::Esql => super::esql::correlation::lower(spec),
        TargetId::Eql => super::eql::correlation::lower(spec),
        TargetId::Sumo => super::sumo::correlation::lower(spec),
        TargetId::Lucene => Err(super::render::Unsupported::new(
            "a Lucene query string cannot count or correlate events (`detc build` turns event_count correlations into Elastic threshold rules)",
        )),
    }
}

/// A fidelity note from a backend's correlation lowering.
pub type Note = (&'static crate::diag::Code, String);
