//! `detc test`: run each document's detection tests in-process.

use crate::codes;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde_json::Value as Json;

use super::compile::{TIMESTAMP_HELP, compile_correlation, compile_rule, regex_limit_diag, unevaluable_diag};
use super::correlate::CompiledCorrelation;
use super::matcher::{Matcher, total_limit_hits};
use super::spec::{Expect, InvalidTest, TestCase, parse_tests};
use super::time::{fields_text, timestamp};
use crate::catalog::yaml::parse_documents;
use crate::catalog::{Catalog, DocKind, SidecarLayout, SourceFile};
use crate::diag::{Diagnostic, Span};
use crate::ir::Lowering;
use crate::model::{Body, Parsed};

/// Settings of a test run.
#[derive(Debug, Default, Clone)]
pub struct TestOptions {
    pub variables: BTreeMap<String, String>,
    /// Event timestamp fields for correlations (first present wins); empty = the defaults.
    pub timestamp_fields: Vec<String>,
    /// Report documents without tests (T701).
    pub require_tests: bool,
    /// Where `<stem>.tests.yml` sidecars are (beside the rule, or under `tests_dir`).
    pub sidecars: SidecarLayout,
}

/// How one test ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Passed,
    /// It ran and the verdict was not the expected one.
    Failed(String),
    /// It could not run: malformed (T703), its detection cannot be evaluated (T704), events
    /// without a timestamp (T705). JUnit shows these as `<error>`, so the suite is not green.
    Error(String),
}

/// One test's result, for summaries and JUnit.
#[derive(Debug, Clone)]
pub struct TestResult {
    pub path: Arc<Path>,
    pub document: String,
    pub test: String,
    pub outcome: Outcome,
}

