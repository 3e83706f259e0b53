//! Sigma strings: text with `*` and `?` wildcards, `\` escapes and (with `expand`) `%placeholders%`.

/// One piece of a parsed Sigma string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Text(String),
    /// Unescaped `*`: any sequence of characters.
    AnyChars,
    /// Unescaped `?`: exactly one character.
    OneChar,
    /// `%name%`, only recognised under the `expand` modifier.
    Placeholder(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SigmaString {
    pub parts: Vec<Part>,
}

impl SigmaString {
    /// Parse the way pySigma does: `\*`, `\?` and `\\` are escapes; a backslash before anything else,
    /// or at the end, is a literal backslash (so `C:\Windows` needs no doubling).
    pub fn parse(raw: &str, expand_placeholders: bool) -> SigmaString {
        // Text between the special characters (all ASCII) is copied a run at a time: linting reads
        // every value this way, and pushing character by character was a few percent of `check`.
        let bytes = raw.as_bytes();
        let special = |b: u8| matches!(b, b'\\' | b'*' | b'?') || (expand_placeholders && b == b'%');
        let mut s = SigmaString::default();
        let mut text = String::new();
        let mut i = 0;
        while i < bytes.len() {
            let run_end = bytes[i..]
                .iter()
                .position(|&b| special(b))
                .map_or(bytes.len(), |n| i + n);
            text.push_str(&raw[i..run_end]);
            i = run_end;
            let Some(&b) = bytes.get(i) else {
                break;
            };
            i += 1;
            match b {
                b'\\' => match bytes.get(i) {
                    Some(&n @ (b'*' | b'?' | b'\\')) => {
                        text.push(char::from(n));
                        i += 1;
                    }
                    Some(b'%') if expand_placeholders => {
                        text.push('%');
                        i += 1;
                    }
                    _ => text.push('\\'),
                },
                b'*' => s.push_special(&mut text, Part::AnyChars),
                b'?' => s.push_special(&mut text, Part::OneChar),
                // `%name%`: a name up to the next `%`, not empty.
                _ => match raw[i..].find('%') {
                    Some(len) if len > 0 => {
                        s.push_special(&mut text, Part::Placeholder(raw[i..i + len].to_string()));
                        i += len + 1;
                    }
                    _ => text.push('%'),
                },
            }
        }
        if !text.is_empty() {
            s.parts.push(Part::Text(text));
        }
        s
    }

    fn push_special(&mut self, text: &mut String, part: Part) {
        if !text.is_empty() {
            self.parts.push(Part::Text(std::mem::take(text)));
        }
        self.parts.push(part);
    }

    pub fn has_wildcards(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::AnyChars | Part::OneChar))
    }

    pub fn placeholders(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Placeholder(n) => Some(n.as_str()),
            _ => None,
        })
    }

    /// The literal text when the string has no wildcards or placeholders.
    /// The text of a string without wildcards or placeholders: borrowed for the usual one text part.
    pub fn as_plain(&self) -> Option<std::borrow::Cow<'_, str>> {
        if let [Part::Text(t)] = self.parts.as_slice() {
            return Some(std::borrow::Cow::Borrowed(t));
        }
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                _ => return None,
            }
        }
        Some(std::borrow::Cow::Owned(out))
    }

    pub fn starts_with_any(&self) -> bool {
        matches!(self.parts.first(), Some(Part::AnyChars))
    }

    pub fn ends_with_any(&self) -> bool {
        matches!(self.parts.last(), Some(Part::AnyChars))
    }

    /// Add `*` at the start and/or end unless already there (what contains/startswith/endswith do).
    pub fn wrap_any(&mut self, start: bool, end: bool) {
        if start && !self.starts_with_any() {
            self.parts.insert(0, Part::AnyChars);
        }
        if end && !self.ends_with_any() {
            self.parts.push(Part::AnyChars);
        }
    }
}

