//! The fix for M318: `Field: '*x*'` becomes `Field|contains: 'x'` (startswith, endswith alike).
//!
//! Offered only where the meaning cannot change: an item without modifiers whose every value is a
//! string with the same hand-written shape, no escaped wildcard and no other wildcard, written so its
//! bytes are its value; and no sibling key already named `Field|modifier`.

use std::collections::HashMap;

use super::modifiers::implied_modifier;
use crate::catalog::SourceFile;
use crate::catalog::yaml::{Node, Resolved, Style, resolve_plain, scalar_content};
use crate::diag::{Edit, Fix, Span};
use crate::model::detection::{Item, SearchBody};
use crate::model::sigma_string::SigmaString;

/// The fixes of one search identifier's items, by the byte where each item's key starts.
pub fn fixes(file: &SourceFile, body: &SearchBody<'_>) -> HashMap<usize, Fix> {
    let mut out = HashMap::new();
    collect(file, body, &mut out);
    out
}

fn collect(file: &SourceFile, body: &SearchBody<'_>, out: &mut HashMap<usize, Fix>) {
    match body {
        SearchBody::Map(items) => {
            let keys: Vec<&str> = items.iter().filter_map(|i| i.key?.scalar_text()).collect();
            for item in items {
                if let (Some(key), Some(fix)) = (item.key, item_fix(file, item, &keys)) {
                    out.insert(key.span.start.at(), fix);
                }
            }
        }
        SearchBody::List(list) => list.iter().for_each(|b| collect(file, b, out)),
        SearchBody::Keyword(_) => {}
    }
}

fn item_fix(file: &SourceFile, item: &Item<'_>, sibling_keys: &[&str]) -> Option<Fix> {
    let (field, key) = (item.field?, item.key?);
    if !item.modifiers.is_empty() || !item.unknown_modifiers.is_empty() || key.scalar_text() != Some(field) {
        return None;
    }
    let key_range = scalar_content(&file.text, key)?;
    let values = item.values();
    let modifier = shared_modifier(&values)?;
    let new_key = format!("{field}|{modifier}");
    if sibling_keys.contains(&new_key.as_str()) || field.contains(['\'', '"']) {
        return None;
    }
    let mut edits = vec![Edit {
        span: Span::point(file.pos_at_byte(key_range.end)),
        text: format!("|{modifier}"),
    }];
    for v in values {
        edits.extend(strip_wildcards(file, v, modifier)?);
    }
    Some(Fix::new(format!("write `{new_key}` and drop the wildcards"), edits))
}

/// The modifier every value's wildcards stand for, when they all agree.
fn shared_modifier(values: &[&Node]) -> Option<&'static str> {
    let mut shared = None;
    for v in values {
        let text = v.as_str()?;
        if text.contains("\\*") || text.contains("\\?") {
            return None;
        }
        let m = implied_modifier(&SigmaString::parse(text, false))?;
        if shared.is_some_and(|s| s != m) {
            return None;
        }
        shared = Some(m);
    }
    shared
}

/// Edits deleting the leading and/or trailing `*` of one value; `None` when the value cannot be
/// edited in place or would read as something else than a string without them (plain `1*` → `1`).
fn strip_wildcards(file: &SourceFile, v: &Node, modifier: &str) -> Option<Vec<Edit>> {
    let range = scalar_content(&file.text, v)?;
    let (lead, trail) = match modifier {
        "contains" => (true, true),
        "startswith" => (false, true),
        _ => (true, false),
    };
    let inner = &file.text[range.start + usize::from(lead)..range.end - usize::from(trail)];
    let plain = v.as_scalar()?.style == Style::Plain;
    if inner.is_empty() || (plain && (resolve_plain(inner) != Resolved::Str || inner.ends_with([' ', ':']))) {
        return None;
    }
    let delete = |at: usize| Edit {
        span: file.span_of_bytes(at..at + 1),
        text: String::new(),
    };
    let mut edits = Vec::new();
    if lead {
        edits.push(delete(range.start));
    }
    if trail {
        edits.push(delete(range.end - 1));
    }
    Some(edits)
}

#[cfg(test)]
mod tests {
    use crate::catalog::Catalog;
    use crate::diag::apply_fixes;
    use crate::model::Parsed;

    /// The detection text after applying every M318 fix, and how many M318 findings had one.
    fn fix(detection: &str) -> (String, usize) {
        let text = format!("title: T\nlogsource: {{product: windows}}\ndetection:\n{detection}  condition: sel\n");
        let c = Catalog::from_sources(&[("t.yml", &text)]);
        let parsed: Vec<Parsed<'_>> = c.documents.iter().map(Parsed::parse).collect();
        let diags = super::super::run(&parsed, &Default::default());
        let fixes: Vec<_> = diags
            .iter()
            .filter(|d| d.code.code == "M318")
            .filter_map(|d| d.fix.as_ref())
            .collect();
        let out = apply_fixes(&text, &fixes).text;
        let body = out.split("detection:\n").nth(1).unwrap();
        (body.replace("  condition: sel\n", ""), fixes.len())
    }

    #[test]
    fn each_shape_becomes_its_modifier_keeping_quotes_and_comments() {
        let (out, n) = fix(
            "  sel:\n    A: '*x y*' # c\n    B: \"p*\"\n    C: q*\n    D:\n      - '*\\a.exe'\n      - '*\\b.exe'\n",
        );
        assert_eq!(
            out,
            "  sel:\n    A|contains: 'x y' # c\n    B|startswith: \"p\"\n    C|startswith: q\n    D|endswith:\n      - '\\a.exe'\n      - '\\b.exe'\n"
        );
        assert_eq!(n, 5);
    }

    #[test]
    fn unsafe_shapes_keep_their_finding_without_a_fix() {
        for detection in [
            "  sel:\n    A:\n      - '*x*'\n      - 'y*'\n", // mixed shapes
            "  sel:\n    A: '*x\\*'\n",                      // escaped wildcard
            "  sel:\n    A: '*x'\n    A|endswith: 'y'\n",    // the new key exists
            "  sel:\n    A: 1*\n",                           // `1` would be a number
            "  sel:\n    A: \"*\\tx\"\n",                    // an escape: bytes are not the value
            "  sel:\n    A:\n      - '*x'\n      - 5\n",     // a number in the list
        ] {
            let (out, n) = fix(detection);
            assert_eq!(n, 0, "{detection} → {out}");
        }
    }
}
