//! Stage 1, loading: walk paths, read files, parse YAML with spans, classify documents.

mod document;
mod load;
mod sidecar;
mod source;
mod walk;
pub mod yaml;

pub use document::{DocKind, Document};
pub use load::{Catalog, MAX_FILE_BYTES};
pub use sidecar::SidecarLayout;
pub use source::SourceFile;
pub use walk::{is_test_sidecar, is_yaml, walk, walk_and};
