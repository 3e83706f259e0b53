//! P6xx: `{name}` tokens in custom queries and values, filled from variables at build time.

use std::sync::OnceLock;

use regex::Regex;

use super::{DiagExt, Sink};
use crate::catalog::yaml::{Node, Value};
use crate::diag::{Code, Severity};

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

fn token_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\{([A-Za-z_][A-Za-z0-9_.\-]*)\}").unwrap())
}

pub fn check(sink: &mut Sink<'_, '_>) {
    let root = &sink.doc.doc.root;
    let mut nodes: Vec<&Node> = TEMPLATE_FIELDS.iter().filter_map(|f| root.get(f)).collect();
    if let Some(det) = sink.doc.detection() {
        for s in &det.searches {
            nodes.extend(s.body.items().into_iter().flat_map(|i| i.values()));
        }
    }
    let vars = &sink.options.variables;
    for node in nodes {
        let Value::Scalar(s) = &node.value else {
            continue;
        };
        for cap in token_re().captures_iter(&s.text) {
            let name = &cap[1];
            let whole = cap.get(0).unwrap();
            // `${IFS}` in a value is a shell variable the rule matches literally, not a token.
            let shell = s.text[..whole.start()].ends_with('$');
            if vars.contains_key(name) || shell {
                continue;
            }
            let span = token_span(sink, node, &s.text, cap.get(0).unwrap().range());
            sink.report(&UNRESOLVED_TOKEN, span, format!("token `{{{name}}}` has no value"))
                .with_help(format!(
                    "set `variables: {{{name}: …}}` in detc.yaml before building artifacts"
                ));
        }
    }
}

/// The token's own span when the scalar's text appears verbatim in the file; else the scalar's.
fn token_span(sink: &Sink<'_, '_>, node: &Node, text: &str, range: std::ops::Range<usize>) -> crate::diag::Span {
    let file = &sink.doc.doc.file;
    let source = file.text.get(node.span.byte_range()).unwrap_or("");
    let token = &text[range.clone()];
    // Block scalars are re-indented by YAML, so search for the n-th occurrence of the token instead.
    let nth = text[..range.start].matches(token).count();
    match source.match_indices(token).nth(nth) {
        Some((at, _)) => {
            let start = node.span.start.byte + at;
            file.span_of_bytes(start..start + token.len())
        }
        None => node.span,
    }
}
