//! JSON trees lent to templates as they are, instead of copied into minijinja values first.
//!
//! `Value::from_serialize` copies a whole context into minijinja's own maps (a `BTreeMap` insert per
//! key) before a template reads a single field; for `build` that copy was about a twelfth of all its
//! work, most of it for fields no template reads (the docs index copied every page's queries).
//! A [`JsonView`] is a minijinja object over a shared `serde_json` tree that hands out a field only
//! when a template asks for it. It behaves as the copy would: maps list their keys in minijinja's
//! order (sorted), numbers keep their kind, `null` is `none`, a missing key is undefined.
//!
//! `tojson` is replaced by [`tojson`], which writes a view's tree with serde_json directly (same
//! text as minijinja's filter: keys sorted, `<` `>` `&` `'` as `\u` escapes) and treats every other
//! value exactly as minijinja's filter does.

use std::ptr::NonNull;
use std::sync::Arc;

use minijinja::value::{Enumerator, Kwargs, Object, ObjectRepr, Value};
use minijinja::{Error, ErrorKind};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value as Json;

use super::json_text::{Declined, JsonText};

/// Maps up to this size are searched entry by entry: cheaper than hashing the key.
const SCANNED_MAP: usize = 32;

/// A map or list inside a shared JSON tree; scalars are handed out as plain minijinja values.
#[derive(Debug)]
pub struct JsonView {
    /// Keeps the tree alive; nothing changes a lent tree (see [`JsonView::node`]).
    root: Arc<Json>,
    /// This view's node in `root`'s tree. A view names its node directly rather than by the path
    /// from the root: walking that path on every lookup and copying it for every child took about
    /// a fifth of rendering the site's pages.
    node: NonNull<Json>,
}

// SAFETY: a view only reads its node, a `Json` inside the tree `root` owns; `Json` is `Send` and
// `Sync`, and the tree is never changed while lent (see `node`), so reading it from any thread is
// as sound as reading through a shared `&Json`.
unsafe impl Send for JsonView {}
unsafe impl Sync for JsonView {}

/// `json` as a template value, without copying it.
pub fn lend(json: Json) -> Value {
    lend_shared(&Arc::new(json))
}

/// A shared tree as a template value (several templates can read one tree).
pub fn lend_shared(root: &Arc<Json>) -> Value {
    value_of(root, root)
}

/// A JSON object of `entries`, moved in (`json!` would copy each value it is given by name).
pub fn object<const N: usize>(entries: [(&str, Json); N]) -> Json {
    Json::Object(entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

/// The template value of `node`, a node of the tree `root` owns.
fn value_of(root: &Arc<Json>, node: &Json) -> Value {
    match node {
        Json::Null => Value::from(()),
        Json::Bool(b) => Value::from(*b),
        // As serde_json serialises numbers, so `from_serialize` would have stored them.
        Json::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Value::from(u),
            (None, Some(i)) => Value::from(i),
            _ => Value::from(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::from(s.as_str()),
        Json::Array(_) | Json::Object(_) => Value::from_object(JsonView {
            root: root.clone(),
            node: NonNull::from(node),
        }),
    }
}

impl JsonView {
    pub(super) fn node(&self) -> &Json {
        // SAFETY: `node` points into the tree `root` owns (`value_of` is only given nodes of
        // `root`'s tree: the root itself or a child of a view's node). That tree lives as long as
        // `root`, which this view holds, and is never changed: it is reached only through this
        // `Arc`, whose clones (every view of it holds one) are never used mutably — `Arc::get_mut`
        // fails while a view holds a clone, and nothing here calls it. So the node is still where
        // it was and no `&mut` to it can exist while this borrow does.
        unsafe { self.node.as_ref() }
    }

    fn child(&self, node: &Json) -> Value {
        value_of(&self.root, node)
    }

    /// A map's keys in the order minijinja keeps its own maps in.
    fn sorted_keys(map: &serde_json::Map<String, Json>) -> Vec<&str> {
        let mut keys: Vec<&str> = map.keys().map(String::as_str).collect();
        keys.sort_unstable();
        keys
    }
}

impl Object for JsonView {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        match self.node() {
            Json::Array(_) => ObjectRepr::Seq,
            _ => ObjectRepr::Map,
        }
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match self.node() {
            Json::Object(map) => {
                let name = key.as_str()?;
                // A small map is searched entry by entry: cheaper than hashing the key.
                let node = if map.len() <= SCANNED_MAP {
                    map.iter().find(|(k, _)| k.as_str() == name).map(|(_, v)| v)?
                } else {
                    map.get(name)?
                };
                Some(self.child(node))
            }
            Json::Array(items) => Some(self.child(items.get(key.as_usize()?)?)),
            _ => None,
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        match self.node() {
            Json::Object(map) => Enumerator::Values(Self::sorted_keys(map).into_iter().map(Value::from).collect()),
            Json::Array(items) => Enumerator::Seq(items.len()),
            _ => Enumerator::Empty,
        }
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        match self.node() {
            Json::Object(map) => Some(map.len()),
            Json::Array(items) => Some(items.len()),
            _ => Some(0),
        }
    }
}

/// A JSON tree serialised with its map keys sorted, as minijinja would write its copy.
struct Sorted<'a>(&'a Json);

impl Serialize for Sorted<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Json::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&Sorted(item))?;
                }
                seq.end()
            }
            Json::Object(map) => {
                // Sorted as pairs: looking each key up again would hash it.
                let mut entries: Vec<(&String, &Json)> = map.iter().collect();
                entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
                let mut out = s.serialize_map(Some(map.len()))?;
                for (key, value) in entries {
                    out.serialize_entry(key, &Sorted(value))?;
                }
                out.end()
            }
            scalar => scalar.serialize(s),
        }
    }
}

