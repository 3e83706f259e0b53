//! The field paths an engine reads, as a trie over dotted segments, and a JSON reader that keeps
//! only those paths of an event.
//!
//! A catalog reads a few dozen fields; a real event carries hundreds of values. Building only the
//! values some rule, correlation or timestamp can reach saves most of the parsing (allocation of
//! strings, maps) while the whole line is still validated as JSON, so a malformed line is reported
//! exactly as before.
//!
//! The pruning follows [`super::event::lookup`] exactly: a key is taken when it equals the rest of a
//! path or is followed in it by a `.`, so a dotted key (`"details.ip"`) walks several segments at
//! once, and arrays are transparent.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value as Json};

/// A set of field paths, split at dots. `{}` (Splunk's multivalue suffix) is dropped, as `lookup`
/// drops it.
#[derive(Debug, Clone, Default)]
pub struct FieldTrie {
    nodes: Vec<TrieNode>,
}

#[derive(Debug, Clone, Default)]
struct TrieNode {
    /// A whole path ends here: the value under this key is kept entire.
    terminal: bool,
    children: Vec<(String, usize)>,
    /// The first bytes of the children's names (bit `b` of word `b / 64`), and whether one name is
    /// empty: most keys of an event start with none of them and are skipped at once.
    first_bytes: [u64; 4],
    empty_child: bool,
}

impl TrieNode {
    /// Whether a child's name may start `key`. An empty name matches a key that is empty or
    /// starts with a dot.
    fn may_have_child(&self, key: &[u8]) -> bool {
        match key.first() {
            None | Some(b'.') if self.empty_child => true,
            Some(&b) => self.first_bytes[usize::from(b >> 6)] & (1 << (b & 63)) != 0,
            None => false,
        }
    }
}

impl FieldTrie {
    pub fn new<'f>(paths: impl IntoIterator<Item = &'f str>) -> FieldTrie {
        let mut trie = FieldTrie {
            nodes: vec![TrieNode::default()],
        };
        for path in paths {
            trie.insert(&path.replace("{}", ""));
        }
        trie
    }

    fn insert(&mut self, path: &str) {
        let mut node = 0;
        for segment in path.split('.') {
            node = match self.child(node, segment.as_bytes()) {
                Some(next) => next,
                None => {
                    self.nodes.push(TrieNode::default());
                    let next = self.nodes.len() - 1;
                    let parent = &mut self.nodes[node];
                    parent.children.push((segment.to_string(), next));
                    match segment.as_bytes().first() {
                        Some(&b) => parent.first_bytes[usize::from(b >> 6)] |= 1 << (b & 63),
                        None => parent.empty_child = true,
                    }
                    next
                }
            };
        }
        self.nodes[node].terminal = true;
    }

    fn child(&self, node: usize, segment: &[u8]) -> Option<usize> {
        self.nodes[node]
            .children
            .iter()
            .find(|(s, _)| s.as_bytes() == segment)
            .map(|&(_, n)| n)
    }

    /// Where the key `key` (possibly dotted; its UTF-8 bytes) leads from `node`: the key is walked
    /// segment by segment (a dotted key goes several levels down at once).
    ///
    /// Called for every key of every object on a kept path, so it avoids splitting: a child
    /// matches when its name (which holds no dot) starts the rest of the key and is followed by a
    /// dot or the end; names are told apart by length and first byte before being compared.
    #[inline]
    pub(super) fn step(&self, node: usize, key: &[u8]) -> Step {
        let mut at = node;
        let mut rest = key;
        loop {
            if self.nodes[at].terminal {
                // A shorter path already takes this value whole (`a` before `a.b`): the deeper key
                // cannot be reached by `lookup` through a dotted key, but keeping it is harmless.
                return Step::Whole;
            }
            if !self.nodes[at].may_have_child(rest) {
                return Step::Skip;
            }
            let found = self.nodes[at].children.iter().find(|(name, _)| {
                let name = name.as_bytes();
                rest.len() >= name.len()
                    && name.first().is_none_or(|c| rest.first() == Some(c))
                    && matches!(rest.get(name.len()), None | Some(b'.'))
                    // Names are short: compared inline rather than through `memcmp`.
                    && rest.iter().zip(name).all(|(a, b)| a == b)
            });
            let Some((name, next)) = found else {
                return Step::Skip;
            };
            at = *next;
            match rest.get(name.len()) {
                // The key ends here.
                None => break,
                Some(_) => rest = &rest[name.len() + 1..],
            }
        }
        if self.nodes[at].terminal {
            Step::Whole
        } else {
            Step::Descend(at)
        }
    }

    /// Parse one JSON text, building only the values under the trie's paths (the rest is validated
    /// and skipped). The result is what `lookup` would find for every path of the trie.
    /// The text is already known to be UTF-8, so strings are not validated again one by one.
    pub fn parse(&self, text: &str) -> serde_json::Result<Json> {
        let mut de = serde_json::Deserializer::from_str(text);
        let value = Pruned { trie: self, node: 0 }.deserialize(&mut de)?;
        de.end()?;
        Ok(value)
    }
}

/// What to do with an object key's value, seen from a trie node.
pub(super) enum Step {
    Skip,
    Whole,
    Descend(usize),
}

/// The value at one trie node: objects keep only keys the trie reaches, arrays are transparent.
#[derive(Clone, Copy)]
struct Pruned<'t> {
    trie: &'t FieldTrie,
    node: usize,
}

