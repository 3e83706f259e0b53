//! Event timestamps for correlation windows.

use serde_json::Value;

use super::event::lookup;

/// Fields tried, in order, when the configuration names none.
pub const DEFAULT_TIMESTAMP_FIELDS: [&str; 4] = ["data.date", "@timestamp", "timestamp", "date"];

/// Seconds since the epoch (with fraction) of `event`, read from the first of `fields` present:
/// RFC 3339 text, or a number of seconds (milliseconds when it is larger than 10^11).
pub fn timestamp(event: &Value, fields: &[String]) -> Option<f64> {
    fields_read(fields).find_map(|f| lookup(event, f).into_iter().find_map(parse))
}

/// The fields [`timestamp`] tries: the configured ones, else [`DEFAULT_TIMESTAMP_FIELDS`].
pub fn fields_read(fields: &[String]) -> impl Iterator<Item = &str> {
    let defaults = if fields.is_empty() {
        &DEFAULT_TIMESTAMP_FIELDS[..]
    } else {
        &[]
    };
    fields.iter().map(String::as_str).chain(defaults.iter().copied())
}

/// The fields [`timestamp`] reads, for messages: "`a`, `b` or `c`".
pub fn fields_text(fields: &[String]) -> String {
    let names: Vec<String> = fields_read(fields).map(|f| format!("`{f}`")).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

fn parse(value: &Value) -> Option<f64> {
    match value {
        Value::String(s) => {
            let ts: jiff::Timestamp = s.parse().ok()?;
            Some(ts.as_millisecond() as f64 / 1000.0)
        }
        Value::Number(n) => {
            let x = n.as_f64()?;
            Some(if x > 1e11 { x / 1000.0 } else { x })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rfc3339_and_epochs() {
        let e = json!({"data": {"date": "2026-01-01T00:00:01.500Z"}});
        assert_eq!(timestamp(&e, &[]), Some(1767225601.5));
        assert_eq!(
            timestamp(&json!({"ts": 1767225601000u64}), &["ts".into()]),
            Some(1767225601.0)
        );
        assert_eq!(timestamp(&json!({"x": 1}), &[]), None);
    }

    #[test]
    fn fields_are_listed_for_messages() {
        assert_eq!(fields_text(&[]), "`data.date`, `@timestamp`, `timestamp` or `date`");
        assert_eq!(fields_text(&["ts".into()]), "`ts`");
        assert_eq!(fields_text(&["a".into(), "b".into()]), "`a` or `b`");
    }
}
