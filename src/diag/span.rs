//! Positions in source files.
//!
//! Every diagnostic points at a [`Span`]: a byte range plus the 1-based line and column (in characters)
//! of both ends, so emitters never need to re-scan the file to report a location.

/// One position in a source file. `u32` fields: every node of every loaded tree holds two, and a
/// loaded file is at most `catalog::MAX_FILE_BYTES` (8 MiB), so none of them can overflow; a
/// quarter of a tree's memory went to `usize` spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    /// Byte offset from the start of the file.
    pub byte: u32,
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, counted in Unicode scalar values.
    pub col: u32,
}

impl Pos {
    /// A position from `usize` counts; a count past `u32::MAX` (never, within the file size limit)
    /// stays at `u32::MAX` rather than wrapping.
    #[inline]
    pub fn new(byte: usize, line: usize, col: usize) -> Pos {
        let narrow = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Pos {
            byte: narrow(byte),
            line: narrow(line),
            col: narrow(col),
        }
    }

    /// The byte offset as an index into the file's text.
    pub fn at(&self) -> usize {
        self.byte as usize
    }
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
        self.start.byte as usize..self.end.byte as usize
    }
}