impl<'de> DeserializeSeed<'de> for Pruned<'_> {
    type Value = Json;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Pruned<'_> {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut out = Map::new();
        while let Some((key, step)) = map.next_key_seed(KeyStep(self))? {
            match step {
                Step::Skip => map.next_value_seed(Skip)?,
                Step::Whole => {
                    out.insert(key, map.next_value::<Json>()?);
                }
                Step::Descend(node) => {
                    out.insert(key, map.next_value_seed(Pruned { trie: self.trie, node })?);
                }
            }
        }
        Ok(Json::Object(out))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut out = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            out.push(item);
        }
        Ok(Json::Array(out))
    }

    // Scalars are kept: they are small, and keeping them makes the result a faithful subset.
    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
}

/// A value read and validated exactly as a full parse would (UTF-8, escapes, surrogates, the
/// nesting limit) but not built. serde_json's own `IgnoredAny` skips faster but checks none of these,
/// so a line a full parse rejects would be accepted.
#[derive(Clone, Copy)]
struct Skip;

impl<'de> DeserializeSeed<'de> for Skip {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Skip {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key_seed(Skip)?.is_some() {
            map.next_value_seed(Skip)?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Skip)?.is_some() {}
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

/// Reads an object key and decides, without allocating for skipped keys, what to do with its value.
struct KeyStep<'t>(Pruned<'t>);

impl<'de> DeserializeSeed<'de> for KeyStep<'_> {
    type Value = (String, Step);

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(String, Step), D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyStep<'_> {
    type Value = (String, Step);

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, key: &str) -> Result<(String, Step), E> {
        let step = self.0.trie.step(self.0.node, key.as_bytes());
        let key = match step {
            Step::Skip => String::new(),
            _ => key.to_string(),
        };
        Ok((key, step))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::event::lookup;
    use serde_json::json;

    fn same_lookups(paths: &[&str], event: &Json) {
        let trie = FieldTrie::new(paths.iter().copied());
        let pruned = trie.parse(&event.to_string()).unwrap();
        for p in paths {
            assert_eq!(lookup(&pruned, p), lookup(event, p), "path {p} on {event}");
        }
    }

    #[test]
    fn keeps_what_lookup_finds() {
        let event = json!({
            "data": {"type": "s", "details.ip": "1.2.3.4", "roles": ["a", "b"], "list": [{"x": 1, "y": 2}, {"x": 3}],
                     "big": {"skip": {"deep": [1, 2, 3]}}, "details": {"ip": "5.6.7.8", "other": "o"}},
            "data.type": "flat", "a": {"b.c": {"d": 1}}, "": {"": 2}
        });
        let paths = [
            "data.type",
            "data.details.ip",
            "data.roles{}",
            "data.list{}.x",
            "a.b.c.d",
            "data.missing",
            "data",
            "..",
        ];
        for p in paths {
            same_lookups(&[p], &event);
        }
        same_lookups(&paths, &event);
    }

    #[test]
    fn drops_what_no_path_reaches() {
        let trie = FieldTrie::new(["data.type"]);
        let pruned = trie
            .parse(r#"{"log_id": "x", "data": {"type": "s", "details": {"a": [1, {"b": "c"}]}}}"#)
            .unwrap();
        assert_eq!(pruned, json!({"data": {"type": "s"}}));
    }

    #[test]
    fn invalid_json_is_still_an_error() {
        let trie = FieldTrie::new(["data.type"]);
        // Skipped values are held to a full parse's rules: escapes, lone surrogates, nesting depth.
        let deep = format!("{{\"a\": {}{}}}", "[".repeat(200), "]".repeat(200));
        for bad in [
            "{\"a\": [1, }",
            "{\"a\": \"\\x\"}",
            "{\"a\": 1} x",
            "{\"a\": tru}",
            r#"{"a": "\ud800"}"#,
            &deep,
        ] {
            assert!(trie.parse(bad).is_err(), "{bad}");
            assert!(serde_json::from_str::<Json>(bad).is_err());
        }
    }

    #[test]
    fn duplicate_keys_keep_the_last_value_as_a_full_parse_does() {
        let text = r#"{"a": 1, "b": 2, "a": 3}"#;
        let trie = FieldTrie::new(["a"]);
        assert_eq!(trie.parse(text).unwrap(), json!({"a": 3}));
        assert_eq!(serde_json::from_str::<Json>(text).unwrap()["a"], json!(3));
    }

    /// On random events and paths made of the segments that trip dotted-key walking (empty ones,
    /// dots at either end), the pruned event answers every lookup as the whole event does.
    mod random {
        use super::*;
        use proptest::prelude::*;

        const SEGMENTS: &[&str] = &["a", "b", "", "ab"];

        fn dotted() -> impl Strategy<Value = String> {
            proptest::collection::vec(proptest::sample::select(SEGMENTS), 1..4).prop_map(|s| s.join("."))
        }

        fn value() -> impl Strategy<Value = Json> {
            let leaf = prop_oneof![Just(json!(1)), Just(json!("s")), Just(Json::Null)];
            leaf.prop_recursive(3, 16, 3, |inner| {
                prop_oneof![
                    proptest::collection::vec(inner.clone(), 0..3).prop_map(Json::Array),
                    proptest::collection::vec((dotted(), inner), 0..4)
                        .prop_map(|kv| Json::Object(kv.into_iter().collect())),
                ]
            })
        }

        proptest! {
            #[test]
            fn pruned_events_answer_lookups_alike(
                event in proptest::collection::vec((dotted(), value()), 0..4),
                paths in proptest::collection::vec(dotted(), 1..4),
            ) {
                let event = Json::Object(event.into_iter().collect());
                let trie = FieldTrie::new(paths.iter().map(String::as_str));
                let pruned = trie.parse(&event.to_string()).unwrap();
                for p in &paths {
                    prop_assert_eq!(lookup(&pruned, p), lookup(&event, p), "path {:?} on {}", p, event);
                }
            }
        }
    }
}
