//! JSON string literals written by runs: the same text serde_json writes, faster on long strings.
//!
//! serde_json looks up every byte of a string in a table and writes each escape through its
//! formatter; for `convert --format jsonl`, whose records are mostly query text full of quotes and
//! backslashes, that was a twelfth of all the work, and the `tojson` filter writes the Kibana and
//! Sumo Logic artifacts' queries the same way ([`super::json_text`]). Here eight bytes are tested
//! at once and the bytes between escapes are copied as one slice.

/// Append `s` to `out` as a JSON string literal, quotes included, escaped exactly as serde_json
/// escapes it: `"` and `\` with a backslash, the control characters with a short escape where JSON
/// has one and as `\u00xx` otherwise; everything else (UTF-8 included) as it is.
pub fn push_json_string(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut run = 0;
    let mut i = 0;
    while let Some(word) = bytes.get(i..i + 8) {
        let marks = escape_marks(u64::from_le_bytes(word.try_into().expect("eight bytes")));
        if marks == 0 {
            i += 8;
            continue;
        }
        // The lowest mark is always a byte to escape (see `escape_marks`).
        let at = i + marks.trailing_zeros() as usize / 8;
        out.extend_from_slice(&bytes[run..at]);
        push_escape(out, bytes[at]);
        run = at + 1;
        i = at + 1;
    }
    for (at, &b) in bytes.iter().enumerate().skip(i) {
        if needs_escape(b) {
            out.extend_from_slice(&bytes[run..at]);
            push_escape(out, b);
            run = at + 1;
        }
    }
    out.extend_from_slice(&bytes[run..]);
    out.push(b'"');
}

fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

const ONES: u64 = u64::from_le_bytes([0x01; 8]);
const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);

/// The high bit of each byte of `word` (little-endian) that may need escaping: a byte below 0x20,
/// `"` or `\`. The classic "has a byte less than n" test: a borrow can mark a byte above a marked
/// one falsely, never one below, so the lowest mark is exact and no byte to escape goes unmarked.
fn escape_marks(word: u64) -> u64 {
    let below = |w: u64, n: u64| w.wrapping_sub(ONES * n) & !w & HIGHS;
    let control = below(word, 0x20);
    let quote = below(word ^ (ONES * u64::from(b'"')), 1);
    let backslash = below(word ^ (ONES * u64::from(b'\\')), 1);
    control | quote | backslash
}

fn push_escape(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let short = match b {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        0x0c => b'f',
        b'\n' => b'n',
        b'\r' => b'r',
        b'\t' => b't',
        _ => {
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]);
            return;
        }
    };
    out.extend_from_slice(&[b'\\', short]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ours(s: &str) -> String {
        let mut out = Vec::new();
        push_json_string(&mut out, s);
        String::from_utf8(out).expect("UTF-8 in, UTF-8 out")
    }

    #[test]
    fn every_byte_that_json_escapes_is_escaped_as_serde_json_does() {
        for b in 0u8..0x80 {
            let s = (b as char).to_string();
            assert_eq!(ours(&s), serde_json::to_string(&s).unwrap(), "byte {b:#04x}");
            // In every position of a word, and across a word boundary.
            for at in 0..17 {
                let mut long = "a".repeat(17);
                long.insert(at, b as char);
                assert_eq!(
                    ours(&long),
                    serde_json::to_string(&long).unwrap(),
                    "byte {b:#04x} at {at}"
                );
            }
        }
    }

    #[test]
    fn queries_as_convert_writes_them() {
        for q in [
            r#"source="WinEventLog" CommandLine="*\\Temp\\*" | table _time"#,
            "event.code:4688 AND process.command_line:*\\\\temp\\\\*",
            "from logs-* | where `a.b` == \"x\"\n| keep *",
            "é “quoted” \u{2028} \u{7f} \u{1f}",
            "",
        ] {
            assert_eq!(ours(q), serde_json::to_string(q).unwrap());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// Any text, weighted towards what needs escaping, reads as serde_json writes it.
        #[test]
        fn writes_what_serde_json_writes(s in "[a-z\"\\\\\u{0}-\u{1f}\u{7f}é\u{2028}😀 ]{0,80}") {
            prop_assert_eq!(ours(&s), serde_json::to_string(&s).unwrap());
        }

        /// Every byte to escape is marked, and the lowest mark is one (bytes weighted to the edges).
        #[test]
        fn the_lowest_mark_is_exact(word in prop::array::uniform8(prop_oneof![
            0u8..0x22, Just(b'\\'), Just(b'"'), 0x5bu8..0x5e, 0x7eu8..=0xff, any::<u8>()
        ])) {
            let marks = escape_marks(u64::from_le_bytes(word));
            for (i, &b) in word.iter().enumerate() {
                if needs_escape(b) {
                    prop_assert!(marks & (0x80 << (8 * i)) != 0, "byte {} ({:#04x}) unmarked", i, b);
                }
            }
            prop_assert_eq!(marks != 0, word.iter().any(|&b| needs_escape(b)));
            if marks != 0 {
                prop_assert!(needs_escape(word[marks.trailing_zeros() as usize / 8]));
            }
        }

        #[test]
        fn writes_what_serde_json_writes_for_any_string(s in any::<String>()) {
            prop_assert_eq!(ours(&s), serde_json::to_string(&s).unwrap());
        }
    }
}
