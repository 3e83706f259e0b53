//! Validating documents against the embedded schemas.

use crate::codes;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use jsonschema::{Draft, Retrieve, Uri, ValidationError, Validator, error::ValidationErrorKind};
use serde_json::Value as Json;

use super::instance::{locate, span_of, to_json};
use super::words::{allowed_keys, describe, field_path, repeated_item};
use crate::catalog::yaml::Node;
use crate::catalog::{DocKind, Document};
use crate::diag::{Code, Diagnostic, Span};

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
    let validator = validator(doc.kind);
    // Most documents are valid: asking only that stops at nothing and builds no error.
    if validator.is_valid(&instance) {
        return Vec::new();
    }
    let schema = schema_json(doc.kind);
    let mut diags: Vec<Diagnostic> = validator
        .iter_errors(&instance)
        .filter(|err| !left_to_lints(err))
        .map(|err| {
            error_diagnostic(
                &codes::SCHEMA_VIOLATION,
                doc.path(),
                &doc.root,
                doc.kind.as_str(),
                schema,
                &err,
            )
            .help_or(schema_hint(doc.kind))
        })
        .collect();
    // Errors from the branches of one `anyOf`/`oneOf` repeat the same place; keep one per place and message.
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diags.dedup_by(|a, b| a.sort_key() == b.sort_key());
    super::date_fix::attach(doc, &mut diags);
    diags
}

/// Errors a lint reports better, so one defect gives one finding: a malformed tag is Q511, whose
/// help writes the corrected tag; a repeated tag or reference is Q517 or Q506, at the repeat.
fn left_to_lints(err: &ValidationError<'_>) -> bool {
    let pointer = err.instance_path().as_str();
    let is_tag = pointer
        .strip_prefix("/tags/")
        .is_some_and(|i| i.parse::<usize>().is_ok());
    match err.kind() {
        ValidationErrorKind::Pattern { .. } => is_tag,
        ValidationErrorKind::UniqueItems => ["/tags", "/references"].contains(&pointer),
        _ => false,
    }
}

/// The parsed JSON of a document kind's schema (for the keys it allows).
fn schema_json(kind: DocKind) -> &'static Json {
    static PARSED: OnceLock<Vec<Json>> = OnceLock::new();
    let all = PARSED.get_or_init(|| {
        SCHEMA_FILES
            .iter()
            .map(|(_, t)| serde_json::from_str(t).expect("embedded schemas are valid JSON (tested)"))
            .collect()
    });
    let i = match kind {
        DocKind::Rule => 0,
        DocKind::Correlation => 1,
        DocKind::Filter => 2,
    };
    &all[i]
}

/// A schema error as a finding of `code` at its place in the YAML tree, in words where the field is
/// known ([`describe`]). `what` names the document (`rule`, `config`) in messages about its root;
/// `schema` is the root schema, for the keys a mapping allows.
pub fn error_diagnostic(
    code: &'static Code,
    path: &Arc<Path>,
    root: &Node,
    what: &str,
    schema: &Json,
    err: &ValidationError<'_>,
) -> Diagnostic {
    let pointer = err.instance_path().as_str();
    let located = locate(root, pointer);
    let mut span = span_of(&located);
    let mut label = "here".to_string();
    let keys = allowed_keys(schema, err.schema_path().as_str());
    let words = describe(err, &keys);
    let mut message = match &words {
        Some(w) => w.message.clone(),
        None => format!("{err} (at {})", field_path(pointer)),
    };
    match err.kind() {
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or("?");
            message = format!("missing required field `{name}`");
            label = format!("`{name}` is required in {}", where_name(pointer, what));
            span = head_span(located.key, located.node);
        }
        ValidationErrorKind::UniqueItems => {
            if let Some((at, _)) = repeated_item(err.instance()) {
                span = span_of(&locate(root, &format!("{pointer}/{at}")));
            }
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            if let Some(first) = unexpected.first()
                && let Some(entry) = located.node.entry(first)
            {
                span = entry.key.span;
            }
            label = "not allowed here".into();
        }
        _ => {}
    }
    let d = Diagnostic::at(code, path, span, message).label(label);
    match words.and_then(|w| w.help) {
        Some(h) => d.help(h),
        None => d,
    }
}

/// For a missing key, underline the parent's key (or the document's first line), not the whole mapping.
fn head_span(key: Option<&Node>, node: &Node) -> Span {
    match key {
        Some(k) => k.span,
        None => node.as_map().and_then(|m| m.first()).map_or(node.span, |e| e.key.span),
    }
}

fn where_name(pointer: &str, what: &str) -> String {
    let mut segments = pointer.rsplit('/');
    match (segments.next(), segments.next()) {
        (Some(index), Some(list)) if !list.is_empty() && index.parse::<usize>().is_ok() => {
            format!("item {index} of `{list}`")
        }
        (Some(last), _) if !pointer.is_empty() => format!("this `{last}` mapping"),
        _ => format!("this {what}"),
    }
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
    fn wrong_types_and_values_are_told_in_words() {
        let d = check(
            "title: T\nid: nope\nauthor: [a, b]\nstatus: testing\nlogsource: product\ndetection: {sel: {a: 1}, condition: sel}\n",
        );
        let said: Vec<(&str, Option<&str>)> = d.iter().map(|d| (d.message.as_str(), d.help.as_deref())).collect();
        assert_eq!(
            said,
            [
                (
                    "`id` must be a UUID, e.g. 5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f",
                    Some("generate one with `uuidgen` (or `python3 -c 'import uuid; print(uuid.uuid4())'`)")
                ),
                (
                    "`author` must be text, not a list",
                    Some("write one text: `author: a, b`")
                ),
                (
                    "`status` must be one of stable, test, experimental, deprecated, unsupported; `testing` is not",
                    Some("did you mean `test`?")
                ),
                (
                    "`logsource` must be a mapping, not text",
                    Some("write `key: value` lines indented under `logsource:`")
                ),
            ]
        );
    }

    #[test]
    fn a_repeat_is_one_finding_at_the_repeat() {
        let d = check(
            "title: T\nfalsepositives: [none, admins, none]\ntags: [a.b, a.b]\nreferences: [u, u]\nlogsource: {product: x}\ndetection: {sel: {a: 1}, condition: sel}\n",
        );
        assert_eq!(d.len(), 1, "tags and references are left to Q517 and Q506: {d:?}");
        assert_eq!(d[0].message, "`falsepositives` lists `none` twice");
        assert_eq!((d[0].span.unwrap().start.line, d[0].span.unwrap().start.col), (2, 32));
    }

    #[test]
    fn list_condition_is_valid() {
        let d =
            check("title: T\nlogsource: {product: auth0}\ndetection:\n  sel: {a: 1}\n  condition: [sel, not sel]\n");
        assert!(d.is_empty(), "{d:?}");
    }
}
