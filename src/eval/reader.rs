//! The fast event path of `detc eval`: a raw line becomes an event holding only the fields the
//! catalog reads, and the list of detections that could match it.
//!
//! Every step is exact. The scanner ([`super::scan`]) vouches for a line only when serde_json
//! certainly accepts it, and otherwise the line takes the serde_json path, which accepts it or
//! words the error. The prefilter ([`super::prefilter`]) only rules out detections whose literals
//! are absent from the values the catalog reads; pruning ([`super::fields`]) keeps every value a
//! lookup of the catalog can reach. A line whose read values the prefilter cannot be sure about
//! (escapes that may hide text, non-ASCII text) has every detection evaluated.

use serde_json::Value as Json;

use super::fields::FieldTrie;
use super::prefilter::{Need, Prefilter};
use super::scan::{Tape, scan};
use super::stream::{Item, parse_line};

pub struct EventReader {
    /// The paths to keep; `None` when some detection reads the whole event (a keyword).
    fields: Option<FieldTrie>,
    /// Keeps nothing: validates a line no detection needs.
    nothing: FieldTrie,
    prefilter: Prefilter,
}

/// One line read.
#[derive(Debug)]
pub enum Read {
    /// A valid event no detection can match: counted, never built.
    Quiet,
    /// An event, and, when the prefilter applied, which detections could match it.
    Event(Json, Option<Vec<bool>>),
    /// Not an event: why, in serde_json's words.
    Bad(String),
}

impl From<Item> for Read {
    fn from(item: Item) -> Read {
        match item {
            Item::Event(e) => Read::Event(e, None),
            Item::Bad { message, .. } => Read::Bad(message),
        }
    }
}

/// Buffers [`EventReader::read`] reuses from line to line (one per thread).
#[derive(Default)]
pub struct Scratch {
    tape: Tape,
    /// The read values, ASCII-lower-cased, one per line: what the prefilter searches.
    haystack: Vec<u8>,
    present: Vec<bool>,
}

impl EventReader {
    /// `fields`: every path the detections read, or `None` for "the whole event"; `needs`: one per
    /// detection, in the engine's order.
    pub fn new(fields: Option<Vec<String>>, needs: &[Need]) -> EventReader {
        EventReader {
            fields: fields.map(|f| FieldTrie::new(f.iter().map(String::as_str))),
            nothing: FieldTrie::new([]),
            prefilter: Prefilter::new(needs),
        }
    }

    /// Read one line (trimmed `bytes`).
    pub fn read(&self, bytes: &[u8], scratch: &mut Scratch) -> Read {
        let trie = self.fields.as_ref().unwrap_or(&self.nothing);
        if scan(bytes, trie, &mut scratch.tape).is_err() {
            return self.read_parsed(bytes);
        }
        let candidates = if self.haystack(bytes, scratch) {
            self.prefilter.search(&scratch.haystack, &mut scratch.present);
            if !self.prefilter.any_candidate(&scratch.present) {
                return Read::Quiet;
            }
            Some(self.prefilter.candidates_of(&scratch.present))
        } else {
            None
        };
        let event = match &self.fields {
            Some(_) => scratch.tape.build(bytes),
            // A keyword reads every value: the whole event (the scanner vouched for the line).
            None => match parse_line(0, bytes) {
                Item::Event(e) => e,
                Item::Bad { message, .. } => return Read::Bad(message),
            },
        };
        Read::Event(event, candidates)
    }

    /// Fill the scratch haystack with the text the prefilter searches: the values kept (or the
    /// whole line when the whole event is read), lower-cased. `false` when the literals cannot be
    /// trusted on that text ([`Prefilter::applies`]).
    fn haystack(&self, bytes: &[u8], scratch: &mut Scratch) -> bool {
        let hay = &mut scratch.haystack;
        hay.clear();
        if self.fields.is_none() {
            hay.extend_from_slice(bytes);
        } else {
            for r in &scratch.tape.kept {
                hay.extend_from_slice(&bytes[r.clone()]);
                // No literal holds a control character: none is found across two values.
                hay.push(b'\n');
            }
        }
        // A line the scanner found plain (ASCII, no escape) needs no look at its values.
        let applies = scratch.tape.plain() || Prefilter::applies(hay);
        hay.make_ascii_lowercase();
        applies
    }

