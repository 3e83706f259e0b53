//! `--format sarif`: a SARIF 2.1.0 log, for GitHub code scanning and other SARIF consumers.

use serde_json::{Value, json};

use super::display_path;
use crate::diag::{Code, Diagnostic, Severity, Span};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A relative URI reference for a path (spaces and `%` percent-encoded).
fn uri(path: &std::path::Path) -> String {
    let mut out = String::new();
    for c in display_path(path).chars() {
        match c {
            ' ' => out.push_str("%20"),
            '%' => out.push_str("%25"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            c => out.push(c),
        }
    }
    out
}

fn region(span: Span) -> Value {
    json!({
        "startLine": span.start.line.max(1),
        "startColumn": span.start.col.max(1),
        "endLine": span.end.line.max(span.start.line).max(1),
        "endColumn": span.end.col.max(1),
    })
}

fn location(path: &std::path::Path, span: Option<Span>) -> Value {
    let mut physical = json!({ "artifactLocation": { "uri": uri(path) } });
    if let Some(s) = span {
        physical["region"] = region(s);
    }
    json!({ "physicalLocation": physical })
}

/// A SARIF `fix`: one artifact change whose replacements are the fix's edits.
fn fix_json(path: &std::path::Path, fix: &crate::diag::Fix) -> Value {
    let replacements: Vec<Value> = fix
        .edits
        .iter()
        .map(|e| json!({ "deletedRegion": region(e.span), "insertedContent": { "text": e.text } }))
        .collect();
    json!({
        "description": { "text": fix.title },
        "artifactChanges": [{ "artifactLocation": { "uri": uri(path) }, "replacements": replacements }],
    })
}

fn rule(code: &Code) -> Value {
    json!({
        "id": code.code,
        "name": code.name,
        "shortDescription": { "text": code.summary },
        "fullDescription": { "text": code.doc },
        "defaultConfiguration": { "level": level(code.severity) },
        "help": { "text": code.doc },
    })
}

pub fn render_sarif(diags: &[Diagnostic], codes: &[&'static Code]) -> String {
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            if let Some(h) = &d.help {
                text.push_str(&format!(" (help: {h})"));
            }
            let mut r = json!({
                "ruleId": d.code.code,
                "ruleIndex": codes.iter().position(|c| c.code == d.code.code).unwrap_or(0),
                "level": level(d.severity),
                "message": { "text": text },
                "locations": [location(&d.path, d.span)],
            });
            if !d.related.is_empty() {
                r["relatedLocations"] = d
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, rel)| {
                        let mut l = location(&rel.path, rel.span);
                        l["id"] = json!(i);
                        l["message"] = json!({ "text": rel.message });
                        l
                    })
                    .collect();
            }
            if let Some(fix) = &d.fix {
                r["fixes"] = json!([fix_json(&d.path, fix)]);
            }
            r
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "detc",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/detc/detc",
                "rules": codes.iter().map(|c| rule(c)).collect::<Vec<_>>(),
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&log).expect("JSON values serialize");
    s.push('\n');
    s
}
