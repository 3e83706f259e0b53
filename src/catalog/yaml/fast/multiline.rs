//! Plain scalars that go on over more lines, as rule descriptions often do. saphyr folds them:
//! one line break becomes a space, a run of blank lines becomes that many line breaks, and the
//! indentation and trailing spaces of each line are dropped.

use saphyr_parser::{Event, ScalarStyle};

use super::Fast;
use super::scalar::Tok;

impl<'a> Fast<'a> {
    /// Emits the plain scalar `first` (a value whose first line ended without a comment) with any
    /// lines indented past `parent` that continue it, and moves to the next content line.
    pub(super) fn plain_value(&mut self, first: Tok<'a>, parent: usize) -> Option<()> {
        let start = self.c.mark_at(first.start);
        let mut end = self.c.mark_at(first.end);
        let mut text = first.text;
        while !self.c.at_eof() {
            self.c.next_line();
            let breaks = self.skip_empty_lines();
            if self.c.at_eof() || self.c.byte_col() <= parent || self.c.peek() == b'#' {
                break;
            }
            let (from, to) = self.continuation_line()?;
            let joined = text.to_mut();
            if breaks == 0 {
                joined.push(' ');
            } else {
                joined.extend(std::iter::repeat_n('\n', breaks));
            }
            joined.push_str(&self.c.src[from..to]);
            end = self.c.mark_at(to);
            self.c.pos = self.c.line_end();
        }
        self.emit(Event::Scalar(text, ScalarStyle::Plain, 0, None), start, end);
        // The cursor is at the first character of a line that is not part of the scalar.
        self.skip_blank_lines(Some(parent))
    }

    /// Skips lines holding nothing but spaces; answers how many there were.
    fn skip_empty_lines(&mut self) -> usize {
        let mut breaks = 0;
        loop {
            self.c.skip_spaces();
            if self.c.peek() != b'\n' {
                return breaks;
            }
            breaks += 1;
            self.c.next_line();
        }
    }

    /// The content of a continuation line at the cursor, as byte offsets. Lines that start with
    /// an indicator, or that hold `: ` or a comment, are left to saphyr.
    fn continuation_line(&self) -> Option<(usize, usize)> {
        let from = self.c.pos;
        if matches!(
            self.c.peek(),
            b'-' | b'?'
                | b':'
                | b','
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b'&'
                | b'*'
                | b'!'
                | b'|'
                | b'>'
                | b'\''
                | b'"'
                | b'%'
                | b'@'
                | b'`'
        ) {
            return None;
        }
        let line = &self.c.bytes[from..self.c.line_end()];
        if line.windows(2).any(|w| w == b": " || w == b" #") || line.ends_with(b":") {
            return None;
        }
        let content = line.len() - line.iter().rev().take_while(|&&b| b == b' ').count();
        Some((from, from + content))
    }
}
