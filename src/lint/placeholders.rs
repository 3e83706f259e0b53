//! P6xx: `{name}` tokens in custom queries and values, filled from variables at build time.

use super::{DiagExt, Sink};
use crate::catalog::yaml::Node;
use crate::codes;
use crate::model::tokens::node_tokens;

/// Top-level text fields that are templates filled from variables.
const TEMPLATE_FIELDS: [&str; 2] = ["splunk", "tenant_logs"];

pub fn check(sink: &mut Sink<'_, '_>) {
    let root = &sink.doc.doc.root;
    let mut nodes: Vec<&Node> = TEMPLATE_FIELDS.iter().filter_map(|f| root.get(f)).collect();
    if let Some(det) = sink.doc.detection() {
        for s in &det.searches {
            nodes.extend(s.body.items().into_iter().flat_map(|i| i.values()));
        }
    }
    let vars = &sink.options.variables;
    let file = sink.doc.doc.file.clone();
    for node in nodes {
        for (name, span) in node_tokens(&file, node) {
            if vars.contains_key(name) {
                continue;
            }
            sink.report(
                &codes::UNRESOLVED_TOKEN,
                span,
                format!("token `{{{name}}}` has no value"),
            )
            .with_help(format!(
                "set `variables: {{{name}: …}}` in detc.yaml before building artifacts"
            ));
        }
    }
}
