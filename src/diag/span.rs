//! Positions in source files.
//!
//! Every diagnostic points at a [`Span`]: a byte range plus the 1-based line and column (in characters)
//! of both ends, so emitters never need to re-scan the file to report a location.

/// One position in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    /// Byte offset from the start of the file.
    pub byte: usize,
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in Unicode scalar values.
    pub col: usize,
}

/// A range in one source file, `start` inclusive, `end` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    pub fn new(start: Pos, end: Pos) -> Self {
        Span { start, end }
    }

    /// An empty span at one position.
    pub fn point(at: Pos) -> Self {
        Span { start: at, end: at }
    }

    /// The smallest span covering both `self` and `other`.
    pub fn join(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn byte_range(&self) -> std::ops::Range<usize> {
        self.start.byte..self.end.byte
    }
}
