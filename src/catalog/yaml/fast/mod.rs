//! A fast path for the YAML that Sigma rules use.
//!
//! saphyr's scanner is general and careful, and `check` spent close to half its instructions in
//! it. Rule files use a small part of YAML: block mappings and sequences, one-line scalars, block
//! scalars and short flow sequences. This scanner reads only that part and produces exactly the
//! `(Event, Span)` stream saphyr would. Whenever it meets anything else (or anything it is unsure
//! of, including every syntax error) it gives up on the whole file, having produced nothing, and
//! the caller parses the file with saphyr, which stays the reference for the rest of YAML and for
//! diagnostics. Parity is checked by tests that compare both streams on every rule file we hold
//! and on mutated and generated texts.

mod block;
mod cursor;
mod document;
mod literal;
mod multiline;
mod scalar;

#[cfg(test)]
mod cases;
#[cfg(test)]
mod parity_tests;
#[cfg(test)]
mod proptests;

use saphyr_parser::{Event, Marker, Span};

use cursor::Cursor;

/// The event stream saphyr would produce for `src`, or `None` when the text is outside the subset.
pub fn events(src: &str) -> Option<Vec<(Event<'_>, Span)>> {
    // Without a final line break saphyr closes collections at two different places depending on
    // their indentation and the last line's length; rule files end with one.
    if !plain_characters(src.as_bytes()) || !(src.is_empty() || src.ends_with('\n')) {
        return None;
    }
    let mut p = Fast {
        c: Cursor::new(src),
        out: Vec::with_capacity(src.len() / 8),
        depth: 0,
    };
    p.stream()?;
    Some(p.out)
}

/// Nesting past this is left to saphyr, which reports the limits.
const MAX_DEPTH: usize = 48;

pub(super) struct Fast<'a> {
    c: Cursor<'a>,
    out: Vec<(Event<'a>, Span)>,
    depth: usize,
}

impl<'a> Fast<'a> {
    fn emit(&mut self, event: Event<'a>, start: Marker, end: Marker) {
        self.out.push((event, Span::new(start, end)));
    }

    fn emit_at(&mut self, event: Event<'a>, at: Marker) {
        self.emit(event, at, at);
    }

    /// Marker of the cursor, with saphyr's placement of the end of the stream.
    fn here(&self) -> Marker {
        if self.c.at_eof() {
            self.c.eof_mark()
        } else {
            self.c.mark()
        }
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }
}

/// Rejects texts with bytes whose reading is subtle (tabs, carriage returns, other control
/// characters, a byte-order mark, NEL, C1 controls and Unicode line separators): rare in rules,
/// and exactly where a hand-written scanner would drift from saphyr.
fn plain_characters(bytes: &[u8]) -> bool {
    let (mut prev2, mut prev) = (0u8, 0u8);
    for &b in bytes {
        let bad = (b < 0x20 && b != b'\n')
            || b == 0x7f
            || (prev == 0xC2 && (0x80..=0xA0).contains(&b))
            || (prev2 == 0xEF && prev == 0xBB && b == 0xBF)
            || (prev2 == 0xE2 && prev == 0x80 && (b == 0xA8 || b == 0xA9));
        if bad {
            return false;
        }
        (prev2, prev) = (prev, b);
    }
    true
}
