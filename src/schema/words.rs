//! Schema errors told in words. The validator says `"2025/01/15" does not match "^\d{4}-…$"`; a rule
//! author needs "`date` must be a date written YYYY-MM-DD, e.g. 2025-01-15" and, where the intent
//! is clear, the corrected value. Known fields (dates, timespans, UUIDs, enumerations, types, keys)
//! get a message naming the field by its YAML path; any other error keeps the validator's text.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{JsonType, ValidationError};
use serde_json::Value as Json;

use crate::diag::closest;

/// A schema error in words: the message, and a fix when one can be named.
pub struct Words {
    pub message: String,
    pub help: Option<String>,
}

/// `/correlation/timespan` → `correlation.timespan`, `/tags/0` → `tags[0]`; the root is `document`.
pub fn field_path(pointer: &str) -> String {
    let mut out = String::new();
    for step in pointer.split('/').skip(1) {
        let step = step.replace("~1", "/").replace("~0", "~");
        if step.parse::<usize>().is_ok() {
            out.push_str(&format!("[{step}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&step);
        }
    }
    if out.is_empty() { "document".into() } else { out }
}

/// The last key of a pointer (`/correlation/timespan` → `timespan`), indices skipped.
fn last_key(pointer: &str) -> &str {
    pointer.rsplit('/').find(|s| s.parse::<usize>().is_err()).unwrap_or("")
}

/// The error in words, or `None` when the validator's own text is the best we have.
/// `keys` lists the property names the schema allows where the error is (for "did you mean").
pub fn describe(err: &ValidationError<'_>, keys: &[&str]) -> Option<Words> {
    let pointer = err.instance_path().as_str();
    let field = field_path(pointer);
    let value = err.instance();
    let text = value.as_str();
    match err.kind() {
        ValidationErrorKind::Pattern { .. } => match last_key(pointer) {
            "date" | "modified" => Some(date_words(&field, text?)),
            "timespan" => Some(timespan_words(&field, text?)),
            _ => None,
        },
        ValidationErrorKind::Format { format } if format == "uuid" => Some(Words {
            message: format!("`{field}` must be a UUID, e.g. 5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f"),
            help: Some("generate one with `uuidgen` (or `python3 -c 'import uuid; print(uuid.uuid4())'`)".into()),
        }),
        ValidationErrorKind::Enum { options } => enum_words(&field, value, options),
        ValidationErrorKind::Type { kind } => Some(type_words(&field, value, kind)),
        ValidationErrorKind::AdditionalProperties { unexpected } => Some(key_words(unexpected, keys)),
        ValidationErrorKind::UniqueItems => {
            let (_, item) = repeated_item(value)?;
            Some(Words {
                message: format!("`{field}` lists {item} twice"),
                help: Some("remove the repeat".into()),
            })
        }
        ValidationErrorKind::MinLength { limit } => Some(Words {
            message: format!("`{field}` must be at least {limit} characters long; `{}` is not", text?),
            help: None,
        }),
        ValidationErrorKind::MaxLength { limit } => Some(Words {
            message: format!("`{field}` must be at most {limit} characters long"),
            help: Some(format!("shorten it (it has {} characters)", text?.chars().count())),
        }),
        _ => None,
    }
}

/// The index of the first item of a list that repeats an earlier one, and that item as shown.
pub fn repeated_item(list: &Json) -> Option<(usize, String)> {
    let items = list.as_array()?;
    let at = (1..items.len()).find(|&i| items[..i].contains(&items[i]))?;
    let shown = match items[at].as_str() {
        Some(s) => format!("`{s}`"),
        None => format!("`{}`", items[at]),
    };
    Some((at, shown))
}

fn date_words(field: &str, text: &str) -> Words {
    Words {
        message: format!("`{field}` must be a date written YYYY-MM-DD, e.g. 2025-01-15; `{text}` is not"),
        help: Some(match iso_date(text) {
            Some(fixed) => format!("write `{field}: {fixed}`"),
            None => {
                "write the year with four digits, then the month and the day with two each, separated by `-`".into()
            }
        }),
    }
}

/// `text` as YYYY-MM-DD when its reading is unambiguous: year first (`2025/1/5`), or year last with
/// a day over 12 (`15.01.2025`, `01/15/2025`).
pub fn iso_date(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.trim().split(['-', '/', '.', ' ']).collect();
    let [a, b, c] = parts.as_slice() else { return None };
    let num = |s: &str| -> Option<u32> { s.chars().all(|c| c.is_ascii_digit()).then(|| s.parse().ok())? };
    let (y, m, d) = if a.len() == 4 {
        (num(a)?, num(b)?, num(c)?)
    } else if c.len() == 4 {
        let (p, q) = (num(a)?, num(b)?);
        match (p > 12, q > 12) {
            (true, false) => (num(c)?, q, p),
            (false, true) => (num(c)?, p, q),
            _ => return None,
        }
    } else {
        return None;
    };
    (d >= 1 && d <= days_in_month(y, m)).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// Days of month `m` of year `y`; 0 for a month that does not exist.
pub fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        _ => 0,
    }
}

fn timespan_words(field: &str, text: &str) -> Words {
    Words {
        message: format!(
            "`{field}` must be a whole number and one unit letter (s, m, h, d, w, M for months, y), e.g. 5m or 1h; `{text}` is not"
        ),
        help: Some(match timespan(text) {
            Some(fixed) => format!("write `{}: {fixed}`", last_key_of(field)),
            None => "write the number then the unit, without a space: `30s`, `15m`, `2h`, `7d`".into(),
        }),
    }
}

fn last_key_of(field: &str) -> &str {
    field.rsplit('.').next().unwrap_or(field)
}

/// `5min`, `2 hours`, `1H` → `5m`, `2h`, `1h`.
pub fn timespan(text: &str) -> Option<String> {
    let t = text.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = t.split_at(digits);
    if n.is_empty() {
        return None;
    }
    let unit = match unit.trim().to_lowercase().as_str() {
        "s" | "sec" | "secs" | "second" | "seconds" => "s",
        "m" | "min" | "mins" | "minute" | "minutes" => "m",
        "h" | "hr" | "hrs" | "hour" | "hours" => "h",
        "d" | "day" | "days" => "d",
        "w" | "wk" | "week" | "weeks" => "w",
        "mo" | "month" | "months" => "M",
        "y" | "yr" | "year" | "years" => "y",
        _ => return None,
    };
    Some(format!("{n}{unit}"))
}

fn enum_words(field: &str, value: &Json, options: &Json) -> Option<Words> {
    let options: Vec<&str> = options.as_array()?.iter().filter_map(Json::as_str).collect();
    let shown = match value.as_str() {
        Some(s) => format!("`{s}`"),
        None => format!("`{value}`"),
    };
    let lower = value.as_str().map(str::to_lowercase).unwrap_or_default();
    let near = options
        .iter()
        .find(|o| **o == lower)
        .copied()
        .or_else(|| closest(&lower, options.iter().copied()))
        .or_else(|| {
            options
                .iter()
                .find(|o| !lower.is_empty() && lower.starts_with(*o))
                .copied()
        });
    Some(Words {
        message: format!("`{field}` must be one of {}; {shown} is not", options.join(", ")),
        help: near.map(|n| format!("did you mean `{n}`?")),
    })
}

fn type_name(t: JsonType) -> &'static str {
    match t {
        JsonType::Array => "a list",
        JsonType::Object => "a mapping",
        JsonType::String => "text",
        JsonType::Integer => "a whole number",
        JsonType::Number => "a number",
        JsonType::Boolean => "true or false",
        JsonType::Null => "empty",
    }
}

