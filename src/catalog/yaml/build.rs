//! Building [`Node`] trees from the YAML parser's event stream.
//!
//! The builder is iterative (an explicit stack), so nesting depth cannot overflow the call stack, and
//! it enforces two budgets that make hostile input safe: a maximum nesting depth and a maximum number
//! of nodes per document after alias expansion (an "alias bomb" expands exponentially).

use crate::codes;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError};

use super::fast;

use super::node::{Entry, Node, Resolved, Scalar, Style, Value};
use super::resolve::resolve_plain;
use crate::catalog::source::SourceFile;
use crate::diag::{Diagnostic, Span};

/// Deeper nesting than this is not a Sigma rule; it is rejected before it can hurt later stages.
pub const MAX_DEPTH: usize = 128;
/// Nodes one document may hold once aliases are expanded.
pub const MAX_NODES: usize = 200_000;

/// One YAML document of a file.
#[derive(Debug)]
pub struct YamlDocument {
    /// `None` for an empty document (`---` followed by nothing).
    pub root: Option<Node>,
    pub span: Span,
}

enum Frame {
    Seq {
        start: Span,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        start: Span,
        anchor: usize,
        entries: Vec<Entry>,
        key: Option<Node>,
    },
}

struct Builder<'a> {
    file: &'a SourceFile,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
    root: Option<Node>,
    doc_start: Span,
    diags: Vec<Diagnostic>,
    /// Set when the current document broke a budget; its remaining events are skipped.
    abandoned: bool,
}

/// Parse every document of a file. Documents before a syntax error are kept.
pub fn parse_documents(file: &SourceFile) -> (Vec<YamlDocument>, Vec<Diagnostic>) {
    let mut b = Builder {
        file,
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        root: None,
        doc_start: Span::default(),
        diags: Vec::new(),
        abandoned: false,
    };
    // The fast path covers the YAML that rule files use; anything else, and every syntax error,
    // goes to saphyr, which then parses the whole file from the start.
    let docs = match fast::events(&file.text) {
        Some(events) => b.run(events.into_iter().map(Ok)),
        None => b.run(Parser::new_from_str(&file.text)),
    };
    (docs, b.diags)
}

