//! One-line scalars for the fast YAML scanner: plain, single-quoted and double-quoted. Each scan
//! looks at the text from the cursor without moving it and answers `None` for anything outside the
//! subset, so the caller can give the whole file to saphyr.

use std::borrow::Cow;

use saphyr_parser::ScalarStyle;

use super::cursor::Cursor;

/// A scalar found on the current line: `start..end` are byte offsets of its whole token (quotes
/// included), `text` its value, borrowed from the source when it is a slice of it.
pub(super) struct Tok<'a> {
    pub text: Cow<'a, str>,
    pub style: ScalarStyle,
    pub start: usize,
    pub end: usize,
}

/// A space, a line break or the end of the text (`Cursor::at` answers 0 there).
pub(super) fn is_blank_or_end(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | 0)
}

fn is_flow_indicator(b: u8) -> bool {
    matches!(b, b',' | b'[' | b']' | b'{' | b'}')
}

/// The scalar starting at the cursor, in block (`flow == false`) or flow-sequence context.
pub(super) fn scan<'a>(c: &Cursor<'a>, flow: bool) -> Option<Tok<'a>> {
    match c.peek() {
        b'\'' => single(c),
        b'"' => double(c),
        _ => plain(c, flow),
    }
}

fn plain<'a>(c: &Cursor<'a>, flow: bool) -> Option<Tok<'a>> {
    let start = c.pos;
    let first = c.peek();
    // Indicators that start something else, or that saphyr reads in ways not followed here.
    if is_flow_indicator(first)
        || is_blank_or_end(first)
        || matches!(
            first,
            b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'%' | b'@' | b'`' | b'?' | b':'
        )
    {
        return None;
    }
    let after = c.at(start + 1);
    if first == b'-' && (is_blank_or_end(after) || is_flow_indicator(after)) {
        return None;
    }
    if !flow {
        return Some(block_plain(c, start));
    }
    let end = plain_end_by_bytes(c, flow)?;
    Some(Tok {
        text: Cow::Borrowed(&c.src[start..end]),
        style: ScalarStyle::Plain,
        start,
        end,
    })
}

/// A plain scalar in block context, from `start` (already known to begin one): it ends at the line
/// break, at a `:` followed by a blank, or at a ` #` comment, less trailing spaces. Only those
/// three bytes need a look, so the scan jumps from one to the next.
fn block_plain<'a>(c: &Cursor<'a>, start: usize) -> Tok<'a> {
    let bytes = c.bytes;
    let mut from = start;
    let stop = loop {
        let Some(n) = memchr::memchr3(b'\n', b':', b'#', &bytes[from..]) else {
            break bytes.len();
        };
        let at = from + n;
        match bytes[at] {
            b'\n' => break at,
            b':' if is_blank_or_end(c.at(at + 1)) => break at,
            b'#' if bytes[at - 1] == b' ' => break at - 1,
            _ => from = at + 1,
        }
    };
    let end = start + bytes[start..stop].iter().rposition(|&b| b != b' ').map_or(0, |p| p + 1);
    Tok {
        text: Cow::Borrowed(&c.src[start..end]),
        style: ScalarStyle::Plain,
        start,
        end,
    }
}

/// Where the plain scalar at the cursor ends, reading every byte, in either context (`None`:
/// inside a flow sequence, something this scanner does not follow). Flow sequences use it; for
/// block context it is [`block_plain`]'s oracle.
fn plain_end_by_bytes(c: &Cursor<'_>, flow: bool) -> Option<usize> {
    let mut i = c.pos;
    let mut end = c.pos;
    loop {
        match c.at(i) {
            b'\n' | 0 => break,
            b':' if is_blank_or_end(c.at(i + 1)) => break,
            b' ' if c.at(i + 1) == b'#' => break,
            b' ' => {}
            b',' | b']' if flow => break,
            // Inside a flow sequence these change the reading; not worth following.
            b'[' | b'{' | b'}' | b'#' | b':' if flow => return None,
            _ => end = i + 1,
        }
        i += 1;
    }
    Some(end)
}

