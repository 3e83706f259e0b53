//! Human output in the style of rustc: code, message, `file:line:col`, the source line, a caret, help.

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use super::{SourceLookup, display_path};
use crate::diag::{Diagnostic, Severity, Span};

fn level(s: Severity) -> Level<'static> {
    match s {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    }
}

/// Widen an empty span to the character it sits on, so the caret shows.
fn visible_range(text: &str, span: Span) -> std::ops::Range<usize> {
    let start = span.start.byte.min(text.len());
    let end = span.end.byte.min(text.len()).max(start);
    if end > start {
        return start..end;
    }
    match text[start..].chars().next() {
        Some(c) if c != '\n' => start..start + c.len_utf8(),
        _ => start..start,
    }
}

pub fn render_human(diags: &[Diagnostic], sources: &dyn SourceLookup, color: bool) -> String {
    let renderer = if color { Renderer::styled() } else { Renderer::plain() }.decor_style(DecorStyle::Unicode);
    let mut out = String::new();
    for d in diags {
        let path = display_path(&d.path);
        let title = level(d.severity).primary_title(d.message.as_str()).id(d.code.code);
        let mut group = Group::with_title(title);
        match (d.span, sources.source(&d.path)) {
            (Some(span), Some(text)) => {
                let mut ann = AnnotationKind::Primary.span(visible_range(text, span));
                if let Some(l) = &d.label {
                    ann = ann.label(l.as_str());
                }
                let mut snippet = Snippet::source(text).path(path.clone()).fold(true).annotation(ann);
                for r in d.related.iter().filter(|r| r.path == d.path) {
                    if let Some(rs) = r.span {
                        snippet = snippet.annotation(
                            AnnotationKind::Context
                                .span(visible_range(text, rs))
                                .label(r.message.as_str()),
                        );
                    }
                }
                group = group.element(snippet);
            }
            (Some(span), None) => {
                group = group.element(Level::NOTE.message(format!("at {path}:{}:{}", span.start.line, span.start.col)));
            }
            (None, _) => group = group.element(Level::NOTE.message(format!("in {path}"))),
        }
        for r in d.related.iter().filter(|r| r.path != d.path) {
            let at = r
                .span
                .map_or(String::new(), |s| format!(":{}:{}", s.start.line, s.start.col));
            group = group.element(Level::NOTE.message(format!("{}: {}{}", r.message, display_path(&r.path), at)));
        }
        if let Some(h) = &d.help {
            group = group.element(Level::HELP.message(h.as_str()));
        }
        out.push_str(&renderer.render(&[group]));
        out.push_str("\n\n");
    }
    out
}
