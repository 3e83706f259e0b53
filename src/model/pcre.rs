//! Sigma's regex flavour is PCRE. Patterns run on Rust's `regex` crate (linear time) when it can
//! express them with PCRE's meaning, and otherwise on `fancy-regex`, a backtracking engine with
//! look-around, backreferences, atomic groups and possessive quantifiers, bounded by a backtracking
//! limit so a hostile pattern cannot hang `test` or `eval` (hitting it is an error, never a silent
//! non-match).
//!
//! PCRE differences handled here: `$` (without multi-line) and `\Z` also match before a final line
//! break, which the `regex` crate's `$` does not; they are rewritten to `(?=\n?\z)`.

/// Backtracking steps one match may take before it is abandoned (fancy-regex's own default).
pub const BACKTRACK_LIMIT: usize = 1_000_000;

/// The flags a Sigma `|re` value can carry (`|re|i`, `|re|m`, `|re|s`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags {
    pub ignore_case: bool,
    pub multiline: bool,
    pub dot_all: bool,
}

#[derive(Debug)]
enum Engine {
    Linear(regex::Regex),
    Backtracking(Box<fancy_regex::Regex>),
}

/// A compiled PCRE-flavoured regex.
#[derive(Debug)]
pub struct Pcre {
    engine: Engine,
}

/// A match that was abandoned at the backtracking limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitExceeded;

impl Pcre {
    pub fn new(pattern: &str, flags: Flags) -> Result<Pcre, String> {
        Self::with_limit(pattern, flags, BACKTRACK_LIMIT)
    }

    /// Whether `pattern` compiles, without building an engine where parsing settles it. A pattern the
    /// `regex` crate parses compiles unless it is big enough to reach the engine's size limit, which
    /// takes length or large counted repetitions; PCRE's rewriting of `$` and `\Z` does not change
    /// whether it parses. Linting validates every `|re` value, and building each one was a tenth of
    /// `check`'s time.
    pub fn validate(pattern: &str, flags: Flags) -> Result<(), String> {
        const SETTLED_BY_PARSING: usize = 1024;
        let parsed = regex_syntax::ParserBuilder::new()
            .case_insensitive(flags.ignore_case)
            .multi_line(flags.multiline)
            .dot_matches_new_line(flags.dot_all)
            .build()
            .parse(pattern);
        // Where `$` or `\Z` is rewritten, the backtracking engine parses the result: it must accept it too.
        let rewritten = pcre_ends(pattern, flags.multiline);
        let backtracking_parses = || rewritten == pattern || fancy_regex::Expr::parse_tree(&rewritten).is_ok();
        match parsed {
            Ok(hir) if pattern.len() <= SETTLED_BY_PARSING && repeated_at_most(&hir, 100) && backtracking_parses() => {
                Ok(())
            }
            _ => Self::new(pattern, flags).map(|_| ()),
        }
    }

    pub fn with_limit(pattern: &str, flags: Flags, limit: usize) -> Result<Pcre, String> {
        let rewritten = pcre_ends(pattern, flags.multiline);
        if rewritten == pattern
            && let Ok(re) = regex::RegexBuilder::new(pattern)
                .case_insensitive(flags.ignore_case)
                .multi_line(flags.multiline)
                .dot_matches_new_line(flags.dot_all)
                .build()
        {
            return Ok(Pcre {
                engine: Engine::Linear(re),
            });
        }
        fancy_regex::RegexBuilder::new(&rewritten)
            .case_insensitive(flags.ignore_case)
            .multi_line(flags.multiline)
            .dot_matches_new_line(flags.dot_all)
            .backtrack_limit(limit)
            .build()
            .map(|re| Pcre {
                engine: Engine::Backtracking(Box::new(re)),
            })
            .map_err(|e| e.to_string())
    }

    /// Whether the pattern matches somewhere in `text`.
    pub fn is_match(&self, text: &str) -> Result<bool, LimitExceeded> {
        match &self.engine {
            Engine::Linear(re) => Ok(re.is_match(text)),
            Engine::Backtracking(re) => re.is_match(text).map_err(|_| LimitExceeded),
        }
    }

    /// Whether it runs on the backtracking engine (look-around, backreferences, PCRE `$`…).
    pub fn backtracks(&self) -> bool {
        matches!(self.engine, Engine::Backtracking(_))
    }
}

