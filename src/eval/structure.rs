//! From byte classes to the structural index of a line: the positions of its tokens, in order.
//!
//! A token is a structural character outside strings (`{}[]:,`), a quote that opens or closes a
//! string (so a string is two entries, its quotes), or the first byte of a scalar (number, `true`,
//! `false`, `null`). [`super::scan`] then walks the tokens only, never the bytes between them:
//! string contents are validated here, for the whole line, with bit operations on the masks of
//! [`super::classify`].
//!
//! Whatever this stage cannot vouch for cheaply is [`Unsure`], and the line goes to serde_json: a
//! control character anywhere (serde_json refuses one inside a string; tabs and line breaks between
//! tokens are left to it too), an unterminated string, a backslash outside a string, an escape that
//! is not one of JSON's or is a `\u` surrogate, invalid UTF-8.

use super::classify::{CHUNK, Classes, classify_line};
use super::scan::Unsure;

/// Longer lines are left to serde_json (a bound on the buffers each thread keeps).
pub const MAX_LINE: usize = 1 << 20;

/// The structural index of one line, and facts about its text; reused from line to line.
#[derive(Debug, Default)]
pub struct Structure {
    /// One mask per 64 bytes of the line: bit `i` of mask `n` is set when byte `64 n + i` starts
    /// a token.
    marks: Vec<u64>,
    /// The line holds a backslash (so some string has an escape).
    pub escapes: bool,
    /// The line is ASCII.
    pub ascii: bool,
    classes: Vec<Classes>,
}

/// The marks of an indexed line, read token after token through a [`Cursor`]: the walk asks for
/// the next set bit (a few instructions) instead of reading a list of positions.
pub struct Marks<'s> {
    marks: &'s [u64],
    len: usize,
}

/// A place in the tokens: two words, so it is passed and returned in registers.
#[derive(Debug, Clone, Copy)]
pub struct Cursor {
    /// The current token's position; the line's length past the last token.
    pub at: usize,
    /// The marks after the current token in its 64-byte chunk.
    bits: u64,
}

impl Marks<'_> {
    /// The first token.
    pub fn first(&self) -> Cursor {
        let mut c = Cursor {
            at: 0,
            bits: self.marks.first().copied().unwrap_or(0),
        };
        // The first chunk's bits are all ahead: look in it before moving on.
        if c.bits == 0 {
            self.advance(&mut c);
        } else {
            c.at = c.bits.trailing_zeros() as usize;
            c.bits &= c.bits - 1;
        }
        c
    }

    /// Move to the next token.
    #[inline(always)]
    pub fn advance(&self, c: &mut Cursor) {
        let mut word = c.at / CHUNK;
        while c.bits == 0 {
            word += 1;
            match self.marks.get(word) {
                Some(&m) => c.bits = m,
                None => {
                    c.at = self.len;
                    return;
                }
            }
        }
        c.at = word * CHUNK + c.bits.trailing_zeros() as usize;
        c.bits &= c.bits - 1;
    }
}

/// What the byte-by-byte look at a chunk with rare bytes finds.
struct Rare {
    backslash: u64,
    non_ascii: bool,
}

impl Structure {
    /// The tokens of the line indexed last (`len` is its length).
    pub fn marks(&self, len: usize) -> Marks<'_> {
        Marks {
            marks: &self.marks,
            len,
        }
    }

    /// Index `line`, validating every string of it (contents, escapes, termination) and its UTF-8.
    pub fn build(&mut self, line: &[u8]) -> Result<(), Unsure> {
        self.marks.clear();
        if line.len() > MAX_LINE {
            return Err(Unsure);
        }
        classify_line(line, &mut self.classes);
        self.marks.reserve(self.classes.len());
        self.escapes = false;
        self.ascii = true;
        // Carried from chunk to chunk: inside a string (all ones), a scalar's byte last (bit 0),
        // a backslash last that escapes the next chunk's first byte.
        let (mut in_string, mut scalar_before, mut escape_next) = (0u64, 0u64, false);
        for (n, c) in self.classes.iter().enumerate() {
            let mut quote = c.quote;
            let mut backslash = 0;
            if c.rare != 0 || escape_next {
                let base = n * CHUNK;
                let rare = rare_bytes(&line[base..(base + CHUNK).min(line.len())])?;
                self.ascii &= !rare.non_ascii;
                backslash = rare.backslash;
                quote &= !escaped(backslash, &mut escape_next);
            }
            // Bytes inside strings: the opening quote and the text, not the closing quote.
            let inside = prefix_xor(quote) ^ in_string;
            in_string = ((inside as i64) >> 63) as u64;
            if backslash & !inside != 0 {
                return Err(Unsure);
            }
            self.escapes |= backslash != 0;
            let scalar = !(c.op | c.space | quote | inside);
            let starts = scalar & !((scalar << 1) | scalar_before);
            scalar_before = scalar >> 63;
            self.marks.push((c.op & !inside) | quote | starts);
        }
        if in_string != 0 || escape_next {
            self.marks.clear();
            return Err(Unsure);
        }
        if !self.ascii && std::str::from_utf8(line).is_err() {
            return Err(Unsure);
        }
        if self.escapes {
            check_escapes(line)?;
        }
        Ok(())
    }
}

