//! `detc check` as a library call: load, validate against the schemas, parse, lint.
//!
//! [`check_paths`] (the `check` command) goes through the catalog file by file: each file is parsed,
//! checked on its own and reduced to its text, its findings and small summaries of its documents,
//! and its YAML tree is dropped; the lints that compare documents then run over the summaries.
//! Memory grows with the catalog's text, not with its trees. [`check_catalog`] checks a catalog
//! already in memory (for `build`, `convert` and `--fix`, which need the trees anyway).

use crate::codes;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::catalog::{Catalog, SidecarLayout, walk_and};
use crate::config::LintOptions;
use crate::diag::{Diagnostic, Severity, sort_diagnostics};
use crate::lint;
use crate::lint::summary::DocSummary;
use crate::lint::suppress::FileSuppressions;
use crate::model::Parsed;
use crate::schema::validate_document;

/// The outcome of checking a catalog.
pub struct CheckReport {
    /// The catalog's files, for quoting findings; documents are not kept (see [`Self::documents`]).
    pub catalog: Catalog,
    /// How many documents were checked.
    pub documents: usize,
    pub diagnostics: Vec<Diagnostic>,
    pub elapsed: Duration,
}

impl CheckReport {
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == severity).count()
    }
}

/// Check an already loaded catalog; findings sorted by file and position.
pub fn check_catalog(catalog: &Catalog, options: &LintOptions) -> Vec<Diagnostic> {
    check_parsed(catalog, &parse_all(catalog), options)
}

/// Every document of the catalog read into the typed model, in catalog order.
pub fn parse_all(catalog: &Catalog) -> Vec<Parsed<'_>> {
    catalog.documents.par_iter().map(Parsed::parse).collect()
}

