//! EQL strings cannot escape `*` or `?` (Elastic's `eql` parser rejects `"\*"` in every string, and
//! in `like~` lists too): values holding a literal wildcard become whole-value regexes, and `==`
//! (which has no wildcards) writes them bare. scripts/conformance parses the corpora's queries with
//! the real parser; these pin the forms.

use crate::backend::{QueryLanguage, convert_catalog};
use crate::catalog::Catalog;

fn eql(detection: &str, condition: &str) -> String {
    let text = format!("title: T\nlogsource: {{product: windows}}\ndetection:\n{detection}  condition: {condition}\n");
    let catalog = Catalog::from_sources(&[("t.yml", &text)]);
    let out = convert_catalog(&catalog, QueryLanguage::parse("eql").unwrap(), &Default::default());
    assert!(
        out[0]
            .diagnostics
            .iter()
            .all(|d| d.severity != crate::diag::Severity::Error),
        "{:?}",
        out[0].diagnostics
    );
    out[0].queries.join("\n")
}

#[test]
fn literal_wildcards_in_a_list_become_a_regex_list() {
    // SigmaHQ's `CommandLine|contains: ['\?', …]` (pySigma: `like~ ("*\?*", …)`, rejected).
    let got = eql("  sel:\n    F|contains: ['\\?', 'x']\n", "sel");
    assert_eq!(got, r#"any where F like~ ("*x*") or F regex~ (".*\\?.*")"#);
    // `\\\*` is a literal backslash then a literal star.
    let got = eql("  sel:\n    F|contains: ['\\\\\\*.dll', '\\?']\n", "sel");
    assert_eq!(got, r#"any where F regex~ (".*\\\\\\*\\.dll.*", ".*\\?.*")"#);
}

#[test]
fn a_mixed_list_stays_one_operand() {
    let det = "  sel:\n    F|contains: ['\\?', 'x']\n  other:\n    G: 1\n";
    assert_eq!(
        eql(det, "sel and other"),
        r#"any where (F like~ ("*x*") or F regex~ (".*\\?.*")) and G == 1"#
    );
    assert_eq!(
        eql(det, "not sel"),
        r#"any where not (F like~ ("*x*") or F regex~ (".*\\?.*"))"#
    );
}

#[test]
fn one_values_alternatives_with_literal_wildcards_are_one_regex_list() {
    // windash expands `-a\*` into alternatives of one value: every one holds the literal `*`.
    let got = eql(
        "  sel:\n    F|windash|contains: '-a\\*'\n  other:\n    G: 1\n",
        "sel and other",
    );
    assert_eq!(
        got,
        r#"any where F regex~ (".*\\-a\\*.*", ".*/a\\*.*", ".*–a\\*.*", ".*—a\\*.*", ".*―a\\*.*") and G == 1"#
    );
}

#[test]
fn a_mixed_expansion_is_parenthesised() {
    // Alternatives of one value are a single operand to the renderer, so a mixed list groups itself.
    use crate::backend::boolean::Syntax;
    use crate::ir::{Leaf, Value};
    use crate::model::sigma_string::SigmaString;
    let leaf = |v: &str| Leaf {
        field: Some("F".into()),
        value: Value::Str(SigmaString::parse(v, false)),
        span: Default::default(),
    };
    let (a, b) = (leaf("a*"), leaf("b\\*"));
    assert_eq!(
        super::Eql.in_list(&[&a, &b], true).unwrap(),
        r#"(F like~ ("a*") or F regex~ ("b\\*"))"#
    );
    assert_eq!(
        super::Eql.in_list(&[&a, &b], false).unwrap(),
        r#"F like~ ("a*") or F regex~ ("b\\*")"#
    );
}

#[test]
fn cased_values_use_exact_strings_or_a_case_sensitive_regex() {
    assert_eq!(
        eql("  sel:\n    F|cased: 'a\\*b?'\n", "sel"),
        r#"any where F regex "a\\*b.""#
    );
    assert_eq!(eql("  sel:\n    F|cased: 'a\\*b'\n", "sel"), r#"any where F == "a*b""#);
    assert_eq!(
        eql("  sel:\n    F|cased: 'a\"b\\c'\n", "sel"),
        r#"any where F == "a\"b\\c""#
    );
    assert_eq!(eql("  sel:\n    F|cased: 'a*'\n", "sel"), r#"any where F like "a*""#);
}

#[test]
fn at_sign_names_are_quoted() {
    // Elastic's `eql` parser rejects a bare `@timestamp`.
    assert_eq!(
        eql("  sel:\n    '@timestamp': x\n", "sel"),
        r#"any where `@timestamp`:"x""#
    );
    assert_eq!(eql("  sel:\n    _a.b_c: x\n", "sel"), r#"any where _a.b_c:"x""#);
}

/// The escapes of every string literal in `query`: EQL strings know `\\`, `\"`, `\n`, `\r`, `\t`
/// and `\u{…}` only (Elastic's `eql` parser rejects `\*`, `\?` and the rest).
fn string_escapes(query: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = query.chars();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        match (in_string, c) {
            (false, '"') | (true, '"') => in_string = !in_string,
            (true, '\\') => out.push(chars.next().map(|e| format!("\\{e}")).unwrap_or_default()),
            _ => {}
        }
    }
    out
}

#[test]
fn every_string_of_the_fixture_forms_uses_eql_escapes_only() {
    let fixtures = [
        include_str!("../../../tests/fixtures/elastic-forms/literal_wildcards.yml"),
        include_str!("../../../tests/fixtures/elastic-forms/phrases.yml"),
        include_str!("../../../tests/fixtures/elastic-forms/numbers_and_names.yml"),
    ];
    let sources: Vec<(String, &str)> = fixtures
        .iter()
        .enumerate()
        .map(|(i, text)| (format!("f{i}.yml"), *text))
        .collect();
    let refs: Vec<(&str, &str)> = sources.iter().map(|(n, t)| (n.as_str(), *t)).collect();
    let catalog = Catalog::from_sources(&refs);
    let out = convert_catalog(&catalog, QueryLanguage::parse("eql").unwrap(), &Default::default());
    let queries: Vec<&String> = out.iter().flat_map(|c| &c.queries).collect();
    assert!(queries.len() >= 8, "{queries:?}");
    for q in queries {
        for e in string_escapes(q) {
            assert!(
                matches!(e.as_str(), "\\\\" | "\\\"" | "\\n" | "\\r" | "\\t" | "\\u"),
                "{e} in {q}"
            );
        }
    }
}