/// `'...'` closed on the same line; `''` stands for one quote.
fn single<'a>(c: &Cursor<'a>) -> Option<Tok<'a>> {
    let start = c.pos;
    let line_end = c.line_end();
    let body = start + 1;
    let mut owned: Option<String> = None;
    let mut run = body;
    let mut i = body;
    loop {
        let q = body_find(c, i, line_end, b'\'')?;
        if c.at(q + 1) == b'\'' {
            owned.get_or_insert_with(String::new).push_str(&c.src[run..=q]);
            i = q + 2;
            run = i;
            continue;
        }
        return Some(Tok {
            text: quoted_text(c, owned, body, run, q),
            style: ScalarStyle::SingleQuoted,
            start,
            end: trailing_end(c, q + 1),
        });
    }
}

/// saphyr ends the span of a quoted scalar (and of a flow sequence's `]`) after the spaces that
/// follow it, and after a comment that follows them.
pub(super) fn trailing_end(c: &Cursor<'_>, after_quote: usize) -> usize {
    let mut i = after_quote;
    while c.at(i) == b' ' {
        i += 1;
    }
    if i > after_quote && c.at(i) == b'#' {
        return memchr::memchr(b'\n', &c.bytes[i..]).map_or(c.bytes.len(), |k| i + k);
    }
    i
}

/// A quoted scalar's text, from `body` to the closing quote at `close`: borrowed from the source
/// when nothing was unescaped, else the unescaped part so far (`owned`) and the last run from `run`.
fn quoted_text<'a>(c: &Cursor<'a>, owned: Option<String>, body: usize, run: usize, close: usize) -> Cow<'a, str> {
    match owned {
        None => Cow::Borrowed(&c.src[body..close]),
        Some(mut s) => {
            s.push_str(&c.src[run..close]);
            Cow::Owned(s)
        }
    }
}

fn body_find(c: &Cursor<'_>, from: usize, line_end: usize, what: u8) -> Option<usize> {
    memchr::memchr(what, &c.bytes[from..line_end]).map(|i| from + i)
}

/// `"..."` closed on the same line, with the common escapes; any other escape is left to saphyr.
fn double<'a>(c: &Cursor<'a>) -> Option<Tok<'a>> {
    let start = c.pos;
    let line_end = c.line_end();
    let body = start + 1;
    let mut owned: Option<String> = None;
    let mut run = body;
    let mut i = body;
    loop {
        let at = memchr::memchr2(b'"', b'\\', &c.bytes[i..line_end]).map(|k| i + k)?;
        if c.at(at) == b'"' {
            return Some(Tok {
                text: quoted_text(c, owned, body, run, at),
                style: ScalarStyle::DoubleQuoted,
                start,
                end: trailing_end(c, at + 1),
            });
        }
        let unescaped = match c.at(at + 1) {
            b'\\' => '\\',
            b'"' => '"',
            b'/' => '/',
            b'n' => '\n',
            b't' => '\t',
            b'r' => '\r',
            b'0' => '\0',
            _ => return None,
        };
        let s = owned.get_or_insert_with(String::new);
        s.push_str(&c.src[run..at]);
        s.push(unescaped);
        i = at + 2;
        run = i;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Jumping between line breaks, colons and hashes ends a block scalar where reading every
        /// byte did (at every start offset of the text).
        #[test]
        fn block_plain_ends_where_the_byte_loop_ends(text in "[a-z :#\\-é]{0,40}\n?[a-z :#]{0,10}\n", at in 0usize..60) {
            let mut c = Cursor::new(&text);
            c.pos = at.min(text.len());
            prop_assume!(text.is_char_boundary(c.pos));
            if let Some(tok) = plain(&c, false) {
                prop_assert_eq!(Some(tok.end), plain_end_by_bytes(&c, false));
            }
        }
    }
}