    /// The serde_json path, for lines the scanner could not vouch for: the prefilter over the whole
    /// line, then a pruning parse, and the full parser's words for a line that is not an object.
    fn read_parsed(&self, bytes: &[u8]) -> Read {
        let candidates = self.prefilter.candidates(bytes);
        let needed = candidates.as_ref().is_none_or(|c| c.iter().any(|&x| x));
        let trie = if !needed {
            Some(&self.nothing)
        } else {
            self.fields.as_ref()
        };
        // Invalid UTF-8 is reported by the full parser, in its words.
        let item = match trie.zip(std::str::from_utf8(bytes).ok()) {
            Some((trie, text)) => match trie.parse(text) {
                Ok(event) if event.is_object() => Item::Event(event),
                _ => parse_line(0, bytes),
            },
            None => parse_line(0, bytes),
        };
        match item {
            Item::Event(_) if !needed => Read::Quiet,
            Item::Event(e) => Read::Event(e, candidates),
            Item::Bad { message, .. } => Read::Bad(message),
        }
    }

    /// How many detections the prefilter cannot narrow (evaluated on every line).
    pub fn unfiltered(&self) -> usize {
        self.prefilter.unfiltered()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(r: &EventReader, bytes: &[u8]) -> Read {
        r.read(bytes, &mut Scratch::default())
    }

    #[test]
    fn keeps_only_needed_fields_and_words_errors_as_a_full_parse() {
        let r = EventReader::new(Some(vec!["data.type".into()]), &[Need::OneOf(vec!["\"sapi\"".into()])]);
        match read(&r, br#"{"data": {"type": "sapi", "ip": "1.2.3.4"}}"#) {
            Read::Event(e, c) => assert_eq!((e, c), (json!({"data": {"type": "sapi"}}), Some(vec![true]))),
            other => panic!("{other:?}"),
        }
        // The literal is searched in the values read only, not in the rest of the line.
        assert!(matches!(
            read(&r, br#"{"data": {"type": "s", "ip": "sapi"}}"#),
            Read::Quiet
        ));
        // A line the scanner leaves to serde_json (an exponent) reads the same.
        match read(&r, br#"{"data": {"type": "SAPI", "n": 1e3}}"#) {
            Read::Event(e, c) => assert_eq!((e, c), (json!({"data": {"type": "SAPI"}}), Some(vec![true]))),
            other => panic!("{other:?}"),
        }
        for bad in [
            &br#"{"data": {"type": "s", "ip": "\ud800"}}"#[..],
            b"{\"a\": \"\xff\"}",
            b"[1]",
            b"{\"a\":",
        ] {
            let expected = match parse_line(3, bad) {
                Item::Bad { message, .. } => message,
                Item::Event(_) => panic!("a full parse rejects it"),
            };
            match read(&r, bad) {
                Read::Bad(message) => assert_eq!(message, expected),
                other => panic!("{other:?} accepted"),
            }
        }
    }
}

/// The fast path is exact: on random rules and events, with values written in every JSON escape
/// style, it reports what evaluating the fully parsed event reports.
#[cfg(test)]
mod agreement {
    use super::*;
    use crate::catalog::Catalog;
    use crate::eval::engine::Engine;
    use crate::ir::Lowering;
    use crate::model::Parsed;
    use proptest::prelude::*;
    use serde_json::Value as Json;

    /// Pieces of text that collide in the ways that matter: case (ASCII and Unicode folds: `K`, the
    /// Kelvin sign, long `s`), characters a JSON writer escapes, wildcards, number and boolean text.
    const WORDS: &[&str] = &[
        "kk",
        "KK",
        "\u{212A}k",
        "\u{17F}s",
        "ss",
        "\"",
        "/",
        "*",
        "1000",
        "tru",
        "true",
        "false",
        "alse",
        "\u{e9}t\u{e9}",
        "\u{c9}T\u{c9}",
    ];
    const FIELDS: &[&str] = &["a", "a.b", "c{}"];
    const MODIFIERS: &[&str] = &["", "|contains", "|startswith", "|endswith", "|cased", "|contains|cased"];

    fn text(max: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(WORDS), 1..max).prop_map(|w| w.concat())
    }

    fn selection() -> impl Strategy<Value = String> {
        let item = (
            proptest::sample::select(FIELDS),
            proptest::sample::select(MODIFIERS),
            proptest::collection::vec(text(3), 1..3),
        );
        prop_oneof![
            proptest::collection::vec(item, 1..3).prop_map(|items| {
                items
                    .into_iter()
                    .map(|(f, m, values)| {
                        let values: Vec<String> =
                            values.iter().map(|v| format!("'{}'", v.replace('\'', "''"))).collect();
                        format!("    '{f}{m}': [{}]\n", values.join(", "))
                    })
                    .collect::<String>()
            }),
            proptest::collection::vec(text(3), 1..3).prop_map(|kws| {
                kws.iter()
                    .map(|k| format!("    - '{}'\n", k.replace('\'', "''")))
                    .collect()
            }),
        ]
    }

    fn rule() -> impl Strategy<Value = String> {
        (selection(), selection(), 0..3usize).prop_map(|(s0, s1, c)| {
            let condition = ["sel0 or sel1", "sel0 and sel1", "sel0 and not sel1"][c];
            format!(
                "title: T\nlogsource: {{product: x}}\ndetection:\n  sel0:\n{s0}  sel1:\n{s1}  condition: {condition}\n"
            )
        })
    }

    fn value() -> impl Strategy<Value = Json> {
        let leaf = prop_oneof![
            text(4).prop_map(Json::String),
            any::<bool>().prop_map(Json::Bool),
            Just(Json::Null),
            prop_oneof![
                (0i64..3).prop_map(|n| Json::from(n * 1000)),
                (0i64..2000).prop_map(Json::from)
            ],
            Just(serde_json::json!(1.5)),
        ];
        leaf.prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..3).prop_map(Json::Array),
                proptest::collection::vec((proptest::sample::select(&["a", "b", "c", "a.b"][..]), inner), 0..3)
                    .prop_map(|kv| Json::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
            ]
        })
    }

    /// `value` as JSON text, strings escaped in `style`: 0 minimal, 1 also `\/`, 2 `\u` for
    /// everything but letters, 3 numbers written with an exponent.
    fn write(value: &Json, style: u8, out: &mut String) {
        match value {
            Json::String(s) => {
                out.push('"');
                for c in s.chars() {
                    match (c, style) {
                        ('"', _) => out.push_str("\\\""),
                        ('\\', _) => out.push_str("\\\\"),
                        ('/', 1) => out.push_str("\\/"),
                        (c, 2) if !c.is_ascii_alphabetic() => {
                            let mut buf = [0u16; 2];
                            for unit in c.encode_utf16(&mut buf) {
                                out.push_str(&format!("\\u{unit:04x}"));
                            }
                        }
                        (c, _) => out.push(c),
                    }
                }
                out.push('"');
            }
            // `1e3`: the evaluator sees the number 1000 and prints it `1000.0`.
            Json::Number(n) if style == 3 && n.as_i64().is_some_and(|i| i > 0 && i % 1000 == 0) => {
                out.push_str(&format!("{}e3", n.as_i64().unwrap_or(0) / 1000))
            }
            Json::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(v, style, out);
                }
                out.push(']');
            }
            Json::Object(map) => {
                out.push('{');
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(&Json::String(k.clone()), style, out);
                    out.push(':');
                    write(v, style, out);
                }
                out.push('}');
            }
            other => out.push_str(&other.to_string()),
        }
    }

    fn event() -> impl Strategy<Value = (String, u8)> {
        (
            proptest::collection::vec((proptest::sample::select(&["a", "c", "a.b"][..]), value()), 0..4),
            0u8..4,
        )
            .prop_map(|(kv, style)| {
                let object = Json::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect());
                let mut out = String::new();
                write(&object, style, &mut out);
                (out, style)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256)))]
        #[test]
        fn fast_path_agrees_with_full_parse(rule in rule(), events in proptest::collection::vec(event(), 1..6)) {
            let catalog = Catalog::from_sources(&[("r.yml", &rule)]);
            let parsed: Vec<Parsed<'_>> = catalog.documents.iter().map(Parsed::parse).collect();
            let vars = Default::default();
            let lowering = Lowering::new(&parsed, &vars);
            let (mut engine, diags) = Engine::build(&parsed, &lowering, vec![], false);
            prop_assume!(diags.is_empty() && engine.detector_count() == 1);
            let reader = engine.reader();
            for (i, (line, _)) in events.iter().enumerate() {
                let full: Json = serde_json::from_str(line).expect("the writer writes valid JSON");
                let mut expected = Vec::new();
                engine.push(i + 1, &full, &mut expected);
                let mut got = Vec::new();
                match reader.read(line.as_bytes(), &mut Scratch::default()) {
                    Read::Quiet => {}
                    Read::Event(fast, candidates) => {
                        engine.push_batch(&[i + 1], std::slice::from_ref(&fast), &[candidates], &mut got)
                    }
                    Read::Bad(message) => panic!("{line} was rejected: {message}"),
                }
                prop_assert_eq!(got, expected, "line {}", line);
            }
        }
    }
}
