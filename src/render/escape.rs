//! Rule text as it reaches artifact files: Splunk `.conf` values and stanza names, Markdown, file
//! names. Each function makes any input safe for its one context; the property tests in
//! `tests/artifact_injection.rs` read the results back with real readers.

/// C0 controls (except tab and line feed), DEL and C1 controls.
fn is_control(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || c == '\u{2028}' || c == '\u{2029}'
}

/// Whether `text` holds a carriage return or a character [`is_control`] rewrites. ASCII text (the
/// usual case) is checked byte by byte.
fn needs_cleaning(text: &str) -> bool {
    if text.is_ascii() {
        // Whole chunks without an early exit, which the compiler turns into vector code.
        let bad = |b: u8| (b < 0x20 && b != b'\n' && b != b'\t') | (b == 0x7f);
        text.as_bytes()
            .chunks(64)
            .any(|chunk| chunk.iter().fold(false, |found, &b| found | bad(b)))
    } else {
        text.chars().any(|c| c == '\r' || is_control(c))
    }
}

/// A `.conf` value. Each line break becomes Splunk's continuation (` \` at the end of the line);
/// carriage returns become line breaks; other control characters become spaces; and the last line
/// never ends in a backslash (it would continue the value onto the next key), so trailing
/// backslashes there are dropped.
pub fn conf_value(value: &str) -> String {
    // Queries rarely hold a carriage return or a control: then only the line breaks change.
    let cleaned: std::borrow::Cow<'_, str> = if needs_cleaning(value) {
        let normalised = value.replace("\r\n", "\n").replace('\r', "\n");
        normalised
            .chars()
            .map(|c| if is_control(c) { ' ' } else { c })
            .collect::<String>()
            .into()
    } else {
        value.into()
    };
    let mut lines: Vec<&str> = cleaned.trim_end().split('\n').collect();
    if let Some(last) = lines.last_mut() {
        *last = last.trim_end_matches(['\\', ' ', '\t']);
    }
    lines.join(" \\\n")
}

/// A one-line `.conf` value (an app label, an author, a notable's title): line breaks, Unicode line
/// and paragraph separators and controls become spaces.
pub fn conf_line(value: &str) -> String {
    let cleaned: String = value
        .chars()
        .map(|c| if c.is_control() || is_control(c) { ' ' } else { c })
        .collect();
    cleaned.trim().trim_end_matches('\\').trim_end().to_string()
}

/// Text that Splunk Enterprise Security shows after substituting `$field$` tokens (a notable's title,
/// description and drill-down name, a risk message): ES has no escape for a literal `$`, so each one
/// becomes U+FF04 FULLWIDTH DOLLAR SIGN, which reads the same and is never a token delimiter.
pub fn token_free(text: &str) -> String {
    text.replace('$', "\u{FF04}")
}

/// A savedsearches.conf stanza name from a title: on one line, without the brackets that would end
/// the header, and never `default` (which would configure every search of the app).
pub fn stanza_name(title: &str) -> String {
    let cleaned: String = title
        .chars()
        .map(|c| {
            if c.is_control() || c == '\u{2028}' || c == '\u{2029}' || c == '[' || c == ']' {
                ' '
            } else {
                c
            }
        })
        .collect();
    let name = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        "untitled detection".into()
    } else if name.eq_ignore_ascii_case("default") {
        format!("{name} (detection)")
    } else {
        name
    }
}

/// Markdown text that renders as exactly the characters given. Characters CommonMark reads as
/// inline syntax anywhere (HTML, links, emphasis, code spans, tables, entities, headings' `#`) are
/// backslash-escaped everywhere; punctuation that only means something at the start of a line (lists,
/// quotes, setext underlines, ordered-list numbers) is escaped there. Control characters become
/// spaces. With `inline`, line breaks become spaces too (table cells, headings, list items).
pub fn markdown(text: &str, inline: bool) -> String {
    let normalised: std::borrow::Cow<'_, str> = if needs_cleaning(text) || text.contains('\t') {
        text.replace("\r\n", "\n")
            .replace('\r', "\n")
            .chars()
            .map(|c| {
                if c != '\n' && (is_control(c) || c == '\t') {
                    ' '
                } else {
                    c
                }
            })
            .collect::<String>()
            .into()
    } else {
        text.into()
    };
    let normalised = normalised.trim_end();
    if inline {
        // Inline text (a table cell, a heading, a list item) is one run of words: leading blanks
        // after a list marker would open an indented code block.
        let collapsed = normalised.split_whitespace().collect::<Vec<_>>().join(" ");
        return markdown_line(&collapsed);
    }
    // Leading blanks would make an indented code block (four spaces or a tab): drop them.
    let escaped: Vec<String> = normalised.split('\n').map(|l| markdown_line(l.trim_start())).collect();
    escaped.join("\n")
}

fn markdown_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let rest = markdown_line_start(line, &mut out);
    markdown_inline(rest, &mut out);
    out
}

