//! Finding `# detc: …` suppression comments in a file's raw text.
//!
//! The YAML tree keeps no comments, so the text is scanned line by line. A `#` starts a comment only
//! at the start of a line or after a blank (as in YAML), and never inside a quoted or block scalar:
//! the tree knows those scalars' byte ranges, so `title: 'a # detc: ignore[C203]'` and the lines of a
//! `|` block are text, not comments.

use std::ops::Range;

use crate::catalog::SourceFile;
use crate::catalog::yaml::{Node, Style, Value};
use crate::codes;
use crate::config::unknown_selector_help;
use crate::diag::{Diagnostic, Span};

/// Where a suppression applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Findings that start on this 1-based line.
    Line(usize),
    /// Every finding of the file.
    File,
}

/// One code of a suppression comment, and where it is written.
#[derive(Debug, Clone)]
pub struct Selector {
    pub text: String,
    pub span: Span,
}

/// One valid `# detc: ignore[…]` or `# detc: ignore-file[…]` comment.
#[derive(Debug, Clone)]
pub struct Directive {
    pub scope: Scope,
    pub selectors: Vec<Selector>,
}

/// The suppressions of one file, and the comments that look like one but are not valid.
#[derive(Debug, Default)]
pub struct Scanned {
    pub directives: Vec<Directive>,
    pub invalid: Vec<Diagnostic>,
}

/// Byte ranges of the quoted and block scalars under `node`, where a `#` is text.
pub fn text_ranges(node: &Node, out: &mut Vec<Range<usize>>) {
    let mut todo = vec![node];
    while let Some(n) = todo.pop() {
        match &n.value {
            Value::Scalar(s) if s.style != Style::Plain => out.push(n.span.byte_range()),
            Value::Scalar(_) => {}
            Value::Seq(items) => todo.extend(items),
            Value::Map(entries) => todo.extend(entries.iter().flat_map(|e| [&e.key, &e.value])),
        }
    }
}

/// Scan `file` for suppression comments; `text` are its quoted and block scalars' byte ranges.
pub fn scan(file: &SourceFile, mut text: Vec<Range<usize>>) -> Scanned {
    text.sort_by_key(|r| r.start);
    let mut out = Scanned::default();
    // Own-line comments wait for the next line that is not a comment: that is the line they cover.
    let mut pending: Vec<(usize, &str)> = Vec::new();
    let mut header = true;
    let mut offset = 0;
    for (i, raw) in file.text.split_inclusive('\n').enumerate() {
        let line_no = i + 1;
        let line = raw.trim_end_matches(['\n', '\r']);
        let comment = comment_start(line, offset, &text);
        let own_line = comment.is_some_and(|c| line[..c].trim().is_empty());
        if !own_line {
            for (at, body) in pending.drain(..) {
                directive(file, at, body, Scope::Line(line_no), &mut out);
            }
            header &= line.trim().is_empty();
        }
        if let Some(c) = comment {
            let body = &line[c + 1..];
            match (own_line, file_directive(body)) {
                (true, true) if header => directive(file, offset + c, body, Scope::File, &mut out),
                (_, true) => out.invalid.push(invalid(
                    file,
                    offset + c,
                    line.len() - c,
                    "`ignore-file` applies only in the comment block at the top of the file",
                    "move it above the first key, or use `# detc: ignore[…]` on the line of the finding",
                )),
                (true, false) => pending.push((offset + c, body)),
                (false, false) => directive(file, offset + c, body, Scope::Line(line_no), &mut out),
            }
        }
        offset += raw.len();
    }
    // Comments at the end of the file cover no line.
    for (at, body) in pending {
        directive(file, at, body, Scope::Line(usize::MAX), &mut out);
    }
    out
}

/// The byte index in `line` of the `#` that starts a comment, if any.
fn comment_start(line: &str, offset: usize, text: &[Range<usize>]) -> Option<usize> {
    let bytes = line.as_bytes();
    line.match_indices('#').map(|(i, _)| i).find(|&i| {
        // A byte-order mark is not text: `#` right after it still starts the file's first comment.
        let starts = i == 0 || matches!(bytes[i - 1], b' ' | b'\t') || (offset == 0 && &line[..i] == "\u{feff}");
        starts && !inside(text, offset + i)
    })
}

/// Whether `byte` lies in one of the sorted `ranges`.
fn inside(ranges: &[Range<usize>], byte: usize) -> bool {
    let after = ranges.partition_point(|r| r.start <= byte);
    after > 0 && byte < ranges[after - 1].end
}

/// The words of a comment after `detc:`, or `None` when the comment is not addressed to detc.
fn addressed(body: &str) -> Option<&str> {
    body.trim_start().strip_prefix("detc:").map(str::trim_start)
}

fn file_directive(body: &str) -> bool {
    addressed(body).is_some_and(|rest| rest.starts_with("ignore-file"))
}

/// Parse the comment whose `#` is at byte `at` (its text after `#` is `body`) and add it to `out`.
fn directive(file: &SourceFile, at: usize, body: &str, scope: Scope, out: &mut Scanned) {
    let Some(rest) = addressed(body) else {
        return;
    };
    let keyword = if scope == Scope::File { "ignore-file" } else { "ignore" };
    let list = rest
        .strip_prefix(keyword)
        .and_then(|r| r.strip_prefix('['))
        .and_then(|r| r.split_once(']'));
    let Some((inner, _reason)) = list else {
        out.invalid.push(invalid(
            file,
            at,
            body.len() + 1,
            &format!("`#{body}` is not a detc suppression"),
            "write `# detc: ignore[CODE, …] reason` on the line of the finding or alone on the line above it, \
             or `# detc: ignore-file[CODE, …] reason` at the top of the file",
        ));
        return;
    };
    // Byte offset of the list inside the file: `#` + the body up to the list.
    let inner_at = at + 1 + (inner.as_ptr() as usize - body.as_ptr() as usize);
    let selectors = selectors(file, inner, inner_at, out);
    if selectors.is_empty() && inner.trim().is_empty() {
        out.invalid.push(invalid(
            file,
            at,
            body.len() + 1,
            "the suppression names no code",
            "name the codes it suppresses, e.g. `# detc: ignore[C203] reason`",
        ));
    }
    if !selectors.is_empty() {
        out.directives.push(Directive { scope, selectors });
    }
}

/// The comma-separated codes of `list` (which starts at byte `list_at` of the file); an unknown one
/// is reported in `out` with the nearest code.
fn selectors(file: &SourceFile, list: &str, list_at: usize, out: &mut Scanned) -> Vec<Selector> {
    let mut found = Vec::new();
    let mut pos = 0;
    for part in list.split(',') {
        let token = part.trim();
        let start = list_at + pos + (part.len() - part.trim_start().len());
        pos += part.len() + 1;
        if token.is_empty() {
            continue;
        }
        let span = file.span_of_bytes(start..start + token.len());
        if codes::is_selector(token) {
            found.push(Selector {
                text: token.to_string(),
                span,
            });
        } else {
            out.invalid.push(
                Diagnostic::at(
                    &codes::INVALID_SUPPRESSION,
                    &file.path,
                    span,
                    format!("`{token}` in a suppression comment matches no lint code, prefix or name"),
                )
                .label("unknown code")
                .help(unknown_selector_help(token)),
            );
        }
    }
    found
}

fn invalid(file: &SourceFile, at: usize, len: usize, message: &str, help: &str) -> Diagnostic {
    Diagnostic::at(
        &codes::INVALID_SUPPRESSION,
        &file.path,
        file.span_of_bytes(at..at + len),
        message,
    )
    .help(help)
}