/// How a query language (or a message) writes the pieces of a Sigma string.
pub struct StringStyle<'a> {
    /// Characters that get `escape` before them when they occur literally.
    pub escaped: &'a [char],
    pub escape: &'a str,
    pub any_chars: &'a str,
    pub one_char: &'a str,
}

/// Render the parts of `s`; placeholders must have been expanded before (they are rendered as text).
pub fn render_string(s: &SigmaString, style: &StringStyle<'_>) -> String {
    let mut out = String::new();
    render_string_into(&mut out, s, style);
    out
}

/// [`render_string`] appended to `out` (backends write a whole query into one buffer).
pub fn render_string_into(out: &mut String, s: &SigmaString, style: &StringStyle<'_>) {
    let set = EscapeSet::of(style.escaped);
    let text_len: usize = s
        .parts
        .iter()
        .map(|p| if let Part::Text(t) = p { t.len() } else { 2 })
        .sum();
    out.reserve(text_len + 2);
    for p in &s.parts {
        match p {
            Part::Text(t) => set.escape_into(out, t, style.escape),
            Part::AnyChars => out.push_str(style.any_chars),
            Part::OneChar => out.push_str(style.one_char),
            Part::Placeholder(n) => {
                out.push('%');
                out.push_str(n);
                out.push('%');
            }
        }
    }
}

/// The escaped characters of a [`StringStyle`] as a bit table for ASCII (one test per byte, instead
/// of a search of the list per character); the list itself is searched only for non-ASCII
/// characters, and only when it holds one (Lucene's ideographic space).
struct EscapeSet<'a> {
    ascii: u128,
    wide: Option<&'a [char]>,
}

