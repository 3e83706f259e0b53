//! A validating scanner for event lines: says whether serde_json certainly accepts the line as an
//! object, and records the parts of it the catalog reads.
//!
//! serde_json's own parse (even into `IgnoredAny`) costs several times the rest of `detc eval` on
//! realistic events, and most lines are only validated. This scanner accepts a strict subset of what
//! serde_json accepts: anything it is not sure about (an escaped key on a kept path, a number with an
//! exponent or more than 18 digits, a `\u` surrogate, a control character, deep nesting, invalid
//! UTF-8, any syntax error) makes it answer [`Unsure`], and the caller then parses the line with
//! serde_json, which accepts or words the error itself. So whatever this scanner answers, the
//! verdict of a line is serde_json's.
//!
//! It works in two stages, as simdjson does: [`super::structure`] classifies every byte with vector
//! instructions and validates the strings, leaving the positions of the tokens; this module then
//! walks the tokens only (a string is two positions whatever its length), checking the grammar and
//! the scalars, and records a [`Tape`] of the values under the catalog's field paths (the same
//! pruning as [`super::fields::FieldTrie::parse`]): the pruned event is built from the tape only for
//! lines some detection may match, and the byte ranges of the kept values are what the literal
//! prefilter searches.

use std::ops::Range;

use serde_json::{Map, Value as Json};

use super::fields::{FieldTrie, Step};
use super::structure::{Cursor, Marks, Structure};

/// The scanner could not vouch for the line: parse it with serde_json.
#[derive(Debug, PartialEq, Eq)]
pub struct Unsure;

/// Nesting deeper than this is left to serde_json (whose limit is 127): the walk recurses.
const MAX_DEPTH: usize = 100;

/// Integer or fraction parts longer than this are left to serde_json (range and rounding rules).
const MAX_DIGITS: usize = 18;

/// The kept parts of one line, in order: enough to build the pruned event without parsing again.
#[derive(Debug, Default)]
pub struct Tape {
    items: Vec<Item>,
    /// Byte ranges of the values kept whole (what a detection's field tests can read).
    pub kept: Vec<Range<usize>>,
    structure: Structure,
}

#[derive(Debug, Clone)]
enum Item {
    /// An object key on a kept path (never escaped).
    Key(Range<usize>),
    /// An object on a kept path, with its number of kept keys.
    Object(usize),
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

    /// The line scanned last is ASCII without a backslash: every string's text is its raw bytes.
    pub fn plain(&self) -> bool {
        self.structure.ascii && !self.structure.escapes
    }
}

/// Validate `line` (already trimmed) as one JSON object and record in `tape` the values under
/// `trie`'s paths. `Ok` means serde_json accepts the line and it is an object.
pub fn scan(line: &[u8], trie: &FieldTrie, tape: &mut Tape) -> Result<(), Unsure> {
    tape.clear();
    tape.structure.build(line)?;
    let marks = tape.structure.marks(line.len());
    let tokens = marks.first();
    if byte(line, tokens.at) != b'{' {
        return Err(Unsure);
    }
    let mut walk = Walk {
        b: line,
        m: &marks,
        escapes: tape.structure.escapes,
        items: &mut tape.items,
        kept: &mut tape.kept,
    };
    let after = walk.object_at(tokens, trie, 0, 1)?;
    // Nothing follows the object.
    if after.at == line.len() { Ok(()) } else { Err(Unsure) }
}

/// The byte at `at`; 0 (never valid where a token is expected) past the end.
#[inline(always)]
fn byte(b: &[u8], at: usize) -> u8 {
    b.get(at).copied().unwrap_or(0)
}

/// A key at the cursor's `"` and its `:`; returns the cursor after them and the key's text.
#[inline(always)]
fn key(m: &Marks, mut c: Cursor, b: &[u8]) -> Result<(Cursor, Range<usize>), Unsure> {
    if byte(b, c.at) != b'"' {
        return Err(Unsure);
    }
    let start = c.at + 1;
    // A string's closing quote is the next token.
    m.advance(&mut c);
    let end = c.at;
    m.advance(&mut c);
    if byte(b, c.at) != b':' {
        return Err(Unsure);
    }
    m.advance(&mut c);
    Ok((c, start..end))
}

