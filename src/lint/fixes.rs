//! The fixes metadata lints attach: a fresh `id`, a near-miss key renamed, a tag in canonical form.
//!
//! Each returns `None` when the edit would not be safe to make blindly (the target key already
//! exists, the value has the wrong shape for it, the text cannot be edited in place): the finding is
//! then reported without a fix.

use crate::catalog::Document;
use crate::catalog::yaml::{Entry, Node, Value, replace_scalar, scalar_content};
use crate::diag::{Edit, Fix};

/// Insert `id: <fresh UUID v4>` on the line after `title:` (or before the first key without a title).
pub fn insert_id(doc: &Document) -> Option<Fix> {
    let text = &doc.file.text;
    let entries = doc.root.as_map()?;
    let first = entries.first()?;
    let indent = block_indent(text, &first.key)?;
    let title = entries.iter().position(|e| e.key.scalar_text() == Some("title"));
    let (at, lead) = match title {
        Some(i) => after_entry(text, entries, i)?,
        None => (first.key.span.start.at() - indent.len(), ""),
    };
    // The file's own line break: a CRLF file stays CRLF.
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let lead = if lead.is_empty() { "" } else { newline };
    let line = format!("{lead}{indent}id: {}{newline}", fresh_id(doc));
    let pos = doc.file.pos_at_byte(at);
    Some(Fix::new(
        "add a fresh `id`",
        vec![Edit {
            span: crate::diag::Span::point(pos),
            text: line,
        }],
    ))
}

/// Namespace of the ids `--fix` inserts (so they never equal the v5 ids `build` derives).
const FIX_NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x3b0c_91d4_7e25_4f8a_b6d1_52e0_9c7a_4f13);

/// A UUID v4 for a document without one. Its bits come from a SHA-1 digest of the file's path and
/// text and the document's position instead of a random source, so the same input gives the same
/// output (`--diff` shows the id `--fix` then writes, JSON output stays byte-stable), while any
/// other document, or the same one after an edit, gets another id.
fn fresh_id(doc: &Document) -> uuid::Uuid {
    let seed = format!("{}\0{}\0{}", doc.path().display(), doc.index, doc.file.text);
    let digest = uuid::Uuid::new_v5(&FIX_NAMESPACE, seed.as_bytes());
    uuid::Builder::from_random_bytes(*digest.as_bytes()).into_uuid()
}

/// The whitespace before `key` on its line, when the key starts its line (a block mapping).
fn block_indent<'t>(text: &'t str, key: &Node) -> Option<&'t str> {
    let start = key.span.start.at();
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let indent = &text[line_start..start];
    indent.chars().all(|c| c == ' ').then_some(indent)
}

/// Where a new line goes after entry `i`: after the line of a one-line scalar value, else at the start
/// of the next key's line. The second item is text to put first (a line break the file lacks at its end).
fn after_entry(text: &str, entries: &[Entry], i: usize) -> Option<(usize, &'static str)> {
    if let Some(range) = scalar_content(text, &entries[i].value) {
        return Some(match text[range.end..].find('\n') {
            Some(n) => (range.end + n + 1, ""),
            None => (text.len(), "\n"),
        });
    }
    let next = &entries.get(i + 1)?.key;
    let indent = block_indent(text, next)?;
    Some((next.span.start.at() - indent.len(), ""))
}

/// What a Sigma key holds, when the schema fixes it: a renamed key must fit, or the fix would trade a
/// warning for a schema error.
fn shape_fits(key: &str, value: &Node) -> bool {
    let list = ["references", "falsepositives", "tags", "fields", "related"];
    let map = ["logsource", "detection", "correlation", "filter"];
    let scalar = [
        "title",
        "id",
        "name",
        "status",
        "description",
        "license",
        "author",
        "date",
        "modified",
        "level",
        "taxonomy",
    ];
    match &value.value {
        Value::Seq(_) => !map.contains(&key) && !scalar.contains(&key),
        Value::Map(_) => !list.contains(&key) && !scalar.contains(&key),
        Value::Scalar(_) => !list.contains(&key) && !map.contains(&key),
    }
}

/// `typed` is `meant` but for one character added, dropped, changed, or two neighbours swapped: sure
/// enough to rename. Two edits apart (`notes` for `tests`) may be a custom key: reported, not renamed.
pub fn one_slip(typed: &str, meant: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (typed.chars().collect(), meant.chars().collect());
    let swapped = a.len() == b.len() && {
        let diff: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
        diff.len() == 2 && diff[1] == diff[0] + 1 && a[diff[0]] == b[diff[1]] && a[diff[1]] == b[diff[0]]
    };
    swapped || crate::diag::edit_distance(typed, meant) <= 1
}

