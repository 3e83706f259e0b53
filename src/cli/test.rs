use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{load_config, print_diagnostics};
use crate::catalog::Catalog;
use crate::diag::{Severity, sort_diagnostics};
use crate::eval::{TestOptions, TestResult, run_tests};

#[derive(Args, Debug)]
pub struct TestArgs {
    /// Rule files or folders (default: the `catalog` of detc.yaml, else `detections/`).
    paths: Vec<PathBuf>,
    /// Also write the results as JUnit XML to this file.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Diagnostics format.
    #[arg(long, value_enum, default_value = "human")]
    format: super::check::Format,
    /// Print only findings of this severity or above [default: warning with `--format github`, else
    /// info]. The summary and the exit code still count every finding.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    min_severity: Option<super::MinSeverity>,
}

pub fn run(args: TestArgs, config_path: Option<&std::path::Path>) -> ExitCode {
    let config = match load_config(config_path) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let paths = config.paths_or(&args.paths);
    let catalog = Catalog::load(&paths);
    let options = TestOptions {
        variables: config.variables.clone(),
        timestamp_fields: config.timestamp_fields.clone(),
        require_tests: config.require_tests,
    };
    let mut run = run_tests(&catalog, &options);
    let mut diags = catalog.diags.clone();
    diags.append(&mut run.diagnostics);
    // The lint settings and suppression comments apply as in `check`; an unused suppression is
    // `check`'s to report, since only it computes every finding.
    let mut diags = config.lint.apply(crate::lint::suppress::apply(diags, &catalog, false));
    sort_diagnostics(&mut diags);
    let min = super::MinSeverity::or_default(args.min_severity, args.format);
    let shown = super::at_least(&diags, min);
    print_diagnostics(&shown, &catalog, args.format);
    if let Some(path) = &args.junit
        && let Err(e) = std::fs::write(path, junit(&run.results))
    {
        eprintln!("error: cannot write {}: {e}", path.display());
        return ExitCode::from(2);
    }
    let failed = run.results.iter().filter(|r| r.failure.is_some()).count();
    let errors = diags.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = diags.iter().filter(|d| d.severity == Severity::Warning).count();
    eprintln!(
        "{} tests: {} passed, {failed} failed; {errors} errors, {warnings} warnings{}",
        run.results.len(),
        run.results.len() - failed,
        super::hidden_note(diags.len() - shown.len(), min)
    );
    // A failed test fails the run whatever the lint settings say about T702.
    if errors > 0 || failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// JUnit XML: one suite per rule file, one case per test.
pub fn junit(results: &[TestResult]) -> String {
    let mut by_file: std::collections::BTreeMap<String, Vec<&TestResult>> = Default::default();
    for r in results {
        by_file.entry(r.path.display().to_string()).or_default().push(r);
    }
    let failures = results.iter().filter(|r| r.failure.is_some()).count();
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"detc\" tests=\"{}\" failures=\"{failures}\">\n",
        results.len()
    );
    for (file, cases) in by_file {
        let f = cases.iter().filter(|c| c.failure.is_some()).count();
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{f}\">\n",
            xml_escape(&file),
            cases.len()
        ));
        for c in cases {
            let name = xml_escape(&format!("{} :: {}", c.document, c.test));
            match &c.failure {
                None => out.push_str(&format!("    <testcase classname=\"{}\" name=\"{name}\"/>\n", xml_escape(&file))),
                Some(m) => out.push_str(&format!(
                    "    <testcase classname=\"{}\" name=\"{name}\">\n      <failure message=\"{}\"/>\n    </testcase>\n",
                    xml_escape(&file),
                    xml_escape(m)
                )),
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
