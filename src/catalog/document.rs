//! One YAML document of the catalog and what kind of Sigma document it is.

use std::sync::Arc;

use super::source::SourceFile;
use super::yaml::Node;
use crate::diag::Span;

/// Sigma 2 has three kinds of documents, told apart by a top-level key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocKind {
    Rule,
    /// Has a `correlation` key.
    Correlation,
    /// Has a `filter` key (a meta-filter).
    Filter,
}

impl DocKind {
    pub fn classify(root: &Node) -> DocKind {
        if root.get("correlation").is_some() {
            DocKind::Correlation
        } else if root.get("filter").is_some() {
            DocKind::Filter
        } else {
            DocKind::Rule
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Rule => "rule",
            DocKind::Correlation => "correlation",
            DocKind::Filter => "filter",
        }
    }
}

#[derive(Debug)]
pub struct Document {
    pub file: Arc<SourceFile>,
    /// 0-based position of the document in its file.
    pub index: usize,
    /// Always a mapping: other roots are reported and dropped by the loader.
    pub root: Node,
    pub kind: DocKind,
    pub span: Span,
}

impl Document {
    pub fn path(&self) -> &Arc<std::path::Path> {
        &self.file.path
    }

    /// A finding of `code` (error, warning or info) about this document.
    pub fn diagnostic(
        &self,
        code: &'static crate::diag::Code,
        span: Option<Span>,
        message: impl Into<String>,
    ) -> crate::diag::Diagnostic {
        crate::diag::Diagnostic::new(code, self.path(), span, message)
    }

    /// The document's `title`, when it is a string.
    pub fn title(&self) -> Option<&str> {
        self.root.get("title").and_then(Node::as_str)
    }
}
