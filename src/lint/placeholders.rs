//! P6xx: `{name}` tokens in custom queries and values, filled from variables at build time.

use super::{DiagExt, Sink};
use crate::catalog::yaml::Node;
use crate::diag::{Code, Severity};
use crate::model::tokens::node_tokens;

pub static UNRESOLVED_TOKEN: Code = Code {
    code: "P601",
    name: "unresolved-token",
    severity: Severity::Warning,
    summary: "a `{name}` token has no value in the configured variables",
    doc: "Extension queries (`splunk`, `tenant_logs`) and values may carry `{name}` tokens such as \
          `{your-tenant-name}` that must be filled per deployment. Each token without a value in `detc.yaml` \
          `variables` is listed with its location, so a deployment never ships a literal `{threshold}`. \
          Splunk's own `{}` multivalue suffix (`roles{}`) is not a token.",
    bad: "title: T\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\nsplunk: index=auth0 data.tenant_name=\"{your-tenant-name}\"\n",
    good: "title: T\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\nsplunk: index=auth0 data.type=s\n",
};

pub static CODES: &[&Code] = &[&UNRESOLVED_TOKEN];

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
            sink.report(&UNRESOLVED_TOKEN, span, format!("token `{{{name}}}` has no value"))
                .with_help(format!(
                    "set `variables: {{{name}: …}}` in detc.yaml before building artifacts"
                ));
        }
    }
}
