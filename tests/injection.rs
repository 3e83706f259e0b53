//! Escaping is injection-proof: an arbitrary string (quotes, backslashes, pipes, brackets, line
//! breaks, NUL, bidi controls, `/`, backticks, operator words) put into any position of a rule gives a
//! query with the same structure as a benign string in that position, on every target, or a clear
//! refusal for the characters a target cannot write there.
//!
//! Positions: a field name in a comparison, exists and null tests, a regex (Splunk `| regex` and the
//! `| rex` layout under OR), a `fieldref` and an `IN` list; the `fieldref` target; a regex pattern; a
//! value; and in correlations a group-by entry, an aliased group-by entry, the value field and a rule
//! name used as an event label.
//!
//! "Same structure" is checked with a small tokenizer per target ([`Syntax`]): string literals,
//! quoted names, regex literals and plain words become one placeholder token each, operator words
//! and punctuation stay, so a hostile string that ends a literal early or adds a clause, a pipe or a
//! line shows up as a different token sequence.
//!
//! The default case count keeps `cargo test` quick; a longer run:
//!     PROPTEST_CASES=5000 cargo test --release --test injection

use detc::backend::convert::render_query;
use detc::backend::{QueryLanguage, convert_catalog};
use detc::catalog::Catalog;
use detc::ir::{Expr, Leaf, ReFlags, Value};
use detc::model::sigma_string::SigmaString;
use proptest::prelude::*;

/// Pieces that matter to some query language, plus ordinary and non-ASCII text.
fn text() -> impl Strategy<Value = String> {
    let atoms = prop_oneof![
        Just("\""),
        Just("'"),
        Just("\\"),
        Just("|"),
        Just("\n"),
        Just("\r"),
        Just("\t"),
        Just("\0"),
        Just("\u{202E}"),
        Just("\u{2066}"),
        Just("`"),
        Just("*"),
        Just("?"),
        Just(" "),
        // Lucene's query parser reads the ideographic space as whitespace.
        Just("\u{3000}"),
        Just("("),
        Just(")"),
        Just("["),
        Just("]"),
        Just("{"),
        Just("}"),
        Just("{}"),
        Just(":"),
        Just("="),
        Just("/"),
        Just("\\/"),
        Just("!"),
        Just("-"),
        Just(","),
        Just("%"),
        Just("$"),
        Just("#"),
        Just("."),
        Just("é"),
        Just("😀"),
        Just("a"),
        Just("Z"),
        Just("0"),
        Just("_"),
        Just("OR"),
        Just("AND"),
        Just("NOT"),
        Just("or"),
        Just("and"),
        Just("not"),
        Just("in"),
        Just("where"),
        Just("matches"),
    ];
    proptest::collection::vec(atoms, 1..12).prop_map(|parts| parts.concat())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(48)
}

// ------------------------------------------------------------------------------------------------
// Tokenizers

/// What a target's query text looks like to a tokenizer.
struct Syntax {
    /// `'…'` is a quoted field name (Splunk eval), with no escapes.
    single_quoted: bool,
    /// `` `…` `` is a quoted identifier with doubled backticks (ES|QL, EQL).
    backticks: bool,
    /// A `/…/` regex literal (with `\x` escapes) starts after this token (Lucene `:`, Sumo `matches`).
    regex_after: Option<&'static str>,
    /// A backslash outside strings escapes the next character into the current word (Lucene).
    bare_escapes: bool,
    /// Operator and command words, kept as themselves (compared case-insensitively when `fold`).
    keywords: &'static [&'static str],
    fold: bool,
    /// A raw line break may stand inside a string literal (Splunk); elsewhere it must be escaped.
    raw_breaks: bool,
    /// Characters that are tokens of their own outside literals.
    punct: &'static [char],
}

