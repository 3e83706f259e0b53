//! YAML with spans: the tree type, YAML 1.1 scalar resolution, and the event-stream builder.

mod build;
mod fast;
mod node;
mod raw;
mod resolve;

pub use build::{MAX_DEPTH, MAX_NODES, YamlDocument, parse_documents};
pub use node::{Entry, Node, Resolved, Scalar, Style, Value};
pub use raw::{replace_scalar, scalar_content};
pub use resolve::resolve_plain;
