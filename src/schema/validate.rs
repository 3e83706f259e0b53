//! Validating documents against the embedded schemas.

use crate::codes;
use std::sync::OnceLock;

use jsonschema::{Draft, Retrieve, Uri, ValidationError, Validator, error::ValidationErrorKind};
use serde_json::Value as Json;

use super::instance::{locate, span_of, to_json};
use crate::catalog::yaml::Node;
use crate::catalog::{DocKind, Document};
use crate::diag::{Diagnostic, Span};

/// The schemas shipped in the binary, by file name; `$ref`s between them resolve by `$id`.
pub const SCHEMA_FILES: [(&str, &str); 4] = [
    ("rule.json", include_str!("../../schemas/rule.json")),
    ("correlation.json", include_str!("../../schemas/correlation.json")),
    ("filter.json", include_str!("../../schemas/filter.json")),
    ("tests.json", include_str!("../../schemas/tests.json")),
];

const BASE: &str = "https://detc.dev/schemas/";

struct Embedded;

impl Retrieve for Embedded {
    fn retrieve(&self, uri: &Uri<String>) -> Result<Json, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri.as_str().strip_prefix(BASE).unwrap_or(uri.as_str());
        let name = name.split('#').next().unwrap_or(name);
        let text = SCHEMA_FILES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| *t)
            .ok_or_else(|| format!("no embedded schema {name}"))?;
        Ok(serde_json::from_str(text)?)
    }
}

fn build(name: &str) -> Validator {
    let text = SCHEMA_FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .expect("embedded schema");
    let schema: Json = serde_json::from_str(text).expect("embedded schemas are valid JSON (tested)");
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .should_validate_formats(true)
        .with_retriever(Embedded)
        .build(&schema)
        .expect("embedded schemas compile (tested)")
}

fn validator(kind: DocKind) -> &'static Validator {
    static RULE: OnceLock<Validator> = OnceLock::new();
    static CORRELATION: OnceLock<Validator> = OnceLock::new();
    static FILTER: OnceLock<Validator> = OnceLock::new();
    match kind {
        DocKind::Rule => RULE.get_or_init(|| build("rule.json")),
        DocKind::Correlation => CORRELATION.get_or_init(|| build("correlation.json")),
        DocKind::Filter => FILTER.get_or_init(|| build("filter.json")),
    }
}

/// Schema findings (S101) for one document, each at the span of the offending key or value.
pub fn validate_document(doc: &Document) -> Vec<Diagnostic> {
    let instance = to_json(&doc.root);
    let mut diags: Vec<Diagnostic> = validator(doc.kind)
        .iter_errors(&instance)
        .map(|err| to_diagnostic(doc, &err))
        .collect();
    // Errors from the branches of one `anyOf`/`oneOf` repeat the same place; keep one per place and message.
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diags.dedup_by(|a, b| a.sort_key() == b.sort_key());
    super::date_fix::attach(doc, &mut diags);
    diags
}

fn to_diagnostic(doc: &Document, err: &ValidationError<'_>) -> Diagnostic {
    let pointer = err.instance_path().as_str();
    let located = locate(&doc.root, pointer);
    let mut span = span_of(&located);
    let mut message = err.to_string();
    let mut label = "here".to_string();
    match err.kind() {
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or("?");
            message = format!("missing required field `{name}`");
            label = format!("`{name}` is required in {}", where_name(pointer, doc));
            span = head_span(located.key, located.node);
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            if let Some(first) = unexpected.first()
                && let Some(entry) = located.node.entry(first)
            {
                span = entry.key.span;
            }
            message = format!("unexpected key{} {}", plural(unexpected.len()), quote_list(unexpected));
            label = "not allowed here".into();
        }
        _ => {}
    }
    let path = if pointer.is_empty() {
        "document".to_string()
    } else {
        pointer.to_string()
    };
    Diagnostic::at(
        &codes::SCHEMA_VIOLATION,
        doc.path(),
        span,
        format!("{message} (at {path})"),
    )
    .label(label)
    .help(schema_hint(doc.kind))
}