impl<'a> EscapeSet<'a> {
    fn of(escaped: &'a [char]) -> EscapeSet<'a> {
        let ascii = escaped
            .iter()
            .filter(|c| c.is_ascii())
            .fold(0u128, |m, &c| m | 1 << (c as u32));
        let wide = escaped.iter().any(|c| !c.is_ascii()).then_some(escaped);
        EscapeSet { ascii, wide }
    }

    fn hit(&self, text: &str, i: usize, b: u8) -> bool {
        if b.is_ascii() {
            return self.ascii & (1 << b) != 0;
        }
        // A UTF-8 lead byte starts a character; continuation bytes (0b10xxxxxx) never match.
        match self.wide {
            Some(list) if b >= 0xC0 => text[i..].chars().next().is_some_and(|c| list.contains(&c)),
            _ => false,
        }
    }

    /// `text` with `escape` before each escaped character; the runs between them are copied whole.
    fn escape_into(&self, out: &mut String, text: &str, escape: &str) {
        let mut start = 0;
        for (i, &b) in text.as_bytes().iter().enumerate() {
            if self.hit(text, i, b) {
                out.push_str(&text[start..i]);
                out.push_str(escape);
                start = i;
            }
        }
        out.push_str(&text[start..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The character-by-character parser [`SigmaString::parse`] replaced: the oracle for it.
    fn parse_by_chars(raw: &str, expand_placeholders: bool) -> SigmaString {
        let mut s = SigmaString::default();
        let mut text = String::new();
        let mut chars = raw.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.peek() {
                    Some(&n @ ('*' | '?' | '\\')) => {
                        text.push(n);
                        chars.next();
                    }
                    Some('%') if expand_placeholders => {
                        text.push('%');
                        chars.next();
                    }
                    _ => text.push('\\'),
                },
                '*' => s.push_special(&mut text, Part::AnyChars),
                '?' => s.push_special(&mut text, Part::OneChar),
                '%' if expand_placeholders => {
                    let rest: String = chars.clone().collect();
                    match rest.find('%') {
                        Some(end) if end > 0 => {
                            s.push_special(&mut text, Part::Placeholder(rest[..end].to_string()));
                            for _ in 0..=rest[..end].chars().count() {
                                chars.next();
                            }
                        }
                        _ => text.push('%'),
                    }
                }
                c => text.push(c),
            }
        }
        if !text.is_empty() {
            s.parts.push(Part::Text(text));
        }
        s
    }

    /// The character-by-character renderer [`render_string`] replaced: the oracle for it.
    fn render_string_simple(s: &SigmaString, style: &StringStyle<'_>) -> String {
        let mut out = String::new();
        for p in &s.parts {
            match p {
                Part::Text(t) => {
                    for c in t.chars() {
                        if style.escaped.contains(&c) {
                            out.push_str(style.escape);
                        }
                        out.push(c);
                    }
                }
                Part::AnyChars => out.push_str(style.any_chars),
                Part::OneChar => out.push_str(style.one_char),
                Part::Placeholder(n) => {
                    out.push('%');
                    out.push_str(n);
                    out.push('%');
                }
            }
        }
        out
    }

    /// Styles like the backends' (Lucene's with a non-ASCII escaped character among them).
    const STYLES: &[StringStyle<'static>] = &[
        StringStyle {
            escaped: &['+', '-', '"', '*', '?', ':', '\\', '/', ' ', '\n', '\t', '\u{3000}'],
            escape: "\\",
            any_chars: "*",
            one_char: "?",
        },
        StringStyle {
            escaped: &['\\', '"', '*'],
            escape: "\\",
            any_chars: "*",
            one_char: "*",
        },
        StringStyle {
            escaped: &['é', '\u{85}', '😀'],
            escape: "^",
            any_chars: ".*",
            one_char: ".",
        },
        StringStyle {
            escaped: &[],
            escape: "",
            any_chars: "",
            one_char: "",
        },
    ];

    proptest! {
        /// Copying unescaped runs whole renders what escaping character by character does.
        #[test]
        fn runs_render_as_single_characters_do(
            raw in "(?s).{0,40}|[a\\\\\"*?%: \n\t\u{0}-\u{1f}\u{7f}-\u{a0}é€\u{3000}😀]{0,40}",
            expand in any::<bool>(),
        ) {
            let s = SigmaString::parse(&raw, expand);
            for style in STYLES {
                prop_assert_eq!(render_string(&s, style), render_string_simple(&s, style));
            }
        }
    }

    proptest! {
        /// Copying runs parses as reading character by character does.
        #[test]
        fn runs_parse_as_single_characters_do(
            raw in "(?s).{0,40}|[a\\\\*?%é€😀]{0,40}",
            expand in any::<bool>(),
        ) {
            prop_assert_eq!(SigmaString::parse(&raw, expand), parse_by_chars(&raw, expand));
        }
    }

    fn parts(raw: &str) -> Vec<Part> {
        SigmaString::parse(raw, false).parts
    }

    #[test]
    fn escapes_follow_pysigma() {
        assert_eq!(parts(r"a\*b"), vec![Part::Text("a*b".into())]);
        assert_eq!(parts(r"a\b"), vec![Part::Text(r"a\b".into())]);
        assert_eq!(parts(r"a\\*"), vec![Part::Text(r"a\".into()), Part::AnyChars]);
        assert_eq!(parts(r"\\\*"), vec![Part::Text(r"\*".into())]);
        assert_eq!(parts(r"\\\\"), vec![Part::Text(r"\\".into())]);
        assert_eq!(parts(r"x\"), vec![Part::Text(r"x\".into())]);
        assert_eq!(
            parts("a?c"),
            vec![Part::Text("a".into()), Part::OneChar, Part::Text("c".into())]
        );
    }

    #[test]
    fn placeholders_only_with_expand() {
        assert_eq!(parts("%admins%"), vec![Part::Text("%admins%".into())]);
        let s = SigmaString::parse("x%admins%y", true);
        assert_eq!(s.placeholders().collect::<Vec<_>>(), vec!["admins"]);
        assert_eq!(SigmaString::parse(r"5\%", true).as_plain().unwrap(), "5%");
    }
}
