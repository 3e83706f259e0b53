//! Human output in the style of rustc: code, message, `file:line:col`, the source line, a caret, help.

use annotate_snippets::renderer::DecorStyle;
use std::ops::Range;

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
    let start = char_floor(text, span.start.at());
    let end = char_floor(text, span.end.at()).max(start);
    if end > start {
        return start..end;
    }
    match text[start..].chars().next() {
        Some(c) if c != '\n' => start..start + c.len_utf8(),
        _ => start..start,
    }
}

/// Unannotated lines allowed between two annotated places of one file before they are quoted as
/// separate snippets instead of one.
const GAP_LINES: usize = 8;

/// One place to annotate: its byte range in the whole file text and its lines.
struct Place<'d> {
    range: Range<usize>,
    first_line: usize,
    last_line: usize,
    primary: bool,
    label: Option<&'d str>,
}

/// A run of nearby places, quoted as one snippet of only the lines it covers.
struct Window<'d> {
    places: Vec<Place<'d>>,
    first_line: usize,
    last_line: usize,
}

/// Start of the line holding byte `at`.
fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// End (before the line break) of the line holding byte `at`.
fn line_end(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i)
}

/// The snippets of one diagnostic in its own file: each quotes only the lines around its places, with
/// `line_start` set so line numbers stay those of the file. Building them costs the size of those
/// lines, not of the file, so a file with many findings prints in linear time.
fn snippets<'t>(
    text: &'t str,
    path: &str,
    places: Vec<Place<'t>>,
) -> Vec<Snippet<'t, annotate_snippets::Annotation<'t>>> {
    let mut places = places;
    places.sort_by_key(|p| (p.range.start, !p.primary));
    let mut windows: Vec<Window<'t>> = Vec::new();
    for p in places {
        match windows.last_mut() {
            Some(w) if p.first_line <= w.last_line + GAP_LINES => {
                w.last_line = w.last_line.max(p.last_line);
                w.places.push(p);
            }
            _ => windows.push(Window {
                first_line: p.first_line,
                last_line: p.last_line,
                places: vec![p],
            }),
        }
    }
    // The primary place's snippet comes first: its header carries the finding's `file:line:col`.
    if let Some(i) = windows.iter().position(|w| w.places.iter().any(|p| p.primary)) {
        windows[..=i].rotate_right(1);
    }
    windows
        .into_iter()
        .map(|w| {
            let start = w
                .places
                .iter()
                .map(|p| line_start(text, p.range.start))
                .min()
                .unwrap_or(0);
            let end = w
                .places
                .iter()
                .map(|p| line_end(text, p.range.end))
                .max()
                .unwrap_or(start);
            let mut snippet = Snippet::source(&text[start..end])
                .line_start(w.first_line)
                .path(path.to_string())
                .fold(true);
            for p in w.places {
                let kind = if p.primary {
                    AnnotationKind::Primary
                } else {
                    AnnotationKind::Context
                };
                let mut ann = kind.span(p.range.start - start..p.range.end - start);
                if let Some(l) = p.label {
                    ann = ann.label(l);
                }
                snippet = snippet.annotation(ann);
            }
            snippet
        })
        .collect()
}

fn place<'d>(text: &str, span: Span, primary: bool, label: Option<&'d str>) -> Place<'d> {
    let range = visible_range(text, span);
    // The span's own line, unless it does not describe the text (a position past its end, clamped,
    // or no line at all): then it is counted, which is rare and only then costs the text's length.
    let first_line = if span.start.at() <= text.len() && span.start.line > 0 {
        span.start.line as usize
    } else {
        text[..range.start].matches('\n').count() + 1
    };
    let lines_in = text[range.clone()].matches('\n').count();
    Place {
        range,
        first_line,
        last_line: first_line + lines_in,
        primary,
        label,
    }
}

