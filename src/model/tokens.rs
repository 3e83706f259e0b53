//! `{name}` tokens: per-deployment values (a tenant domain, a threshold) written into rule values and
//! hand-written queries, filled from detc.yaml `variables` (or `--var`).
//!
//! One scanner serves the lint (P601), lowering (which fills tokens in detection values) and the
//! build (which refuses to ship an unfilled one), so all three agree on what a token is.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use regex::Regex;

use crate::catalog::SourceFile;
use crate::catalog::yaml::{Node, Value};
use crate::diag::{Code, Diagnostic, Span};

/// One `{name}` token in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'t> {
    pub name: &'t str,
    /// Byte range of the whole token, braces included.
    pub range: Range<usize>,
}

fn token_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\{([A-Za-z_][A-Za-z0-9_.\-]*)\}").expect("valid regex"))
}

/// A Windows GUID/CLSID such as `BD54C901-076B-434E-B6C7-17C531F4AB41` is literal text, not a token.
fn is_guid(name: &str) -> bool {
    let groups: Vec<&str> = name.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Shell variables that command-injection rules match literally, with or without the `$`: payloads
/// write `{IFS}` for a space, and no deployment would name a variable after them.
const SHELL_VARIABLES: [&str; 6] = ["IFS", "PATH", "HOME", "PWD", "SHELL", "RANDOM"];

/// Whether the braces at `range` belong to another syntax that rules match literally: a shell or
/// JNDI parameter `${name}`, Ruby's `#{name}`, `%{name}` (printf-style and log formats), or a
/// template's `{{name}}` (the server-side template injection payloads web rules look for).
fn foreign_syntax(text: &str, range: &Range<usize>) -> bool {
    let before = &text[..range.start];
    before.ends_with(['$', '#', '%']) || (before.ends_with('{') && text[range.end..].starts_with('}'))
}

/// The tokens of `text`, in order. Braces that are literal text are not tokens: GUIDs, the shell
/// variables above, other syntaxes' braces ([`foreign_syntax`]), and brace expansions (`{a,b}`,
/// `{1..3}`), which the name pattern excludes (no commas, no leading digit).
pub fn tokens(text: &str) -> impl Iterator<Item = Token<'_>> {
    token_re().captures_iter(text).filter_map(move |c| {
        let whole = c.get(0)?;
        let name = c.get(1)?.as_str();
        let literal = foreign_syntax(text, &whole.range()) || SHELL_VARIABLES.contains(&name) || is_guid(name);
        (!literal).then(|| Token {
            name,
            range: whole.range(),
        })
    })
}

/// `text` with every token that has a value replaced by `escape(value)`; tokens without a value stay
/// as they are (the lint and the build report them).
pub fn fill_known(text: &str, vars: &BTreeMap<String, String>, escape: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for t in tokens(text) {
        if let Some(v) = vars.get(t.name) {
            out.push_str(&text[at..t.range.start]);
            out.push_str(&escape(v));
            at = t.range.end;
        }
    }
    out.push_str(&text[at..]);
    out
}

/// `text` with every token filled verbatim, or the names of the tokens without a value (each once,
/// in order of first use).
pub fn fill_all(text: &str, vars: &BTreeMap<String, String>) -> Result<String, Vec<String>> {
    let mut missing: Vec<String> = Vec::new();
    for t in tokens(text) {
        if !vars.contains_key(t.name) && !missing.iter().any(|m| m == t.name) {
            missing.push(t.name.to_string());
        }
    }
    if missing.is_empty() {
        Ok(fill_known(text, vars, str::to_string))
    } else {
        Err(missing)
    }
}

/// The tokens of a scalar node with a span each: the token's own span when the scalar's text appears
/// verbatim in the file, else the scalar's span (block scalars are re-indented by YAML, so the n-th
/// occurrence of the token in the source is used).
pub fn node_tokens<'n>(file: &SourceFile, node: &'n Node) -> Vec<(&'n str, Span)> {
    let Value::Scalar(s) = &node.value else {
        return Vec::new();
    };
    let source = file.text.get(node.span.byte_range()).unwrap_or("");
    tokens(&s.text)
        .map(|t| {
            let token = &s.text[t.range.clone()];
            let nth = s.text[..t.range.start].matches(token).count();
            let span = match source.match_indices(token).nth(nth) {
                Some((at, _)) => {
                    let start = node.span.start.at() + at;
                    file.span_of_bytes(start..start + token.len())
                }
                None => node.span,
            };
            (t.name, span)
        })
        .collect()
}

/// Where a token is used: its file and span.
pub type TokenUse = (Arc<Path>, Span);

/// The finding of `code` for a token without a value: one for all its uses, at the first in file
/// order, the others related. `context` ends the count (`in deployed queries`).
pub fn unresolved(code: &'static Code, name: &str, mut uses: Vec<TokenUse>, context: &str) -> Diagnostic {
    uses.sort_by(|a, b| (&a.0, a.1.start.byte).cmp(&(&b.0, b.1.start.byte)));
    let count = match uses.len() {
        1 if context.is_empty() => String::new(),
        1 => format!(" (used once {context})"),
        n => format!(
            " (used {n} times{}{context})",
            if context.is_empty() { "" } else { " " }
        ),
    };
    let (path, span) = &uses[0];
    let mut d = Diagnostic::at(code, path, *span, format!("token `{{{name}}}` has no value{count}")).help(format!(
        "give it a value: `variables: {{{name}: …}}` in detc.yaml, or `--var {name}=…`"
    ));
    for (p, s) in &uses[1..] {
        d = d.related(p, Some(*s), "also used here");
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn guids_and_shell_variables_are_not_tokens() {
        let names: Vec<&str> = tokens("a {tenant} ${IFS} {BD54C901-076B-434E-B6C7-17C531F4AB41} {b-c}")
            .map(|t| t.name)
            .collect();
        assert_eq!(names, ["tenant", "b-c"]);
    }

    #[test]
    fn shell_syntax_is_not_a_token() {
        let text =
            "cat${IFS}/etc/passwd;cat{IFS}x {cat,/etc/shadow} {1..3} ${HOME} {PATH} {{config}} #{cmd} %{x} {a.b}";
        let names: Vec<&str> = tokens(text).map(|t| t.name).collect();
        assert_eq!(names, ["a.b"]);
    }

    #[test]
    fn known_tokens_are_filled_and_escaped_unknown_ones_kept() {
        let v = vars(&[("domain", "a*b")]);
        assert_eq!(
            fill_known("https://{domain}/{other}", &v, |s| s.replace('*', "\\*")),
            "https://a\\*b/{other}"
        );
        assert_eq!(fill_all("{domain} {x} {y} {x}", &v), Err(vec!["x".into(), "y".into()]));
        assert_eq!(fill_all("{domain}!", &v), Ok("a*b!".into()));
    }
}