/// Characters CommonMark reads as inline syntax anywhere in a line.
const INLINE_SYNTAX: &[u8] = b"\\`*_[]<>|~&#";

fn always_escaped(c: char) -> bool {
    u8::try_from(c).is_ok_and(|b| INLINE_SYNTAX.contains(&b))
}

/// A line break or control character shows as a space.
fn markdown_char(c: char) -> char {
    if c == '\n' || is_control(c) { ' ' } else { c }
}

/// The start of a line up to its first non-blank character (with a number's `.` or `)` after it),
/// where list, quote and heading markers are read: any punctuation there is escaped. Returns the rest.
fn markdown_line_start<'a>(line: &'a str, out: &mut String) -> &'a str {
    let mut chars = line.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        let c = markdown_char(c);
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
        if c.is_ascii_digit() {
            // `12.` or `12)` at the start of a line would begin an ordered list.
            while let Some((_, d)) = chars.next_if(|(_, d)| d.is_ascii_digit()) {
                out.push(d);
            }
            if let Some((_, p)) = chars.next_if(|(_, p)| *p == '.' || *p == ')') {
                out.push('\\');
                out.push(p);
            }
        }
        if !c.is_whitespace() {
            return chars.peek().map_or("", |&(i, _)| &line[i..]);
        }
    }
    ""
}

/// Bytes after which [`markdown_inline`] must look at the character: inline syntax, control
/// characters and the start of every non-ASCII character. Other bytes are copied as they are.
const INLINE_SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = b < 0x20 || b >= 0x7f;
        b += 1;
    }
    let mut i = 0;
    while i < INLINE_SYNTAX.len() {
        table[INLINE_SYNTAX[i] as usize] = true;
        i += 1;
    }
    table
};

/// The rest of a line, where only inline syntax matters: runs of plain characters are copied whole.
fn markdown_inline(mut rest: &str, out: &mut String) {
    while let Some(at) = rest.bytes().position(|b| INLINE_SPECIAL[usize::from(b)]) {
        out.push_str(&rest[..at]);
        let original = rest[at..].chars().next().expect("a character starts at a special byte");
        let c = markdown_char(original);
        if always_escaped(c) {
            out.push('\\');
        }
        out.push(c);
        rest = &rest[at + original.len_utf8()..];
    }
    out.push_str(rest);
}

/// The backtick fence for a code block holding `text`: longer than any backtick run inside it, so
/// the content cannot close the block early.
pub fn fence(text: &str) -> String {
    // Only backticks matter: jump from one to the next (most queries hold none) instead of decoding
    // every character, which made this filter 2 % of a build (five queries on every docs page).
    let bytes = text.as_bytes();
    let (mut longest, mut run, mut last) = (0, 0, usize::MAX);
    for at in memchr::memchr_iter(b'`', bytes) {
        run = if last.wrapping_add(1) == at { run + 1 } else { 1 };
        longest = longest.max(run);
        last = at;
    }
    "`".repeat((longest + 1).max(3))
}

/// Text for inside a fenced code block: line breaks normalised, other control characters shown as
/// spaces (a NUL or escape sequence in a page helps nobody).
pub fn code_block(text: &str) -> String {
    // Most text has nothing to change: copy it (a YAML source or a query is thousands of characters).
    if !needs_cleaning(text) {
        return text.to_string();
    }
    let normalised = text.replace("\r\n", "\n").replace('\r', "\n");
    normalised
        .chars()
        .map(|c| if is_control(c) { ' ' } else { c })
        .collect()
}

/// `rules/<stem>.<extension>` for a page no other page of `used` takes: two titles can give one
/// stem, so the later ones are numbered (`-2`, `-3`, …) and no page overwrites another.
pub fn unique_page(used: &mut std::collections::HashSet<String>, title: &str, id: &str, extension: &str) -> String {
    let stem = file_stem(title, id);
    let mut page = format!("rules/{stem}.{extension}");
    let mut n = 1;
    while !used.insert(page.clone()) {
        n += 1;
        page = format!("rules/{stem}-{n}.{extension}");
    }
    page
}

