//! `detc eval`'s line scanner against serde_json: it may vouch for a line only when serde_json
//! accepts the line as an object, and the event it then builds must be the one serde_json's pruning
//! parse builds. Must not panic either way.
#![no_main]

use libfuzzer_sys::fuzz_target;

use detc::eval::fields::FieldTrie;
use detc::eval::scan::{Tape, scan};

/// Paths with nested, dotted, empty and non-ASCII segments and a `{}` suffix.
const PATHS: &[&str] = &["a.b", "c{}", "\u{e9}", "a.b.c.d", "x..y", ".y", "data.type"];

fuzz_target!(|data: &[u8]| {
    let trie = FieldTrie::new(PATHS.iter().copied());
    let mut tape = Tape::default();
    if scan(data, &trie, &mut tape).is_err() {
        return;
    }
    let full: serde_json::Value =
        serde_json::from_slice(data).expect("the scanner vouched for a line serde_json refuses");
    assert!(full.is_object(), "the scanner vouched for a non-object");
    let text = std::str::from_utf8(data).expect("serde_json accepted it");
    assert_eq!(tape.build(data), trie.parse(text).expect("serde_json accepted it"));
});
