//! `detc check` as a library call: load, validate against the schemas, parse, lint.

use crate::codes;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::catalog::Catalog;
use crate::diag::{Diagnostic, Severity, sort_diagnostics};
use crate::lint;
use crate::model::Parsed;
use crate::schema::validate_document;

/// The outcome of checking a catalog.
pub struct CheckReport {
    pub catalog: Catalog,
    pub diagnostics: Vec<Diagnostic>,
    pub elapsed: Duration,
}

impl CheckReport {
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == severity).count()
    }
}

/// Which codes to report: `--select` and `--ignore` take codes (`C201`), prefixes (`C2`, `Q`) or names.
#[derive(Debug, Default, Clone)]
pub struct CodeFilter {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

impl CodeFilter {
    fn matches(token: &str, d: &Diagnostic) -> bool {
        let t = token.trim();
        d.code.code.to_ascii_uppercase().starts_with(&t.to_ascii_uppercase()) || d.code.name.eq_ignore_ascii_case(t)
    }

    pub fn keeps(&self, d: &Diagnostic) -> bool {
        (self.select.is_empty() || self.select.iter().any(|s| Self::matches(s, d)))
            && !self.ignore.iter().any(|s| Self::matches(s, d))
    }
}

/// Check an already loaded catalog; findings sorted by file and position.
pub fn check_catalog(catalog: &Catalog, options: &crate::config::LintOptions) -> Vec<Diagnostic> {
    let mut diags = catalog.diags.clone();
    let parsed: Vec<Parsed<'_>> = catalog.documents.iter().map(Parsed::parse).collect();
    diags.par_extend(catalog.documents.par_iter().flat_map_iter(validate_document));
    diags.extend(lint::run(&parsed, options));
    let tests = crate::eval::check_tests(catalog, &parsed, options.require_tests, &options.sidecars);
    diags.extend(not_reported_by_schema(tests, &diags));
    sort_diagnostics(&mut diags);
    diags
}

/// Inline tests are also checked by the schema; keep a test finding only where the schema said nothing,
/// so one malformed test gives one finding.
fn not_reported_by_schema(tests: Vec<Diagnostic>, reported: &[Diagnostic]) -> Vec<Diagnostic> {
    let schema_lines: std::collections::HashSet<(&std::path::Path, usize)> = reported
        .iter()
        .filter(|d| d.code.code == codes::SCHEMA_VIOLATION.code)
        .filter_map(|d| Some((&*d.path, d.span?.start.line)))
        .collect();
    tests
        .into_iter()
        .filter(|d| d.span.is_none_or(|s| !schema_lines.contains(&(&*d.path, s.start.line))))
        .collect()
}

/// Load `paths` and check them.
pub fn check_paths(paths: &[PathBuf], options: &crate::config::LintOptions, filter: &CodeFilter) -> CheckReport {
    let start = Instant::now();
    let catalog = Catalog::load(paths);
    let mut diagnostics = check_catalog(&catalog, options);
    diagnostics.retain(|d| filter.keeps(d));
    CheckReport {
        catalog,
        diagnostics,
        elapsed: start.elapsed(),
    }
}
