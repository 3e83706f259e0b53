//! The typed Sigma model: rules, correlations and filters read from the YAML tree.
//!
//! The model borrows from the loaded [`Document`]s, so every part keeps its node (and span). Shape
//! errors are the schema's to report; the model keeps whatever is well-formed so lints can run on the
//! rest of a document.

pub mod cidr;
pub mod condition;
pub mod correlation;
pub mod detection;
pub mod doc_key;
pub mod index;
pub mod item_spec;
pub mod meta;
pub mod modifier;
pub mod pcre;
pub mod sigma_string;
pub mod tokens;

use crate::catalog::{DocKind, Document};
use correlation::Correlation;
use detection::Detection;
use meta::Meta;

/// What a document is, with its kind-specific part.
#[derive(Debug)]
pub enum Body<'a> {
    Rule(Detection<'a>),
    Correlation(Correlation<'a>),
    /// A meta-filter: its selections and condition, and the rules it targets.
    Filter {
        detection: Detection<'a>,
        rules: Option<&'a crate::catalog::yaml::Node>,
    },
}

/// One parsed document.
#[derive(Debug)]
pub struct Parsed<'a> {
    pub doc: &'a Document,
    pub meta: Meta<'a>,
    pub body: Body<'a>,
}

impl<'a> Parsed<'a> {
    pub fn parse(doc: &'a Document) -> Parsed<'a> {
        let root = &doc.root;
        let empty = &EMPTY;
        let body = match doc.kind {
            DocKind::Rule => Body::Rule(Detection::parse(root.get("detection").unwrap_or(empty), &[])),
            DocKind::Correlation => Body::Correlation(Correlation::parse(root.get("correlation").unwrap_or(empty))),
            DocKind::Filter => {
                let f = root.get("filter").unwrap_or(empty);
                Body::Filter {
                    detection: Detection::parse(f, &["rules"]),
                    rules: f.get("rules"),
                }
            }
        };
        Parsed {
            doc,
            meta: Meta::parse(root),
            body,
        }
    }

    pub fn detection(&self) -> Option<&Detection<'a>> {
        match &self.body {
            Body::Rule(d) | Body::Filter { detection: d, .. } => Some(d),
            Body::Correlation(_) => None,
        }
    }

    pub fn correlation(&self) -> Option<&Correlation<'a>> {
        match &self.body {
            Body::Correlation(c) => Some(c),
            _ => None,
        }
    }
}

static EMPTY: crate::catalog::yaml::Node = crate::catalog::yaml::Node {
    value: crate::catalog::yaml::Value::Map(Vec::new()),
    span: crate::diag::Span {
        start: crate::diag::Pos {
            byte: 0,
            line: 0,
            col: 0,
        },
        end: crate::diag::Pos {
            byte: 0,
            line: 0,
            col: 0,
        },
    },
};
