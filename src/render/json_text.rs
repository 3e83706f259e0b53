//! JSON text of template values, written directly: the bytes serde_json writes for the `tojson`
//! filter, without going through a serializer.
//!
//! Why: the Kibana and Sumo Logic artifacts are JSON written by `tojson` over whole trees of
//! queries (about 11 MB for a 3,400-rule catalog), on one core each. serde_json looks every string
//! byte up in a table and calls its formatter for every token; here strings are escaped by runs
//! ([`push_json_string`]) and punctuation is pushed as bytes. What this writer does not know (a
//! map key that is not a string, bytes, plain objects) it declines, and the caller falls back to
//! serde_json, so the text is always serde_json's.

use minijinja::Value;
use minijinja::value::{ObjectRepr, ValueKind};
use serde_json::Value as Json;

use super::json_string::push_json_string;
use super::json_view::JsonView;

/// The writer met a value it leaves to serde_json.
#[derive(Debug)]
pub struct Declined;

/// JSON text as serde_json writes it: compact, or pretty with `indent` (its `PrettyFormatter`).
pub struct JsonText<'i> {
    out: Vec<u8>,
    indent: Option<&'i [u8]>,
    depth: usize,
}

impl<'i> JsonText<'i> {
    pub fn new(indent: Option<&'i [u8]>) -> Self {
        JsonText {
            out: Vec::new(),
            indent,
            depth: 0,
        }
    }

    /// The text of a template value, map keys of lent trees sorted as minijinja sorts its copy.
    pub fn value(mut self, v: &Value) -> Result<String, Declined> {
        self.template_value(v)?;
        String::from_utf8(self.out).map_err(|_| Declined)
    }

    fn template_value(&mut self, v: &Value) -> Result<(), Declined> {
        if let Some(view) = v.downcast_object_ref::<JsonView>() {
            self.tree(view.node());
            return Ok(());
        }
        if let Some(object) = v.as_object() {
            return match object.repr() {
                ObjectRepr::Map => {
                    let pairs = object.try_iter_pairs().ok_or(Declined)?;
                    self.open(b'{');
                    let mut any = false;
                    for (key, value) in pairs {
                        self.key(key.as_str().ok_or(Declined)?, any);
                        self.template_value(&value)?;
                        any = true;
                    }
                    self.close(b'}', any);
                    Ok(())
                }
                ObjectRepr::Seq | ObjectRepr::Iterable => {
                    let items = object.try_iter().ok_or(Declined)?;
                    self.open(b'[');
                    let mut any = false;
                    for item in items {
                        self.element(any);
                        self.template_value(&item)?;
                        any = true;
                    }
                    self.close(b']', any);
                    Ok(())
                }
                _ => Err(Declined),
            };
        }
        match v.kind() {
            ValueKind::String => {
                push_json_string(&mut self.out, v.as_str().ok_or(Declined)?);
                Ok(())
            }
            // Scalars are one token, the same compact or pretty: serde_json writes them.
            ValueKind::Undefined | ValueKind::None | ValueKind::Bool | ValueKind::Number => {
                serde_json::to_writer(&mut self.out, v).map_err(|_| Declined)
            }
            _ => Err(Declined),
        }
    }

    /// A JSON tree with each object's keys in sorted order.
    fn tree(&mut self, v: &Json) {
        match v {
            Json::Null => self.out.extend_from_slice(b"null"),
            Json::Bool(true) => self.out.extend_from_slice(b"true"),
            Json::Bool(false) => self.out.extend_from_slice(b"false"),
            // A number always serializes, and writing to a Vec cannot fail.
            Json::Number(n) => {
                let _ = serde_json::to_writer(&mut self.out, n);
            }
            Json::String(s) => push_json_string(&mut self.out, s),
            Json::Array(items) => {
                self.open(b'[');
                for (i, item) in items.iter().enumerate() {
                    self.element(i > 0);
                    self.tree(item);
                }
                self.close(b']', !items.is_empty());
            }
            Json::Object(map) => {
                let mut entries: Vec<(&String, &Json)> = map.iter().collect();
                entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
                self.open(b'{');
                for (i, (key, value)) in entries.iter().enumerate() {
                    self.key(key, i > 0);
                    self.tree(value);
                }
                self.close(b'}', !entries.is_empty());
            }
        }
    }

    fn open(&mut self, bracket: u8) {
        self.out.push(bracket);
        self.depth += 1;
    }

    fn close(&mut self, bracket: u8, any: bool) {
        self.depth -= 1;
        if any {
            self.line();
        }
        self.out.push(bracket);
    }

    /// Before an array element: a comma after the first, and a new line when pretty.
    fn element(&mut self, after_first: bool) {
        if after_first {
            self.out.push(b',');
        }
        self.line();
    }

    fn key(&mut self, key: &str, after_first: bool) {
        self.element(after_first);
        push_json_string(&mut self.out, key);
        self.out.push(b':');
        if self.indent.is_some() {
            self.out.push(b' ');
        }
    }

    fn line(&mut self) {
        if let Some(pad) = self.indent {
            self.out.push(b'\n');
            for _ in 0..self.depth {
                self.out.extend_from_slice(pad);
            }
        }
    }
}
