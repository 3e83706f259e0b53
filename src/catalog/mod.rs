//! Stage 1, loading: walk paths, read files, parse YAML with spans, classify documents.

mod document;
mod load;
mod source;
mod walk;
pub mod yaml;

pub use document::{DocKind, Document};
pub use load::{Catalog, MAX_FILE_BYTES};
pub use source::SourceFile;
pub use walk::{is_test_sidecar, is_yaml, walk};
