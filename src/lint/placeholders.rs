//! P6xx: `{name}` tokens in custom queries and values, filled from variables at build time.
//!
//! A token is a property of the deployment, not of one rule: the Auth0 catalog writes
//! `{your-tenant-name}` in 32 hand-written queries, and one missing value is one thing to fix. So the
//! lint runs over the whole catalog and reports each token once, at its first use, with every other
//! use as a related location.

use std::collections::BTreeMap;

use super::summary::{DocSummary, Text};
use crate::catalog::yaml::Node;
use crate::codes;
use crate::config::LintOptions;
use crate::diag::Diagnostic;
use crate::model::Parsed;
use crate::model::tokens::{TokenUse, node_tokens, unresolved};

/// Top-level text fields that are templates filled from variables.
const TEMPLATE_FIELDS: [&str; 2] = ["splunk", "tenant_logs"];

pub fn check(docs: &[DocSummary], options: &LintOptions) -> Vec<Diagnostic> {
    let mut uses: BTreeMap<&str, Vec<TokenUse>> = BTreeMap::new();
    for d in docs {
        for t in d.tokens.iter().filter(|t| !options.variables.contains_key(&*t.text)) {
            uses.entry(&t.text).or_default().push((d.path.clone(), t.span));
        }
    }
    uses.into_iter()
        .map(|(name, places)| unresolved(&codes::UNRESOLVED_TOKEN, name, places, ""))
        .collect()
}

/// Every `{name}` token of a document, for its summary.
pub fn token_uses(p: &Parsed<'_>) -> Vec<Text> {
    let mut out = Vec::new();
    for node in token_nodes(p) {
        for (name, span) in node_tokens(&p.doc.file, node) {
            out.push(Text {
                text: name.into(),
                span,
            });
        }
    }
    out
}

/// The nodes of a document whose text may hold tokens.
fn token_nodes<'p>(p: &'p Parsed<'_>) -> Vec<&'p Node> {
    let root = &p.doc.root;
    let mut nodes: Vec<&Node> = TEMPLATE_FIELDS.iter().filter_map(|f| root.get(f)).collect();
    if let Some(det) = p.detection() {
        for s in &det.searches {
            nodes.extend(s.body.items().into_iter().flat_map(|i| i.values()));
        }
    }
    nodes
}
