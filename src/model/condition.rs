//! The condition language: `sel and not 1 of filter_*`.
//!
//! A real tokenizer with word boundaries, so `not_filter` is one identifier (pySigma splits it into
//! `not _filter`). Precedence, loosest first: `or`, `and`, `not`, `x of`, parentheses.

use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    /// `1 of` / `any of`
    Any,
    /// `all of`
    All,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Ident {
        name: String,
        range: Range<usize>,
    },
    /// `1 of pattern`, `all of them`; `pattern` is `them` or a name with `*` wildcards.
    Selector {
        quantifier: Quantifier,
        pattern: String,
        range: Range<usize>,
    },
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

impl Expr {
    /// Every identifier and selector, in source order.
    pub fn leaves(&self) -> Vec<&Expr> {
        let mut out = Vec::new();
        self.collect_leaves(&mut out);
        out
    }

    fn collect_leaves<'a>(&'a self, out: &mut Vec<&'a Expr>) {
        match self {
            Expr::Ident { .. } | Expr::Selector { .. } => out.push(self),
            Expr::Not(e) => e.collect_leaves(out),
            Expr::And(v) | Expr::Or(v) => v.iter().for_each(|e| e.collect_leaves(out)),
        }
    }
}

/// A syntax error at a byte range of the condition text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionError {
    pub message: String,
    pub range: Range<usize>,
    pub help: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    LParen,
    RParen,
    Word(String),
    Pipe,
    Other(char),
}

fn tokenize(text: &str) -> Vec<(Tok, Range<usize>)> {
    let mut toks = Vec::new();
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let tok = match c {
            c if c.is_whitespace() => continue,
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            '|' => Tok::Pipe,
            c if is_word_char(c) => {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = iter.peek() {
                    if !is_word_char(d) {
                        break;
                    }
                    end = j + d.len_utf8();
                    iter.next();
                }
                toks.push((Tok::Word(text[i..end].to_string()), i..end));
                continue;
            }
            c => Tok::Other(c),
        };
        toks.push((tok, i..i + c.len_utf8()));
    }
    toks
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '*')
}

const KEYWORDS: [&str; 7] = ["and", "or", "not", "of", "1", "any", "all"];

struct Parser {
    toks: Vec<(Tok, Range<usize>)>,
    pos: usize,
    len: usize,
}

pub fn parse_condition(text: &str) -> Result<Expr, ConditionError> {
    let mut p = Parser {
        toks: tokenize(text),
        pos: 0,
        len: text.len(),
    };
    if p.toks.is_empty() {
        return Err(ConditionError {
            message: "empty condition".into(),
            range: 0..text.len(),
            help: Some("write e.g. `condition: selection`".into()),
        });
    }
    let expr = p.or_expr(0)?;
    match p.peek() {
        None => Ok(expr),
        Some((tok, range)) => Err(p.unexpected(tok.clone(), range.clone(), "`and`, `or` or the end of the condition")),
    }
}

/// Nesting of parentheses and `not`s beyond this is refused rather than risking the stack.
const MAX_NESTING: usize = 64;

impl Parser {
    fn peek(&self) -> Option<&(Tok, Range<usize>)> {
        self.toks.get(self.pos)
    }

    fn peek_word(&self) -> Option<&str> {
        match self.peek() {
            Some((Tok::Word(w), _)) => Some(w),
            _ => None,
        }
    }

    fn end_range(&self) -> Range<usize> {
        self.len..self.len
    }

    fn or_expr(&mut self, depth: usize) -> Result<Expr, ConditionError> {
        let mut items = vec![self.and_expr(depth)?];
        while self.peek_word() == Some("or") {
            self.pos += 1;
            items.push(self.and_expr(depth)?);
        }
        Ok(if items.len() == 1 {
            items.pop().unwrap()
        } else {
            Expr::Or(items)
        })
    }

