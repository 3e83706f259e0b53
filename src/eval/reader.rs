//! The fast event path of `detc eval`: a raw line becomes an event holding only the fields the
//! catalog reads, and the list of detections that could match it.
//!
//! Both steps are exact. The prefilter ([`super::prefilter`]) only rules out detections whose
//! literals are absent; pruning ([`super::fields`]) keeps every value a lookup of the catalog can
//! reach, and validates the rest as a full parse does. A line the prefilter cannot be sure about
//! (escapes that may hide text, non-ASCII text) has every detection evaluated, and a line that is not
//! a JSON object is reported in the full parser's words.

use super::fields::FieldTrie;
use super::prefilter::{Need, Prefilter};
use super::stream::{Item, parse_line};

pub struct EventReader {
    /// The paths to keep; `None` when some detection reads the whole event (a keyword).
    fields: Option<FieldTrie>,
    /// Keeps nothing: validates a line no detection needs.
    nothing: FieldTrie,
    prefilter: Prefilter,
}

/// One line read: the event (or why it is not one) and, when the prefilter applied, which
/// detections could match it.
pub struct Read {
    pub item: Item,
    pub candidates: Option<Vec<bool>>,
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

    pub fn read(&self, line: usize, bytes: &[u8]) -> Read {
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
                // The full parser words the finding, as for every other line.
                _ => parse_line(line, bytes),
            },
            None => parse_line(line, bytes),
        };
        Read { item, candidates }
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

    fn event(item: Item) -> serde_json::Value {
        match item {
            Item::Event(e) => e,
            Item::Bad { message, .. } => panic!("bad: {message}"),
        }
    }

    #[test]
    fn keeps_only_needed_fields_and_words_errors_as_a_full_parse() {
        let r = EventReader::new(Some(vec!["data.type".into()]), &[Need::OneOf(vec!["\"sapi\"".into()])]);
        let read = r.read(1, br#"{"data": {"type": "sapi", "ip": "1.2.3.4"}}"#);
        assert_eq!(read.candidates, Some(vec![true]));
        assert_eq!(event(read.item), json!({"data": {"type": "sapi"}}));
        let read = r.read(2, br#"{"data": {"type": "s", "ip": "1.2.3.4"}}"#);
        assert_eq!((read.candidates, event(read.item)), (Some(vec![false]), json!({})));
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
            match r.read(3, bad).item {
                Item::Bad { message, .. } => assert_eq!(message, expected),
                Item::Event(e) => panic!("{e} accepted"),
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
                let read = reader.read(i + 1, line.as_bytes());
                let Item::Event(fast) = read.item else { panic!("{line} was rejected") };
                let mut got = Vec::new();
                engine.push_batch(&[i + 1], std::slice::from_ref(&fast), &[read.candidates], &mut got);
                prop_assert_eq!(got, expected, "line {} pruned to {}", line, fast);
            }
        }
    }
}