/// Skip the value at the cursor, validating it; returns the cursor after it and the byte after
/// it. A string (most values) is two tokens, taken here; anything else goes to [`skip`].
#[inline(always)]
fn skip_value(m: &Marks, mut c: Cursor, b: &[u8], depth: usize) -> Result<(Cursor, usize), Unsure> {
    if byte(b, c.at) == b'"' {
        m.advance(&mut c);
        let end = c.at + 1;
        m.advance(&mut c);
        Ok((c, end))
    } else {
        skip(m, c, b, depth)
    }
}

/// Skip any value at the cursor, validating it. One loop with the cursor and the stack of open
/// containers (a bit each: 1 for an array) in locals, rather than a call per container. `depth`
/// counts the containers around the value.
fn skip(m: &Marks, mut c: Cursor, b: &[u8], depth: usize) -> Result<(Cursor, usize), Unsure> {
    let (mut arrays, mut open) = (0u128, 0usize);
    let mut end;
    'value: loop {
        match byte(b, c.at) {
            b'"' => {
                m.advance(&mut c);
                end = c.at + 1;
                m.advance(&mut c);
            }
            first @ (b'{' | b'[') => {
                if depth + open + 1 > MAX_DEPTH {
                    return Err(Unsure);
                }
                let array = first == b'[';
                m.advance(&mut c);
                if byte(b, c.at) != first + 2 {
                    // Not empty (`]` and `}` are `[` and `{` plus 2).
                    open += 1;
                    arrays = (arrays << 1) | u128::from(array);
                    if !array {
                        c = key(m, c, b)?.0;
                    }
                    continue 'value;
                }
                end = c.at + 1;
                m.advance(&mut c);
            }
            _ => {
                end = scalar(b, c.at)?;
                m.advance(&mut c);
            }
        }
        // A value ended: a comma or its container's end follows.
        loop {
            if open == 0 {
                return Ok((c, end));
            }
            let array = arrays & 1 == 1;
            match (byte(b, c.at), array) {
                (b',', _) => {
                    m.advance(&mut c);
                    if !array {
                        c = key(m, c, b)?.0;
                    }
                    continue 'value;
                }
                (b']', true) | (b'}', false) => {
                    end = c.at + 1;
                    m.advance(&mut c);
                    open -= 1;
                    arrays >>= 1;
                }
                _ => return Err(Unsure),
            }
        }
    }
}

/// The walk over the kept paths of a line, recording the tape.
struct Walk<'a> {
    b: &'a [u8],
    m: &'a Marks<'a>,
    /// Some string holds an escape: keys on kept paths must be checked for one.
    escapes: bool,
    items: &'a mut Vec<Item>,
    kept: &'a mut Vec<Range<usize>>,
}

