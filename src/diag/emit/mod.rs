//! Emitters: the same diagnostics as rustc-like text, JSON Lines, SARIF 2.1.0 or GitHub annotations.

mod github;
mod human;
mod json;
mod sarif;

use std::path::Path;

pub use github::render_github;
pub use human::render_human;
pub use json::{DiagnosticRecord, render_json};
pub use sarif::render_sarif;

/// Where emitters find the text of a file to quote it.
/// `Sync`: findings are rendered in parallel.
pub trait SourceLookup: Sync {
    fn source(&self, path: &Path) -> Option<&str>;
}

/// A path as emitted: relative paths stay relative, separators are `/`.
pub fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}
