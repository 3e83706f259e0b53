//! Literal (`|`) and folded (`>`) block scalars for the fast YAML scanner, with `-`/`+` chomping.
//! Explicit indentation indicators, empty scalars and scalars that run into the end of the text
//! without a final line break are left to saphyr.

use saphyr_parser::{Marker, ScalarStyle};

use super::cursor::Cursor;

pub(super) struct Block {
    pub text: String,
    pub style: ScalarStyle,
    pub start: Marker,
    pub end: Marker,
}

#[derive(PartialEq)]
enum Chomp {
    Strip,
    Clip,
    Keep,
}

/// Scans the block scalar whose header is at the cursor. `parent` is the column of the innermost
/// block collection; content must be indented past it. Leaves the cursor where saphyr's scanner
/// stops: after the indentation it consumed on the first line that is not part of the scalar.
pub(super) fn scan(c: &mut Cursor<'_>, parent: usize) -> Option<Block> {
    let style = if c.peek() == b'|' {
        ScalarStyle::Literal
    } else {
        ScalarStyle::Folded
    };
    c.pos += 1;
    let chomp = match c.peek() {
        b'-' => Chomp::Strip,
        b'+' => Chomp::Keep,
        _ => Chomp::Clip,
    };
    if chomp != Chomp::Clip {
        c.pos += 1;
    }
    // The header ends the line, or a comment after a space does.
    c.skip_spaces();
    if c.peek() == b'#' && c.at(c.pos - 1) == b' ' {
        c.pos = c.line_end();
    }
    if c.peek() != b'\n' {
        return None;
    }
    c.next_line();
    let (indent, blank_lines) = first_indent(c, parent)?;
    c.pos += indent;
    let start = c.mark();
    let mut text = String::new();
    let (mut leading_break, mut trailing_breaks, mut leading_blank) = (false, blank_lines, false);
    loop {
        let trailing_blank = c.peek() == b' ';
        if style == ScalarStyle::Folded && leading_break && !leading_blank && !trailing_blank {
            if trailing_breaks == 0 {
                text.push(' ');
            }
        } else if leading_break {
            text.push('\n');
        }
        push_breaks(&mut text, trailing_breaks);
        trailing_breaks = 0;
        leading_blank = trailing_blank;
        let end = c.line_end();
        text.push_str(&c.src[c.pos..end]);
        c.pos = end;
        if c.at_eof() {
            return None;
        }
        c.next_line();
        leading_break = true;
        if !skip_indent(c, indent, &mut trailing_breaks)? {
            break;
        }
    }
    if chomp != Chomp::Strip && leading_break {
        text.push('\n');
    }
    if chomp == Chomp::Keep {
        push_breaks(&mut text, trailing_breaks);
    }
    Some(Block {
        text,
        style,
        start,
        end: c.mark(),
    })
}

fn push_breaks(text: &mut String, n: usize) {
    for _ in 0..n {
        text.push('\n');
    }
}

/// Skips blank lines before the first content line and settles the indentation as saphyr does:
/// the deepest of those lines and the content line, and at least one past the parent. Leaves the
/// cursor at the start of the content line; answers the indentation and the blank lines skipped.
fn first_indent(c: &mut Cursor<'_>, parent: usize) -> Option<(usize, usize)> {
    let (mut deepest, mut blank_lines) = (0, 0);
    loop {
        let line = c.pos;
        c.skip_spaces();
        deepest = deepest.max(c.pos - line);
        match c.peek() {
            b'\n' => {
                blank_lines += 1;
                c.next_line();
            }
            0 => return None,
            _ => {
                let col = c.pos - line;
                let indent = deepest.max(parent + 1);
                // A shallower content line means an empty scalar (or an error): saphyr's business.
                if col != indent {
                    return None;
                }
                c.pos = line;
                return Some((indent, blank_lines));
            }
        }
    }
}

/// At the start of a line after content: consumes up to `indent` spaces of each line, counting the
/// blank ones. `Some(true)` when another content line follows, `Some(false)` when the scalar ended
/// (the cursor then stays after the spaces consumed, where saphyr's end mark is).
fn skip_indent(c: &mut Cursor<'_>, indent: usize, breaks: &mut usize) -> Option<bool> {
    loop {
        let line = c.pos;
        while c.pos - line < indent && c.peek() == b' ' {
            c.pos += 1;
        }
        match c.peek() {
            b'\n' => {
                *breaks += 1;
                c.next_line();
            }
            // Spaces up to the end of an unterminated text: left to saphyr.
            0 if c.pos > line => return None,
            0 => return Some(false),
            _ => return Some(c.pos - line == indent),
        }
    }
}
