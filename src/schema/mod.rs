//! Stage 2, schema validation: our embedded JSON Schemas for rules, correlations, filters and tests,
//! with each error mapped back to the span of the offending key or value.

mod date_fix;
mod instance;
mod validate;
pub mod words;

pub use instance::to_json;

/// The span to report for a JSON pointer into a YAML tree.
pub fn locate_span(root: &crate::catalog::yaml::Node, pointer: &str) -> crate::diag::Span {
    instance::span_of(&instance::locate(root, pointer))
}
pub use validate::{SCHEMA_FILES, error_diagnostic, validate_document};