/// [`check_catalog`] for a caller that has already parsed the catalog (with [`parse_all`]).
pub fn check_parsed(catalog: &Catalog, parsed: &[Parsed<'_>], options: &LintOptions) -> Vec<Diagnostic> {
    let mut diags = local_findings(catalog, parsed, options, &options.sidecars);
    let summaries: Vec<DocSummary> = parsed.par_iter().map(DocSummary::of).collect();
    diags.extend(lint::catalog_wide(&summaries, options));
    sort_diagnostics(&mut diags);
    diags
}

/// The findings that need only `catalog`'s own documents: loading, schema, the lints of one
/// document or file, and tests (sidecars found by `sidecars`).
fn local_findings(
    catalog: &Catalog,
    parsed: &[Parsed<'_>],
    options: &LintOptions,
    sidecars: &SidecarLayout,
) -> Vec<Diagnostic> {
    let mut diags = catalog.diags.clone();
    diags.par_extend(catalog.documents.par_iter().flat_map_iter(validate_document));
    diags.extend(lint::local(parsed, options));
    let tests = crate::eval::check_tests(catalog, parsed, options.require_tests, sidecars);
    diags.extend(not_reported_by_schema(tests, &diags));
    diags
}

/// Inline tests are also checked by the schema; keep a test finding only where the schema said nothing,
/// so one malformed test gives one finding.
fn not_reported_by_schema(tests: Vec<Diagnostic>, reported: &[Diagnostic]) -> Vec<Diagnostic> {
    let schema_lines: std::collections::HashSet<(&std::path::Path, u32)> = reported
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
    options: &LintOptions,
    lint_config: &crate::config::LintConfig,
) -> Vec<Diagnostic> {
    let diags = check_catalog(catalog, options);
    reported(diags, lint::suppress::scan_catalog(catalog), lint_config)
}

fn reported(
    diags: Vec<Diagnostic>,
    suppressions: Vec<FileSuppressions>,
    lint_config: &crate::config::LintConfig,
) -> Vec<Diagnostic> {
    let mut diags = lint_config.apply(lint::suppress::apply_scanned(diags, suppressions, true));
    sort_diagnostics(&mut diags);
    diags
}

/// Load `paths` and check them, file by file (see the module comment); reports as
/// [`check_reported`] of the whole catalog would.
pub fn check_paths(paths: &[PathBuf], options: &LintOptions, lint_config: &crate::config::LintConfig) -> CheckReport {
    let start = Instant::now();
    // Orphan sidecars are found against every rule file: once, below, not per file.
    let per_file = SidecarLayout {
        report_orphans: false,
        ..options.sidecars.clone()
    };
    let (mut checked, walk_diags) = walk_and(paths, |path| FileCheck::run(path, options, &per_file));
    let mut catalog = Catalog::default();
    let mut summaries = Vec::with_capacity(checked.iter().map(|c| c.summaries.len()).sum());
    for c in &mut checked {
        summaries.append(&mut c.summaries);
    }
    let wide = lint::catalog_wide(&summaries, options);
    drop(summaries);
    // Sized once: growing the largest vector of the run by doubling was its peak of memory.
    let local: usize = checked.iter().map(|c| c.diags.len()).sum();
    let mut diags = Vec::with_capacity(walk_diags.len() + local + wide.len());
    diags.extend(walk_diags);
    let (mut suppressions, mut documents) = (Vec::new(), 0);
    for c in checked {
        catalog.files.extend(c.catalog.files);
        diags.extend(c.diags);
        suppressions.extend(c.suppressions);
        documents += c.documents;
    }
    diags.extend(orphan_sidecars(&catalog, &options.sidecars));
    diags.extend(wide);
    sort_diagnostics(&mut diags);
    CheckReport {
        diagnostics: reported(diags, suppressions, lint_config),
        catalog,
        documents,
        elapsed: start.elapsed(),
    }
}

/// What checking one file leaves once its trees are dropped.
struct FileCheck {
    /// The file's text (no documents).
    catalog: Catalog,
    documents: usize,
    diags: Vec<Diagnostic>,
    summaries: Vec<DocSummary>,
    suppressions: Vec<FileSuppressions>,
}

impl FileCheck {
    fn run(path: &Path, options: &LintOptions, sidecars: &SidecarLayout) -> FileCheck {
        let mut catalog = Catalog::load_file(path);
        let parsed: Vec<Parsed<'_>> = catalog.documents.iter().map(Parsed::parse).collect();
        let diags = local_findings(&catalog, &parsed, options, sidecars);
        let summaries = parsed.iter().map(DocSummary::of).collect();
        let suppressions = lint::suppress::scan_catalog(&catalog);
        let documents = parsed.len();
        drop(parsed);
        catalog.documents = Vec::new();
        catalog.diags = Vec::new();
        FileCheck {
            catalog,
            documents,
            diags,
            summaries,
            suppressions,
        }
    }
}

/// Sidecars under `tests_dir` that mirror no rule file of the catalog (T703). The test collector
/// reports orphans against the catalog it is given; given an empty one it calls every sidecar of
/// `tests_dir` an orphan, so its findings are kept for the true orphans only.
fn orphan_sidecars(catalog: &Catalog, sidecars: &SidecarLayout) -> Vec<Diagnostic> {
    let orphans: std::collections::HashSet<PathBuf> = sidecars
        .orphans(catalog.files.iter().map(|f| &*f.path))
        .into_iter()
        .collect();
    if orphans.is_empty() {
        return Vec::new();
    }
    crate::eval::check_tests(&Catalog::default(), &[], false, sidecars)
        .into_iter()
        .filter(|d| orphans.contains(&*d.path))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "title: Same title
id: 5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f
name: base
status: test
description: d
tags: [attack.t1999]
logsource: {product: auth0}
detection:
  sel: {data.type: '{tenant}'}
  unused: {data.ip: 1.2.3.4}  # detc: ignore[C203] kept
  condition: sel
level: low
";
    const CORRELATION: &str = "title: Count
correlation:
  type: event_count
  rules: [base, nothing]
  group-by: [data.ip]
  timespan: 1h
  condition: {gte: 10}
";

    /// The file-by-file check reports exactly what checking the whole loaded catalog reports,
    /// including every finding that compares documents across files.
    #[test]
    fn file_by_file_equals_whole_catalog() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write("a.yml", BASE);
        write("b.yml", &BASE.replace("[C203]", "[C203, R406, Q999]"));
        write("c.yml", CORRELATION);
        write("d.yml", &format!("{}---\n{CORRELATION}", BASE.replace("5d2c", "6e3d")));
        write("e.yml", "title: [not, a, string\n");
        let roots = [dir.path().to_path_buf()];
        let options = LintOptions::default();
        let lint = crate::config::LintConfig::default();
        let streamed = check_paths(&roots, &options, &lint);
        let whole = check_reported(&Catalog::load(&roots), &options, &lint);
        let show = |d: &[Diagnostic]| d.iter().map(|d| format!("{d:?}")).collect::<Vec<_>>();
        assert_eq!(show(&streamed.diagnostics), show(&whole));
        let codes: std::collections::BTreeSet<&str> = whole.iter().map(|d| d.code.code).collect();
        for code in [
            "R401", "R402", "R403", "R404", "R405", "P601", "Q516", "E015", "E016", "E005",
        ] {
            assert!(codes.contains(code), "{code} missing from {codes:?}");
        }
        assert_eq!((streamed.documents, streamed.catalog.files.len()), (5, 5));
    }
}
