//! A literal prefilter over raw event lines: which detections could match this line at all?
//!
//! Each compiled detection gets a [`Need`]: "any line" or "one of these literals occurs in the raw
//! JSON text". One Aho-Corasick pass over a line finds every literal present; a detection whose need
//! is not met is not evaluated, and a line no detection needs is only validated, never built.
//!
//! The need is a necessary condition, never a guess. It is sound because the prefilter only runs on
//! lines where a decoded string value appears verbatim in the raw text ([`Prefilter::applies`]: ASCII
//! only and no `\u` escape, so the only escapes are of `"`, `\`, `/` and control characters), and a
//! literal never contains a character that could be escaped, nor is made only of characters of a
//! number's text (the evaluator compares numbers through their printed form, which may differ from
//! the raw one: `1e3` prints as `1000.0`). Case-insensitive tests use ASCII literals only and match
//! them ASCII-case-insensitively; on ASCII lines that is exactly Unicode case folding.
//! `tests/eval_prefilter.rs` checks the soundness against the evaluator on random rules and events.

use aho_corasick::automaton::{Automaton, OverlappingState};
use aho_corasick::dfa::DFA;
use aho_corasick::{Input, MatchKind, Span, packed};

use crate::model::sigma_string::{Part, SigmaString};

/// Literals shorter than this are too common in JSON text to be worth a pattern.
const MIN_LITERAL: usize = 3;

/// What a raw line must contain for a detection to possibly match it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need {
    /// Nothing is known: evaluate on every line.
    Any,
    /// At least one of these literals (compared ASCII-case-insensitively).
    OneOf(Vec<String>),
}

impl Need {
    /// All of `needs` hold: any one of them is a valid need; the most selective is taken (the one
    /// whose shortest literal is longest).
    pub fn all(needs: impl IntoIterator<Item = Need>) -> Need {
        needs
            .into_iter()
            .filter_map(|n| match n {
                Need::OneOf(l) => Some(l),
                Need::Any => None,
            })
            .max_by_key(|l| l.iter().map(String::len).min().unwrap_or(0))
            .map_or(Need::Any, Need::OneOf)
    }

    /// One of `needs` holds: the union, or nothing if one of them is unknown.
    pub fn any(needs: impl IntoIterator<Item = Need>) -> Need {
        let mut all = Vec::new();
        for n in needs {
            match n {
                Need::Any => return Need::Any,
                Need::OneOf(l) => all.extend(l),
            }
        }
        all.sort();
        all.dedup();
        if all.is_empty() { Need::Any } else { Need::OneOf(all) }
    }

    /// The need of a string test: the longest usable literal of `s`. `whole_value` says the test
    /// compares the whole value (a field test; keywords match anywhere), so text at a start or end
    /// anchor must be next to the string's quote in the raw line.
    pub fn of_string(s: &SigmaString, cased: bool, whole_value: bool) -> Need {
        let last = s.parts.len().saturating_sub(1);
        let mut best: Option<String> = None;
        for (i, part) in s.parts.iter().enumerate() {
            let Part::Text(text) = part else { continue };
            let pieces = safe_pieces(text, cased);
            let (first_piece, last_piece) = (0, pieces.len().saturating_sub(1));
            for (j, (start, piece)) in pieces.iter().enumerate() {
                if piece.bytes().all(is_number_byte) {
                    continue;
                }
                let at_start = whole_value && i == 0 && j == first_piece && *start == 0;
                let at_end = whole_value && i == last && j == last_piece && start + piece.len() == text.len();
                let literal = quoted(piece, at_start, at_end);
                if literal.len() >= MIN_LITERAL && best.as_ref().is_none_or(|b| literal.len() > b.len()) {
                    best = Some(literal);
                }
            }
        }
        best.map_or(Need::Any, |l| Need::OneOf(vec![l]))
    }
}

/// Add the JSON string quotes a value's start or end sits next to, except for the text of `true`
/// and `false`, which the evaluator also finds in unquoted JSON booleans.
fn quoted(piece: &str, at_start: bool, at_end: bool) -> String {
    let lower = piece.to_ascii_lowercase();
    let boolean = ["true", "false"].iter().any(|b| match (at_start, at_end) {
        (true, true) => *b == lower,
        (true, false) => b.starts_with(&lower),
        (false, true) => b.ends_with(&lower),
        (false, false) => false,
    });
    if boolean {
        return piece.to_string();
    }
    let mut out = String::with_capacity(piece.len() + 2);
    if at_start {
        out.push('"');
    }
    out.push_str(piece);
    if at_end {
        out.push('"');
    }
    out
}

/// The characters of a number's printed text.
fn is_number_byte(b: u8) -> bool {
    b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-')
}

