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

/// Check an already loaded catalog; findings sorted by file and position.
pub fn check_catalog(catalog: &Catalog, options: &crate::config::LintOptions) -> Vec<Diagnostic> {
    check_parsed(catalog, &parse_all(catalog), options)
}

/// Every document of the catalog read into the typed model, in catalog order.
pub fn parse_all(catalog: &Catalog) -> Vec<Parsed<'_>> {
    catalog.documents.par_iter().map(Parsed::parse).collect()
}

/// [`check_catalog`] for a caller that has already parsed the catalog (with [`parse_all`]).
pub fn check_parsed(catalog: &Catalog, parsed: &[Parsed<'_>], options: &crate::config::LintOptions) -> Vec<Diagnostic> {
    let mut diags = catalog.diags.clone();
    diags.par_extend(catalog.documents.par_iter().flat_map_iter(validate_document));
    diags.extend(lint::run(parsed, options));
    let tests = crate::eval::check_tests(catalog, parsed, options.require_tests, &options.sidecars);
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

/// Check a catalog and keep what the user asked to see: suppression comments first (so a suppression
/// of a code the settings hide anyway is still used), then the `lint:` settings and flags, which also
/// apply to the suppressions' own findings (E015, E016).
pub fn check_reported(
    catalog: &Catalog,
    options: &crate::config::LintOptions,
    lint_config: &crate::config::LintConfig,
) -> Vec<Diagnostic> {
    let diags = lint::suppress::apply(check_catalog(catalog, options), catalog, true);
    let mut diags = lint_config.apply(diags);
    sort_diagnostics(&mut diags);
    diags
}

/// Load `paths` and check them.
pub fn check_paths(
    paths: &[PathBuf],
    options: &crate::config::LintOptions,
    lint_config: &crate::config::LintConfig,
) -> CheckReport {
    let start = Instant::now();
    let catalog = Catalog::load(paths);
    let diagnostics = check_reported(&catalog, options, lint_config);
    CheckReport {
        catalog,
        diagnostics,
        elapsed: start.elapsed(),
    }
}