impl Walk<'_> {
    /// One value on a kept path that goes on below it (trie `node`): objects keep the keys the
    /// trie reaches, arrays are transparent, a scalar is kept as the pruning parse keeps it.
    fn value_at(&mut self, c: Cursor, trie: &FieldTrie, node: usize, depth: usize) -> Result<Cursor, Unsure> {
        match byte(self.b, c.at) {
            b'{' => self.object_at(c, trie, node, depth + 1),
            b'[' => self.array_at(c, trie, node, depth + 1),
            _ => {
                let start = c.at;
                let (c, end) = skip_value(self.m, c, self.b, depth)?;
                self.items.push(Item::Value(start..end));
                Ok(c)
            }
        }
    }

    fn object_at(&mut self, mut c: Cursor, trie: &FieldTrie, node: usize, depth: usize) -> Result<Cursor, Unsure> {
        if depth > MAX_DEPTH {
            return Err(Unsure);
        }
        self.m.advance(&mut c);
        let open = self.items.len();
        self.items.push(Item::Object(0));
        let mut keys = 0;
        if byte(self.b, c.at) == b'}' {
            self.m.advance(&mut c);
        } else {
            loop {
                let (next, key) = key(self.m, c, self.b)?;
                c = next;
                let name = &self.b[key.clone()];
                // A key on a kept path is compared undecoded: one with an escape is left to
                // serde_json.
                if self.escapes && name.contains(&b'\\') {
                    return Err(Unsure);
                }
                match trie.step(node, name) {
                    Step::Skip => c = skip_value(self.m, c, self.b, depth)?.0,
                    Step::Whole => {
                        self.items.push(Item::Key(key));
                        let start = c.at;
                        let (next, end) = skip_value(self.m, c, self.b, depth)?;
                        c = next;
                        self.items.push(Item::Value(start..end));
                        self.kept.push(start..end);
                        keys += 1;
                    }
                    Step::Descend(next) => {
                        self.items.push(Item::Key(key));
                        c = self.value_at(c, trie, next, depth)?;
                        keys += 1;
                    }
                }
                match byte(self.b, c.at) {
                    b',' => self.m.advance(&mut c),
                    b'}' => {
                        self.m.advance(&mut c);
                        break;
                    }
                    _ => return Err(Unsure),
                }
            }
        }
        self.items[open] = Item::Object(keys);
        self.items.push(Item::End);
        Ok(c)
    }

    fn array_at(&mut self, mut c: Cursor, trie: &FieldTrie, node: usize, depth: usize) -> Result<Cursor, Unsure> {
        if depth > MAX_DEPTH {
            return Err(Unsure);
        }
        self.m.advance(&mut c);
        self.items.push(Item::Array);
        if byte(self.b, c.at) == b']' {
            self.m.advance(&mut c);
        } else {
            loop {
                // Arrays are transparent to field paths: elements stay at the same trie node.
                c = self.value_at(c, trie, node, depth)?;
                match byte(self.b, c.at) {
                    b',' => self.m.advance(&mut c),
                    b']' => {
                        self.m.advance(&mut c);
                        break;
                    }
                    _ => return Err(Unsure),
                }
            }
        }
        self.items.push(Item::End);
        Ok(c)
    }
}

/// The scalar (number, `true`, `false`, `null`) starting at `b[at]`; returns the byte after it,
/// which must end the run of scalar bytes (a space, a structural character, a quote, the end):
/// the structural index has no token inside a run, so `truex` or `1-` would go unseen otherwise.
#[inline(always)]
fn scalar(b: &[u8], at: usize) -> Result<usize, Unsure> {
    let word = |w: &[u8]| {
        if b[at..].starts_with(w) {
            Ok(at + w.len())
        } else {
            Err(Unsure)
        }
    };
    let end = match b.get(at) {
        Some(b't') => word(b"true")?,
        Some(b'f') => word(b"false")?,
        Some(b'n') => word(b"null")?,
        Some(b'-' | b'0'..=b'9') => number(b, at)?,
        _ => return Err(Unsure),
    };
    match b.get(end) {
        None | Some(b' ' | b',' | b'}' | b']' | b':' | b'"' | b'{' | b'[') => Ok(end),
        _ => Err(Unsure),
    }
}

