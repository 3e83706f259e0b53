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
///
/// Blocks of printable ASCII and line breaks (nearly all of a rule file) are settled by a test the
/// compiler vectorizes; only a block holding another byte is read byte by byte.
fn plain_characters(bytes: &[u8]) -> bool {
    const BLOCK: usize = 64;
    let simple = |b: u8| (0x20..0x7f).contains(&b) || b == b'\n';
    (0..bytes.len()).step_by(BLOCK).all(|start| {
        let block = &bytes[start..bytes.len().min(start + BLOCK)];
        block.iter().fold(true, |all, &b| all & simple(b)) || plain_characters_from(bytes, start, block.len())
    })
}

/// [`plain_characters`] for the `len` bytes at `start`, each read with the two bytes before it (a
/// sequence to reject can begin in the block before).
fn plain_characters_from(bytes: &[u8], start: usize, len: usize) -> bool {
    let before = |back: usize| start.checked_sub(back).map_or(0, |i| bytes[i]);
    let (mut prev2, mut prev) = (before(2), before(1));
    for &b in &bytes[start..start + len] {
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
