//! A validating scanner for event lines: one pass over the bytes that says whether serde_json
//! certainly accepts the line as an object, and records the parts of it the catalog reads.
//!
//! serde_json's own parse (even into `IgnoredAny`) costs several times the rest of `detc eval` on
//! realistic events, and most lines are only validated. This scanner accepts a strict subset of what
//! serde_json accepts: anything it is not sure about (an escaped key on a kept path, a number with an
//! exponent or more than 18 digits, a `\u` surrogate, a control character in a string, deep nesting,
//! invalid UTF-8, any syntax error) makes it answer [`Unsure`], and the caller then parses the line
//! with serde_json, which accepts or words the error itself. So whatever this scanner answers, the
//! verdict of a line is serde_json's.
//!
//! While validating, it records a [`Tape`] of the values under the catalog's field paths (the same
//! pruning as [`super::fields::FieldTrie::parse`]): the pruned event is built from the tape only for
//! lines some detection may match, and the byte ranges of the kept values are what the literal
//! prefilter searches.

use std::ops::Range;

use serde_json::{Map, Value as Json};
use wide::u8x16;

use super::fields::{FieldTrie, Step};

/// The scanner could not vouch for the line: parse it with serde_json.
#[derive(Debug, PartialEq, Eq)]
pub struct Unsure;

/// Nesting deeper than this is left to serde_json (whose limit is 127): the scanner recurses.
const MAX_DEPTH: usize = 100;

/// Integer or fraction parts longer than this are left to serde_json (range and rounding rules).
const MAX_DIGITS: usize = 18;

/// The kept parts of one line, in order: enough to build the pruned event without parsing again.
#[derive(Debug, Default)]
pub struct Tape {
    items: Vec<Item>,
    /// Byte ranges of the values kept whole (what a detection's field tests can read).
    pub kept: Vec<Range<usize>>,
}

#[derive(Debug, Clone)]
enum Item {
    /// An object key on a kept path (never escaped).
    Key(Range<usize>),
    Object,
    Array,
    /// The end of the innermost open object or array.
    End,
    /// A value kept entire: a scalar, or a whole subtree under a path's end.
    Value(Range<usize>),
}

impl Tape {
    pub fn clear(&mut self) {
        self.items.clear();
        self.kept.clear();
    }

    /// The pruned event of `line` (the line this tape was recorded from), equal to what
    /// [`FieldTrie::parse`] returns for it.
    pub fn build(&self, line: &[u8]) -> Json {
        let mut at = 0;
        build_value(&self.items, &mut at, line)
    }
}

/// Validate `line` (already trimmed) as one JSON object and record in `tape` the values under
/// `trie`'s paths. `Ok` means serde_json accepts the line and it is an object.
pub fn scan(line: &[u8], trie: &FieldTrie, tape: &mut Tape) -> Result<(), Unsure> {
    tape.clear();
    // UTF-8 once for the whole line (fast on ASCII); strings then need no check of their own, and
    // a non-ASCII byte outside a string is a syntax error below.
    if !line.is_ascii() && std::str::from_utf8(line).is_err() {
        return Err(Unsure);
    }
    let mut s = Scanner { b: line, i: 0, tape };
    if s.byte() != b'{' {
        return Err(Unsure);
    }
    s.object_at(trie, 0, 1)?;
    if s.next() == 0 && s.i == line.len() {
        Ok(())
    } else {
        Err(Unsure)
    }
}

struct Scanner<'a, 'b> {
    b: &'a [u8],
    i: usize,
    tape: &'b mut Tape,
}

/// The scanner goes by hand-made steps rather than one generic value parser: nearly every byte of
/// a line is skipped, not kept, and the skipping path has no trie, no tape and no calls for
/// scalars. Whitespace is looked for only where a token was expected and a byte <= 0x20 found.
impl Scanner<'_, '_> {
    /// The current byte; 0 (never valid where a token is expected) at the end.
    #[inline(always)]
    fn byte(&self) -> u8 {
        self.b.get(self.i).copied().unwrap_or(0)
    }

    /// The next byte that is not JSON whitespace (serde_json's set), without consuming it.
    #[inline(always)]
    fn next(&mut self) -> u8 {
        let c = self.byte();
        if c > b' ' {
            return c;
        }
        while let b' ' | b'\t' | b'\n' | b'\r' = self.byte() {
            self.i += 1;
        }
        self.byte()
    }