/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?` with at most [`MAX_DIGITS`] digits in each part: such a number
/// is in range for serde_json whatever its type. Exponents are left to serde_json.
#[inline(always)]
fn number(b: &[u8], mut i: usize) -> Result<usize, Unsure> {
    let digits = |i: usize| b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    if b[i] == b'-' {
        i += 1;
    }
    let int = digits(i);
    if int == 0 || int > MAX_DIGITS || (int > 1 && b[i] == b'0') {
        return Err(Unsure);
    }
    i += int;
    if b.get(i) == Some(&b'.') {
        let frac = digits(i + 1);
        if frac == 0 || frac > MAX_DIGITS {
            return Err(Unsure);
        }
        i += 1 + frac;
    }
    Ok(i)
}

fn build_value(items: &[Item], at: &mut usize, line: &[u8]) -> Json {
    let item = items[*at].clone();
    *at += 1;
    match item {
        Item::Value(r) => scalar_value(&line[r]),
        Item::Object(keys) => {
            // Sized once: growing a map rehashes every key.
            let mut map = Map::with_capacity(keys);
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
        // Escapes, unicode escapes, surrogate pairs and halves.
        b"\\u0000",
        b"\\u001f",
        b"\\uffff",
        b"\\uD834\\uDD1E",
        b"\\uDBFF",
        b"\\u00",
        b"\\\\",
        b"\\\"",
        b"\\/",
        b"\\b\\f\\n\\r\\t",
        // Numbers of every shape, and scalars run together.
        b"-0.0",
        b"1.5e+3",
        b"2E-2",
        b"0.0000001",
        b"--1",
        b"00",
        b"-01",
        b"123456789012345678",
        b"1234567890123456789",
        b"0.123456789012345678",
        b"9007199254740993",
        b"18446744073709551616",
        b"-9223372036854775809",
        b"true1",
        b"nullx",
        b"1true",
        b"falsee",
        // Invalid UTF-8: truncated sequences, an overlong encoding, a stray continuation byte.
        b"\xe2\x82",
        b"\xf0\x9f\x98",
        b"\xc0\xaf",
        b"\x80",
        b"\xf0\x9f\x98\x80",
    ];

    /// Short texts, and long ones that cross the scanner's 64-byte chunks.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![3 => chars(0..6), 1 => chars(50..150)]
    }

    fn chars(len: std::ops::Range<usize>) -> impl Strategy<Value = String> {
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
            len,
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

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(1024)))]
        /// The same lines moved across the 64-byte chunks of the first stage (leading blanks, a
        /// long first member), so every byte, escape and string end falls at every offset.
        #[test]
        fn vouches_alike_at_every_offset(
            line in line(),
            edits in proptest::collection::vec(edit(), 0..3),
            pad in 0..130usize,
        ) {
            let mut mutated = line.clone();
            edits.iter().for_each(|e| apply(&mut mutated, e));
            if let [b'{', rest @ ..] = &mutated[..] {
                // Blanks after the brace (leading ones are trimmed before the scan).
                let blanks = [&b"{"[..], &vec![b' '; pad], rest].concat();
                check(&blanks)?;
                let member = format!("{{\"pad\":\"{}\",", "x".repeat(pad));
                let padded = [member.as_bytes(), rest].concat();
                check(&padded)?;
            }
        }
    }

    #[test]
    fn nesting_through_kept_and_skipped_paths() {
        for depth in [98, 99, 100, 101, 127, 128] {
            // Objects and arrays alternating, under a kept key (`a`) and a skipped one (`x`).
            for key in ["a", "x"] {
                let open: String = (0..depth)
                    .map(|i| {
                        if i % 2 == 0 {
                            format!("{{\"{key}\":")
                        } else {
                            "[".into()
                        }
                    })
                    .collect();
                let close: String = (0..depth).rev().map(|i| if i % 2 == 0 { "}" } else { "]" }).collect();
                // Vouched for up to the scanner's limit, left to serde_json past it.
                let vouched = check(format!("{open}1{close}").as_bytes()).unwrap();
                assert_eq!(vouched, depth <= MAX_DEPTH, "key {key}, depth {depth}");
                let vouched = check(format!("{{\"{key}\":{open}1{close}}}").as_bytes()).unwrap();
                assert_eq!(vouched, depth < MAX_DEPTH, "key {key}, depth {depth} + 1");
            }
        }
    }

    #[test]
    fn nesting_at_serde_json_limits() {
        for depth in [99, 100, 101, 127, 128, 200] {
            let line = format!("{{\"a\":{}{}}}", "[".repeat(depth), "]".repeat(depth));
            // The object and `depth` arrays: vouched for up to the scanner's limit.
            let vouched = check(line.as_bytes()).unwrap();
            assert_eq!(vouched, depth < MAX_DEPTH, "depth {depth} + 1");
        }
    }
}
