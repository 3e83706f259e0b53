//! Reading fields out of JSON events: nested objects, dotted keys, and arrays as "any element".

use serde_json::Value;

/// Every value a Sigma field name designates in `event`.
///
/// `data.details.ip` is found as nested objects, as a flat `"data.details.ip"` key, or any mix
/// (`"data": {"details.ip": …}`). Arrays stand for "any element", whether the name says so with
/// Splunk's `{}` suffix or not (Elastic flattens arrays the same way).
pub fn lookup<'e>(event: &'e Value, field: &str) -> Vec<&'e Value> {
    let mut out = Vec::new();
    // A byte search: `str::contains` sets up a substring searcher on every call.
    if field.as_bytes().contains(&b'{') && field.contains("{}") {
        walk(event, &field.replace("{}", ""), &mut out);
    } else {
        walk(event, field, &mut out);
    }
    out
}

/// Follow `path` from `value`. At each object, a key that equals the rest of the path, or is
/// followed in it by a `.`, is taken: no allocation, and dotted keys need no special case.
fn walk<'e>(value: &'e Value, path: &str, out: &mut Vec<&'e Value>) {
    match value {
        Value::Object(map) => {
            let first = path.as_bytes().first();
            for (key, v) in map {
                // Most keys differ in their first byte: skip them without comparing the rest.
                if key.as_bytes().first() != first {
                    continue;
                }
                let Some(rest) = path.strip_prefix(key.as_str()) else {
                    continue;
                };
                if rest.is_empty() {
                    push_leaf(v, out);
                } else if let Some(rest) = rest.strip_prefix('.') {
                    walk(v, rest, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| walk(i, path, out)),
        _ => {}
    }
}

/// A found value; an array stands for its elements.
fn push_leaf<'e>(value: &'e Value, out: &mut Vec<&'e Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|i| push_leaf(i, out)),
        v => out.push(v),
    }
}

/// The text a value matches as, the way Splunk sees JSON values: numbers and booleans as written.
pub fn as_text(value: &Value) -> Option<std::borrow::Cow<'_, str>> {
    match value {
        Value::String(s) => Some(std::borrow::Cow::Borrowed(s)),
        Value::Number(n) => Some(std::borrow::Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(std::borrow::Cow::Borrowed(if *b { "true" } else { "false" })),
        _ => None,
    }
}

/// A value as a number: JSON numbers, and strings holding one in plain decimal notation (`-12`,
/// `3.5`). Splunk and Elastic keyword fields compare the text, so `" 12"`, `"+12"`, `"012"` and
/// `"12e0"` are not numbers here.
pub fn as_number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) if is_plain_decimal(s) => s.parse().ok(),
        _ => None,
    }
}

/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?`
pub fn is_plain_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    all_digits(int) && (int == "0" || !int.starts_with('0')) && frac.is_none_or(all_digits)
}

/// Every string (and number) anywhere in the event, for keyword search.
pub fn all_texts<'e>(value: &'e Value, out: &mut Vec<std::borrow::Cow<'e, str>>) {
    match value {
        Value::Object(map) => map.values().for_each(|v| all_texts(v, out)),
        Value::Array(items) => items.iter().for_each(|v| all_texts(v, out)),
        v => out.extend(as_text(v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_dotted_and_arrays() {
        let e =
            json!({"data": {"type": "s", "details.ip": "1.2.3.4", "roles": ["a", "b"], "list": [{"x": 1}, {"x": 2}]}});
        assert_eq!(lookup(&e, "data.type"), [&json!("s")]);
        assert_eq!(lookup(&e, "data.details.ip"), [&json!("1.2.3.4")]);
        assert_eq!(lookup(&e, "data.roles{}"), [&json!("a"), &json!("b")]);
        assert_eq!(lookup(&e, "data.roles"), [&json!("a"), &json!("b")]);
        assert_eq!(lookup(&e, "data.list{}.x"), [&json!(1), &json!(2)]);
        assert!(lookup(&e, "data.missing").is_empty());
        let flat = json!({"data.type": "f"});
        assert_eq!(lookup(&flat, "data.type"), [&json!("f")]);
    }
}
