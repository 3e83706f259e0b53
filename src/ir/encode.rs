//! Value transformations of modifiers: UTF-16 encodings, Base64 (plain and at three offsets), windash.
//!
//! Intermediate byte strings are held as `String`s of chars below U+0100 where each char is one byte
//! (the UTF-16 encoders produce NULs), matching how pySigma chains `wide|base64offset`.

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard Base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The UTF-8 bytes of an intermediate value (a plain string, or one made by a UTF-16 encoder).
pub fn value_bytes(text: &str) -> Vec<u8> {
    text.as_bytes().to_vec()
}

/// The three Base64 fragments that occur when `text` sits at byte offset 0, 1 or 2 of a longer
/// encoded stream (pySigma's algorithm: encode with 0–2 leading spaces, cut the bytes that depend
/// on unknown neighbours).
pub fn base64_offsets(text: &str) -> Vec<String> {
    let bytes = value_bytes(text);
    const START_CUT: [usize; 3] = [0, 2, 3];
    const END_CUT: [usize; 3] = [0, 3, 2];
    (0..3)
        .map(|i| {
            let mut padded = vec![b' '; i];
            padded.extend_from_slice(&bytes);
            let enc = base64(&padded);
            // pySigma takes the length in characters, not bytes (they differ only after `utf16`).
            let end = enc.len().saturating_sub(END_CUT[(text.chars().count() + i) % 3]);
            enc.get(START_CUT[i]..end).unwrap_or("").to_string()
        })
        .collect()
}

/// UTF-16LE of an ASCII text (`wide`): each character followed by NUL.
pub fn utf16le(text: &str) -> Result<String, String> {
    ascii_only(text)?;
    Ok(text.chars().flat_map(|c| [c, '\0']).collect())
}

/// UTF-16BE of an ASCII text: NUL before each character.
pub fn utf16be(text: &str) -> Result<String, String> {
    ascii_only(text)?;
    Ok(text.chars().flat_map(|c| ['\0', c]).collect())
}

/// `utf16`: a byte-order mark and UTF-16LE. Like pySigma, the mark is the character U+FEFF, which a
/// following `base64` encodes as EF BB BF.
pub fn utf16_bom(text: &str) -> Result<String, String> {
    Ok(format!("\u{feff}{}", utf16le(text)?))
}

fn ascii_only(text: &str) -> Result<(), String> {
    if text.is_ascii() {
        Ok(())
    } else {
        Err("UTF-16 encoding modifiers support ASCII text only (as pySigma)".to_string())
    }
}

/// The dash-like characters `windash` substitutes for a leading `-` or `/` of a command-line flag.
pub const WINDASH_CHARS: [char; 5] = ['-', '/', '\u{2013}', '\u{2014}', '\u{2015}'];

/// Byte positions of flag dashes: a `-` or `/` not preceded by a word character and followed by one
/// (the regex `\B[-/]\b`).
pub fn windash_positions(text: &str) -> Vec<usize> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let word = |c: char| c.is_alphanumeric() || c == '_';
    (0..chars.len())
        .filter(|&i| {
            let (_, c) = chars[i];
            (c == '-' || c == '/')
                && (i == 0 || !word(chars[i - 1].1))
                && chars.get(i + 1).is_some_and(|&(_, n)| word(n))
        })
        .map(|i| chars[i].0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn offsets_as_pysigma() {
        assert_eq!(base64_offsets("abc"), ["YWJj", "FiY", "hYm"]);
        // `wide|base64offset|contains: ab` ⇒ YQBiA, EAYg, hAGIA (sigma-reference §3.2)
        assert_eq!(base64_offsets(&utf16le("ab").unwrap()), ["YQBiA", "EAYg", "hAGIA"]);
        assert_eq!(base64_offsets(&utf16be("ab").unwrap()), ["AGEAY", "BhAG", "AYQBi"]);
        assert_eq!(
            base64_offsets(&utf16_bom("ab").unwrap()),
            ["77u/YQBiAA", "+7v2EAYgA=", "vu79hA"]
        );
    }

    #[test]
    fn windash_finds_flag_dashes_only() {
        assert_eq!(windash_positions(" -foo /bar x-y"), [1, 6]);
        assert_eq!(windash_positions("-a"), [0]);
        assert!(windash_positions("a-b").is_empty(), "a dash inside a word is no flag");
        assert_eq!(
            windash_positions("--c"),
            [1],
            "only the dash before the word, as `\\B[-/]\\b`"
        );
    }
}