fn type_words(field: &str, value: &Json, kind: &TypeKind) -> Words {
    let expected: Vec<&str> = match kind {
        TypeKind::Single(t) => vec![type_name(*t)],
        TypeKind::Multiple(set) => set.iter().map(type_name).collect(),
    };
    let expected = expected.join(" or ");
    let actual = type_name(JsonType::from(value));
    let help = match (kind, value) {
        (TypeKind::Single(JsonType::Array), Json::String(s)) => Some(format!(
            "write it as a list: `{}: ['{s}']`, or one `- item` per line",
            last_key_of(field)
        )),
        (TypeKind::Single(JsonType::String), Json::Number(_) | Json::Bool(_)) => {
            Some(format!("quote the value: '{value}'"))
        }
        (TypeKind::Single(JsonType::String), Json::Array(items)) => {
            let joined: Vec<String> = items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                .collect();
            Some(format!(
                "write one text: `{}: {}`",
                last_key_of(field),
                joined.join(", ")
            ))
        }
        (TypeKind::Single(JsonType::Object), _) => Some(format!(
            "write `key: value` lines indented under `{}:`",
            last_key_of(field)
        )),
        _ => None,
    };
    Words {
        message: format!("`{field}` must be {expected}, not {actual}"),
        help,
    }
}

