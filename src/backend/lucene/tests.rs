//! Plain values with a space are phrases, as pySigma's Elasticsearch backend 2.1.1 writes them;
//! everything else keeps the escaped, unquoted term. scripts/conformance compares both with pySigma
//! and parses them with luqum.

use crate::backend::{QueryLanguage, convert_catalog};
use crate::catalog::Catalog;

fn lucene(detection: &str) -> String {
    let text = format!("title: T\nlogsource: {{product: windows}}\ndetection:\n  sel:\n{detection}  condition: sel\n");
    let catalog = Catalog::from_sources(&[("t.yml", &text)]);
    let out = convert_catalog(&catalog, QueryLanguage::parse("lucene").unwrap(), &Default::default());
    out[0].queries.join("\n")
}

#[test]
fn a_plain_value_with_a_space_is_a_phrase() {
    assert_eq!(lucene("    F: 'Data pipeline'\n"), r#"F:"Data pipeline""#);
    // The other query-syntax characters keep pySigma's escapes inside the phrase.
    assert_eq!(
        lucene("    F: 'C:\\Program Files (x86)\\a-b.exe'\n"),
        r#"F:"C\:\\Program Files \(x86\)\\a\-b.exe""#
    );
    assert_eq!(lucene("    F: [a b, c]\n"), r#"F:("a b" OR c)"#);
}

#[test]
fn quotes_and_backslashes_cannot_end_the_phrase() {
    assert_eq!(lucene("    F: 'say \"hi\" now'\n"), r#"F:"say \"hi\" now""#);
    // A trailing backslash is escaped, so the closing quote stays a quote.
    assert_eq!(lucene("    F: 'a b\\'\n"), r#"F:"a b\\""#);
    assert_eq!(lucene("    F: 'a \\\" OR x:y'\n"), r#"F:"a \\\" OR x\:y""#);
}

#[test]
fn wildcards_keywords_and_control_characters_stay_unquoted() {
    // A phrase has no wildcards: the value keeps its escaped space.
    assert_eq!(lucene("    F|contains: 'a b'\n"), r"F:*a\ b*");
    assert_eq!(lucene("    F: 'a b?'\n"), r"F:a\ b?");
    // A literal `*` is no wildcard: the phrase keeps it escaped and literal.
    assert_eq!(lucene("    F: 'a\\* b'\n"), r#"F:"a\* b""#);
    // With a tab or a line break the whole value stays one escaped term (no raw control character).
    assert_eq!(lucene("    F: \"a\\tb c\"\n"), "F:a\\\tb\\ c");
    // Lucene reads U+3000 as whitespace too.
    assert_eq!(lucene("    F: \"a\\u3000b\"\n"), "F:a\\\u{3000}b");
    let keyword = "title: T\nlogsource: {product: x}\ndetection:\n  kw: ['a b']\n  condition: kw\n";
    let catalog = Catalog::from_sources(&[("t.yml", keyword)]);
    let out = convert_catalog(&catalog, QueryLanguage::parse("lucene").unwrap(), &Default::default());
    assert_eq!(out[0].queries, vec![r"*a\ b*".to_string()]);
}

#[test]
fn a_negative_number_does_not_start_a_term_with_minus() {
    // Elasticsearch rejects `F:-1` (a term cannot start with `-`, the NOT operator).
    assert_eq!(lucene("    F: -1\n"), r"F:\-1");
    assert_eq!(lucene("    F|lte: -3.5\n"), r"F:<=\-3.5");
    assert_eq!(lucene("    F: [1, -2]\n"), r"F:(1 OR \-2)");
    assert_eq!(lucene("    F|gt: 4\n"), "F:>4");
}