/// Bit `i` set when an odd number of bits at or below `i` are set in `x`: with quote bits, the
/// bytes from an opening quote up to (not including) its closing quote.
#[inline(always)]
fn prefix_xor(mut x: u64) -> u64 {
    for shift in [1, 2, 4, 8, 16, 32] {
        x ^= x << shift;
    }
    x
}

/// The backslashes of a chunk flagged as rare, and whether it has non-ASCII bytes; a control
/// character makes the line unsure.
#[cold]
fn rare_bytes(chunk: &[u8]) -> Result<Rare, Unsure> {
    let mut rare = Rare {
        backslash: 0,
        non_ascii: false,
    };
    for (i, &b) in chunk.iter().enumerate() {
        match b {
            b'\\' => rare.backslash |= 1 << i,
            0..0x20 => return Err(Unsure),
            0x80.. => rare.non_ascii = true,
            _ => {}
        }
    }
    Ok(rare)
}

/// The bytes escaped by the backslashes `backslash` of a chunk: each backslash not itself escaped
/// escapes the next byte. `escape_next` carries an escape across chunks both ways.
fn escaped(mut backslash: u64, escape_next: &mut bool) -> u64 {
    let mut out = 0;
    if std::mem::take(escape_next) {
        out = 1;
        backslash &= !1;
    }
    while backslash != 0 {
        let i = backslash.trailing_zeros();
        if i == 63 {
            *escape_next = true;
            break;
        }
        out |= 2 << i;
        backslash &= !(3 << i);
    }
    out
}

/// Every escape of the line is one of JSON's, and no `\u` is a surrogate (pairs and lone halves
/// are left to serde_json). Every backslash is inside a string (checked), so escapes pair up from
/// the line's start.
fn check_escapes(line: &[u8]) -> Result<(), Unsure> {
    let mut at = 0;
    while let Some(i) = memchr::memchr(b'\\', &line[at..]) {
        let p = at + i;
        at = p + match line.get(p + 1) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => 2,
            Some(b'u') => {
                let hex = line.get(p + 2..p + 6).ok_or(Unsure)?;
                let mut unit = 0u32;
                for &h in hex {
                    unit = unit * 16 + (h as char).to_digit(16).ok_or(Unsure)?;
                }
                if (0xD800..=0xDFFF).contains(&unit) {
                    return Err(Unsure);
                }
                6
            }
            _ => return Err(Unsure),
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(line: &str) -> Result<Vec<char>, Unsure> {
        let mut s = Structure::default();
        s.build(line.as_bytes())?;
        let marks = s.marks(line.len());
        let mut cursor = marks.first();
        let mut out = Vec::new();
        loop {
            out.push(line.as_bytes().get(cursor.at).map_or('$', |&b| b as char));
            if cursor.at == line.len() {
                return Ok(out);
            }
            marks.advance(&mut cursor);
        }
    }

    #[test]
    fn tokens_are_structure_quotes_and_scalar_starts() {
        assert_eq!(
            tokens(r#"{"a b":[1, -2.5,true], "c\"}":null}"#)
                .unwrap()
                .iter()
                .collect::<String>(),
            r#"{"":[1,-,t],"":n}$"#
        );
        // A scalar run that is not one scalar is still one token: the walk refuses it.
        assert_eq!(
            tokens("{\"a\":tru e}").unwrap().iter().collect::<String>(),
            "{\"\":te}$"
        );
    }

    #[test]
    fn escapes_and_strings_across_chunks() {
        for pad in 0..140 {
            let text = "x".repeat(pad);
            for (tail, ok) in [
                (r#"\"}"#, false),
                (r#"\\"}"#, true),
                (r#"\\\"}"#, false),
                (r#"\\\\"}"#, true),
                (r#"\u00e9"}"#, true),
                (r#"\ud800"}"#, false),
                (r#"\q"}"#, false),
                (r#""}"#, true),
                ("\u{e9}\"}", true),
                ("\t\"}", false),
            ] {
                let line = format!("{{\"k\":\"{text}{tail}");
                let got = Structure::default().build(line.as_bytes()).is_ok();
                assert_eq!(got, ok, "{line}");
                assert!(!ok || serde_json::from_str::<serde_json::Value>(&line).is_ok());
            }
        }
    }

    #[test]
    fn refuses_what_it_does_not_vouch_for() {
        for line in [
            &b"{\"a\":1}\\"[..],
            b"{\"a\":\"x}",
            b"{\"a\":\"\xff\"}",
            b"{\"a\":\t1}",
            b"{\"a\":\"\\",
        ] {
            assert_eq!(
                Structure::default().build(line),
                Err(Unsure),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