/// `at` clamped to the text and moved back to a character boundary, so slicing cannot panic.
fn char_floor(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

pub fn render_human(diags: &[Diagnostic], sources: &dyn SourceLookup, color: bool) -> String {
    use rayon::prelude::*;
    // Each finding renders on its own, so chunks render in parallel (rendering one by one was a tenth
    // of `check` on a catalog with thousands of findings).
    let chunks: Vec<String> = diags
        .par_chunks(64)
        .map(|chunk| render_chunk(chunk, sources, color))
        .collect();
    chunks.concat()
}

fn render_chunk(diags: &[Diagnostic], sources: &dyn SourceLookup, color: bool) -> String {
    let renderer = if color { Renderer::styled() } else { Renderer::plain() }.decor_style(DecorStyle::Unicode);
    let mut out = String::new();
    // Findings come sorted by file: remember the last file's text instead of looking it up each time.
    let mut cached: Option<(&std::path::Path, Option<&str>)> = None;
    for d in diags {
        let path = display_path(&d.path);
        let text = match cached {
            Some((p, t)) if p == &*d.path => t,
            _ => {
                let t = sources.source(&d.path);
                cached = Some((&d.path, t));
                t
            }
        };
        let title = level(d.severity).primary_title(d.message.as_str()).id(d.code.code);
        let mut group = Group::with_title(title);
        match (d.span, text) {
            (Some(span), Some(text)) => {
                let mut places = vec![place(text, span, true, d.label.as_deref())];
                for r in d.related.iter().filter(|r| r.path == d.path) {
                    if let Some(rs) = r.span {
                        places.push(place(text, rs, false, Some(r.message.as_str())));
                    }
                }
                for snippet in snippets(text, &path, places) {
                    group = group.element(snippet);
                }
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
        if let Some(fix) = &d.fix {
            group = group.element(Level::HELP.message(format!("fixable: {} (`detc check --fix`)", fix.title)));
        }
        out.push_str(&renderer.render(&[group]));
        out.push_str("\n\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::*;
    use crate::diag::{Diagnostic, Pos};

    struct One(&'static str, String);

    impl SourceLookup for One {
        fn source(&self, path: &Path) -> Option<&str> {
            (path == Path::new(self.0)).then_some(self.1.as_str())
        }
    }

    /// The span of `len` bytes at 1-based `line`, `col` of `text` (ASCII).
    fn span(text: &str, line: usize, col: usize, len: usize) -> Span {
        let start: usize = text.split_inclusive('\n').take(line - 1).map(str::len).sum::<usize>() + col - 1;
        Span::new(Pos::new(start, line, col), Pos::new(start + len, line, col + len))
    }

    #[test]
    fn a_span_far_into_a_big_file_keeps_its_line_column_and_source_line() {
        let text: String = (1..=50_000).map(|i| format!("key{i}: value{i}\n")).collect();
        let path: Arc<Path> = Arc::from(Path::new("big.yml"));
        let d = Diagnostic::at(
            &crate::codes::DUPLICATE_KEY,
            &path,
            span(&text, 45_000, 10, 10),
            "far away",
        )
        .label("here")
        .related(&path, Some(span(&text, 44_998, 1, 8)), "close by")
        .related(&path, Some(span(&text, 3, 1, 4)), "far before");
        let out = render_human(&[d], &One("big.yml", text), false);
        assert!(out.contains("╭▸ big.yml:45000:10\n"), "{out}");
        assert!(out.contains("45000 │ key45000: value45000\n"), "{out}");
        assert!(out.contains("│          ━━━━━━━━━━ here"), "{out}");
        assert!(out.contains("44998 │ key44998: value44998\n"), "{out}");
        assert!(
            out.contains("⸬  big.yml:3:1\n") && out.contains("3 │ key3: value3\n"),
            "{out}"
        );
        assert!(
            !out.contains("key44997") && !out.contains("key4:"),
            "only the annotated lines: {out}"
        );
        // The primary snippet comes first, the far related one after it.
        assert!(out.find("45000 │").unwrap() < out.find("    3 │").unwrap(), "{out}");
    }

    #[test]
    fn empty_span_at_the_end_and_a_span_off_a_char_boundary_do_not_panic() {
        let text = "title: é\n".to_string();
        let path: Arc<Path> = Arc::from(Path::new("t.yml"));
        let end = Pos::new(text.len(), 2, 1);
        let inside = Pos {
            byte: 8, // the second byte of `é`
            line: 1,
            col: 8,
        };
        let diags = [
            Diagnostic::at(&crate::codes::YAML_SYNTAX, &path, Span::point(end), "at the end"),
            Diagnostic::at(&crate::codes::YAML_SYNTAX, &path, Span::new(inside, end), "odd"),
        ];
        let out = render_human(&diags, &One("t.yml", text), false);
        assert!(out.contains("t.yml:2:1") && out.contains("t.yml:1:8"), "{out}");
    }
}