#[derive(Debug, Default)]
pub struct TestRun {
    pub results: Vec<TestResult>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Tests of one document, from the document and from its file's sidecar.
struct Located {
    case: TestCase,
    path: Arc<Path>,
}

pub fn run_tests(catalog: &Catalog, options: &TestOptions) -> TestRun {
    let parsed: Vec<Parsed<'_>> = catalog.documents.iter().map(Parsed::parse).collect();
    let lowering = Lowering::new(&parsed, &options.variables);
    let mut run = TestRun::default();
    let tests = collect_tests(&mut run, catalog, &parsed, options.require_tests, &options.sidecars);
    for (p, cases) in parsed.iter().zip(tests) {
        if p.doc.kind == DocKind::Filter {
            continue;
        }
        // Every detection is compiled, tested or not: one that cannot be evaluated is reported once
        // (T704) with the number of its tests that did not run, never skipped silently.
        let result = match &p.body {
            Body::Correlation(c) => compile_correlation(&lowering, p, c).map(|mut engine| {
                run_correlation_tests(&mut run, p, &mut engine, &cases, options);
                engine.limit_hits()
            }),
            _ => compile_rule(&lowering, p).map(|matchers| {
                run_rule_tests(&mut run, p, &matchers, &cases);
                total_limit_hits(&matchers)
            }),
        };
        if let Ok((hits, Some(pattern))) = &result
            && *hits > 0
        {
            run.diagnostics.push(regex_limit_diag(p, *hits, pattern));
        }
        if let Err(u) = result {
            run.diagnostics.push(unevaluable_diag(p, &u, cases.len()));
            for t in &cases {
                run.results.push(TestResult {
                    path: t.path.clone(),
                    document: doc_label(p),
                    test: t.case.name.clone(),
                    outcome: Outcome::Error(format!("not run: the detection cannot be evaluated: {}", u.reason)),
                });
            }
        }
    }
    run
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
fn collect_tests(
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
    for file in &catalog.files {
        for sidecar in sidecars.sidecars_of(&file.path) {
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
fn cannot_run(run: &mut TestRun, path: &Arc<Path>, span: Option<Span>, document: &str, test: &str, message: String) {
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

fn doc_label(p: &Parsed<'_>) -> String {
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

fn record(run: &mut TestRun, p: &Parsed<'_>, t: &Located, failure: Option<(String, String)>) {
    if let Some((message, help)) = &failure {
        run.diagnostics.push(
            Diagnostic::at(
                &codes::TEST_FAILED,
                &t.path,
                t.case.span,
                format!("test `{}` failed: {message}", t.case.name),
            )
            .label(format!("testing `{}`", doc_label(p)))
            .help(help.clone()),
        );
    }
    run.results.push(TestResult {
        path: t.path.clone(),
        document: doc_label(p),
        test: t.case.name.clone(),
        outcome: failure.map_or(Outcome::Passed, |f| Outcome::Failed(f.0)),
    });
}

fn invalid(run: &mut TestRun, p: &Parsed<'_>, t: &Located, message: String) {
    cannot_run(run, &t.path, Some(t.case.span), &doc_label(p), &t.case.name, message);
}

fn run_rule_tests(run: &mut TestRun, p: &Parsed<'_>, matchers: &[Matcher], cases: &[Located]) {
    for t in cases {
        let want = match t.case.expect {
            Expect::Match => true,
            Expect::NoMatch => false,
            Expect::Alerts(n) => {
                invalid(
                    run,
                    p,
                    t,
                    format!(
                        "test `{}`: `expect: {{alerts: {n}}}` is for correlations; a rule's test expects `match` or `no_match`",
                        t.case.name
                    ),
                );
                continue;
            }
        };
        let failure = t.case.events.iter().enumerate().find_map(|(i, event)| {
            let got = matchers.iter().any(|m| m.matches(event));
            (got != want).then(|| {
                let verdict = if want {
                    "expected a match, the rule did not match"
                } else {
                    "expected no match, the rule matched"
                };
                (format!("{verdict} event {i}"), explanation(&matchers[0], event))
            })
        });
        record(run, p, t, failure);
    }
}

/// The event and each predicate's outcome on it.
fn explanation(m: &Matcher, event: &Json) -> String {
    let mut steps = Vec::new();
    m.explain(event, &mut steps);
    let lines: Vec<String> = steps
        .iter()
        .map(|(d, ok)| format!("{} {d}", if *ok { "✓" } else { "✗" }))
        .collect();
    format!(
        "event: {event}\npredicates (✓ holds, ✗ does not):\n  {}",
        lines.join("\n  ")
    )
}

fn run_correlation_tests(
    run: &mut TestRun,
    p: &Parsed<'_>,
    engine: &mut CompiledCorrelation,
    cases: &[Located],
    options: &TestOptions,
) {
    for t in cases {
        engine.reset();
        let mut timed = Vec::new();
        let mut untimed = Vec::new();
        for (i, event) in t.case.events.iter().enumerate() {
            match timestamp(event, &options.timestamp_fields) {
                Some(ts) => timed.push((ts, i, event)),
                None => untimed.push(i.to_string()),
            }
        }
        if !untimed.is_empty() {
            untimed_in_test(run, p, t, &untimed, options);
            continue;
        }
        timed.sort_by(|a, b| a.0.total_cmp(&b.0));
        let alerts: Vec<_> = timed.iter().flat_map(|(ts, i, e)| engine.push(*i, *ts, e)).collect();
        let n = alerts.len() as u64;
        let ok = match t.case.expect {
            Expect::Match => n > 0,
            Expect::NoMatch => n == 0,
            Expect::Alerts(want) => n == want,
        };
        let failure = (!ok).then(|| {
            let want = match t.case.expect {
                Expect::Match => "at least one alert".to_string(),
                Expect::NoMatch => "no alert".to_string(),
                Expect::Alerts(w) => format!("{w} alert(s)"),
            };
            let fired: Vec<String> = alerts
                .iter()
                .map(|a| format!("group {:?} from events {:?}", a.group, a.events))
                .collect();
            (
                format!("expected {want}, got {n}"),
                if fired.is_empty() {
                    "no group reached the threshold within the window".to_string()
                } else {
                    format!("alerts: {}", fired.join("; "))
                },
            )
        });
        record(run, p, t, failure);
    }
}

/// T705 for one correlation test: which of its events have no usable timestamp. The test is not run.
fn untimed_in_test(run: &mut TestRun, p: &Parsed<'_>, t: &Located, untimed: &[String], options: &TestOptions) {
    let total = t.case.events.len();
    let message = format!(
        "test `{}`: {} of {total} events without a usable timestamp in {} (event{} {})",
        t.case.name,
        untimed.len(),
        fields_text(&options.timestamp_fields),
        if untimed.len() == 1 { "" } else { "s" },
        shown_indexes(untimed)
    );
    run.diagnostics.push(
        Diagnostic::at(&codes::MISSING_TIMESTAMP, &t.path, t.case.span, message.clone())
            .label(format!("testing `{}`; not run", doc_label(p)))
            .help(format!("give every event a time, or {TIMESTAMP_HELP}")),
    );
    run.results.push(TestResult {
        path: t.path.clone(),
        document: doc_label(p),
        test: t.case.name.clone(),
        outcome: Outcome::Error(message),
    });
}

/// At most the first ten event indexes, then `…`.
fn shown_indexes(indexes: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut text = indexes[..indexes.len().min(SHOWN)].join(", ");
    if indexes.len() > SHOWN {
        text.push_str(", …");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::shown_indexes;

    #[test]
    fn long_index_lists_are_cut_after_ten() {
        let few: Vec<String> = (0..3).map(|i| i.to_string()).collect();
        assert_eq!(shown_indexes(&few), "0, 1, 2");
        let many: Vec<String> = (0..25).map(|i| i.to_string()).collect();
        assert_eq!(shown_indexes(&many), "0, 1, 2, 3, 4, 5, 6, 7, 8, 9, …");
    }
}
