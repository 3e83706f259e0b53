//! Stage 3, lints: semantic checks over the typed model, grouped by what they inspect.
//!
//! Each family file has a `check` function; the codes it reports (with documentation and examples)
//! are defined in [`crate::codes`].
//! [`run`] applies every family to every parsed document: [`local`] the families that read one
//! document (or one file) at a time, [`catalog_wide`] those that compare documents (references,
//! duplicates), over [`summary::DocSummary`]s so that `check` need not keep every tree alive.

pub mod correlation;
pub mod dedent;

pub mod detection;
mod fixes;
pub mod metadata;
pub mod modifiers;
pub mod newer_attack;
pub mod placeholders;
pub mod references;
pub mod summary;
pub mod suppress;
pub mod tags;
pub mod unicode;
mod wildcard_fix;

use rayon::prelude::*;

use crate::catalog::yaml::Node;
use crate::config::LintOptions as Options;
use crate::diag::{Code, Diagnostic, Span};
use crate::model::Parsed;
use summary::DocSummary;

/// Where findings for one document go.
pub struct Sink<'p, 'a> {
    pub doc: &'p Parsed<'a>,
    pub options: &'p Options,
    pub out: Vec<Diagnostic>,
}

impl<'p, 'a> Sink<'p, 'a> {
    pub fn new(doc: &'p Parsed<'a>, options: &'p Options) -> Self {
        Sink {
            doc,
            options,
            out: Vec::new(),
        }
    }

    /// Report `code` at `span`; returns the diagnostic for adding a label, help or related places.
    pub fn report(&mut self, code: &'static Code, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        self.out.push(Diagnostic::at(code, self.doc.doc.path(), span, message));
        self.out.last_mut().unwrap()
    }

    pub fn at_node(&mut self, code: &'static Code, node: &Node, message: impl Into<String>) -> &mut Diagnostic {
        self.report(code, node.span, message)
    }

    /// The span of the document's first key: where document-level findings point.
    pub fn doc_head(&self) -> Span {
        let root = &self.doc.doc.root;
        root.as_map().and_then(|m| m.first()).map_or(root.span, |e| e.key.span)
    }
}

/// Helpers to extend a `&mut Diagnostic` in place.
pub trait DiagExt {
    fn with_label(&mut self, label: impl Into<String>) -> &mut Self;
    fn with_help(&mut self, help: impl Into<String>) -> &mut Self;
    fn with_fix(&mut self, fix: Option<crate::diag::Fix>) -> &mut Self;
    fn with_related(&mut self, related: crate::diag::Related) -> &mut Self;
}

impl DiagExt for Diagnostic {
    fn with_label(&mut self, label: impl Into<String>) -> &mut Self {
        self.label = Some(label.into());
        self
    }
    fn with_help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }
    fn with_fix(&mut self, fix: Option<crate::diag::Fix>) -> &mut Self {
        self.fix = fix;
        self
    }
    fn with_related(&mut self, related: crate::diag::Related) -> &mut Self {
        self.related.push(related);
        self
    }
}

/// Run every lint over the parsed catalog.
pub fn run(parsed: &[Parsed<'_>], options: &Options) -> Vec<Diagnostic> {
    let mut diags = local(parsed, options);
    let summaries: Vec<DocSummary> = parsed.par_iter().map(DocSummary::of).collect();
    diags.extend(catalog_wide(&summaries, options));
    diags
}

/// The lints that read one document at a time, and hidden characters (one file at a time).
pub fn local(parsed: &[Parsed<'_>], options: &Options) -> Vec<Diagnostic> {
    let mut diags: Vec<Diagnostic> = parsed.par_iter().flat_map_iter(|p| document(p, options)).collect();
    diags.extend(unicode::check(parsed));
    diags
}

fn document(p: &Parsed<'_>, options: &Options) -> Vec<Diagnostic> {
    let mut sink = Sink::new(p, options);
    detection::check(&mut sink);
    modifiers::check(&mut sink);
    correlation::check(&mut sink);
    metadata::check(&mut sink);
    tags::check(&mut sink);
    references::check_document(&mut sink);
    sink.out
}

/// The lints that compare documents (references, duplicates, tokens, newer ATT&CK techniques), over
/// the documents' summaries in catalog order.
pub fn catalog_wide(docs: &[DocSummary], options: &Options) -> Vec<Diagnostic> {
    let mut diags = references::check(docs);
    diags.extend(placeholders::check(docs, options));
    diags.extend(newer_attack::check(docs));
    diags
}
