//! Reading fields out of JSON events: nested objects, dotted keys, and arrays as "any element".

use serde_json::Value;

/// Every value a Sigma field name designates in `event`.
///
/// `data.details.ip` is found as nested objects, as a flat `"data.details.ip"` key, or any mix
/// (`"data": {"details.ip": …}`). Arrays stand for "any element", whether the name says so with
/// Splunk's `{}` suffix or not (Elastic flattens arrays the same way).
pub fn lookup<'e>(event: &'e Value, field: &str) -> Vec<&'e Value> {
    let path = field.replace("{}", "");
    let segments: Vec<&str> = path.split('.').collect();
    let mut out = Vec::new();
    walk(event, &segments, &mut out);
    out
}

fn walk<'e>(value: &'e Value, segments: &[&str], out: &mut Vec<&'e Value>) {
    if segments.is_empty() {
        match value {
            Value::Array(items) => items.iter().for_each(|i| walk(i, segments, out)),
            v => out.push(v),
        }
        return;
    }
    match value {
        Value::Object(map) => {
            // Try every split of the remaining path into one (possibly dotted) key and the rest.
            let mut key = String::new();
            for (i, seg) in segments.iter().enumerate() {
                if i > 0 {
                    key.push('.');
                }
                key.push_str(seg);
                if let Some(v) = map.get(&key) {
                    walk(v, &segments[i + 1..], out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| walk(i, segments, out)),
        _ => {}
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

/// A value as a number: JSON numbers, and strings holding one.
pub fn as_number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
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