fn key_words(unexpected: &[String], keys: &[&str]) -> Words {
    let list: Vec<String> = unexpected.iter().map(|k| format!("`{k}`")).collect();
    let plural = if unexpected.len() == 1 { "" } else { "s" };
    let near: Vec<(&str, &str)> = unexpected
        .iter()
        .filter_map(|k| closest(k, keys.iter().copied()).map(|c| (k.as_str(), c)))
        .collect();
    let help = match near.as_slice() {
        [] if keys.is_empty() => None,
        [] => Some(format!("known keys here: {}", keys.join(", "))),
        [(_, c)] if unexpected.len() == 1 => Some(format!("did you mean `{c}`?")),
        _ => {
            let pairs: Vec<String> = near.iter().map(|(k, c)| format!("`{c}` for `{k}`")).collect();
            Some(format!("did you mean {}?", pairs.join(", ")))
        }
    };
    Words {
        message: format!("unknown key{plural} {}", list.join(", ")),
        help,
    }
}

/// The property names the schema allows at the object an error's schema path points into: the
/// `properties` beside the failing keyword (`…/additionalProperties`). A `$ref` step on the way is
/// followed when it points into the same schema (`#/$defs/target`).
pub fn allowed_keys<'s>(schema: &'s Json, schema_path: &str) -> Vec<&'s str> {
    let parent = schema_path.rsplit_once('/').map_or("", |(p, _)| p);
    let mut here = Some(schema);
    for step in parent.split('/').skip(1) {
        let node = here.unwrap_or(&Json::Null);
        here = match step {
            "$ref" => node
                .get("$ref")
                .and_then(Json::as_str)
                .and_then(|r| r.strip_prefix('#'))
                .and_then(|p| schema.pointer(p)),
            _ => node
                .get(step)
                .or_else(|| step.parse::<usize>().ok().and_then(|i| node.get(i))),
        };
    }
    here.and_then(|s| s.get("properties"))
        .and_then(Json::as_object)
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_rewritten_only_when_unambiguous() {
        assert_eq!(iso_date("2025/01/15").as_deref(), Some("2025-01-15"));
        assert_eq!(iso_date("2025-1-5").as_deref(), Some("2025-01-05"));
        assert_eq!(iso_date("15.01.2025").as_deref(), Some("2025-01-15"));
        assert_eq!(iso_date("01/15/2025").as_deref(), Some("2025-01-15"));
        assert_eq!(iso_date("01/02/2025"), None, "day and month could be either");
        assert_eq!(iso_date("2025/13/01"), None);
        assert_eq!(iso_date("2025/02/30"), None, "no such day");
        assert_eq!(iso_date("2024/2/29").as_deref(), Some("2024-02-29"));
        assert_eq!(iso_date("yesterday"), None);
    }

    #[test]
    fn timespans_in_words_become_units() {
        assert_eq!(timespan("5min").as_deref(), Some("5m"));
        assert_eq!(timespan("2 hours").as_deref(), Some("2h"));
        assert_eq!(timespan("1H").as_deref(), Some("1h"));
        assert_eq!(timespan("3 months").as_deref(), Some("3M"));
        assert_eq!(timespan("min"), None);
        assert_eq!(timespan("5 fortnights"), None);
    }

    #[test]
    fn allowed_keys_follow_local_refs() {
        let schema = serde_json::json!({
            "properties": {"a": {"$ref": "#/$defs/t"}, "b": {}},
            "$defs": {"t": {"properties": {"interval": {}, "index": {}}}}
        });
        assert_eq!(allowed_keys(&schema, "/additionalProperties"), ["a", "b"]);
        assert_eq!(
            allowed_keys(&schema, "/properties/a/$ref/additionalProperties"),
            ["interval", "index"]
        );
        assert!(allowed_keys(&schema, "/properties/zzz/additionalProperties").is_empty());
    }

    #[test]
    fn paths_read_like_yaml() {
        assert_eq!(field_path("/correlation/timespan"), "correlation.timespan");
        assert_eq!(field_path("/tests/0/expect"), "tests[0].expect");
        assert_eq!(field_path(""), "document");
    }
}