/// A template value serialised as minijinja serialises it, except that views write their trees
/// directly.
struct Fast<'a>(&'a Value);

impl Serialize for Fast<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if let Some(view) = self.0.downcast_object_ref::<JsonView>() {
            return Sorted(view.node()).serialize(s);
        }
        let Some(object) = self.0.as_object() else {
            return self.0.serialize(s);
        };
        match object.repr() {
            ObjectRepr::Map => {
                let mut map = s.serialize_map(None)?;
                for (key, value) in object.try_iter_pairs().into_iter().flatten() {
                    map.serialize_entry(&key, &Fast(&value))?;
                }
                map.end()
            }
            ObjectRepr::Seq | ObjectRepr::Iterable => {
                let mut seq = s.serialize_seq(object.enumerator_len())?;
                for item in object.try_iter().into_iter().flatten() {
                    seq.serialize_element(&Fast(&item))?;
                }
                seq.end()
            }
            // Plain objects (and reprs added later) as minijinja writes them.
            _ => self.0.serialize(s),
        }
    }
}

/// The `tojson` filter: `value` as JSON, pretty-printed with `indent` spaces (`true` is two), safe to
/// place in HTML and JSON alike. Same arguments and text as minijinja's own filter.
pub fn tojson(value: &Value, indent: Option<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let indent = match indent {
        Some(i) => Some(i),
        None => kwargs.get("indent")?,
    };
    let indent: Option<usize> = match indent {
        None => None,
        Some(v) => match bool::try_from(v.clone()) {
            Ok(true) => Some(2),
            Ok(false) => None,
            Err(_) => Some(usize::try_from(v)?),
        },
    };
    kwargs.assert_all_used()?;
    let pad = indent.map(|n| " ".repeat(n));
    let text = match JsonText::new(pad.as_deref().map(str::as_bytes)).value(value) {
        Ok(text) => Ok(text),
        // What the direct writer leaves to serde_json (same text, slower).
        Err(Declined) => serde_text(value, pad.as_deref()),
    }
    .map_err(|e| Error::new(ErrorKind::InvalidOperation, "cannot serialize to JSON").with_source(e))?;
    Ok(Value::from_safe_string(html_safe(text)))
}

