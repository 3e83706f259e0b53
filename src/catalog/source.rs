//! A loaded source file and the mapping from parser positions to [`Span`]s.

use std::path::Path;
use std::sync::Arc;

use crate::diag::{Pos, Span};

/// The text of one catalog file, kept for the lifetime of a run so diagnostics can quote it.
#[derive(Debug)]
pub struct SourceFile {
    pub path: Arc<Path>,
    pub text: String,
    /// Byte offset at which each line starts; `u32` halves what a large catalog keeps for its files
    /// (a loaded file is at most [`super::MAX_FILE_BYTES`]).
    line_starts: Vec<u32>,
    /// When the file is pure ASCII a character index is a byte offset: the common, fast case.
    ascii: bool,
}

impl SourceFile {
    pub fn new(path: Arc<Path>, text: String) -> Self {
        let mut line_starts = vec![0];
        line_starts
            .extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX)));
        line_starts.shrink_to_fit();
        let ascii = text.is_ascii();
        SourceFile {
            path,
            text,
            line_starts,
            ascii,
        }
    }

    /// Position from a 1-based line and a 0-based character column (what the YAML parser reports).
    #[inline]
    pub fn pos(&self, line: usize, col0: usize) -> Pos {
        let line = line.clamp(1, self.line_starts.len());
        let start = self.line_starts[line - 1] as usize;
        let byte = if self.ascii {
            start + col0
        } else {
            self.byte_of_char(start, col0)
        };
        Pos::new(byte.min(self.text.len()), line, col0 + 1)
    }

    /// Byte offset of the `col0`-th character after `start` (out of line: the YAML builder asks
    /// for every node's position, and ASCII texts need no count).
    #[inline(never)]
    fn byte_of_char(&self, start: usize, col0: usize) -> usize {
        let rest = &self.text[start..];
        start + rest.char_indices().nth(col0).map_or(rest.len(), |(b, _)| b)
    }

    /// Position of a byte offset (must lie on a character boundary).
    pub fn pos_at_byte(&self, byte: usize) -> Pos {
        let byte = byte.min(self.text.len());
        let at = u32::try_from(byte).unwrap_or(u32::MAX);
        let line_idx = match self.line_starts.binary_search(&at) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = (self.line_starts[line_idx] as usize).min(byte);
        let col = if self.ascii {
            byte - start
        } else {
            self.text[start..byte].chars().count()
        };
        Pos::new(byte, line_idx + 1, col + 1)
    }

    /// The span of a byte range.
    pub fn span_of_bytes(&self, range: std::ops::Range<usize>) -> Span {
        Span::new(self.pos_at_byte(range.start), self.pos_at_byte(range.end))
    }

    /// The text of the 1-based line `line`, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        if line == 0 || line > self.line_starts.len() {
            return "";
        }
        let start = self.line_starts[line - 1] as usize;
        let end = self.line_starts.get(line).map_or(self.text.len(), |&e| e as usize);
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_in_ascii_and_unicode_text() {
        let f = SourceFile::new(Arc::from(Path::new("x.yml")), "ab\nçd: x\n".to_string());
        assert_eq!(f.pos(2, 1).byte, 5, "ç is two bytes");
        assert_eq!(
            f.pos_at_byte(5),
            Pos {
                byte: 5,
                line: 2,
                col: 2
            }
        );
        assert_eq!(f.line_text(2), "çd: x");
    }
}
