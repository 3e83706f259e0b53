//! `detc test`: run each document's detection tests in-process.

use crate::codes;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value as Json;

use super::compile::{TIMESTAMP_HELP, compile_correlation, compile_rule, regex_limit_diag, unevaluable_diag};
use super::correlate::CompiledCorrelation;
use super::matcher::{Matcher, total_limit_hits};
use super::spec::{Expect, TestCase, parse_tests};
use super::time::{fields_text, timestamp};
use crate::catalog::yaml::parse_documents;
use crate::catalog::{Catalog, DocKind, SourceFile};
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
}

/// One test's result, for summaries and JUnit.
#[derive(Debug, Clone)]
pub struct TestResult {
    pub path: Arc<Path>,
    pub document: String,
    pub test: String,
    pub failure: Option<String>,
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
    let tests = collect_tests(&mut run, catalog, &parsed, options.require_tests);
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
                    failure: Some(format!("not run: the detection cannot be evaluated: {}", u.reason)),
                });
            }
        }
    }
    run
}

/// Findings about the tests themselves, without running them: malformed tests and sidecars (T703)
/// and, with `require_tests`, documents lacking tests (T701). `detc check` reports these so a pull
/// request learns about a missing test without a separate `detc test` run.
pub fn check_tests(catalog: &Catalog, parsed: &[Parsed<'_>], require_tests: bool) -> Vec<Diagnostic> {
    let mut run = TestRun::default();
    collect_tests(&mut run, catalog, parsed, require_tests);
    run.diagnostics
}

/// Each document's tests, inline and from its file's sidecar, indexed like `parsed`.
fn collect_tests(
    run: &mut TestRun,
    catalog: &Catalog,
    parsed: &[Parsed<'_>],
    require_tests: bool,
) -> Vec<Vec<Located>> {
    let mut tests: Vec<Vec<Located>> = parsed.iter().map(|_| Vec::new()).collect();
    for (i, p) in parsed.iter().enumerate() {
        if let Some(node) = p.doc.root.get("tests") {
            collect(run, &mut tests[i], parse_tests(node), p.doc.path());
        }
    }
    for file in &catalog.files {
        load_sidecar(run, &mut tests, parsed, file);
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
    parsed: Vec<Result<TestCase, (Span, String)>>,
    path: &Arc<Path>,
) {
    for t in parsed {
        match t {
            Ok(case) => into.push(Located {
                case,
                path: path.clone(),
            }),
            Err((span, msg)) => run
                .diagnostics
                .push(Diagnostic::at(&codes::INVALID_TEST, path, span, msg)),
        }
    }
}

/// `rule.yml` → `rule.tests.yml` (or `.tests.yaml`) beside it.
fn sidecar_path(path: &Path) -> Option<PathBuf> {
    let stem = path.file_stem()?.to_str()?;
    ["tests.yml", "tests.yaml"]
        .iter()
        .map(|ext| path.with_file_name(format!("{stem}.{ext}")))
        .find(|p| p.is_file())
}

fn load_sidecar(run: &mut TestRun, tests: &mut [Vec<Located>], parsed: &[Parsed<'_>], file: &SourceFile) {
    let Some(sidecar) = sidecar_path(&file.path) else {
        return;
    };
    let path: Arc<Path> = Arc::from(sidecar.as_path());
    let text = match std::fs::read_to_string(&sidecar) {
        Ok(t) => t,
        Err(e) => {
            run.diagnostics.push(Diagnostic::new(
                &codes::INVALID_TEST,
                &path,
                None,
                format!("cannot read: {e}"),
            ));
            return;
        }
    };
    let source = SourceFile::new(path.clone(), text);
    let (docs, diags) = parse_documents(&source);
    run.diagnostics.extend(diags);
    let in_file: Vec<usize> = (0..parsed.len())
        .filter(|&i| parsed[i].doc.path() == &file.path && parsed[i].doc.kind != DocKind::Filter)
        .collect();
    for doc in docs.iter().filter_map(|d| d.root.as_ref()) {
        let Some(node) = doc.get("tests") else {
            run.diagnostics.push(Diagnostic::at(
                &codes::INVALID_TEST,
                &path,
                doc.span,
                "a test sidecar holds `tests:`",
            ));
            continue;
        };
        let mut cases = Vec::new();
        collect(run, &mut cases, parse_tests(node), &path);
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
                None => run.diagnostics.push(
                    Diagnostic::at(
                        &codes::INVALID_TEST,
                        &path,
                        located.case.span,
                        format!(
                            "test `{}` names no document of {}",
                            located.case.name,
                            file.path.display()
                        ),
                    )
                    .help("add `rule: <id, name or title>` to the test"),
                ),
            }
        }
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
        failure: failure.map(|f| f.0),
    });
}

fn invalid(run: &mut TestRun, p: &Parsed<'_>, t: &Located, message: String) {
    run.diagnostics.push(Diagnostic::at(
        &codes::INVALID_TEST,
        &t.path,
        t.case.span,
        message.clone(),
    ));
    run.results.push(TestResult {
        path: t.path.clone(),
        document: doc_label(p),
        test: t.case.name.clone(),
        failure: Some(message),
    });
}

fn run_rule_tests(run: &mut TestRun, p: &Parsed<'_>, matchers: &[Matcher], cases: &[Located]) {
    for t in cases {
        let want = match t.case.expect {
            Expect::Match => true,
            Expect::NoMatch => false,
            Expect::Alerts(_) => {
                invalid(
                    run,
                    p,
                    t,
                    "`expect: {alerts: N}` is for correlations; use `match` or `no_match`".into(),
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
        failure: Some(message),
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
