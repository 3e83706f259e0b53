//! `--format json`: one JSON object per line per diagnostic (JSON Lines). Field order is fixed.

use serde_json::{Value, json};

use super::display_path;
use crate::diag::Diagnostic;

pub fn diagnostic_json(d: &Diagnostic) -> Value {
    let (start, end) = match d.span {
        Some(s) => (Some(s.start), Some(s.end)),
        None => (None, None),
    };
    json!({
        "code": d.code.code,
        "name": d.code.name,
        "severity": d.severity.as_str(),
        "message": d.message,
        "file": display_path(&d.path),
        "line": start.map(|p| p.line),
        "column": start.map(|p| p.col),
        "end_line": end.map(|p| p.line),
        "end_column": end.map(|p| p.col),
        "label": d.label,
        "help": d.help,
        "related": d.related.iter().map(|r| json!({
            "file": display_path(&r.path),
            "line": r.span.map(|s| s.start.line),
            "column": r.span.map(|s| s.start.col),
            "message": r.message,
        })).collect::<Vec<_>>(),
    })
}

pub fn render_json(diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        out.push_str(&diagnostic_json(d).to_string());
        out.push('\n');
    }
    out
}
