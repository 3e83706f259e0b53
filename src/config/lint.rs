//! The `lint:` section of detc.yaml: which findings are reported, and how severe they are.
//!
//! Codes are written as with `--select`/`--ignore` (a code, a prefix or a name). The schema has
//! already checked the shape; here each code is checked against the known codes (with a "did you
//! mean"), and each glob compiles, so a typo in the configuration is an error at its line, never a
//! setting that silently does nothing.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{GlobBuilder, GlobMatcher};

use crate::catalog::yaml::{Node, Resolved};
use crate::codes::{self, Code, Severity};
use crate::diag::{Diagnostic, closest};

/// What a `severity:` entry does to the findings it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Not reported at all.
    Off,
    Report(Severity),
}

/// One `per_path_ignores` entry: codes not reported in files matching a glob.
#[derive(Debug, Clone)]
pub struct PathIgnore {
    pub pattern: String,
    matcher: GlobMatcher,
    pub codes: Vec<String>,
}

/// Lint settings: the `lint:` section of detc.yaml, extended by `--select`/`--ignore`.
#[derive(Debug, Clone, Default)]
pub struct LintConfig {
    /// Only these codes are reported (all when empty).
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub severity: Vec<(String, Level)>,
    pub per_path_ignores: Vec<PathIgnore>,
    /// The folders `per_path_ignores` globs are relative to: detc.yaml's folder and each catalog path.
    pub roots: Vec<PathBuf>,
}

impl LintConfig {
    /// Read the (schema-valid) `lint:` mapping of the file at `path`.
    pub fn parse(node: Option<&Node>, path: &Arc<Path>) -> Result<LintConfig, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let mut config = LintConfig::default();
        let Some(node) = node else {
            return Ok(config);
        };
        config.select = selectors(node.get("select"), "lint.select", path, &mut errors);
        config.ignore = selectors(node.get("ignore"), "lint.ignore", path, &mut errors);
        for e in node.get("severity").and_then(Node::as_map).unwrap_or_default() {
            let key = e.key.scalar_text().unwrap_or_default();
            if let Some(d) = check_selector(key, &e.key, "lint.severity", path) {
                errors.push(d);
            }
            config.severity.push((key.to_string(), level(&e.value)));
        }
        for e in node.get("per_path_ignores").and_then(Node::as_map).unwrap_or_default() {
            let pattern = e.key.scalar_text().unwrap_or_default().to_string();
            let codes = selectors(Some(&e.value), "lint.per_path_ignores", path, &mut errors);
            match glob(&pattern) {
                Ok(matcher) => config.per_path_ignores.push(PathIgnore {
                    pattern,
                    matcher,
                    codes,
                }),
                Err(why) => errors.push(
                    Diagnostic::at(
                        &codes::INVALID_CONFIG,
                        path,
                        e.key.span,
                        format!("`{pattern}` in lint.per_path_ignores is not a glob: {why}"),
                    )
                    .help("write a path pattern such as `legacy/**` or `**/*_draft.yml`"),
                ),
            }
        }
        if errors.is_empty() { Ok(config) } else { Err(errors) }
    }

    /// Add the command line's `--select` (which replaces the configured list) and `--ignore` (which
    /// extends it).
    pub fn with_flags(mut self, select: &[String], ignore: &[String]) -> LintConfig {
        if !select.is_empty() {
            self.select = select.to_vec();
        }
        self.ignore.extend(ignore.iter().cloned());
        self
    }

    /// Whether `d` is reported at all: selected, not ignored, not ignored for its file.
    pub fn keeps(&self, d: &Diagnostic) -> bool {
        self.selected(d.code)
            && !self
                .per_path_ignores
                .iter()
                .any(|p| names(&p.codes, d.code) && self.path_matches(&p.matcher, &d.path))
    }

    /// Whether `code` passes `select` and `ignore`.
    fn selected(&self, code: &Code) -> bool {
        (self.select.is_empty() || names(&self.select, code)) && !names(&self.ignore, code)
    }

    /// The severity `d` is reported with: the most specific `severity:` entry naming its code, else
    /// its own.
    pub fn level(&self, d: &Diagnostic) -> Level {
        self.configured_level(d.code).unwrap_or(Level::Report(d.severity))
    }

    fn configured_level(&self, code: &Code) -> Option<Level> {
        self.severity
            .iter()
            .filter(|(s, _)| codes::selects(s, code))
            .max_by_key(|(s, _)| codes::specificity(s, code))
            .map(|(_, l)| *l)
    }

    /// What these settings change about `code`, in words (`detc explain`); empty when nothing.
    pub fn describe(&self, code: &Code) -> Vec<String> {
        let mut notes = Vec::new();
        if !self.selected(code) {
            notes.push("not reported: excluded by lint.select or lint.ignore".to_string());
        }
        match self.configured_level(code) {
            Some(Level::Off) => notes.push("not reported: `off` in lint.severity".to_string()),
            Some(Level::Report(s)) if s != code.severity => notes.push(format!("reported as {s} (lint.severity)")),
            _ => {}
        }
        for p in self.per_path_ignores.iter().filter(|p| names(&p.codes, code)) {
            notes.push(format!(
                "not reported in files matching `{}` (lint.per_path_ignores)",
                p.pattern
            ));
        }
        notes
    }

    /// The findings as configured: dropped when not kept or `off`, with their configured severity.
    pub fn apply(&self, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
        diags
            .into_iter()
            .filter(|d| self.keeps(d))
            .filter_map(|d| match self.level(&d) {
                Level::Off => None,
                Level::Report(s) => Some(d.severity(s)),
            })
            .collect()
    }

    /// Whether `path`, relative to one of the roots, matches the glob.
    fn path_matches(&self, matcher: &GlobMatcher, path: &Path) -> bool {
        let path = absolute(path);
        self.roots
            .iter()
            .filter_map(|r| path.strip_prefix(absolute(r)).ok())
            .any(|rel| matcher.is_match(rel))
    }
}

