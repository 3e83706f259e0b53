//! Stage 2, schema validation: our embedded JSON Schemas for rules, correlations, filters and tests,
//! with each error mapped back to the span of the offending key or value.

mod instance;
mod validate;

pub use instance::to_json;
pub use validate::{SCHEMA_FILES, validate_document};
