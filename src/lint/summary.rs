//! What the catalog-wide lints need of one document (ids, names, references, tokens, newer ATT&CK
//! tags, each with its place), so a check can drop a document's tree as soon as the document's own
//! findings are known: memory then grows with these few strings per rule, not with whole trees.

use std::path::Path;
use std::sync::Arc;

use crate::catalog::yaml::Node;
use crate::diag::Span;
use crate::model::index::Named;
use crate::model::{Body, Parsed};

/// One scalar's text and where it is written.
#[derive(Debug, Clone)]
pub struct Text {
    pub text: Box<str>,
    pub span: Span,
}

impl Text {
    fn of(node: &Node) -> Option<Text> {
        Some(Text {
            text: node.scalar_text()?.into(),
            span: node.span,
        })
    }
}

/// The summary of one document.
#[derive(Debug)]
pub struct DocSummary {
    pub path: Arc<Path>,
    /// 0-based position of the document in its file.
    pub index: usize,
    pub id: Option<Text>,
    pub title: Option<Text>,
    pub name: Option<Text>,
    /// The `rules` a correlation or filter names (scalars only: others are the schema's to report).
    pub references: Vec<Text>,
    /// Every `{name}` token of its templates and detection values (the name, at the token).
    pub tokens: Vec<Text>,
    /// `attack.` tags of techniques newer than the embedded table (the technique id, at the tag).
    pub newer_techniques: Vec<Text>,
}

impl DocSummary {
    pub fn of(p: &Parsed<'_>) -> DocSummary {
        let texts = |nodes: Vec<&Node>| nodes.into_iter().filter_map(Text::of).collect();
        DocSummary {
            path: p.doc.path().clone(),
            index: p.doc.index,
            id: p.meta.id.and_then(Text::of),
            title: p.meta.title.and_then(Text::of),
            name: p.meta.name.and_then(Text::of),
            references: texts(references_of(p)),
            tokens: super::placeholders::token_uses(p),
            newer_techniques: super::newer_attack::newer_tags(p),
        }
    }
}

impl Named for DocSummary {
    fn id(&self) -> Option<&str> {
        self.id.as_ref().map(|t| &*t.text)
    }
    fn name(&self) -> Option<&str> {
        self.name.as_ref().map(|t| &*t.text)
    }
    fn path(&self) -> &Path {
        &self.path
    }
}

/// The nodes naming other documents: a correlation's `rules`, a filter's `rules` (unless `any`).
fn references_of<'a>(p: &Parsed<'a>) -> Vec<&'a Node> {
    match &p.body {
        Body::Correlation(c) => c.rules.clone(),
        Body::Filter { rules: Some(r), .. } => match r.as_seq() {
            Some(items) => items.iter().collect(),
            None if r.scalar_text() == Some("any") => Vec::new(),
            None => vec![r],
        },
        _ => Vec::new(),
    }
}