const SPLUNK: Syntax = Syntax {
    single_quoted: true,
    backticks: false,
    regex_after: None,
    bare_escapes: false,
    // Command names only mean something after `|`, which is a token of its own.
    keywords: &["OR", "AND", "NOT", "IN", "AS", "BY"],
    fold: true,
    raw_breaks: true,
    // SPL splits a command's arguments on these only (`c-uri`, `a%b`, `a{}` are one word).
    punct: &['(', ')', '[', ']', '|', '=', '!', '<', '>', ','],
};
const LUCENE: Syntax = Syntax {
    single_quoted: false,
    backticks: false,
    regex_after: Some(":"),
    bare_escapes: true,
    keywords: &["AND", "OR", "NOT", "TO", "_exists_"],
    fold: false,
    raw_breaks: false,
    // A leading `-` is an operator too (a word starting with it is marked).
    punct: &[
        '(', ')', '[', ']', '{', '}', '|', '&', '!', ':', '^', '~', '+', '<', '>', '=',
    ],
};
const ESQL: Syntax = Syntax {
    single_quoted: false,
    backticks: true,
    regex_after: None,
    bare_escapes: false,
    keywords: &[
        "and", "or", "not", "like", "rlike", "in", "is", "null", "true", "false", "from", "where", "eval", "stats",
        "by", "metadata", "first", "last", "nulls", "asc", "desc",
    ],
    fold: true,
    raw_breaks: false,
    punct: PUNCT,
};
const EQL: Syntax = Syntax {
    single_quoted: false,
    backticks: true,
    regex_after: None,
    bare_escapes: false,
    keywords: &[
        "and", "or", "not", "in", "like", "like~", "regex", "regex~", "of", "where", "sequence", "by", "with", "until",
        "maxspan", "runs", "true", "false", "null", "any",
    ],
    fold: true,
    raw_breaks: false,
    punct: PUNCT,
};
const SUMO: Syntax = Syntax {
    single_quoted: false,
    backticks: false,
    regex_after: Some("matches"),
    bare_escapes: false,
    keywords: &[
        "and",
        "or",
        "not",
        "in",
        "as",
        "by",
        "matches",
        "where",
        "nodrop",
        "json",
        "if",
        "timeslice",
        "count",
    ],
    fold: true,
    raw_breaks: false,
    punct: PUNCT,
};

/// A backend by id.
fn target_named(id: &str) -> QueryLanguage {
    QueryLanguage::parse(id).expect("a backend")
}

fn syntax(target: QueryLanguage) -> &'static Syntax {
    match target.name() {
        "splunk" => &SPLUNK,
        "lucene" => &LUCENE,
        "esql" => &ESQL,
        "eql" => &EQL,
        "sumo" => &SUMO,
        other => panic!("no tokenizer for target {other}"),
    }
}

const PUNCT: &[char] = &[
    '(', ')', '[', ']', '{', '}', '|', '=', '!', '<', '>', ',', ':', ';', '?', '%',
];

/// The token sequence of `q`: `V` a string, a quoted name or a plain word (a name is written either
/// way), `R` a regex literal, operator words and punctuation as themselves, `\n` (and any
/// whitespace but a space) as a token, `UNTERMINATED` for a literal that does not end.
fn tokens(sx: &Syntax, q: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut chars = q.chars().peekable();
    // Read up to the closing `end`; `escapes`: a backslash takes the next character. False when
    // unterminated or when it holds a raw line break the target does not allow.
    let breaks = sx.raw_breaks;
    let literal = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>, end: char, escapes: bool, doubled: bool| {
        while let Some(c) = chars.next() {
            if !breaks && end == '"' && matches!(c, '\n' | '\r') {
                return false;
            }
            if escapes && c == '\\' {
                match chars.next() {
                    None => return false,
                    Some('\n' | '\r') if !breaks && end == '"' => return false,
                    Some(_) => {}
                }
            } else if c == end {
                if doubled && chars.peek() == Some(&end) {
                    chars.next();
                } else {
                    return true;
                }
            }
        }
        false
    };
    while let Some(&c) = chars.peek() {
        let regex_here = c == '/' && sx.regex_after.is_some() && out.last().map(String::as_str) == sx.regex_after;
        if c == ' ' {
            chars.next();
        } else if c.is_whitespace() {
            chars.next();
            out.push(format!("WS{:X}", c as u32));
        } else if c == '"' {
            chars.next();
            out.push(
                if literal(&mut chars, '"', true, false) {
                    "V"
                } else {
                    "UNTERMINATED"
                }
                .into(),
            );
        } else if c == '\'' && sx.single_quoted {
            chars.next();
            out.push(
                if literal(&mut chars, '\'', false, false) {
                    "V"
                } else {
                    "UNTERMINATED"
                }
                .into(),
            );
        } else if c == '`' && sx.backticks {
            chars.next();
            out.push(
                if literal(&mut chars, '`', false, true) {
                    "V"
                } else {
                    "UNTERMINATED"
                }
                .into(),
            );
        } else if regex_here {
            chars.next();
            out.push(
                if literal(&mut chars, '/', true, false) {
                    "R"
                } else {
                    "UNTERMINATED"
                }
                .into(),
            );
        } else if sx.punct.contains(&c) {
            chars.next();
            out.push(c.to_string());
        } else {
            let mut word = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || sx.punct.contains(&c) || c == '"' || (c == '\'' && sx.single_quoted) {
                    break;
                }
                if (c == '`' && sx.backticks) || (c == '/' && sx.regex_after.is_some() && word.is_empty()) {
                    break;
                }
                chars.next();
                word.push(c);
                if c == '\\' && sx.bare_escapes {
                    match chars.next() {
                        Some(e) => word.push(e),
                        None => word.push_str("UNTERMINATED"),
                    }
                }
            }
            if word.is_empty() {
                // A character no rule above takes (a lone `/` in a non-regex position).
                word.push(chars.next().unwrap_or(' '));
            }
            let is_keyword = sx.keywords.iter().any(|k| {
                if sx.fold {
                    k.eq_ignore_ascii_case(&word)
                } else {
                    *k == word
                }
            });
            out.push(if is_keyword {
                word
            } else if sx.bare_escapes && word.starts_with('-') {
                "-V".into()
            } else {
                "V".into()
            });
        }
    }
    out
}