/// `text` split at characters a JSON writer may escape (`"`, `\`, `/`, controls) and, for
/// case-insensitive tests, at non-ASCII characters; each piece with its byte offset in `text`.
fn safe_pieces(text: &str, cased: bool) -> Vec<(usize, &str)> {
    let unsafe_char = |c: char| matches!(c, '"' | '\\' | '/') || c.is_control() || (!cased && !c.is_ascii());
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if unsafe_char(c) {
            if i > start {
                out.push((start, &text[start..i]));
            }
            start = i + c.len_utf8();
        }
    }
    if text.len() > start {
        out.push((start, &text[start..]));
    }
    out
}

/// For each literal, the other literals that are its prefixes.
fn prefixes_of(literals: &[String]) -> Vec<Vec<usize>> {
    literals
        .iter()
        .map(|p| {
            (0..literals.len())
                .filter(|&q| literals[q].len() < p.len() && p.starts_with(literals[q].as_str()))
                .collect()
        })
        .collect()
}

/// The literals of every detection, searched for in one pass.
pub struct Prefilter {
    search: Option<Search>,
    /// How many detections have no literal.
    unfiltered: usize,
    /// For each detection, the pattern ids it needs (one of them), or `None` for "any line".
    needs: Vec<Option<Vec<usize>>>,
    patterns: usize,
}

/// How a line is searched for the (lower-cased) literals.
enum Search {
    /// SIMD (Teddy) over an ASCII-lower-cased copy of the line, leftmost-longest, restarted one byte
    /// after each match so every start position is seen. All literals that match at one position
    /// are prefixes of the longest one, so `prefixes[p]` marks them too.
    Packed {
        searcher: packed::Searcher,
        prefixes: Vec<Vec<usize>>,
    },
    /// A full DFA, ASCII-case-insensitive, overlapping: when Teddy cannot be built (too many
    /// literals, no SIMD). Built without the crate's rare-byte prefilter: most literals start with
    /// `"`, the commonest byte of JSON, so it would stop at nearly every byte.
    Dfa(Box<DFA>),
}

impl Prefilter {
    pub fn new(needs: &[Need]) -> Prefilter {
        Self::build(needs, true)
    }

    fn build(needs: &[Need], allow_packed: bool) -> Prefilter {
        let mut literals: Vec<String> = Vec::new();
        let ids: Vec<Option<Vec<usize>>> = needs
            .iter()
            .map(|n| match n {
                Need::Any => None,
                Need::OneOf(l) => Some(
                    l.iter()
                        .map(|lit| {
                            let lit = lit.to_ascii_lowercase();
                            literals.iter().position(|x| *x == lit).unwrap_or_else(|| {
                                literals.push(lit);
                                literals.len() - 1
                            })
                        })
                        .collect(),
                ),
            })
            .collect();
        let search = (!literals.is_empty()).then(|| {
            let packed = allow_packed
                .then(|| {
                    packed::Config::new()
                        .match_kind(packed::MatchKind::LeftmostLongest)
                        .builder()
                        .extend(&literals)
                        .build()
                })
                .flatten();
            match packed {
                Some(searcher) => Search::Packed {
                    searcher,
                    prefixes: prefixes_of(&literals),
                },
                None => Search::Dfa(Box::new(
                    DFA::builder()
                        .ascii_case_insensitive(true)
                        .match_kind(MatchKind::Standard)
                        .prefilter(false)
                        .build(&literals)
                        .expect("literals of bounded size build an automaton"),
                )),
            }
        });
        Prefilter {
            search,
            unfiltered: ids.iter().filter(|n| n.is_none()).count(),
            needs: ids,
            patterns: literals.len(),
        }
    }

    /// Whether the literals can be trusted on `line` (see the module documentation).
    pub fn applies(line: &[u8]) -> bool {
        // A backslash is rare: looking for it and the byte after costs less than a substring search.
        line.is_ascii() && !memchr::memchr_iter(b'\\', line).any(|i| line.get(i + 1) == Some(&b'u'))
    }

    /// For each detection, whether it could match `line`; `None` when the prefilter cannot be used
    /// on this line (every detection is evaluated).
    pub fn candidates(&self, line: &[u8]) -> Option<Vec<bool>> {
        if !Self::applies(line) {
            return None;
        }
        let mut present = Vec::new();
        self.search(&line.to_ascii_lowercase(), &mut present);
        Some(self.candidates_of(&present))
    }

    /// Sets `present[p]` for every literal `p` found in `lower` (text already ASCII-lower-cased, on
    /// which [`Prefilter::applies`] held before lower-casing).
    pub fn search(&self, lower: &[u8], present: &mut Vec<bool>) {
        present.clear();
        present.resize(self.patterns, false);
        match &self.search {
            Some(Search::Packed { searcher, prefixes }) => {
                let mut at = 0;
                while at < lower.len()
                    && let Some(m) = searcher.find_in(lower, Span::from(at..lower.len()))
                {
                    let p = m.pattern().as_usize();
                    present[p] = true;
                    prefixes[p].iter().for_each(|&q| present[q] = true);
                    at = m.start() + 1;
                }
            }
            Some(Search::Dfa(dfa)) => {
                let input = Input::new(lower);
                let mut state = OverlappingState::start();
                // A DFA built without anchors or limits cannot fail a search.
                while dfa.try_find_overlapping(&input, &mut state).is_ok()
                    && let Some(m) = state.get_match()
                {
                    present[m.pattern().as_usize()] = true;
                }
            }
            None => {}
        }
    }