    /// After an object member: `,` (more follow) or `}` (consumed); anything else is unsure.
    #[inline(always)]
    fn member_end(&mut self, close: u8) -> Result<bool, Unsure> {
        match self.next() {
            b',' => {
                self.i += 1;
                Ok(true)
            }
            c if c == close => {
                self.i += 1;
                Ok(false)
            }
            _ => Err(Unsure),
        }
    }

    /// Consume the `:` after a key.
    #[inline(always)]
    fn colon(&mut self) -> Result<(), Unsure> {
        if self.next() == b':' {
            self.i += 1;
            Ok(())
        } else {
            Err(Unsure)
        }
    }

    /// Skip one value, validating it. `depth` counts the containers around it.
    #[inline(always)]
    fn skip_value(&mut self, depth: usize) -> Result<(), Unsure> {
        match self.next() {
            b'"' => self.string().map(|_| ()),
            b'{' => self.skip_object(depth + 1),
            b'[' => self.skip_array(depth + 1),
            b't' => self.word(b"true"),
            b'f' => self.word(b"false"),
            b'n' => self.word(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(Unsure),
        }
    }

    /// An object at the current `{`, validated only.
    fn skip_object(&mut self, depth: usize) -> Result<(), Unsure> {
        if depth > MAX_DEPTH {
            return Err(Unsure);
        }
        self.i += 1;
        if self.next() == b'}' {
            self.i += 1;
            return Ok(());
        }
        loop {
            if self.next() != b'"' {
                return Err(Unsure);
            }
            self.string()?;
            self.colon()?;
            self.skip_value(depth)?;
            if !self.member_end(b'}')? {
                return Ok(());
            }
        }
    }

    /// An array at the current `[`, validated only.
    fn skip_array(&mut self, depth: usize) -> Result<(), Unsure> {
        if depth > MAX_DEPTH {
            return Err(Unsure);
        }
        self.i += 1;
        if self.next() == b']' {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.skip_value(depth)?;
            if !self.member_end(b']')? {
                return Ok(());
            }
        }
    }

    /// One value on a kept path that goes on below it (trie `node`): objects keep the keys the
    /// trie reaches, arrays are transparent, a scalar is kept as the pruning parse keeps it.
    fn value_at(&mut self, trie: &FieldTrie, node: usize, depth: usize) -> Result<(), Unsure> {
        match self.next() {
            b'{' => self.object_at(trie, node, depth + 1),
            b'[' => self.array_at(trie, node, depth + 1),
            _ => {
                let start = self.i;
                self.skip_value(depth)?;
                self.tape.items.push(Item::Value(start..self.i));
                Ok(())
            }
        }
    }

    fn object_at(&mut self, trie: &FieldTrie, node: usize, depth: usize) -> Result<(), Unsure> {
        if depth > MAX_DEPTH {
            return Err(Unsure);
        }
        self.i += 1;
        self.tape.items.push(Item::Object);
        if self.next() == b'}' {
            self.i += 1;
        } else {
            loop {
                if self.next() != b'"' {
                    return Err(Unsure);
                }
                let key_start = self.i + 1;
                // A key on a kept path is compared undecoded: one with an escape is left to
                // serde_json.
                if self.string()? {
                    return Err(Unsure);
                }
                let key = key_start..self.i - 1;
                self.colon()?;
                match trie.step(node, &self.b[key.clone()]) {
                    Step::Skip => self.skip_value(depth)?,
                    Step::Whole => {
                        self.tape.items.push(Item::Key(key));
                        self.next();
                        let start = self.i;
                        self.skip_value(depth)?;
                        self.tape.items.push(Item::Value(start..self.i));
                        self.tape.kept.push(start..self.i);
                    }
                    Step::Descend(next) => {
                        self.tape.items.push(Item::Key(key));
                        self.value_at(trie, next, depth)?;
                    }
                }
                if !self.member_end(b'}')? {
                    break;
                }
            }
        }
        self.tape.items.push(Item::End);
        Ok(())
    }

    fn array_at(&mut self, trie: &FieldTrie, node: usize, depth: usize) -> Result<(), Unsure> {
        if depth > MAX_DEPTH {
            return Err(Unsure);
        }
        self.i += 1;
        self.tape.items.push(Item::Array);
        if self.next() == b']' {
            self.i += 1;
        } else {
            loop {
                // Arrays are transparent to field paths: elements stay at the same trie node.
                self.value_at(trie, node, depth)?;
                if !self.member_end(b']')? {
                    break;
                }
            }
        }
        self.tape.items.push(Item::End);
        Ok(())
    }

    #[inline(always)]
    fn word(&mut self, w: &[u8]) -> Result<(), Unsure> {
        if self.b[self.i..].starts_with(w) {
            self.i += w.len();
            Ok(())
        } else {
            Err(Unsure)
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?` with at most [`MAX_DIGITS`] digits in each part: such a number
    /// is in range for serde_json whatever its type. Exponents are left to serde_json.
    #[inline(always)]
    fn number(&mut self) -> Result<(), Unsure> {
        if self.byte() == b'-' {
            self.i += 1;
        }
        let int = self.digits();
        if int == 0 || int > MAX_DIGITS || (int > 1 && self.b[self.i - int] == b'0') {
            return Err(Unsure);
        }
        if self.byte() == b'.' {
            self.i += 1;
            let frac = self.digits();
            if frac == 0 || frac > MAX_DIGITS {
                return Err(Unsure);
            }
        }
        match self.byte() {
            b'e' | b'E' => Err(Unsure),
            _ => Ok(()),
        }
    }

    #[inline(always)]
    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.byte().is_ascii_digit() {
            self.i += 1;
        }
        self.i - start
    }

    /// A string starting at the current `"`; returns whether it held an escape.
    #[inline(always)]
    fn string(&mut self) -> Result<bool, Unsure> {
        self.i += 1;
        let mut escaped = false;
        loop {
            self.i = special(self.b, self.i);
            match self.byte() {
                b'"' => {
                    self.i += 1;
                    return Ok(escaped);
                }
                b'\\' => {
                    escaped = true;
                    self.escape()?;
                }
                // A control character (serde_json refuses it unescaped) or the end of the line.
                _ => return Err(Unsure),
            }
        }
    }

    /// One escape after its `\`. `\u` surrogates (pairs, lone halves) are left to serde_json.
    fn escape(&mut self) -> Result<(), Unsure> {
        match self.b.get(self.i + 1) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                self.i += 2;
                Ok(())
            }
            Some(b'u') => {
                let hex = self.b.get(self.i + 2..self.i + 6).ok_or(Unsure)?;
                let mut unit = 0u32;
                for &h in hex {
                    unit = unit * 16 + (h as char).to_digit(16).ok_or(Unsure)?;
                }
                if (0xD800..=0xDFFF).contains(&unit) {
                    return Err(Unsure);
                }
                self.i += 6;
                Ok(())
            }
            _ => Err(Unsure),
        }
    }
}

/// The position of the first `"`, `\` or control character at or after `i` (or the end), sixteen
/// bytes at a time (SSE2 on x86-64, through `wide`'s safe vectors): most of a line is string text.
#[inline]
fn special(b: &[u8], mut i: usize) -> usize {
    let (quote, backslash, space) = (u8x16::splat(b'"'), u8x16::splat(b'\\'), u8x16::splat(0x20));
    while let Some(chunk) = b.get(i..i + 16) {
        let v = u8x16::new(chunk.try_into().unwrap_or_default());
        // Bytes >= 0x80 (UTF-8, already validated) compare above 0x20 as unsigned bytes.
        let hit = (v.simd_eq(quote) | v.simd_eq(backslash) | v.simd_lt(space)).to_bitmask();
        if hit != 0 {
            return i + hit.trailing_zeros() as usize;
        }
        i += 16;
    }
    while let Some(&c) = b.get(i) {
        if c < 0x20 || c == b'"' || c == b'\\' {
            return i;
        }
        i += 1;
    }
    i
}

fn build_value(items: &[Item], at: &mut usize, line: &[u8]) -> Json {
    let item = items[*at].clone();
    *at += 1;
    match item {
        Item::Value(r) => scalar_value(&line[r]),
        Item::Object => {
            let mut map = Map::new();
            while let Some(Item::Key(k)) = items.get(*at) {
                *at += 1;
                // Keys on kept paths are unescaped text of a valid UTF-8 line.
                let key = String::from_utf8_lossy(&line[k.clone()]).into_owned();
                let value = build_value(items, at, line);
                // A duplicate key keeps its first place and its last value, as the full parse does.
                map.insert(key, value);
            }
            *at += 1;
            Json::Object(map)
        }
        Item::Array => {
            let mut out = Vec::new();
            while !matches!(items.get(*at), Some(Item::End) | None) {
                out.push(build_value(items, at, line));
            }
            *at += 1;
            Json::Array(out)
        }
        Item::Key(_) | Item::End => Json::Null,
    }
}

/// A kept value's text as serde_json reads it (it was validated); a plain string without escapes
/// is copied directly.
fn scalar_value(text: &[u8]) -> Json {
    if let [b'"', inner @ .., b'"'] = text
        && !inner.contains(&b'\\')
        && let Ok(s) = std::str::from_utf8(inner)
    {
        return Json::String(s.to_string());
    }
    serde_json::from_slice(text).unwrap_or(Json::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(line: &str) -> Result<(), Unsure> {
        scan(line.as_bytes(), &FieldTrie::new(["a.b"]), &mut Tape::default())
    }

    #[test]
    fn accepts_plain_objects_and_leaves_the_unusual_to_serde() {
        for ok in [
            r#"{}"#,
            r#"{"a": {"b": [1, -2.5, true, false, null, "x\"y\\z\/\n\u00e9"]}, "c": [], "d": {}}"#,
            "{\"é\":\"ü\"}",
            r#"{"n":0,"m":-0.0,"k":123456789012345678}"#,
        ] {
            assert_eq!(verdict(ok), Ok(()), "{ok}");
            assert!(serde_json::from_str::<Json>(ok).is_ok());
        }
        for unsure in [
            r#"[1]"#,
            r#"{"a":1} x"#,
            r#"{"a":1e3}"#,
            r#"{"a":1234567890123456789}"#,
            r#"{"a":01}"#,
            r#"{"a":"\ud83d\ude00"}"#,
            "{\"a\":\"\t\"}",
            r#"{"a\u0062":1}"#,
            r#"{"a":tru}"#,
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
        ] {
            assert_eq!(verdict(unsure), Err(Unsure), "{unsure}");
        }
        let deep = format!("{{\"x\":{}{}}}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(verdict(&deep), Err(Unsure));
    }

    #[test]
    fn special_bytes_found_in_every_position() {
        for len in 0..20 {
            for pos in 0..len {
                for byte in [b'"', b'\\', 0x00, 0x1F] {
                    let mut b = vec![b'a'; len];
                    b[pos] = byte;
                    assert_eq!(special(&b, 0), pos);
                }
            }
            let mut b = vec![b'a'; len];
            b.extend("é ~\x7f".as_bytes());
            assert_eq!(special(&b, 0), b.len());
        }
    }
}

/// Differential test against serde_json over generated lines and byte-level mutations of them
/// (escapes, surrogates, numbers, controls, invalid UTF-8, nesting, duplicate keys): the scanner
/// never vouches for a line serde_json refuses or reads as anything but an object, and the event
/// it builds is the one the serde_json pruning parse builds.
#[cfg(test)]
mod differential {
    use super::*;
    use proptest::prelude::*;

    const KEYS: &[&str] = &[
        "a", "b", "a.b", "c", "\u{e9}", "", "a.b.c", ".", "x.", ".y", "x..y", "x",
    ];
    const PATHS: &[&str] = &["a.b", "c{}", "\u{e9}", "a.b.c.d", "x..y", ".y"];
    /// Inserted by mutations: pieces of valid and invalid JSON that the scanner must judge.
    const PIECES: &[&[u8]] = &[
        b"\\ud800",
        b"\\udc00",
        b"\\ud83d\\ude00",
        b"\\u00e9",
        b"\\u12G4",
        b"\\x",
        b"\\",
        b"\"",
        b"1e400",
        b"-1e-400",
        b"1E5",
        b"01",
        b"-",
        b"-0",
        b".5",
        b"5.",
        b"123456789012345678901234567890",
        b"0.1234567890123456789",
        b"tru",
        b"nul",
        b"true",
        b"\x7f",
        b"\xff",
        b"\xc3",
        b"\xc3\xa9",
        b"\xed\xa0\x80",
        b"\t",
        b"\n",
        b"\x00",
        b"\x0c",
        b" ",
        b"{",
        b"}",
        b"[",
        b"]",
        b",",
        b":",
        b"\"a\":1,",
        b"\"a.b\":{\"c\":[1]},",
    ];

    fn text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            proptest::sample::select(
                &[
                    'a',
                    'Z',
                    '"',
                    '\\',
                    '/',
                    '\n',
                    '\u{1}',
                    '\u{7f}',
                    '\u{e9}',
                    '\u{1F600}',
                    ' ',
                ][..],
            ),
            0..6,
        )
        .prop_map(|c| c.into_iter().collect())
    }

    fn value() -> impl Strategy<Value = Json> {
        let leaf = prop_oneof![
            text().prop_map(Json::String),
            any::<bool>().prop_map(Json::Bool),
            Just(Json::Null),
            any::<i64>().prop_map(Json::from),
            any::<u64>().prop_map(Json::from),
            (-1000i64..1000).prop_map(Json::from),
            any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number)),
            (-100.0f64..100.0).prop_map(|f| serde_json::json!(f)),
        ];
        leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
                proptest::collection::vec((proptest::sample::select(KEYS), inner), 0..4)
                    .prop_map(|kv| Json::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
            ]
        })
    }

    /// An object's text, with duplicate keys possible (serde_json keeps the last value).
    fn line() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec((proptest::sample::select(KEYS), value()), 0..5).prop_map(|kv| {
            let members: Vec<String> = kv.iter().map(|(k, v)| format!("{}:{}", Json::from(*k), v)).collect();
            format!("{{{}}}", members.join(",")).into_bytes()
        })
    }

    /// Insert a piece, delete a byte or overwrite one, at a position taken modulo the length.
    #[derive(Debug, Clone)]
    enum Edit {
        Insert(usize, usize),
        Delete(usize),
        Replace(usize, usize),
    }

    fn edit() -> impl Strategy<Value = Edit> {
        prop_oneof![
            (any::<usize>(), 0..PIECES.len()).prop_map(|(at, p)| Edit::Insert(at, p)),
            any::<usize>().prop_map(Edit::Delete),
            (any::<usize>(), 0..PIECES.len()).prop_map(|(at, p)| Edit::Replace(at, p)),
        ]
    }

    fn apply(line: &mut Vec<u8>, e: &Edit) {
        let at = |i: usize, len: usize| if len == 0 { 0 } else { i % len };
        match *e {
            Edit::Insert(i, p) => {
                let i = at(i, line.len() + 1);
                line.splice(i..i, PIECES[p].iter().copied());
            }
            Edit::Delete(i) if !line.is_empty() => {
                let i = at(i, line.len());
                line.remove(i);
            }
            Edit::Replace(i, p) if !line.is_empty() => {
                let i = at(i, line.len());
                line.splice(i..i + 1, PIECES[p].iter().copied());
            }
            _ => {}
        }
    }

    fn check(line: &[u8]) -> Result<bool, TestCaseError> {
        let trie = FieldTrie::new(PATHS.iter().copied());
        let mut tape = Tape::default();
        let line = line.trim_ascii();
        if scan(line, &trie, &mut tape).is_err() {
            return Ok(false);
        }
        let full = serde_json::from_slice::<Json>(line);
        prop_assert!(
            full.as_ref().is_ok_and(Json::is_object),
            "vouched for {:?}: {:?}",
            String::from_utf8_lossy(line),
            full
        );
        let text = std::str::from_utf8(line).expect("serde_json accepted it");
        prop_assert_eq!(tape.build(line), trie.parse(text).expect("serde_json accepted it"));
        Ok(true)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(2048)))]
        #[test]
        fn vouches_only_for_what_serde_json_accepts(line in line(), edits in proptest::collection::vec(edit(), 0..4)) {
            let mut mutated = line.clone();
            edits.iter().for_each(|e| apply(&mut mutated, e));
            check(&mutated)?;
            // Unmutated, the line is valid: the scanner vouches for it unless it holds what it
            // leaves to serde_json (exponents, long numbers, surrogates, controls, escaped keys).
            let text = String::from_utf8_lossy(&line);
            let plain = !text.contains("\\u") && !text.bytes().any(|b| b.is_ascii_digit());
            prop_assert!(check(&line)? || !plain, "left {} to serde_json", text);
        }
    }

    #[test]
    fn nesting_at_serde_json_limits() {
        for depth in [99, 100, 101, 127, 128, 200] {
            let line = format!("{{\"a\":{}{}}}", "[".repeat(depth), "]".repeat(depth));
            check(line.as_bytes()).unwrap();
        }
    }
}
