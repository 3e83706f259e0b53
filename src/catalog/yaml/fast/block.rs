//! Block mappings and sequences for the fast YAML scanner, and the nodes that can sit on one line
//! with their key or dash: scalars, block scalars and flow sequences of scalars.
//!
//! Every function here leaves the cursor at the first character of the next content line (or at
//! the end), so the caller can tell from its column whether its collection goes on.

use std::borrow::Cow;

use saphyr_parser::{Event, Marker, ScalarStyle};

use super::document::At;
use super::scalar::{self, Tok};
use super::{Fast, literal};

/// A plain scalar longer than this might break saphyr's simple-key length limit when used as a key.
const MAX_KEY_BYTES: usize = 512;

impl<'a> Fast<'a> {
    fn emit_tok(&mut self, tok: Tok<'a>) {
        let (start, end) = (self.c.mark_at(tok.start), self.c.mark_at(tok.end));
        self.emit(Event::Scalar(tok.text, tok.style, 0, None), start, end);
    }

    fn empty_scalar(&mut self, at: Marker) {
        self.emit_at(Event::Scalar(Cow::Borrowed(""), ScalarStyle::Plain, 0, None), at);
    }

    /// A scalar at the cursor followed by `:` and a space or line break, else `None`.
    pub(super) fn key(&self) -> Option<Tok<'a>> {
        let tok = scalar::scan(&self.c, false)?;
        self.is_key(&tok).then_some(tok)
    }

    fn is_key(&self, tok: &Tok<'a>) -> bool {
        let mut i = tok.end;
        while self.c.at(i) == b' ' {
            i += 1;
        }
        tok.end - tok.start <= MAX_KEY_BYTES && self.c.at(i) == b':' && scalar::is_blank_or_end(self.c.at(i + 1))
    }

    /// A block mapping at column `col` whose first key, already scanned, is at the cursor.
    pub(super) fn block_map(&mut self, col: usize, first: Tok<'a>) -> Option<()> {
        self.enter()?;
        let start = self.c.mark_at(first.start);
        self.emit_at(Event::MappingStart(0, None), start);
        let mut key = first;
        loop {
            self.c.pos = key.end;
            self.emit_tok(key);
            self.c.skip_spaces();
            let colon = self.c.mark();
            self.c.pos += 1;
            self.c.skip_spaces();
            if matches!(self.c.peek(), b'\n' | 0 | b'#') {
                self.finish_line()?;
                self.next_content(None)?;
                self.value_below(col, colon)?;
            } else {
                self.inline_node(col, false)?;
            }
            match self.at() {
                At::Col(k) if k == col && !self.at_entry() => key = self.key()?,
                At::Col(k) if k >= col => return None,
                _ => break,
            }
        }
        let end = self.here();
        self.emit_at(Event::MappingEnd, end);
        self.depth -= 1;
        Some(())
    }

    /// The value of a key that ended its line: a deeper collection, a sequence at the key's own
    /// column, or nothing (an empty plain scalar at the colon).
    fn value_below(&mut self, col: usize, colon: Marker) -> Option<()> {
        match self.at() {
            At::Col(k) if k > col => self.nested(k),
            At::Col(k) if k == col && self.at_entry() => self.block_seq(k, true),
            _ => {
                self.empty_scalar(colon);
                Some(())
            }
        }
    }

    /// A collection starting its own line at column `k`; a lone scalar there is left to saphyr.
    fn nested(&mut self, k: usize) -> Option<()> {
        if self.at_entry() {
            return self.block_seq(k, false);
        }
        let key = self.key()?;
        self.block_map(k, key)
    }

    /// A block sequence whose first `-` is at the cursor, at column `col`. An indentless one sits
    /// at its parent key's column; saphyr then starts it where the first entry's content starts.
    pub(super) fn block_seq(&mut self, col: usize, indentless: bool) -> Option<()> {
        self.enter()?;
        let mut first = true;
        loop {
            let dash = self.c.mark();
            self.c.pos += 1;
            self.c.skip_spaces();
            if self.c.peek() == b'#' {
                return None;
            }
            let entry = self.c.mark();
            if first {
                self.emit_at(Event::SequenceStart(0, None), if indentless { entry } else { dash });
                first = false;
            }
            if matches!(self.c.peek(), b'\n' | 0) {
                self.next_content(None)?;
                match self.at() {
                    At::Col(k) if k > col => self.nested(k)?,
                    _ => self.empty_scalar(entry),
                }
            } else {
                self.inline_node(col, true)?;
            }
            match self.at() {
                At::Col(k) if k == col && self.at_entry() => {}
                At::Col(k) if k == col && indentless => break,
                At::Col(k) if k >= col => return None,
                _ => break,
            }
        }
        let end = self.here();
        self.emit_at(Event::SequenceEnd, end);
        self.depth -= 1;
        Some(())
    }

    /// A node that starts on the line of its key or dash. `parent` is the column of the innermost
    /// block collection; `in_seq` allows what only a sequence entry may hold: a nested sequence
    /// and a compact mapping (`- key: value`).
    fn inline_node(&mut self, parent: usize, in_seq: bool) -> Option<()> {
        match self.c.peek() {
            b'-' if self.at_entry() => {
                if !in_seq {
                    return None;
                }
                let col = self.c.byte_col();
                self.block_seq(col, false)
            }
            b'|' | b'>' => {
                let block = literal::scan(&mut self.c, parent)?;
                self.emit(
                    Event::Scalar(Cow::Owned(block.text), block.style, 0, None),
                    block.start,
                    block.end,
                );
                // The scanner stopped inside the indentation of the next line.
                self.skip_blank_lines(None)
            }
            b'[' => {
                self.flow_seq()?;
                self.finish_line()?;
                self.next_content(None)
            }
            _ => {
                let tok = scalar::scan(&self.c, false)?;
                if self.is_key(&tok) {
                    if !in_seq {
                        return None;
                    }
                    let col = self.c.byte_col();
                    return self.block_map(col, tok);
                }
                self.c.pos = tok.end;
                let comment = self.finish_line()?;
                if tok.style == ScalarStyle::Plain && !comment {
                    return self.plain_value(tok, parent);
                }
                self.emit_tok(tok);
                self.next_content(None)
            }
        }
    }

    /// `[a, 'b', "c"]` on one line: scalars only.
    fn flow_seq(&mut self) -> Option<()> {
        self.enter()?;
        let open = self.c.mark();
        self.c.pos += 1;
        self.c.skip_spaces();
        // saphyr's `[` token takes the spaces after it.
        self.emit(Event::SequenceStart(0, None), open, self.c.mark());
        if self.c.peek() != b']' {
            loop {
                let tok = scalar::scan(&self.c, true)?;
                self.c.pos = tok.end;
                self.emit_tok(tok);
                self.c.skip_spaces();
                match self.c.peek() {
                    b']' => break,
                    b',' => {
                        self.c.pos += 1;
                        self.c.skip_spaces();
                        if self.c.peek() == b']' {
                            return None;
                        }
                    }
                    _ => return None,
                }
            }
        }
        let close = self.c.mark();
        self.c.pos = scalar::trailing_end(&self.c, self.c.pos + 1);
        self.emit(Event::SequenceEnd, close, self.c.mark());
        self.depth -= 1;
        Some(())
    }
}
