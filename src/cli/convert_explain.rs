//! `detc convert --explain`: for each rule, which processing item of which pipeline changed what
//! (a field renamed, a condition added, a value replaced, an item dropped, the rule refused). A flag
//! of `convert` rather than a subcommand of its own: the answer depends on exactly what convert is
//! given (targets, `-p` pipelines or detc.yaml's, `--var`, paths), and sits next to the query it
//! explains.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::catalog::{Catalog, DocKind};
use crate::ir::Lowering;
use crate::model::Parsed;
use crate::pipeline::{Pipeline, TraceEntry};

pub type Traces = HashMap<(Arc<Path>, usize), Vec<TraceEntry>>;

/// The changes the pipeline makes to every rule of the catalog (rules it leaves alone have none).
pub fn pipeline_traces(
    catalog: &Catalog,
    vars: &std::collections::BTreeMap<String, String>,
    pipeline: &Pipeline,
) -> Traces {
    let parsed: Vec<Parsed<'_>> = catalog.documents.iter().map(Parsed::parse).collect();
    let lowering = Lowering::new(&parsed, vars).with_pipeline(Some(pipeline));
    parsed
        .par_iter()
        .filter(|p| p.doc.kind == DocKind::Rule)
        .map(|p| ((p.doc.path().clone(), p.doc.index), lowering.explain_rule(p).0))
        .filter(|(_, t)| !t.is_empty())
        .collect()
}

/// Comment lines for text output, one change a line, before the document's queries.
pub fn comment_lines(path: &str, title: Option<&str>, trace: &[TraceEntry]) -> String {
    let title = title.map(|t| format!(" ({})", one_line(t))).unwrap_or_default();
    let mut out = format!("# {}{title}: pipeline changes\n", one_line(path));
    for e in trace {
        out.push_str(&format!(
            "#   {} / {}: {}\n",
            one_line(&e.pipeline),
            one_line(&e.item),
            one_line(&e.change)
        ));
    }
    out
}

/// Rule text (titles, values) may hold line breaks or terminal escapes; a comment line must stay one
/// line of plain text, so control characters are written as `\u{..}`.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

pub fn json(trace: &[TraceEntry]) -> serde_json::Value {
    serde_json::Value::Array(
        trace
            .iter()
            .map(|e| serde_json::json!({"pipeline": e.pipeline, "item": e.item, "change": e.change}))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_text_cannot_break_or_colour_a_comment_line() {
        let trace = [TraceEntry {
            pipeline: "p".into(),
            item: "i".into(),
            change: "field A → B\nsource=\"x\" \u{1b}[31m".into(),
        }];
        let text = comment_lines("r.yml", Some("T\r\nitle"), &trace);
        assert_eq!(
            text,
            "# r.yml (T\\u{d}\\u{a}itle): pipeline changes\n#   p / i: field A → B\\u{a}source=\"x\" \\u{1b}[31m\n"
        );
        assert_eq!(text.lines().count(), 2);
    }
}