// ------------------------------------------------------------------------------------------------
// Positions

/// Where a string goes in a rule.
#[derive(Debug, Clone, Copy)]
enum Position {
    FieldCompare,
    FieldExists,
    FieldNull,
    FieldRegex,
    FieldRegexUnderOr,
    FieldRef,
    FieldRefTarget,
    FieldIn,
    RegexPattern,
    Value,
    ValueIn,
    GroupBy,
    AliasedGroupBy,
    ValueField,
    Label,
}

const POSITIONS: [Position; 15] = [
    Position::FieldCompare,
    Position::FieldExists,
    Position::FieldNull,
    Position::FieldRegex,
    Position::FieldRegexUnderOr,
    Position::FieldRef,
    Position::FieldRefTarget,
    Position::FieldIn,
    Position::RegexPattern,
    Position::Value,
    Position::ValueIn,
    Position::GroupBy,
    Position::AliasedGroupBy,
    Position::ValueField,
    Position::Label,
];

fn leaf(field: &str, value: Value) -> Expr {
    Expr::Leaf(Leaf {
        field: Some(field.to_string()),
        value,
        span: Default::default(),
    })
}

fn regex(pattern: &str) -> Value {
    Value::Regex {
        pattern: pattern.to_string(),
        flags: ReFlags::default(),
    }
}

fn string(s: &str) -> Value {
    Value::Str(SigmaString::parse(s, false))
}

