//! The stream and its documents for the fast YAML scanner, and the moves between lines: what may
//! end a line, and where the next token starts.

use std::borrow::Cow;

use saphyr_parser::{Event, Marker, ScalarStyle};

use super::Fast;
use super::scalar::is_blank_or_end;

/// What the cursor stands at after skipping blank and comment lines.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum At {
    Eof,
    /// `---` at column 0.
    DocStart,
    /// `...` at column 0.
    DocEnd,
    /// The first character of a content line, at this column.
    Col(usize),
}

impl<'a> Fast<'a> {
    pub(super) fn stream(&mut self) -> Option<()> {
        let origin = Marker::new(0, 1, 0);
        self.emit_at(Event::StreamStart, origin);
        self.skip_blank_lines(None)?;
        loop {
            match self.at() {
                At::Eof => {
                    let end = self.c.eof_mark();
                    self.emit_at(Event::StreamEnd, end);
                    return Some(());
                }
                At::DocEnd => return None,
                At::DocStart => self.explicit_document()?,
                At::Col(_) => {
                    let start = self.c.mark();
                    self.emit_at(Event::DocumentStart(false), start);
                    self.root()?;
                }
            }
            self.document_end()?;
        }
    }

    fn explicit_document(&mut self) -> Option<()> {
        let (start, end) = self.marker_token();
        self.emit(Event::DocumentStart(true), start, end);
        self.c.pos += 3;
        self.finish_line()?;
        self.next_content(None)?;
        match self.at() {
            At::Col(_) => self.root(),
            // An empty last document: saphyr gives it one empty plain scalar.
            At::Eof => {
                let end = self.c.eof_mark();
                self.emit_at(Event::Scalar(Cow::Borrowed(""), ScalarStyle::Plain, 0, None), end);
                Some(())
            }
            At::DocStart | At::DocEnd => None,
        }
    }

    /// The root node: a block mapping or a block sequence.
    fn root(&mut self) -> Option<()> {
        let col = self.c.byte_col();
        if self.at_entry() {
            return self.block_seq(col, false);
        }
        let key = self.key()?;
        self.block_map(col, key)
    }

    fn document_end(&mut self) -> Option<()> {
        match self.at() {
            At::Eof => {
                let end = self.c.eof_mark();
                self.emit_at(Event::DocumentEnd, end);
            }
            // The next `---` both ends this document and starts the next one.
            At::DocStart => {
                let (start, end) = self.marker_token();
                self.emit(Event::DocumentEnd, start, end);
            }
            At::DocEnd => {
                let (start, end) = self.marker_token();
                self.emit(Event::DocumentEnd, start, end);
                self.c.pos += 3;
                self.finish_line()?;
                self.next_content(None)?;
                if !matches!(self.at(), At::Eof | At::DocStart) {
                    return None;
                }
            }
            At::Col(_) => return None,
        }
        Some(())
    }

    fn marker_token(&self) -> (Marker, Marker) {
        (self.c.mark(), self.c.mark_at(self.c.pos + 3))
    }

    pub(super) fn at(&self) -> At {
        if self.c.at_eof() {
            return At::Eof;
        }
        let col = self.c.byte_col();
        if col == 0 && is_blank_or_end(self.c.at(self.c.pos + 3)) {
            match &self.c.bytes[self.c.pos..(self.c.pos + 3).min(self.c.bytes.len())] {
                b"---" => return At::DocStart,
                b"..." => return At::DocEnd,
                _ => {}
            }
        }
        At::Col(col)
    }

    /// At a sequence entry: `-` followed by a space, a line break or the end.
    pub(super) fn at_entry(&self) -> bool {
        self.c.peek() == b'-' && is_blank_or_end(self.c.at(self.c.pos + 1))
    }

    /// After a token: only spaces and a comment may follow on its line. Answers whether there was
    /// a comment.
    pub(super) fn finish_line(&mut self) -> Option<bool> {
        self.c.skip_spaces();
        let mut comment = false;
        if self.c.peek() == b'#' {
            if self.c.at(self.c.pos.wrapping_sub(1)) != b' ' {
                return None;
            }
            self.c.pos = self.c.line_end();
            comment = true;
        }
        matches!(self.c.peek(), b'\n' | 0).then_some(comment)
    }

    /// From the end of a line to the first character of the next content line (or the end).
    /// `limit`: after a plain scalar that ended its line, a deeper line would continue the
    /// scalar (or make a comment that saphyr rejects), which is left to saphyr.
    pub(super) fn next_content(&mut self, limit: Option<usize>) -> Option<()> {
        if self.c.at_eof() {
            return Some(());
        }
        self.c.next_line();
        self.skip_blank_lines(limit)
    }

    pub(super) fn skip_blank_lines(&mut self, limit: Option<usize>) -> Option<()> {
        loop {
            self.c.skip_spaces();
            let col = self.c.byte_col();
            match self.c.peek() {
                b'\n' => {}
                0 => return Some(()),
                b => {
                    if limit.is_some_and(|l| col > l) {
                        return None;
                    }
                    if b != b'#' {
                        return Some(());
                    }
                    self.c.pos = self.c.line_end();
                    if self.c.at_eof() {
                        return Some(());
                    }
                }
            }
            self.c.next_line();
        }
    }
}