/// Rename the top-level key of `entry` to `new`, unless the document already has `new` or the value
/// does not fit it.
pub fn rename_key(doc: &Document, entry: &Entry, new: &str) -> Option<Fix> {
    if doc.root.get(new).is_some() || !shape_fits(new, &entry.value) {
        return None;
    }
    let old = entry.key.scalar_text()?;
    let edit = replace_scalar(&doc.file, &entry.key, new)?;
    Some(Fix::new(format!("rename `{old}` to `{new}`"), vec![edit]))
}

/// The tag in Sigma's form: lowercase, words joined by `-`, and ATT&CK tactic names hyphenated
/// (`attack.Credential_Access` → `attack.credential-access`).
pub fn canonical_tag(tag: &str) -> String {
    let lower = tag.trim().to_lowercase();
    let joined = lower.split_whitespace().collect::<Vec<_>>().join("-");
    match joined.split_once('.') {
        Some(("attack", name)) if is_tactic(&name.replace('_', "-")) => format!("attack.{}", name.replace('_', "-")),
        _ => joined,
    }
}

/// A tactic of the embedded ATT&CK table or of a newer release.
pub fn is_tactic(name: &str) -> bool {
    crate::data::attack::attack().is_tactic(name)
}

/// Rewrite the tag scalar `node` as `new`, unless that makes a duplicate: `new` is already a tag, or
/// an earlier tag becomes `new` too (only the first of such tags is rewritten).
pub fn retag(doc: &Document, tags: &[&Node], node: &Node, new: &str) -> Option<Fix> {
    let earlier = tags.iter().take_while(|t| !std::ptr::eq(**t, node));
    if tags.iter().any(|t| t.scalar_text() == Some(new))
        || earlier.filter_map(|t| t.scalar_text()).any(|t| canonical_tag(t) == new)
    {
        return None;
    }
    let old = node.scalar_text()?;
    let edit = replace_scalar(&doc.file, node, new)?;
    Some(Fix::new(format!("write `{old}` as `{new}`"), vec![edit]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::diag::apply_fixes;

    fn fixed(text: &str, fix: impl Fn(&Document) -> Option<Fix>) -> Option<String> {
        let c = Catalog::from_sources(&[("t.yml", text)]);
        let f = fix(&c.documents[0])?;
        Some(apply_fixes(text, &[&f]).text)
    }

    fn no_uuid(text: &str) -> String {
        regex::Regex::new("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
            .unwrap()
            .replace_all(text, "UUID")
            .into_owned()
    }

    #[test]
    fn the_id_goes_on_the_line_after_the_title_keeping_its_comment() {
        let out = fixed("# head\ntitle: T # why\nlevel: low\n", insert_id).unwrap();
        assert_eq!(no_uuid(&out), "# head\ntitle: T # why\nid: UUID\nlevel: low\n");
    }

    #[test]
    fn the_id_after_a_multi_line_title_or_at_the_start_without_one() {
        let out = fixed("title: >\n  long\n  title\nlevel: low\n", insert_id).unwrap();
        assert_eq!(no_uuid(&out), "title: >\n  long\n  title\nid: UUID\nlevel: low\n");
        let out = fixed("level: low\ntitle: 'T'", insert_id).unwrap();
        assert_eq!(no_uuid(&out), "level: low\ntitle: 'T'\nid: UUID\n");
        let out = fixed("level: low\n", insert_id).unwrap();
        assert_eq!(no_uuid(&out), "id: UUID\nlevel: low\n");
    }

    #[test]
    fn a_crlf_file_gets_a_crlf_line() {
        let out = fixed("title: T\r\nlevel: low\r\n", insert_id).unwrap();
        assert_eq!(no_uuid(&out), "title: T\r\nid: UUID\r\nlevel: low\r\n");
    }

    #[test]
    fn no_id_is_inserted_into_a_flow_mapping() {
        assert_eq!(fixed("{title: T, level: low}\n", insert_id), None);
    }

    #[test]
    fn one_slip_is_one_edit_or_one_swap() {
        assert!(one_slip("referances", "references") && one_slip("realted", "related"));
        assert!(one_slip("title", "title") && one_slip("tittle", "title"));
        assert!(!one_slip("notes", "tests") && !one_slip("lvel2", "level"));
    }

    #[test]
    fn a_key_is_renamed_only_when_free_and_its_value_fits() {
        let rename = |new: &'static str| {
            move |d: &Document| {
                let e = d
                    .root
                    .as_map()?
                    .iter()
                    .find(|e| e.key.scalar_text() == Some("falsepositive"))?;
                rename_key(d, e, new)
            }
        };
        let out = fixed("falsepositive: # c\n  - x\n", rename("falsepositives")).unwrap();
        assert_eq!(out, "falsepositives: # c\n  - x\n");
        assert_eq!(fixed("falsepositive: |\n  text\n", rename("falsepositives")), None);
        assert_eq!(
            fixed("falsepositive: [a]\nfalsepositives: [b]\n", rename("falsepositives")),
            None
        );
    }
}