    fn and_expr(&mut self, depth: usize) -> Result<Expr, ConditionError> {
        let mut items = vec![self.not_expr(depth)?];
        while self.peek_word() == Some("and") {
            self.pos += 1;
            items.push(self.not_expr(depth)?);
        }
        Ok(if items.len() == 1 {
            items.pop().unwrap()
        } else {
            Expr::And(items)
        })
    }

    fn not_expr(&mut self, depth: usize) -> Result<Expr, ConditionError> {
        if depth > MAX_NESTING {
            let range = self.peek().map_or(self.end_range(), |t| t.1.clone());
            return Err(ConditionError {
                message: format!("condition nested deeper than {MAX_NESTING} levels"),
                range,
                help: None,
            });
        }
        if self.peek_word() == Some("not") {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.not_expr(depth + 1)?)));
        }
        self.operand(depth)
    }

    fn operand(&mut self, depth: usize) -> Result<Expr, ConditionError> {
        let Some((tok, range)) = self.peek().cloned() else {
            return Err(ConditionError {
                message: "condition ends where a search identifier was expected".into(),
                range: self.end_range(),
                help: Some("complete the expression, e.g. `selection and not filter`".into()),
            });
        };
        match tok {
            Tok::LParen => {
                self.pos += 1;
                let inner = self.or_expr(depth + 1)?;
                match self.peek() {
                    Some((Tok::RParen, _)) => {
                        self.pos += 1;
                        Ok(inner)
                    }
                    other => {
                        let at = other.map_or(self.end_range(), |t| t.1.clone());
                        Err(ConditionError {
                            message: "unclosed `(`".into(),
                            range: range.start..at.end.max(range.end),
                            help: Some("add the matching `)`".into()),
                        })
                    }
                }
            }
            Tok::Word(w)
                if matches!(w.as_str(), "1" | "any" | "all")
                    && self
                        .toks
                        .get(self.pos + 1)
                        .is_some_and(|t| t.0 == Tok::Word("of".into())) =>
            {
                self.pos += 2;
                let quantifier = if w == "all" { Quantifier::All } else { Quantifier::Any };
                match self.peek().cloned() {
                    Some((Tok::Word(pattern), prange)) if !KEYWORDS.contains(&pattern.as_str()) || pattern == "1" => {
                        self.pos += 1;
                        if pattern.contains('-') {
                            return Err(ConditionError {
                                message: format!("`{pattern}`: a `x of` pattern cannot contain `-`"),
                                range: prange,
                                help: Some(
                                    "pySigma's grammar allows only letters, digits, `_` and `*` in patterns".into(),
                                ),
                            });
                        }
                        Ok(Expr::Selector {
                            quantifier,
                            pattern,
                            range: range.start..prange.end,
                        })
                    }
                    other => Err(self.unexpected_opt(other, "a pattern such as `selection_*` or `them`")),
                }
            }
            Tok::Word(w)
                if w.chars().all(|c| c.is_ascii_digit())
                    && self
                        .toks
                        .get(self.pos + 1)
                        .is_some_and(|t| t.0 == Tok::Word("of".into())) =>
            {
                Err(ConditionError {
                    message: format!("`{w} of` is not Sigma: only `1 of`, `any of` and `all of` exist"),
                    range,
                    help: Some("use `1 of` or `all of`, or a correlation rule for counts".into()),
                })
            }
            Tok::Word(w) if KEYWORDS.contains(&w.as_str()) => {
                Err(self.unexpected(Tok::Word(w), range, "a search identifier"))
            }
            Tok::Word(w) => {
                if is_keyword_in_wrong_case(&w) {
                    return Err(ConditionError {
                        message: format!("`{w}`: condition keywords are lowercase"),
                        range,
                        help: Some(format!("write `{}`", w.to_lowercase())),
                    });
                }
                self.pos += 1;
                if w.contains('*') {
                    return Err(ConditionError {
                        message: format!("wildcard `{w}` outside `1 of` / `all of`"),
                        range,
                        help: Some(format!("write `1 of {w}` or `all of {w}`")),
                    });
                }
                Ok(Expr::Ident { name: w, range })
            }
            other => Err(self.unexpected(other, range, "a search identifier, `not` or `(`")),
        }
    }

    fn unexpected_opt(&self, tok: Option<(Tok, Range<usize>)>, expected: &str) -> ConditionError {
        match tok {
            Some((t, r)) => self.unexpected(t, r, expected),
            None => ConditionError {
                message: format!("condition ends where {expected} was expected"),
                range: self.end_range(),
                help: None,
            },
        }
    }

    fn unexpected(&self, tok: Tok, range: Range<usize>, expected: &str) -> ConditionError {
        let (found, help) = match &tok {
            Tok::Pipe => (
                "`|`".to_string(),
                Some("the `| count() by …` aggregation was removed in Sigma 2.0: write a correlation rule".to_string()),
            ),
            Tok::RParen => ("`)`".into(), Some("remove the unmatched `)`".into())),
            Tok::LParen => (
                "`(`".into(),
                Some("an operator (`and`, `or`) is missing before `(`".into()),
            ),
            Tok::Word(w) if is_keyword_in_wrong_case(w) => (
                format!("`{w}`"),
                Some(format!(
                    "condition keywords are lowercase: write `{}`",
                    w.to_lowercase()
                )),
            ),
            Tok::Word(w) if KEYWORDS.contains(&w.as_str()) => (format!("keyword `{w}`"), None),
            Tok::Word(w) => (
                format!("`{w}`"),
                Some("an operator (`and`, `or`) is missing between two identifiers".into()),
            ),
            Tok::Other(c) => (
                format!("`{c}`"),
                Some("identifiers use letters, digits, `_` and `-`".into()),
            ),
        };
        ConditionError {
            message: format!("expected {expected}, found {found}"),
            range,
            help,
        }
    }
}

