//! `--format json`: one JSON object per line per diagnostic (JSON Lines). Field order is fixed.

use serde_json::{Value, json};

use super::display_path;
use crate::diag::{Diagnostic, Fix};

pub fn diagnostic_json(d: &Diagnostic) -> Value {
    let (start, end) = match d.span {
        Some(s) => (Some(s.start), Some(s.end)),
        None => (None, None),
    };
    let mut object = json!({
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
    });
    // Only fixable findings have the key, so other consumers' records (convert's jsonl) keep their shape.
    if let (Some(fix), Some(map)) = (&d.fix, object.as_object_mut()) {
        map.insert("fix".into(), fix_json(fix));
    }
    object
}

/// `{title, edits: [{line, column, end_line, end_column, text}]}`: each edit replaces its range
/// (empty for an insertion) of the original file with `text`.
fn fix_json(fix: &Fix) -> Value {
    json!({
        "title": fix.title,
        "edits": fix.edits.iter().map(|e| json!({
            "line": e.span.start.line,
            "column": e.span.start.col,
            "end_line": e.span.end.line,
            "end_column": e.span.end.col,
            "text": e.text,
        })).collect::<Vec<_>>(),
    })
}

pub fn render_json(diags: &[Diagnostic]) -> String {
    use rayon::prelude::*;
    // Serialized straight into bytes, in parallel chunks: `Value`'s `Display` goes through the
    // formatting machinery, which cost twice as much on a catalog with thousands of findings.
    let chunks: Vec<Vec<u8>> = diags
        .par_chunks(256)
        .map(|chunk| {
            let mut out = Vec::new();
            for d in chunk {
                // Writing a `Value` (string keys only) into memory cannot fail.
                let _ = serde_json::to_writer(&mut out, &diagnostic_json(d));
                out.push(b'\n');
            }
            out
        })
        .collect();
    let bytes = chunks.concat();
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}