/// Whether one of `selectors` names `code`.
fn names(selectors: &[String], code: &Code) -> bool {
    selectors.iter().any(|s| codes::selects(s, code))
}

/// `path` made absolute without touching the file system (symbolic links are kept as written).
fn absolute(path: &Path) -> PathBuf {
    std::env::current_dir().map_or_else(|_| path.to_path_buf(), |cwd| cwd.join(path))
}

/// A glob where `*` stays within one folder and `**` crosses folders, as in `.gitignore`.
fn glob(pattern: &str) -> Result<GlobMatcher, String> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| e.kind().to_string())
}

fn level(node: &Node) -> Level {
    match (node.as_scalar().map(|s| s.resolved), node.scalar_text()) {
        (Some(Resolved::Bool(false)), _) | (_, Some("off")) => Level::Off,
        (_, Some("error")) => Level::Report(Severity::Error),
        (_, Some("warning")) => Level::Report(Severity::Warning),
        _ => Level::Report(Severity::Info),
    }
}

/// The codes of a list, each checked.
fn selectors(node: Option<&Node>, setting: &str, path: &Arc<Path>, errors: &mut Vec<Diagnostic>) -> Vec<String> {
    let mut out = Vec::new();
    for item in node.and_then(Node::as_seq).unwrap_or_default() {
        let text = item.scalar_text().unwrap_or_default();
        match check_selector(text, item, setting, path) {
            Some(d) => errors.push(d),
            None => out.push(text.to_string()),
        }
    }
    out
}

fn check_selector(text: &str, node: &Node, setting: &str, path: &Arc<Path>) -> Option<Diagnostic> {
    if codes::is_selector(text) {
        return None;
    }
    Some(
        Diagnostic::at(
            &codes::INVALID_CONFIG,
            path,
            node.span,
            format!("`{text}` in {setting} matches no lint code, prefix or name"),
        )
        .label("unknown code")
        .help(unknown_selector_help(text)),
    )
}

/// The help for a code that matches nothing: the nearest code or name, and where the list is.
pub fn unknown_selector_help(text: &str) -> String {
    let all = codes::all();
    let upper = text.trim().to_ascii_uppercase();
    let lower = text.trim().to_ascii_lowercase();
    let near = closest(&upper, all.iter().map(|c| c.code)).or_else(|| closest(&lower, all.iter().map(|c| c.name)));
    match near {
        Some(n) => format!("did you mean `{n}`? (`detc list lints` lists every code)"),
        None => "write a code (`C203`), a prefix (`C2`, `Q`) or a name; `detc list lints` lists them".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Span;

    fn diag(code: &'static codes::Code, path: &str) -> Diagnostic {
        Diagnostic::new(code, &Arc::from(Path::new(path)), Some(Span::default()), "m")
    }

    #[test]
    fn most_specific_severity_wins() {
        let c = LintConfig {
            severity: vec![
                ("C2".into(), Level::Report(Severity::Error)),
                ("unused-search-identifier".into(), Level::Off),
                ("C".into(), Level::Report(Severity::Info)),
            ],
            ..LintConfig::default()
        };
        assert_eq!(c.level(&diag(&codes::UNUSED_IDENTIFIER, "a.yml")), Level::Off);
        assert_eq!(
            c.level(&diag(&codes::NULL_FROM_COMMENTS, "a.yml")),
            Level::Report(Severity::Error)
        );
    }

    #[test]
    fn flags_replace_select_and_extend_ignore() {
        let c = LintConfig {
            select: vec!["Q".into()],
            ignore: vec!["Q501".into()],
            ..LintConfig::default()
        }
        .with_flags(&["C".into()], &["C203".into()]);
        assert_eq!(c.select, ["C"]);
        assert_eq!(c.ignore, ["Q501", "C203"]);
    }

    #[test]
    fn per_path_globs_are_relative_to_a_root() {
        let c = LintConfig {
            per_path_ignores: vec![PathIgnore {
                pattern: "legacy/**".into(),
                matcher: glob("legacy/**").unwrap(),
                codes: vec!["C203".into()],
            }],
            roots: vec![PathBuf::from("proj"), PathBuf::from("proj/rules")],
            ..LintConfig::default()
        };
        assert!(!c.keeps(&diag(&codes::UNUSED_IDENTIFIER, "proj/rules/legacy/old/a.yml")));
        assert!(!c.keeps(&diag(&codes::UNUSED_IDENTIFIER, "proj/legacy/a.yml")));
        assert!(c.keeps(&diag(&codes::UNUSED_IDENTIFIER, "proj/rules/new/legacy.yml")));
        assert!(c.keeps(&diag(&codes::NULL_FROM_COMMENTS, "proj/rules/legacy/a.yml")));
    }

    #[test]
    fn unknown_codes_suggest_the_nearest() {
        assert!(unknown_selector_help("C2033").contains("`C203`"));
        assert!(unknown_selector_help("unused-search-identifer").contains("`unused-search-identifier`"));
    }
}