fn is_keyword_in_wrong_case(w: &str) -> bool {
    let lower = w.to_lowercase();
    lower != w && ["and", "or", "not", "of", "any", "all", "them"].contains(&lower.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ident(name: &str, range: Range<usize>) -> Expr {
        Expr::Ident {
            name: name.into(),
            range,
        }
    }

    #[test]
    fn precedence_not_and_or() {
        let e = parse_condition("a or b and not c").unwrap();
        assert_eq!(
            e,
            Expr::Or(vec![
                ident("a", 0..1),
                Expr::And(vec![ident("b", 5..6), Expr::Not(Box::new(ident("c", 15..16)))])
            ])
        );
    }

    #[test]
    fn not_prefix_is_part_of_an_identifier() {
        let e = parse_condition("sel and not_filter").unwrap();
        assert_eq!(e, Expr::And(vec![ident("sel", 0..3), ident("not_filter", 8..18)]));
    }

    #[test]
    fn selectors_and_parentheses() {
        let e = parse_condition("(sel)and(1 of filter_*)").unwrap();
        assert_eq!(
            e,
            Expr::And(vec![
                ident("sel", 1..4),
                Expr::Selector {
                    quantifier: Quantifier::Any,
                    pattern: "filter_*".into(),
                    range: 9..22
                }
            ])
        );
        assert!(matches!(
            parse_condition("all of them").unwrap(),
            Expr::Selector {
                quantifier: Quantifier::All,
                ..
            }
        ));
    }

    #[test]
    fn errors_have_ranges_and_hints() {
        let e = parse_condition("sel AND filter").unwrap_err();
        assert_eq!(e.range, 4..7);
        assert!(e.help.unwrap().contains("lowercase"));
        let e = parse_condition("sel | count() > 5").unwrap_err();
        assert!(e.help.unwrap().contains("correlation"));
        assert_eq!(parse_condition("(a or b").unwrap_err().message, "unclosed `(`");
        assert!(parse_condition("2 of sel*").is_err());
        assert!(parse_condition("a b").is_err());
        assert!(parse_condition("").is_err());
        assert!(parse_condition(&"(".repeat(1000)).is_err());
    }
}