impl Builder<'_> {
    /// Feeds one event stream (the fast path's or saphyr's) through the builder.
    fn run<'e>(
        &mut self,
        events: impl Iterator<Item = Result<(Event<'e>, saphyr_parser::Span), ScanError>>,
    ) -> Vec<YamlDocument> {
        let b = self;
        let mut docs = Vec::new();
        for item in events {
            let (event, span) = match item {
                Ok(ev) => ev,
                Err(err) => {
                    b.parse_error(&err);
                    break;
                }
            };
            let span = b.span(span);
            match event {
                Event::DocumentStart(_) => b.start_document(span),
                Event::DocumentEnd => {
                    // An empty document arrives as a single empty plain scalar.
                    let root = b.root.take().filter(|_| !b.abandoned).filter(|r| !is_empty_scalar(r));
                    let span = b.doc_start.join(span);
                    if !b.abandoned {
                        docs.push(YamlDocument { root, span });
                    }
                }
                _ if b.abandoned => {}
                ev => b.event(ev, span),
            }
        }
        docs
    }

    /// saphyr stopped: report where and why. Documents already finished are kept.
    fn parse_error(&mut self, err: &ScanError) {
        let file = self.file;
        let m = err.marker();
        let at = Span::point(file.pos(m.line(), m.col()));
        let diag = if err.info().contains("recursion limit") {
            Diagnostic::at(
                &codes::NESTING_TOO_DEEP,
                &file.path,
                at,
                "YAML nesting too deep for the parser",
            )
            .label("nesting limit reached here")
            .help("a Sigma rule never needs this depth; the rest of the file is skipped")
        } else {
            Diagnostic::at(
                &codes::YAML_SYNTAX,
                &file.path,
                at,
                format!("invalid YAML: {}", err.info()),
            )
            .label("the YAML parser stopped here")
            .help("check indentation, unbalanced quotes or brackets, and `key: value` spacing")
        };
        self.diags.push(diag);
    }

    fn span(&self, s: saphyr_parser::Span) -> Span {
        Span::new(
            self.file.pos(s.start.line(), s.start.col()),
            self.file.pos(s.end.line(), s.end.col()),
        )
    }

    fn start_document(&mut self, span: Span) {
        self.stack.clear();
        self.anchors.clear();
        self.nodes = 0;
        self.root = None;
        self.abandoned = false;
        self.doc_start = span;
    }

    fn abandon(&mut self, diag: Diagnostic) {
        self.diags.push(diag);
        self.abandoned = true;
        self.stack.clear();
    }

    fn event(&mut self, event: Event<'_>, span: Span) {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let scalar = scalar(text.into_owned(), style, tag.as_deref());
                self.complete(
                    Node {
                        value: Value::Scalar(scalar),
                        span,
                    },
                    anchor,
                    1,
                );
            }
            Event::SequenceStart(anchor, _) => self.open(
                Frame::Seq {
                    start: span,
                    anchor,
                    items: Vec::new(),
                },
                span,
            ),
            Event::MappingStart(anchor, _) => self.open(
                Frame::Map {
                    start: span,
                    anchor,
                    entries: Vec::new(),
                    key: None,
                },
                span,
            ),
            Event::SequenceEnd | Event::MappingEnd => self.close(span),
            Event::Alias(id) => self.alias(id, span),
            _ => {}
        }
    }

    fn open(&mut self, frame: Frame, span: Span) {
        if self.stack.len() >= MAX_DEPTH {
            let d = Diagnostic::at(
                &codes::NESTING_TOO_DEEP,
                &self.file.path,
                span,
                format!("YAML nesting deeper than {MAX_DEPTH} levels"),
            )
            .label("nesting limit reached here")
            .help("a Sigma rule never needs this depth; the document is skipped");
            self.abandon(d);
            return;
        }
        self.stack.push(frame);
    }

    fn close(&mut self, end: Span) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let (node, anchor) = match frame {
            // Not trimmed to size here: a tree that lives on is copied to exact size by
            // `Catalog::load`, and `check` drops each tree after its file.
            Frame::Seq { start, anchor, items } => (
                Node {
                    value: Value::Seq(items),
                    span: start.join(end),
                },
                anchor,
            ),
            Frame::Map {
                start, anchor, entries, ..
            } => {
                self.check_duplicate_keys(&entries);
                (
                    Node {
                        value: Value::Map(entries),
                        span: start.join(end),
                    },
                    anchor,
                )
            }
        };
        self.complete(node, anchor, 1);
    }

    fn alias(&mut self, id: usize, span: Span) {
        let Some((node, size)) = self.anchors.get(&id) else {
            return;
        };
        let (node, size) = (node.clone_with_span(span), *size);
        self.complete(node, 0, size);
    }

    /// A node is finished: count it, remember it under its anchor, attach it to its parent.
    fn complete(&mut self, node: Node, anchor: usize, size: usize) {
        self.nodes += size;
        if self.nodes > MAX_NODES {
            let d = Diagnostic::at(
                &codes::ALIAS_EXPANSION,
                &self.file.path,
                node.span,
                format!("document expands to more than {MAX_NODES} YAML nodes"),
            )
            .label("expansion limit reached here")
            .help("aliases (`*name`) that repeat anchors exponentially make a YAML bomb; the document is skipped");
            self.abandon(d);
            return;
        }
        if anchor != 0 {
            let total = count_nodes(&node);
            self.anchors.insert(anchor, (node.clone(), total));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push(Entry { key: k, value: node }),
            },
        }
    }

    fn check_duplicate_keys(&mut self, entries: &[Entry]) {
        // A rule's mappings have a handful of keys: comparing with the earlier ones is cheaper than
        // hashing; a map only for the large mappings hostile input can have.
        const SMALL: usize = 16;
        let mut seen: HashMap<&str, &Node> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            let Some(text) = e.key.scalar_text() else {
                continue;
            };
            let first = if entries.len() <= SMALL {
                entries[..i]
                    .iter()
                    .map(|e| &e.key)
                    .find(|k| k.scalar_text() == Some(text))
            } else {
                seen.get(text).copied()
            };
            if let Some(first) = first {
                self.diags.push(
                    Diagnostic::at(
                        &codes::DUPLICATE_KEY,
                        &self.file.path,
                        e.key.span,
                        format!("duplicate key `{text}`"),
                    )
                    .label("defined again here")
                    .help("pySigma keeps only the last value; merge the two entries or rename one")
                    .related(&self.file.path, Some(first.span), "first defined here"),
                );
            } else if entries.len() > SMALL {
                seen.insert(text, &e.key);
            }
        }
    }
}

