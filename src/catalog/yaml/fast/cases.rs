//! Texts on which the fast path once disagreed with saphyr (found by the differential and property
//! tests), and shapes it must accept: each is checked against saphyr again.

use super::events;
use super::parity_tests::assert_parity;

/// The fast path accepts `text` and matches saphyr exactly.
fn accepted_and_equal(text: &str) {
    assert!(assert_parity(text, "case"), "fast path declined:\n{text}");
}

/// saphyr's stream for `text` is matched or the fast path declines it; and here it must decline.
fn declined(text: &str) {
    assert!(!assert_parity(text, "case"), "fast path accepted:\n{text}");
}

#[test]
fn quoted_scalar_span_takes_trailing_spaces_and_comment() {
    accepted_and_equal("a:\n    - 'Lazar'  # Lazarus\n    - \"x\"   \n'k' : v\n");
}

#[test]
fn block_scalar_keeps_leading_blank_lines() {
    accepted_and_equal("- >\n \n rhh  \n b\n");
    accepted_and_equal("a: |+\n\n   x\n\n\nb: 1\n");
}

#[test]
fn flow_sequence_brackets_take_spaces_and_comment() {
    accepted_and_equal("-\n  'k k':\n    'k k': [b, 'ho'] # \n");
    accepted_and_equal("a: [ x ,  'y' ]  # c\nb: [ ]\n");
}

#[test]
fn text_without_final_line_break_is_left_to_saphyr() {
    declined("a:\n      aaa: |-\n         aa\n# end");
    declined("b:\n    - - x\n      - y\n    -   z\n# en\n ");
    declined("a: b");
}

#[test]
fn multi_line_plain_scalars_fold() {
    accepted_and_equal("c:\n    - The query\n      goes on\n\n      and on.\n    - next\nd: e\n");
}

#[test]
fn shapes_of_rules() {
    accepted_and_equal(
        "title: x\nlogsource:\n  product: w\ndetection:\n  sel:\n    - a: 1\n      b: \"q\"\n  k:\n  - x\n  -\n  e:\nlevel: |\n  foo\n   bar\n\nz: >-\n  a\n  b\n",
    );
    accepted_and_equal("---\na: b\n...\n---\nc: d\n---\n");
    accepted_and_equal("# only a comment\n");
    accepted_and_equal("");
    accepted_and_equal("m: é ünï\n'ç': \"ü\\\\\"\n");
}

#[test]
fn outside_the_subset_is_declined() {
    for text in [
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: {b: c}\n",
        "? a\n: b\n",
        "%YAML 1.2\n---\na: b\n",
        "\u{feff}a: b\n",
        "a: b\r\n",
        "a:\tb\n",
        "a: \"\\u0041\"\n",
        "a: [[b]]\n",
        "a: |2\n  x\n",
    ] {
        assert!(events(text).is_none(), "accepted:\n{text}");
    }
}