/// `value` as JSON through serde_json: the fallback of [`JsonText`], and its oracle in tests.
fn serde_text(value: &Value, pad: Option<&str>) -> Result<String, serde_json::Error> {
    match pad {
        Some(pad) => {
            let mut out = Vec::new();
            let mut ser = serde_json::Serializer::with_formatter(
                &mut out,
                serde_json::ser::PrettyFormatter::with_indent(pad.as_bytes()),
            );
            Fast(value)
                .serialize(&mut ser)
                .map(|()| String::from_utf8(out).unwrap_or_default())
        }
        None => serde_json::to_string(&Fast(value)),
    }
}

/// JSON text with `<`, `>`, `&` and `'` written as `\u` escapes: they can then appear only inside
/// strings (never as JSON syntax), so the text is also safe inside HTML.
fn html_safe(text: String) -> String {
    let bytes = text.as_bytes();
    // The next `<`, `>` or `&` and the next `'`, each found with memchr and looked for again only
    // once passed: JSON with many apostrophes and no angle brackets is not rescanned for them.
    let angle = |from: usize| memchr::memchr3(b'<', b'>', b'&', &bytes[from..]).map_or(bytes.len(), |i| from + i);
    let apostrophe = |from: usize| memchr::memchr(b'\'', &bytes[from..]).map_or(bytes.len(), |i| from + i);
    let (mut next_angle, mut next_apostrophe) = (angle(0), apostrophe(0));
    if next_angle == bytes.len() && next_apostrophe == bytes.len() {
        return text;
    }
    // The four are ASCII, so every other byte (UTF-8 sequences included) is copied in runs.
    let mut out = String::with_capacity(text.len() + 64);
    let mut run = 0;
    while next_angle.min(next_apostrophe) < bytes.len() {
        let at = next_angle.min(next_apostrophe);
        out.push_str(&text[run..at]);
        out.push_str(match bytes[at] {
            b'<' => "\\u003c",
            b'>' => "\\u003e",
            b'&' => "\\u0026",
            _ => "\\u0027",
        });
        run = at + 1;
        if at == next_angle {
            next_angle = angle(run);
        } else {
            next_apostrophe = apostrophe(run);
        }
    }
    out.push_str(&text[run..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::Environment;
    use proptest::prelude::*;

    /// Expressions a template may apply to a context value; each must read the same from a view as
    /// from minijinja's copy of the tree.
    const TEMPLATES: &[&str] = &[
        "{{ v }}",
        "{{ v | tojson }}",
        "{{ v | tojson(indent=2) }}",
        "{{ v | tojson(true) }}",
        "{{ {'x': v, 'y': [v, 1]} | tojson(indent=3) }}",
        "{% if v %}t{% else %}f{% endif %}",
        "{{ v | length }}",
        "{% for k in v %}{{ k }};{% endfor %}",
        "{% for k, x in v | items %}{{ k }}={{ x }};{% endfor %}",
        "{% for k, x in v | dictsort %}{{ k }}={{ x }};{% endfor %}",
        "{{ v | list }}",
        "{{ v | first }}",
        "{{ v | join(',') }}",
        "{{ v.a }}|{{ v['ü<'] }}|{{ v.a.b }}",
        "{{ v[0] }}|{{ v[-1] }}|{{ v[1][0] }}",
        "{{ v.a is defined }}{{ v.zz is defined }}{{ v is mapping }}{{ v is sequence }}",
        "{{ v == c }}{{ v != c }}{{ c == v }}",
        "{{ v.items() | list }}{{ v.keys() | list }}",
        "{{ v | selectattr('a') | list }}",
        "{{ v | map(attribute='a') | list }}",
        "{{ v | default('d') }}{{ v.a | default('d') }}",
        "{{ 'a' in v }}{{ 1 in v }}",
        "{{ v | string }}",
    ];

    fn render(template: &str, v: Value, c: Value) -> Result<String, String> {
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.add_filter("tojson", tojson);
        env.render_str(template, minijinja::context! {v => v, c => c})
            .map_err(|e| format!("{:?}", e.kind()))
    }

    fn minijinja_tojson(template: &str, v: Value) -> Result<String, String> {
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.render_str(template, minijinja::context! {v => v})
            .map_err(|e| format!("{:?}", e.kind()))
    }

    fn json_tree() -> impl Strategy<Value = Json> {
        let key = prop::sample::select(vec!["a", "b", "B", "ü<", "&'", "a b", "0", ""]);
        let leaf = prop_oneof![
            Just(Json::Null),
            any::<bool>().prop_map(Json::Bool),
            any::<u64>().prop_map(Json::from),
            any::<i64>().prop_map(Json::from),
            (-1e6f64..1e6).prop_map(Json::from),
            "[\u{0}-\u{1f}\u{7f}a-c<>&'\"\\\\\n\u{2028}é]{0,12}".prop_map(Json::String),
        ];
        leaf.prop_recursive(3, 24, 5, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Json::Array),
                prop::collection::vec((key.clone(), inner), 0..5)
                    .prop_map(|kv| Json::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Every expression reads a view exactly as it reads minijinja's copy of the same tree.
        #[test]
        fn a_view_reads_as_the_copy_would(json in json_tree()) {
            for t in TEMPLATES {
                let copied = render(t, Value::from_serialize(&json), Value::from_serialize(&json));
                let viewed = render(t, lend(json.clone()), Value::from_serialize(&json));
                prop_assert_eq!(&viewed, &copied, "template {}", t);
            }
        }

        /// Our `tojson` writes what minijinja's writes, for views and copies alike.
        #[test]
        fn tojson_writes_what_minijinja_writes(json in json_tree()) {
            for t in [
                "{{ v | tojson }}",
                "{{ v | tojson(indent=2) }}",
                "{{ v | tojson(indent=0) }}",
                "{{ {'k': v, 'l': [v, none, 'é\\'', 1.5, true]} | tojson(indent=4) }}",
                "{{ {'k': [v, {}], 'n': none, 'e': []} | tojson }}",
                "{{ {1: v, 'k': 2} | tojson(indent=1) }}",
            ] {
                let theirs = minijinja_tojson(t, Value::from_serialize(&json));
                prop_assert_eq!(&render(t, lend(json.clone()), Value::from(())), &theirs);
                prop_assert_eq!(&render(t, Value::from_serialize(&json), Value::from(())), &theirs);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// The direct writer writes serde_json's text for lent trees, copies and template maps
        /// around them, compact and at every indent.
        #[test]
        fn direct_text_is_serde_text(json in json_tree(), indent in prop::option::of(0usize..4)) {
            let pad = indent.map(|n| " ".repeat(n));
            let around = |v: Value| Value::from_serialize(std::collections::BTreeMap::from([("k", vec![v.clone(), v])]));
            for v in [lend(json.clone()), Value::from_serialize(&json), around(lend(json.clone()))] {
                // String keys only: the direct writer declines none of these.
                let direct = JsonText::new(pad.as_deref().map(str::as_bytes)).value(&v);
                prop_assert!(direct.is_ok());
                prop_assert_eq!(direct.ok(), serde_text(&v, pad.as_deref()).ok());
            }
        }
    }

    /// A map with a key that is not a string is left to serde_json, which writes it as minijinja's
    /// filter does (the key quoted), not refused.
    #[test]
    fn a_value_the_direct_writer_declines_is_written_by_serde_json() {
        let tree = || serde_json::json!({"b": 1, "a": "x"});
        let value = Environment::new()
            .compile_expression("{1: v, 'k': [2]}")
            .unwrap()
            .eval(minijinja::context! {v => lend(tree())})
            .unwrap();
        assert!(JsonText::new(None).value(&value).is_err());
        let template = "{{ {1: v, 'k': [2]} | tojson }}";
        let ours = render(template, lend(tree()), Value::from(()));
        assert_eq!(ours, minijinja_tojson(template, Value::from_serialize(tree())));
        assert_eq!(ours.as_deref(), Ok(r#"{"1":{"a":"x","b":1},"k":[2]}"#));
    }

    #[test]
    fn tojson_refuses_bad_arguments_as_minijinja_does() {
        for t in [
            "{{ 1 | tojson(indent='x') }}",
            "{{ 1 | tojson(foo=1) }}",
            "{{ 1 | tojson(indent=false) }}",
        ] {
            assert_eq!(
                render(t, Value::from(1), Value::from(1)),
                minijinja_tojson(t, Value::from(1)),
                "{t}"
            );
        }
    }
}