impl Node {
    /// A copy placed at the alias that refers to it, so findings point at the alias.
    fn clone_with_span(&self, span: Span) -> Node {
        Node {
            value: self.value.clone(),
            span,
        }
    }
}

fn is_empty_scalar(node: &Node) -> bool {
    matches!(&node.value, Value::Scalar(s) if s.text.is_empty() && s.style == Style::Plain)
}

fn count_nodes(node: &Node) -> usize {
    let mut count = 0;
    let mut todo = vec![node];
    while let Some(n) = todo.pop() {
        count += 1;
        match &n.value {
            Value::Scalar(_) => {}
            Value::Seq(items) => todo.extend(items),
            Value::Map(entries) => todo.extend(entries.iter().flat_map(|e| [&e.key, &e.value])),
        }
    }
    count
}

fn scalar(text: String, style: ScalarStyle, tag: Option<&saphyr_parser::Tag>) -> Scalar {
    let style = match style {
        ScalarStyle::Plain => Style::Plain,
        ScalarStyle::SingleQuoted => Style::SingleQuoted,
        ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
        _ => Style::Block,
    };
    let resolved = match (tag.map(|t| t.suffix.as_str()), style) {
        (Some("str"), _) => Resolved::Str,
        (Some("null"), _) => Resolved::Null,
        (Some(_), _) | (None, Style::Plain) => resolve_plain(&text),
        (None, _) => Resolved::Str,
    };
    Scalar { text, style, resolved }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::*;

    fn parse(text: &str) -> (Vec<YamlDocument>, Vec<Diagnostic>) {
        let file = SourceFile::new(Arc::from(Path::new("t.yml")), text.to_string());
        parse_documents(&file)
    }

    #[test]
    fn spans_point_at_values() {
        let (docs, diags) = parse("a: 1\nb:\n  - 'x'\n");
        assert!(diags.is_empty());
        let root = docs[0].root.as_ref().unwrap();
        let x = &root.get("b").unwrap().as_seq().unwrap()[0];
        assert_eq!((x.span.start.line, x.span.start.col), (3, 5));
        assert_eq!(x.as_str(), Some("x"));
        assert_eq!(root.get("a").unwrap().as_scalar().unwrap().resolved, Resolved::Int(1));
    }

    #[test]
    fn several_documents_and_duplicate_keys() {
        let (docs, diags) = parse("a: 1\na: 2\n---\nb: 3\n");
        assert_eq!(docs.len(), 2);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code.code, codes::DUPLICATE_KEY.code);
        assert_eq!(diags[0].span.unwrap().start.line, 2);
    }

    #[test]
    fn alias_bomb_is_stopped() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let (docs, diags) = parse(&text);
        assert!(docs.is_empty());
        assert_eq!(diags[0].code.code, codes::ALIAS_EXPANSION.code);
    }

    #[test]
    fn deep_nesting_is_stopped() {
        let text = "[".repeat(10_000) + &"]".repeat(10_000);
        let (docs, diags) = parse(&text);
        assert!(docs.is_empty());
        assert_eq!(diags[0].code.code, codes::NESTING_TOO_DEEP.code);
    }

    #[test]
    fn syntax_error_keeps_earlier_documents() {
        let (docs, diags) = parse("a: 1\n---\nb: [1, 2\n");
        assert_eq!(docs.len(), 1);
        assert_eq!(diags[0].code.code, codes::YAML_SYNTAX.code);
    }
}