    /// Whether detection `d` could match, given the literals `present`.
    fn may(&self, d: usize, present: &[bool]) -> bool {
        self.needs[d].as_ref().is_none_or(|ids| ids.iter().any(|&i| present[i]))
    }

    /// Whether some detection could match, given the literals `present` (no allocation: most lines
    /// are ruled out here).
    pub fn any_candidate(&self, present: &[bool]) -> bool {
        // Most lines hold no literal: then only the detections without one are candidates.
        if !present.contains(&true) {
            return self.unfiltered() > 0;
        }
        (0..self.needs.len()).any(|d| self.may(d, present))
    }

    /// For each detection, whether it could match, given the literals `present`.
    pub fn candidates_of(&self, present: &[bool]) -> Vec<bool> {
        (0..self.needs.len()).map(|d| self.may(d, present)).collect()
    }

    /// How many detections are evaluated on every line (no usable literal).
    pub fn unfiltered(&self) -> usize {
        self.unfiltered
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn need(raw: &str, cased: bool, whole: bool) -> Need {
        Need::of_string(&SigmaString::parse(raw, false), cased, whole)
    }

    #[test]
    fn literals_of_strings() {
        assert_eq!(need("sapi", false, true), Need::OneOf(vec!["\"sapi\"".into()]));
        assert_eq!(need("f", false, true), Need::OneOf(vec!["\"f\"".into()]));
        assert_eq!(need("f", false, false), Need::Any, "a keyword `f` is too short");
        assert_eq!(
            need("*/attack-protection/bot-detection", false, true),
            Need::OneOf(vec!["attack-protection".into()])
        );
        assert_eq!(
            need("4624", false, true),
            Need::Any,
            "numbers print differently from their raw text"
        );
        assert_eq!(
            need("tru*", false, true),
            Need::OneOf(vec!["tru".into()]),
            "JSON true is unquoted"
        );
        assert_eq!(need("Straße", false, true), Need::OneOf(vec!["\"Stra".into()]));
        assert_eq!(need("Straße", true, true), Need::OneOf(vec!["\"Straße\"".into()]));
        assert_eq!(need("a\"b", false, true), Need::Any);
    }

    #[test]
    fn combining_needs() {
        let a = Need::OneOf(vec!["\"sapi\"".into()]);
        let b = Need::OneOf(vec!["Update a client".into()]);
        assert_eq!(Need::all([a.clone(), Need::Any, b.clone()]), b);
        assert_eq!(Need::any([a.clone(), Need::Any]), Need::Any);
        assert_eq!(
            Need::any([a, b]),
            Need::OneOf(vec!["\"sapi\"".into(), "Update a client".into()])
        );
    }

    #[test]
    fn candidates_per_line() {
        let p = Prefilter::new(&[
            Need::OneOf(vec!["\"sapi\"".into()]),
            Need::Any,
            Need::OneOf(vec!["\"f\"".into(), "\"fp\"".into()]),
        ]);
        assert_eq!(p.candidates(br#"{"type":"SAPI"}"#), Some(vec![true, true, false]));
        assert_eq!(p.candidates(br#"{"type":"fp"}"#), Some(vec![false, true, true]));
        assert_eq!(p.candidates(br#"{"type":"s\u0061pi"}"#), None);
        assert_eq!(p.candidates("{\"type\":\"é\"}".as_bytes()), None);
        assert_eq!(p.unfiltered(), 1);
        // Any backslash before a `u` turns the prefilter off, even an escaped one (`\\u`).
        for (line, applies) in [
            (&br#"{"a":"\\u"}"#[..], false),
            (br#"{"a":"x\\"}"#, true),
            (br#"{"a":"\n\u"}"#, false),
            (b"\\", true),
        ] {
            assert_eq!(Prefilter::applies(line), applies, "{}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn packed_and_dfa_searches_agree() {
        let needs: Vec<Need> = ["\"sapi\"", "\"sa", "sapi", "api\"", "\"s\"", "pi", "\"f\"", "\"fp\""]
            .iter()
            .map(|l| Need::OneOf(vec![l.to_string()]))
            .collect();
        let (packed, dfa) = (Prefilter::build(&needs, true), Prefilter::build(&needs, false));
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("ssse3") {
            assert!(
                matches!(packed.search, Some(Search::Packed { .. })),
                "Teddy builds with SSSE3"
            );
        }
        for line in [
            &br#"{"type":"SAPI","x":"s"}"#[..],
            br#"{"type":"sapi"}"#,
            br#""sapi""sa"s""#,
            br#"{"a":"fp","b":"f"}"#,
            br#"{"a":"fpx"}"#,
            b"",
        ] {
            assert_eq!(
                packed.candidates(line),
                dfa.candidates(line),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