/// For a missing key, underline the parent's key (or the document's first line), not the whole mapping.
fn head_span(key: Option<&Node>, node: &Node) -> Span {
    match key {
        Some(k) => k.span,
        None => node.as_map().and_then(|m| m.first()).map_or(node.span, |e| e.key.span),
    }
}

fn where_name(pointer: &str, doc: &Document) -> String {
    let mut segments = pointer.rsplit('/');
    match (segments.next(), segments.next()) {
        (Some(index), Some(list)) if !list.is_empty() && index.parse::<usize>().is_ok() => {
            format!("item {index} of `{list}`")
        }
        (Some(last), _) if !pointer.is_empty() => format!("this `{last}` mapping"),
        _ => format!("this {}", doc.kind.as_str()),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn quote_list(items: &[String]) -> String {
    items.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
}

fn schema_hint(kind: DocKind) -> String {
    format!(
        "see schemas/{}.json or the Sigma specification for the expected shape",
        kind.as_str()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn check(text: &str) -> Vec<Diagnostic> {
        let catalog = Catalog::from_sources(&[("t.yml", text)]);
        catalog.documents.iter().flat_map(validate_document).collect()
    }

    #[test]
    fn every_embedded_schema_compiles() {
        for kind in [DocKind::Rule, DocKind::Correlation, DocKind::Filter] {
            validator(kind);
        }
        build("tests.json");
    }

    #[test]
    fn missing_title_is_reported_on_the_first_line() {
        let d = check("logsource: {product: auth0}\ndetection: {sel: {a: 1}, condition: sel}\n");
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("`title`"));
        assert_eq!(d[0].span.unwrap().start.line, 1);
    }

    #[test]
    fn wrong_type_points_at_the_value() {
        let d =
            check("title: T\nlevel: urgent\nlogsource: {product: auth0}\ndetection: {sel: {a: 1}, condition: sel}\n");
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!((d[0].span.unwrap().start.line, d[0].span.unwrap().start.col), (2, 8));
    }

    #[test]
    fn correlation_condition_is_really_validated() {
        let d = check(
            "title: C\ncorrelation:\n  type: event_count\n  rules: [a]\n  group-by: [x]\n  timespan: 1h\n  condition: {gte: many}\n",
        );
        assert!(!d.is_empty());
        assert_eq!(d[0].span.unwrap().start.line, 7);
    }

    /// The hand-written cases of tools/schema-check (also run with Python's jsonschema in the
    /// conformance step): the Rust validator must agree on every verdict.
    #[test]
    fn schema_cases_agree_with_the_python_validator() {
        let text = include_str!("../../tools/schema-check/cases.yml");
        let file = crate::catalog::SourceFile::new(
            std::sync::Arc::from(std::path::Path::new("cases.yml")),
            text.to_string(),
        );
        let (docs, diags) = crate::catalog::yaml::parse_documents(&file);
        assert!(diags.is_empty(), "{diags:?}");
        let cases = docs[0].root.as_ref().unwrap().as_seq().unwrap();
        assert!(cases.len() >= 30);
        let tests_validator = build("tests.json");
        for case in cases {
            let name = case.get("name").and_then(Node::scalar_text).unwrap();
            let schema = case.get("schema").and_then(Node::scalar_text).unwrap();
            let valid = case.get("valid").and_then(Node::as_scalar).unwrap().text == "true";
            let instance = crate::schema::to_json(case.get("doc").unwrap());
            let got = match schema {
                "rule" => validator(DocKind::Rule).is_valid(&instance),
                "correlation" => validator(DocKind::Correlation).is_valid(&instance),
                "filter" => validator(DocKind::Filter).is_valid(&instance),
                "tests" => tests_validator.is_valid(&instance),
                other => panic!("unknown schema {other}"),
            };
            assert_eq!(got, valid, "case `{name}`");
        }
    }

    #[test]
    fn list_condition_is_valid() {
        let d =
            check("title: T\nlogsource: {product: auth0}\ndetection:\n  sel: {a: 1}\n  condition: [sel, not sel]\n");
        assert!(d.is_empty(), "{d:?}");
    }
}