/// `pattern` with PCRE's end-of-subject assertions written for engines whose `$` is end-of-text
/// only: `$` (outside a character class, without multi-line) and `\Z` become `(?=\n?\z)`.
/// Whether no part of `hir` is repeated more than `budget` times, counting nested counted
/// repetitions as a product (`(a{10}){10}` repeats `a` a hundred times).
fn repeated_at_most(hir: &regex_syntax::hir::Hir, budget: u32) -> bool {
    use regex_syntax::hir::HirKind;
    match hir.kind() {
        HirKind::Repetition(r) => {
            let times = r.max.unwrap_or(r.min).max(1);
            times <= budget && repeated_at_most(&r.sub, budget / times)
        }
        HirKind::Capture(c) => repeated_at_most(&c.sub, budget),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => subs.iter().all(|h| repeated_at_most(h, budget)),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => true,
    }
}

fn pcre_ends(pattern: &str, multiline: bool) -> String {
    const END: &str = r"(?=\n?\z)";
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('Z') if !in_class => out.push_str(END),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            },
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                // `[]…]` and `[^]…]`: a `]` first in a class is literal.
                if chars.peek() == Some(&'^') {
                    out.push(chars.next().unwrap_or('^'));
                }
                if chars.peek() == Some(&']') {
                    out.push(chars.next().unwrap_or(']'));
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '$' if !in_class && !multiline => out.push_str(END),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validating_agrees_with_compiling() {
        let patterns = [
            r"^cmd\.exe$",
            r"a(b",
            r"[z-a]",
            r"(?<=x)y",
            r"(a)\1",
            r"\w{1000}{1000}",
            r"x{2,1}",
            r"(?i)\p{Greek}+",
            r"\p{NotAClass}",
            r"a\Z",
            r"^(a|b)$",
            r"[$]x$",
            r"\d{1,5}\.\d{1,3}$",
            r"((\w{50}){50}){50}",
            r"*a",
            "",
        ];
        for p in patterns {
            for flags in [
                Flags::default(),
                Flags {
                    ignore_case: true,
                    multiline: true,
                    dot_all: true,
                },
            ] {
                let compiled = Pcre::new(p, flags).map(|_| ());
                assert_eq!(Pcre::validate(p, flags).is_ok(), compiled.is_ok(), "{p:?} {flags:?}");
            }
        }
        assert!(
            Pcre::validate(&"\\w".repeat(2000), Flags::default()).is_ok()
                == Pcre::new(&"\\w".repeat(2000), Flags::default()).is_ok()
        );
    }

    fn m(pattern: &str, text: &str) -> bool {
        Pcre::new(pattern, Flags::default()).unwrap().is_match(text).unwrap()
    }

    #[test]
    fn dollar_matches_before_a_final_newline_as_in_pcre() {
        assert!(m("abc$", "abc\n") && m("abc$", "abc") && !m("abc$", "abc\n\n") && !m("abc$", "abcd"));
        assert!(m(r"abc\Z", "abc\n") && !m(r"abc\z", "abc\n"));
        assert!(m("a[$]b", "a$b"), "a `$` in a class is literal");
        assert!(m(r"a\$", "a$"), "an escaped `$` is literal");
        assert!(!Pcre::new("plain", Flags::default()).unwrap().backtracks());
    }

    #[test]
    fn look_around_backreferences_and_atomic_groups() {
        assert!(m(r"^(?!.*safe).*render", "liquid render x") && !m(r"^(?!.*safe).*render", "safe render"));
        assert!(m(r"(?<=user=)admin", "user=admin") && !m(r"(?<=user=)admin", "role=admin"));
        assert!(m(r"(\w+) \1", "hello hello") && !m(r"(\w+) \1", "hello world"));
        assert!(!m(r"(?>a+)ab", "aaab") && m(r"a++b", "aaab"));
        let i = Pcre::new(
            r"(?=x)X",
            Flags {
                ignore_case: true,
                ..Flags::default()
            },
        )
        .unwrap();
        assert_eq!(i.is_match("x"), Ok(true));
    }

    #[test]
    fn catastrophic_backtracking_is_reported_not_hung() {
        let re = Pcre::new(r"^((?!x)a+)+b", Flags::default()).unwrap();
        assert_eq!(re.is_match(&"a".repeat(30)), Err(LimitExceeded));
    }

    #[test]
    fn invalid_patterns_are_errors() {
        assert!(Pcre::new("a(b", Flags::default()).is_err());
        assert!(Pcre::new("[a", Flags::default()).is_err());
    }
}
