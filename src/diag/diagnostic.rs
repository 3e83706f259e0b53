use std::path::Path;
use std::sync::Arc;

use super::{Code, Fix, Severity, Span};

/// A secondary location that helps explain a finding (the other definition of a duplicate, say).
#[derive(Debug, Clone)]
pub struct Related {
    pub path: Arc<Path>,
    pub span: Option<Span>,
    pub message: String,
}

/// One finding, with everything an emitter needs to print it.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub code: &'static Code,
    pub severity: Severity,
    pub message: String,
    pub path: Arc<Path>,
    /// `None` when the finding is about the file as a whole (unreadable, empty).
    pub span: Option<Span>,
    /// Short text printed under the caret.
    pub label: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
    pub related: Vec<Related>,
    /// An automatic repair (`detc check --fix`), when the defect is mechanical.
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn new(code: &'static Code, path: &Arc<Path>, span: Option<Span>, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.severity,
            message: message.into(),
            path: path.clone(),
            span,
            label: None,
            help: None,
            related: Vec::new(),
            fix: None,
        }
    }

    pub fn at(code: &'static Code, path: &Arc<Path>, span: Span, message: impl Into<String>) -> Self {
        Self::new(code, path, Some(span), message)
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn fix(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix;
        self
    }

    /// `help` unless the finding already has one.
    pub fn help_or(mut self, help: impl Into<String>) -> Self {
        if self.help.is_none() {
            self.help = Some(help.into());
        }
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn related(mut self, path: &Arc<Path>, span: Option<Span>, message: impl Into<String>) -> Self {
        self.related.push(Related {
            path: path.clone(),
            span,
            message: message.into(),
        });
        self
    }

    /// The order findings are printed in: by file, then position, then code.
    pub fn sort_key(&self) -> (&Path, usize, usize, &'static str, &str) {
        let (line, col) = self.span.map_or((0, 0), |s| (s.start.line, s.start.col));
        (&self.path, line, col, self.code.code, &self.message)
    }
}

/// Sort findings deterministically and drop exact repeats.
pub fn sort_diagnostics(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diags.dedup_by(|a, b| a.sort_key() == b.sort_key());
}
