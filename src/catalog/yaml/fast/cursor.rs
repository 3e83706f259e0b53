//! Position keeping for the fast YAML scanner: a byte cursor that knows its line, and turns byte
//! offsets into saphyr's markers (1-based line, 0-based column and index counted in characters).

use saphyr_parser::Marker;

pub(super) struct Cursor<'a> {
    pub src: &'a str,
    pub bytes: &'a [u8],
    /// Byte offset of the next unread byte.
    pub pos: usize,
    /// Line of `pos`, 1-based.
    line: usize,
    /// Byte offset and character index at which the current line starts.
    line_start: usize,
    line_start_chars: usize,
    /// A pure-ASCII text lets byte offsets stand for character counts.
    ascii: bool,
}

impl<'a> Cursor<'a> {
    pub fn new(src: &'a str) -> Self {
        Cursor {
            src,
            bytes: src.as_bytes(),
            pos: 0,
            line: 1,
            line_start: 0,
            line_start_chars: 0,
            ascii: src.is_ascii(),
        }
    }

    /// The byte at `at`, or 0 past the end (the text holds no NUL: the prepass rejects it).
    #[inline]
    pub fn at(&self, at: usize) -> u8 {
        self.bytes.get(at).copied().unwrap_or(0)
    }

    #[inline]
    pub fn peek(&self) -> u8 {
        self.at(self.pos)
    }

    pub fn at_eof(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    /// Column, in bytes, of `pos` on its line.
    pub fn byte_col(&self) -> usize {
        self.pos - self.line_start
    }

    /// Marker of byte offset `at`, which lies on the current line.
    #[inline]
    pub fn mark_at(&self, at: usize) -> Marker {
        let col = if self.ascii {
            at - self.line_start
        } else {
            self.src[self.line_start..at].chars().count()
        };
        Marker::new(self.line_start_chars + col, self.line, col)
    }

    #[inline]
    pub fn mark(&self) -> Marker {
        self.mark_at(self.pos)
    }

    /// Where saphyr puts the end of the stream: one line past the last, column 0, even when the
    /// text does not end with a line break.
    pub fn eof_mark(&self) -> Marker {
        let breaks = memchr::memchr_iter(b'\n', self.bytes).count();
        let unterminated = usize::from(!self.bytes.is_empty() && !self.src.ends_with('\n'));
        let chars = if self.ascii {
            self.bytes.len()
        } else {
            self.src.chars().count()
        };
        Marker::new(chars, breaks + 1 + unterminated, 0)
    }

    /// Offset of the line break ending the current line, or the end of the text.
    pub fn line_end(&self) -> usize {
        memchr::memchr(b'\n', &self.bytes[self.pos..]).map_or(self.bytes.len(), |i| self.pos + i)
    }

    /// Moves to the start of the next line; `pos` must be at the current line's break.
    pub fn next_line(&mut self) {
        debug_assert_eq!(self.peek(), b'\n');
        let chars = if self.ascii {
            self.pos - self.line_start
        } else {
            self.src[self.line_start..self.pos].chars().count()
        };
        self.pos += 1;
        self.line_start_chars += chars + 1;
        self.line_start = self.pos;
        self.line += 1;
    }

    pub fn skip_spaces(&mut self) {
        while self.peek() == b' ' {
            self.pos += 1;
        }
    }
}
