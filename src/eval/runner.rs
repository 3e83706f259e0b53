//! `detc test`: run each document's detection tests in-process.

use crate::codes;
use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::collect::{Located, cannot_run, collect_tests, doc_label};
use super::compile::{TIMESTAMP_HELP, compile_correlation, compile_rule, regex_limit_diag, unevaluable_diag};
use super::correlate::CompiledCorrelation;
use super::matcher::{Matcher, total_limit_hits};
use super::outcome::{Outcome, TestResult, TestRun};
use super::spec::Expect;
use super::time::{fields_text, timestamp};
use crate::catalog::{Catalog, DocKind, SidecarLayout};
use crate::diag::Diagnostic;
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

pub fn run_tests(catalog: &Catalog, options: &TestOptions) -> TestRun {
    let parsed: Vec<Parsed<'_>> = catalog.documents.iter().map(Parsed::parse).collect();
    run_tests_parsed(catalog, &parsed, options)
}

/// [`run_tests`] over documents already parsed (every document of `catalog`, in its order), for a
/// caller that has parsed them for other work (`build` shows the results on the site).
pub fn run_tests_parsed(catalog: &Catalog, parsed: &[Parsed<'_>], options: &TestOptions) -> TestRun {
    let lowering = Lowering::new(parsed, &options.variables);
    let mut run = TestRun::default();
    let tests = collect_tests(&mut run, catalog, parsed, options.require_tests, &options.sidecars);
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