/// A YAML double-quoted scalar holding exactly `s`.
fn yaml(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push_str(&format!("\\U{:08X}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// A catalog of two base rules (`a` and `b`) and one correlation over them.
fn correlation(kind: &str, b_name: &str, group: &str, aliases: Option<&str>, value_field: &str) -> String {
    let aliases = match aliases {
        Some(alias) => format!(
            "  aliases:\n    {}:\n      a: data.ip\n      {}: data.src\n",
            yaml(alias),
            yaml(b_name)
        ),
        None => String::new(),
    };
    let group = yaml(group);
    format!(
        "title: A\nname: a\nlogsource: {{product: x}}\ndetection: {{sel: {{data.type: f}}, condition: sel}}\n---\n\
         title: B\nname: {b}\nlogsource: {{product: x}}\ndetection: {{sel: {{data.type: s}}, condition: sel}}\n---\n\
         title: C\ncorrelation:\n  type: {kind}\n  rules: [a, {b}]\n  group-by: [{group}]\n{aliases}  timespan: 10m\n  condition: {{gte: 2, field: {f}}}\n",
        b = yaml(b_name),
        f = yaml(value_field),
    )
}

/// The query, or the refusal's message.
fn convert(target: QueryLanguage, pos: Position, s: &str) -> Result<String, String> {
    let expr = match pos {
        Position::FieldCompare => leaf(s, string("v")),
        Position::FieldExists => leaf(s, Value::Exists(true)),
        Position::FieldNull => Expr::Not(Box::new(leaf(s, Value::Null))),
        Position::FieldRegex => leaf(s, regex("x")),
        Position::FieldRegexUnderOr => Expr::Or(vec![leaf(s, regex("x")), leaf("b", string("v"))]),
        Position::FieldRef => leaf(
            s,
            Value::FieldRef {
                field: "b".into(),
                cased: false,
            },
        ),
        Position::FieldRefTarget => leaf(
            "a",
            Value::FieldRef {
                field: s.into(),
                cased: false,
            },
        ),
        Position::FieldIn => Expr::Or(vec![leaf(s, string("v")), leaf(s, string("w"))]),
        Position::RegexPattern => leaf("f", regex(s)),
        // Wildcards choose another comparison form (`like`, `matches`); as literals they are values.
        Position::Value => leaf("f", string(&s.replace(['*', '?'], "a"))),
        // A value in a list (Lucene `F:(… OR …)` with phrases, `IN`, EQL `like~ (…)`).
        Position::ValueIn => Expr::Or(vec![
            leaf("f", string(&s.replace(['*', '?'], "a"))),
            leaf("f", string("w")),
        ]),
        Position::GroupBy | Position::AliasedGroupBy | Position::ValueField | Position::Label => {
            let text = match pos {
                Position::GroupBy => correlation("event_count", "b", s, None, "v"),
                Position::AliasedGroupBy => correlation("temporal", "b", s, Some(s), "v"),
                Position::ValueField => correlation("value_count", "b", "g", None, s),
                _ => correlation("temporal", s, "g", None, "v"),
            };
            let catalog = Catalog::from_sources(&[("t.yml", &text)]);
            let out = convert_catalog(&catalog, target, &Default::default());
            let c = out.last().expect("the correlation converts");
            return match c.queries.first() {
                Some(q) => Ok(q.clone()),
                None => Err(c
                    .diagnostics
                    .iter()
                    .map(|d| d.message.clone())
                    .collect::<Vec<_>>()
                    .join("; ")),
            };
        }
    };
    render_query(target, &expr).map_err(|u| u.message)
}

/// A refusal is allowed only for the characters a target documents it cannot write there.
fn refusal_allowed(target: QueryLanguage, pos: Position, s: &str, message: &str) -> bool {
    let name = !matches!(pos, Position::RegexPattern | Position::Value | Position::ValueIn);
    let control = name && s.chars().any(char::is_control) && message.contains("control character");
    let splunk_eval = target == target_named("splunk")
        && matches!(pos, Position::FieldRef | Position::FieldRefTarget)
        && s.contains(['\'', '\\'])
        && message.contains("single-quoted");
    let eql_backtick = target == target_named("eql") && s.contains('`') && message.contains("backtick");
    let trailing = s.len() - s.trim_end_matches('\\').len();
    let lone_backslash = matches!(target.name(), "lucene" | "sumo")
        && matches!(pos, Position::RegexPattern)
        && trailing % 2 == 1
        && message.contains("lone backslash");
    let empty = target != target_named("splunk")
        && target != target_named("sumo")
        && s.replace("{}", "").is_empty()
        && message.contains("array suffix");
    control || splunk_eval || eql_backtick || lone_backslash || empty
}

/// The benign twin of `s` in `pos`, and whether a hostile `s` could clash with the position's other
/// fixed names (`a`, `b`, `f`, `g`, `v`: the same name is a different, legitimate structure).
fn benign(pos: Position) -> &'static str {
    match pos {
        Position::RegexPattern => "x",
        Position::Value | Position::ValueIn => "v",
        _ => "h",
    }
}

fn check(target: QueryLanguage, pos: Position, s: &str) -> Result<(), TestCaseError> {
    let sx = syntax(target);
    let twin = convert(target, pos, benign(pos));
    let hostile = convert(target, pos, s);
    match (twin, hostile) {
        (Ok(t), Ok(h)) => {
            let (tt, ht) = (comparisons(tokens(sx, &t)), comparisons(tokens(sx, &h)));
            prop_assert_eq!(
                &tt,
                &ht,
                "{:?} {:?} {:?}:\nbenign  {:?}\nhostile {:?}",
                target,
                pos,
                s,
                t,
                h
            );
        }
        (Err(_), Err(_)) => {} // the position itself is unsupported on this target
        (Ok(t), Err(m)) => prop_assert!(
            refusal_allowed(target, pos, s, &m),
            "{:?} {:?} {:?} refused: {} (benign: {:?})",
            target,
            pos,
            s,
            m,
            t
        ),
        (Err(m), Ok(h)) => prop_assert!(false, "{target:?} {pos:?}: benign refused ({m}) but {s:?} gave {h:?}"),
    }
    Ok(())
}

/// A comparison operator (`:`, `==`, `=`, `matches`, `like~`, `regex`…) as one `OP`: a value's text may
/// choose the operator (EQL compares an IP address with `==`), which is not a change of structure.
fn comparisons(tokens: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in tokens {
        let op = matches!(
            t.to_ascii_lowercase().as_str(),
            ":" | "=" | "matches" | "like" | "like~" | "regex" | "regex~" | "rlike"
        );
        if op {
            if out.last().map(String::as_str) != Some("OP") {
                out.push("OP".into());
            }
        } else {
            out.push(t);
        }
    }
    out
}

/// Strings that equal a fixed name of the catalog or expression are not hostile, just another rule.
fn distinct(s: &str) -> bool {
    !["a", "b", "f", "g", "v", "w", "x", "h"].contains(&s)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn every_position_keeps_its_structure_on_splunk(s in text().prop_filter("distinct", |s| distinct(s))) {
        for pos in POSITIONS { check(target_named("splunk"), pos, &s)?; }
    }

    #[test]
    fn every_position_keeps_its_structure_on_lucene(s in text().prop_filter("distinct", |s| distinct(s))) {
        for pos in POSITIONS { check(target_named("lucene"), pos, &s)?; }
    }

    #[test]
    fn every_position_keeps_its_structure_on_esql(s in text().prop_filter("distinct", |s| distinct(s))) {
        for pos in POSITIONS { check(target_named("esql"), pos, &s)?; }
    }

    #[test]
    fn every_position_keeps_its_structure_on_eql(s in text().prop_filter("distinct", |s| distinct(s))) {
        for pos in POSITIONS { check(target_named("eql"), pos, &s)?; }
    }

    #[test]
    fn every_position_keeps_its_structure_on_sumo(s in text().prop_filter("distinct", |s| distinct(s))) {
        for pos in POSITIONS { check(target_named("sumo"), pos, &s)?; }
    }
}

/// The tokenizers see the holes this file guards against (each was a real rendering once).
#[test]
fn tokenizers_catch_known_injections() {
    let splunk_ok = tokens(&SPLUNK, "*\n| where 'a'='b'");
    assert_ne!(splunk_ok, tokens(&SPLUNK, "*\n| where 'a'='b' | delete | where 'x'"));
    assert_ne!(
        tokens(&SPLUNK, "x | streamstats count by a"),
        tokens(&SPLUNK, "x | streamstats count by a | delete")
    );
    assert_ne!(tokens(&LUCENE, r"F:/a\//"), tokens(&LUCENE, r"F:/a\\// OR x"));
    // A phrase whose quote or trailing backslash is not escaped ends early.
    assert_eq!(tokens(&LUCENE, r#"F:"a \" b\\""#), tokens(&LUCENE, "F:v"));
    assert_ne!(tokens(&LUCENE, r#"F:"a " b""#), tokens(&LUCENE, "F:v"));
    assert_ne!(tokens(&LUCENE, r#"F:"a b\" OR x:y"#), tokens(&LUCENE, "F:v"));
    assert_eq!(tokens(&LUCENE, r"F:/a\//"), tokens(&LUCENE, "F:/x/"));
    assert_ne!(tokens(&ESQL, r#"case(c, "a")"#), tokens(&ESQL, r#"case(c, "a"b")"#));
    assert_ne!(
        tokens(&EQL, "any where f:\"a\""),
        tokens(&EQL, "any where f:\"a\\\nb\"")
    );
    assert_ne!(
        tokens(&SUMO, "| where f matches /x/"),
        tokens(&SUMO, r"| where f matches /a\\/ or x/")
    );
}
