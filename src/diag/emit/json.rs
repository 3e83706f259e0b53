//! `--format json`: one JSON object per line per diagnostic (JSON Lines). Field order is fixed.

use serde::Serialize;

use super::display_path;
use crate::diag::{Diagnostic, Fix, Span};

/// One diagnostic as written by `--format json` and in `convert`'s jsonl records, its fields in the
/// order they are written. Serialized directly: building a `serde_json::Value` per finding (an
/// ordered map per object) was a sixth of `check --format json` on a catalog with thousands of
/// findings.
#[derive(Serialize)]
pub struct DiagnosticRecord<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    message: &'a str,
    file: String,
    line: Option<u32>,
    column: Option<u32>,
    end_line: Option<u32>,
    end_column: Option<u32>,
    label: Option<&'a str>,
    help: Option<&'a str>,
    related: Vec<RelatedRecord<'a>>,
    /// Only fixable findings have the key, so other consumers' records (convert's jsonl) keep their
    /// shape.
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<FixRecord<'a>>,
}

#[derive(Serialize)]
struct RelatedRecord<'a> {
    file: String,
    line: Option<u32>,
    column: Option<u32>,
    message: &'a str,
}

/// `{title, edits: [{line, column, end_line, end_column, text}]}`: each edit replaces its range
/// (empty for an insertion) of the original file with `text`.
#[derive(Serialize)]
struct FixRecord<'a> {
    title: &'a str,
    edits: Vec<EditRecord<'a>>,
}

#[derive(Serialize)]
struct EditRecord<'a> {
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    text: &'a str,
}

impl<'a> DiagnosticRecord<'a> {
    pub fn new(d: &'a Diagnostic) -> DiagnosticRecord<'a> {
        let start = d.span.map(|s| s.start);
        let end = d.span.map(|s| s.end);
        DiagnosticRecord {
            code: d.code.code,
            name: d.code.name,
            severity: d.severity.as_str(),
            message: &d.message,
            file: display_path(&d.path),
            line: start.map(|p| p.line),
            column: start.map(|p| p.col),
            end_line: end.map(|p| p.line),
            end_column: end.map(|p| p.col),
            label: d.label.as_deref(),
            help: d.help.as_deref(),
            related: d
                .related
                .iter()
                .map(|r| RelatedRecord {
                    file: display_path(&r.path),
                    line: r.span.map(|s| s.start.line),
                    column: r.span.map(|s| s.start.col),
                    message: &r.message,
                })
                .collect(),
            fix: d.fix.as_ref().map(FixRecord::new),
        }
    }
}

impl<'a> FixRecord<'a> {
    fn new(fix: &'a Fix) -> FixRecord<'a> {
        let edit = |span: Span, text: &'a str| EditRecord {
            line: span.start.line,
            column: span.start.col,
            end_line: span.end.line,
            end_column: span.end.col,
            text,
        };
        FixRecord {
            title: &fix.title,
            edits: fix.edits.iter().map(|e| edit(e.span, &e.text)).collect(),
        }
    }
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
                // Writing a record (string keys only) into memory cannot fail.
                let _ = serde_json::to_writer(&mut out, &DiagnosticRecord::new(d));
                out.push(b'\n');
            }
            out
        })
        .collect();
    let bytes = chunks.concat();
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}