/// A file name stem from a title and an id: lowercase ASCII words joined by `-`, then the first
/// block of the id; only `[a-z0-9-]`, so it never holds a path separator, `..` or a control.
pub fn file_stem(title: &str, id: &str) -> String {
    let words: Vec<String> = title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let id_part: String = id
        .split('-')
        .find(|b| b.chars().any(|c| c.is_ascii_alphanumeric()))
        .unwrap_or("")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(36)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let mut stem = words.join("-");
    stem.truncate(100);
    let stem = stem.trim_end_matches('-');
    match (stem.is_empty(), id_part.is_empty()) {
        (true, true) => "rule".into(),
        (true, false) => id_part,
        (false, true) => stem.to_string(),
        (false, false) => format!("{stem}-{id_part}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The character-by-character escaping `markdown_line` replaced, kept as its oracle.
    fn markdown_line_oracle(line: &str) -> String {
        let mut out = String::new();
        let mut at_start = true;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            let c = markdown_char(c);
            if always_escaped(c) || (at_start && c.is_ascii_punctuation()) {
                out.push('\\');
            }
            out.push(c);
            if at_start && c.is_ascii_digit() {
                while let Some(d) = chars.next_if(char::is_ascii_digit) {
                    out.push(d);
                }
                if let Some(p) = chars.next_if(|p| *p == '.' || *p == ')') {
                    out.push('\\');
                    out.push(p);
                }
            }
            if !c.is_whitespace() {
                at_start = false;
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn markdown_lines_escape_as_char_by_char(line in "[ \t\n\r\\u{0}-\\u{1f}a-z0-9.)#*_`|<>&~\\[\\]\\\\!-]{0,24}|\\PC{0,24}|[\\u{a0}\\u{2028}\\u{3000}é 1.x-]{0,12}") {
            proptest::prop_assert_eq!(markdown_line(&line), markdown_line_oracle(&line));
        }
    }

    /// `conf_value` as it was written first, every character rewritten: the oracle of its fast path.
    fn conf_value_oracle(value: &str) -> String {
        let normalised = value.replace("\r\n", "\n").replace('\r', "\n");
        let cleaned: String = normalised
            .chars()
            .map(|c| if is_control(c) { ' ' } else { c })
            .collect();
        let mut lines: Vec<&str> = cleaned.trim_end().split('\n').collect();
        if let Some(last) = lines.last_mut() {
            *last = last.trim_end_matches(['\\', ' ', '\t']);
        }
        lines.join(" \\\n")
    }

    /// `fence` as it was written first, character by character: the oracle of the jumping one.
    fn fence_oracle(text: &str) -> String {
        let (mut longest, mut run) = (0, 0);
        for c in text.chars() {
            run = if c == '`' { run + 1 } else { 0 };
            longest = longest.max(run);
        }
        "`".repeat((longest + 1).max(3))
    }

    proptest::proptest! {
        #[test]
        fn fences_as_char_by_char(text in "[`a é\n]{0,24}|\\PC{0,24}") {
            proptest::prop_assert_eq!(fence(&text), fence_oracle(&text));
        }
    }

    proptest::proptest! {
        #[test]
        fn conf_values_as_char_by_char(value in "[a \t\r\n\\\\\u{0}\u{1f}\u{7f}\u{85}\u{2028}é]{0,16}|\\PC{0,24}") {
            proptest::prop_assert_eq!(conf_value(&value), conf_value_oracle(&value));
        }
    }

    #[test]
    fn conf_values_stay_one_value() {
        assert_eq!(conf_value("a\nb\n"), "a \\\nb");
        assert_eq!(conf_value("a\r\n[x]\rdisabled = 0"), "a \\\n[x] \\\ndisabled = 0");
        assert_eq!(conf_value("C:\\Windows\\"), "C:\\Windows");
        assert_eq!(conf_value("nul\0here"), "nul here");
        assert_eq!(conf_line("a\n[install]\\"), "a [install]");
        assert_eq!(conf_line("a\u{2028}b\u{2029}c\td"), "a b c d");
    }

    #[test]
    fn es_text_has_no_token_delimiter() {
        assert_eq!(
            token_free("cost $5 for $user$"),
            "cost \u{FF04}5 for \u{FF04}user\u{FF04}"
        );
    }

    #[test]
    fn stanza_names_are_one_safe_line() {
        assert_eq!(stanza_name("a]\n[b\r\naction.script = x"), "a b action.script = x");
        assert_eq!(stanza_name("Default"), "Default (detection)");
        assert_eq!(stanza_name(" \n "), "untitled detection");
    }

    #[test]
    fn markdown_cannot_carry_html_or_links() {
        assert_eq!(markdown("<script>", true), "\\<script\\>");
        assert_eq!(
            markdown("[x](javascript:alert(1))", true),
            "\\[x\\](javascript:alert(1))"
        );
        assert_eq!(markdown("a\n# b", true), "a \\# b");
        assert_eq!(
            markdown("\n\n\n  \"x", true),
            "\\\"x",
            "no leading blanks in a list item"
        );
        assert_eq!(
            markdown("- item\n1. one\nplain - text.", false),
            "\\- item\n1\\. one\nplain - text."
        );
        assert_eq!(fence("a ``` b ```` c"), "`````");
        assert_eq!(fence("plain"), "```");
    }

    #[test]
    fn file_stems_never_leave_their_folder() {
        assert_eq!(file_stem("Brute force!", "/../../x"), "brute-force-x");
        assert_eq!(file_stem("", "../.."), "rule");
        assert_eq!(
            file_stem("MFA off", "0b1c2d3e-aaaa-4bbb-8ccc-123456789abc"),
            "mfa-off-0b1c2d3e"
        );
    }
}
