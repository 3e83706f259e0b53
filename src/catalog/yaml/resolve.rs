//! YAML 1.1 type resolution of plain scalars, as PyYAML (and therefore pySigma) does it.
//!
//! A YAML 1.2 reader would read `yes` as a string and `010` as ten; pySigma reads them as `true`
//! and eight. The catalog's meaning is pySigma's, so we resolve the way PyYAML's implicit resolvers do.

use std::sync::OnceLock;

use regex::Regex;

use super::node::Resolved;

struct Patterns {
    int: Regex,
    float: Regex,
    timestamp: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| Patterns {
        int: Regex::new(
            r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$",
        )
        .unwrap(),
        float: Regex::new(
            r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        )
        .unwrap(),
        timestamp: Regex::new(
            r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$",
        )
        .unwrap(),
    })
}

/// Resolve a plain scalar's text to its YAML 1.1 type.
pub fn resolve_plain(text: &str) -> Resolved {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        _ => {}
    }
    let first = text.as_bytes()[0];
    // Numbers and timestamps start with a digit, a sign or a dot; of the other types only the
    // booleans start with a letter, and they are a fixed list.
    if !(first.is_ascii_digit() || b"+-.".contains(&first)) {
        return match text {
            "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Resolved::Bool(true),
            "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => Resolved::Bool(false),
            _ => Resolved::Str,
        };
    }
    let p = patterns();
    if p.int.is_match(text) {
        // Integers too large for i64 stay strings; the value lint reports them.
        return parse_int(text).map_or(Resolved::Str, Resolved::Int);
    }
    if p.float.is_match(text) {
        return parse_float(text).map_or(Resolved::Str, Resolved::Float);
    }
    if p.timestamp.is_match(text) {
        return Resolved::Timestamp;
    }
    Resolved::Str
}

fn split_sign(text: &str) -> (i64, &str) {
    match text.as_bytes()[0] {
        b'-' => (-1, &text[1..]),
        b'+' => (1, &text[1..]),
        _ => (1, text),
    }
}

fn parse_int(text: &str) -> Option<i64> {
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    let (sign, digits) = split_sign(&clean);
    let magnitude = if let Some(bin) = digits.strip_prefix("0b") {
        i64::from_str_radix(bin, 2).ok()?
    } else if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if digits.contains(':') {
        sexagesimal(digits)? as i64
    } else if digits.len() > 1 && digits.starts_with('0') {
        i64::from_str_radix(digits, 8).ok()?
    } else {
        digits.parse::<i64>().ok()?
    };
    magnitude.checked_mul(sign)
}

fn sexagesimal(digits: &str) -> Option<f64> {
    digits
        .split(':')
        .try_fold(0f64, |acc, part| Some(acc * 60.0 + part.parse::<f64>().ok()?))
}

fn parse_float(text: &str) -> Option<f64> {
    let clean: String = text
        .chars()
        .filter(|&c| c != '_')
        .collect::<String>()
        .to_ascii_lowercase();
    let (sign, digits) = split_sign(&clean);
    let magnitude = match digits {
        ".inf" => f64::INFINITY,
        ".nan" => f64::NAN,
        d if d.contains(':') => sexagesimal(d)?,
        d => d.parse::<f64>().ok()?,
    };
    Some(sign as f64 * magnitude)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pyyaml_1_1_resolution() {
        assert_eq!(resolve_plain("yes"), Resolved::Bool(true));
        assert_eq!(resolve_plain("Off"), Resolved::Bool(false));
        assert_eq!(resolve_plain("y"), Resolved::Str, "PyYAML does not read y as a boolean");
        assert_eq!(resolve_plain("ON"), Resolved::Bool(true));
        assert_eq!(resolve_plain("tRue"), Resolved::Str, "one spelling per case only");
        assert_eq!(resolve_plain("nope"), Resolved::Str);
        assert_eq!(resolve_plain("0x17"), Resolved::Int(23));
        assert_eq!(resolve_plain("010"), Resolved::Int(8));
        assert_eq!(resolve_plain("1:30"), Resolved::Int(90));
        assert_eq!(resolve_plain("-1_000"), Resolved::Int(-1000));
        assert_eq!(resolve_plain("08"), Resolved::Str, "not octal, not decimal in YAML 1.1");
        assert_eq!(resolve_plain("1e3"), Resolved::Str, "PyYAML needs a dot in a float");
        assert_eq!(resolve_plain("1.0e+3"), Resolved::Float(1000.0));
        assert_eq!(resolve_plain("1.50"), Resolved::Float(1.5));
        assert_eq!(resolve_plain("2019-10-23"), Resolved::Timestamp);
        assert_eq!(resolve_plain("~"), Resolved::Null);
        assert_eq!(resolve_plain("4688"), Resolved::Int(4688));
        assert_eq!(resolve_plain("cmd.exe"), Resolved::Str);
        assert_eq!(resolve_plain("99999999999999999999999"), Resolved::Str);
    }
}
