//! Collecting detection tests: a document's `tests:`, its file's sidecars (beside the rule or under
//! `tests_dir`), and the findings about the tests themselves (T701 missing, T703 malformed), which
//! `detc check` reports without running anything and `detc test` reports as JUnit errors.

use crate::codes;
use std::path::Path;
use std::sync::Arc;

use super::outcome::{Outcome, TestResult, TestRun};
use super::spec::{Expect, InvalidTest, TestCase, parse_tests};
use crate::catalog::yaml::parse_documents;
use crate::catalog::{Catalog, DocKind, SidecarLayout, SourceFile};
use crate::diag::{Diagnostic, Span};
use crate::model::Parsed;

/// Tests of one document, from the document and from its file's sidecar.
pub(super) struct Located {
    pub case: TestCase,
    pub path: Arc<Path>,
}

/// Findings about the tests themselves, without running them: malformed tests and sidecars (T703)
/// and, with `require_tests`, documents lacking tests (T701). `detc check` reports these so a pull
/// request learns about a missing test without a separate `detc test` run.
pub fn check_tests(
    catalog: &Catalog,
    parsed: &[Parsed<'_>],
    require_tests: bool,
    sidecars: &SidecarLayout,
) -> Vec<Diagnostic> {
    let mut run = TestRun::default();
    collect_tests(&mut run, catalog, parsed, require_tests, sidecars);
    run.diagnostics
}

/// Each document's well-formed tests, inline and from sidecars, indexed like `parsed` (for the
/// docs pages; problems are reported by `check` and `test`).
pub fn tests_by_document(catalog: &Catalog, parsed: &[Parsed<'_>], sidecars: &SidecarLayout) -> Vec<Vec<TestCase>> {
    let mut run = TestRun::default();
    collect_tests(&mut run, catalog, parsed, false, sidecars)
        .into_iter()
        .map(|cases| cases.into_iter().map(|l| l.case).collect())
        .collect()
}

/// Each document's tests, inline and from its file's sidecar, indexed like `parsed`.
pub(super) fn collect_tests(
    run: &mut TestRun,
    catalog: &Catalog,
    parsed: &[Parsed<'_>],
    require_tests: bool,
    sidecars: &SidecarLayout,
) -> Vec<Vec<Located>> {
    let mut tests: Vec<Vec<Located>> = parsed.iter().map(|_| Vec::new()).collect();
    for (i, p) in parsed.iter().enumerate() {
        if let Some(node) = p.doc.root.get("tests") {
            collect(run, &mut tests[i], parse_tests(node), p.doc.path(), &doc_label(p));
        }
    }
    // Looking for each file's sidecars costs a few file-system calls per file: done on all cores,
    // then loaded in catalog order.
    let sidecars_found: Vec<Vec<std::path::PathBuf>> = {
        use rayon::prelude::*;
        catalog
            .files
            .par_iter()
            .map(|f| sidecars.sidecars_of(&f.path))
            .collect()
    };
    for (file, found) in catalog.files.iter().zip(sidecars_found) {
        for sidecar in found {
            load_sidecar(run, &mut tests, parsed, file, &sidecar);
        }
    }
    for orphan in sidecars.orphans(catalog.files.iter().map(|f| &*f.path)) {
        orphan_sidecar(run, &orphan, sidecars);
    }
    if require_tests {
        for (p, cases) in parsed.iter().zip(&tests) {
            if p.doc.kind != DocKind::Filter {
                require(run, p, cases);
            }
        }
    }
    tests
}

fn collect(
    run: &mut TestRun,
    into: &mut Vec<Located>,
    parsed: Vec<Result<TestCase, InvalidTest>>,
    path: &Arc<Path>,
    document: &str,
) {
    for t in parsed {
        match t {
            Ok(case) => into.push(Located {
                case,
                path: path.clone(),
            }),
            Err(bad) => cannot_run(run, path, Some(bad.span), document, &bad.test, bad.message),
        }
    }
}

/// A T703 finding and the matching JUnit error, so an invalid test never leaves its suite green.
pub(super) fn cannot_run(
    run: &mut TestRun,
    path: &Arc<Path>,
    span: Option<Span>,
    document: &str,
    test: &str,
    message: String,
) {
    let diag = match span {
        Some(span) => Diagnostic::at(&codes::INVALID_TEST, path, span, message.clone()),
        None => Diagnostic::new(&codes::INVALID_TEST, path, None, message.clone()),
    };
    run.diagnostics.push(diag);
    run.results.push(TestResult {
        path: path.clone(),
        document: document.to_string(),
        test: test.to_string(),
        outcome: Outcome::Error(message),
    });
}

/// The documents of `file` tests can target (not filters), and how JUnit names a test of the file
/// that reaches none of them.
fn targets_in(parsed: &[Parsed<'_>], file: &SourceFile) -> (Vec<usize>, String) {
    let in_file: Vec<usize> = (0..parsed.len())
        .filter(|&i| parsed[i].doc.path() == &file.path && parsed[i].doc.kind != DocKind::Filter)
        .collect();
    let label = match in_file.as_slice() {
        [only] => doc_label(&parsed[*only]),
        _ => file.path.display().to_string(),
    };
    (in_file, label)
}

fn load_sidecar(
    run: &mut TestRun,
    tests: &mut [Vec<Located>],
    parsed: &[Parsed<'_>],
    file: &SourceFile,
    sidecar: &Path,
) {
    let path: Arc<Path> = Arc::from(sidecar);
    let (in_file, label) = targets_in(parsed, file);
    let text = match std::fs::read_to_string(sidecar) {
        Ok(t) => t,
        Err(e) => {
            cannot_run(run, &path, None, &label, "(sidecar)", format!("cannot read: {e}"));
            return;
        }
    };
    let source = SourceFile::new(path.clone(), text);
    let (docs, diags) = parse_documents(&source);
    if let Some(first) = diags.first() {
        let message = format!("the sidecar is not valid YAML: {}", first.message);
        run.results.push(TestResult {
            path: path.clone(),
            document: label.clone(),
            test: "(sidecar)".into(),
            outcome: Outcome::Error(message),
        });
    }
    run.diagnostics.extend(diags);
    for (n, doc) in docs.iter().enumerate() {
        let Some(root) = doc.root.as_ref() else { continue };
        let Some(node) = root.get("tests") else {
            let keys: Vec<&str> = root
                .as_map()
                .map(|m| m.iter().filter_map(|e| e.key.scalar_text()).collect())
                .unwrap_or_default();
            let message = format!(
                "sidecar document {} has no `tests:` list (it has {})",
                n + 1,
                if keys.is_empty() {
                    "no keys".to_string()
                } else {
                    format!("`{}`", keys.join("`, `"))
                }
            );
            cannot_run(run, &path, Some(root.span), &label, "(sidecar)", message);
            continue;
        };
        let mut cases = Vec::new();
        collect(run, &mut cases, parse_tests(node), &path, &label);
        for located in cases {
            let target = match &located.case.rule {
                Some(r) => in_file.iter().copied().find(|&i| {
                    let m = &parsed[i].meta;
                    [m.id_str(), m.name_str(), m.title_str()].contains(&Some(r.as_str()))
                }),
                None if in_file.len() == 1 => Some(in_file[0]),
                None => None,
            };
            match target {
                Some(i) => tests[i].push(located),
                None => unmatched(run, &located, &label, &file.path),
            }
        }
    }
}

/// T703 for a sidecar test that reaches no document of its rule file.
fn unmatched(run: &mut TestRun, located: &Located, label: &str, rule_file: &Path) {
    let why = match &located.case.rule {
        Some(r) => format!("`rule: {r}` is no id, name or title in {}", rule_file.display()),
        None => format!(
            "{} has several documents and the test has no `rule:`",
            rule_file.display()
        ),
    };
    let message = format!("test `{}` names no document: {why}", located.case.name);
    cannot_run(
        run,
        &located.path,
        Some(located.case.span),
        label,
        &located.case.name,
        message,
    );
    if let Some(last) = run.diagnostics.pop() {
        run.diagnostics
            .push(last.help("add `rule: <id, name or title>` of the document to the test"));
    }
}

/// T703 for a sidecar under `tests_dir` whose mirrored rule file is not in the catalog.
fn orphan_sidecar(run: &mut TestRun, orphan: &Path, sidecars: &SidecarLayout) {
    let path: Arc<Path> = Arc::from(orphan);
    let message = "sidecar tests for a rule file that is not in the catalog (renamed or removed?)".to_string();
    cannot_run(run, &path, None, "(no rule)", "(sidecar)", message);
    let root = sidecars
        .roots
        .first()
        .map_or(String::new(), |r| r.display().to_string());
    if let Some(last) = run.diagnostics.pop() {
        run.diagnostics.push(last.help(format!(
            "tests_dir mirrors the catalog: the tests of {root}/x/a.yml go in {}/x/a.tests.yml",
            sidecars.tests_dir.as_deref().unwrap_or(Path::new("")).display()
        )));
    }
}

pub(super) fn doc_label(p: &Parsed<'_>) -> String {
    p.meta.title_str().unwrap_or("(untitled)").to_string()
}

fn require(run: &mut TestRun, p: &Parsed<'_>, cases: &[Located]) {
    let positive = cases
        .iter()
        .any(|c| matches!(c.case.expect, Expect::Match | Expect::Alerts(1..)));
    let negative = cases
        .iter()
        .any(|c| matches!(c.case.expect, Expect::NoMatch | Expect::Alerts(0)));
    let head = p
        .doc
        .root
        .as_map()
        .and_then(|m| m.first())
        .map_or(p.doc.span, |e| e.key.span);
    let message = match (positive, negative) {
        (true, true) => return,
        (false, false) => "no detection tests".to_string(),
        (false, true) => "no test that must fire".to_string(),
        (true, false) => "no test that must stay quiet".to_string(),
    };
    run.diagnostics.push(
        Diagnostic::at(
            &codes::MISSING_TESTS,
            p.doc.path(),
            head,
            format!("{}: {message}", doc_label(p)),
        )
        .help("add `tests:` with an event that must match and one that must not"),
    );
}
