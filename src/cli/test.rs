use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{load_config, print_diagnostics};
use crate::catalog::Catalog;
use crate::diag::{Severity, sort_diagnostics};
use crate::eval::{Outcome, TestOptions, TestResult, run_tests};

#[derive(Args, Debug)]
pub struct TestArgs {
    /// Rule files or folders (default: the catalog of detc.yaml, else `detections/`).
    paths: Vec<PathBuf>,
    /// Also write the results as JUnit XML to this file.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Diagnostics format.
    #[arg(long, value_enum, default_value = "human")]
    format: super::check::Format,
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
        sidecars: config.sidecar_layout(&args.paths),
    };
    let mut run = run_tests(&catalog, &options);
    let mut diags = catalog.diags.clone();
    diags.append(&mut run.diagnostics);
    sort_diagnostics(&mut diags);
    print_diagnostics(&diags, &catalog, args.format);
    if let Some(path) = &args.junit
        && let Err(e) = std::fs::write(path, junit(&run.results))
    {
        eprintln!("error: cannot write {}: {e}", path.display());
        return ExitCode::from(2);
    }
    let count = |f: fn(&Outcome) -> bool| run.results.iter().filter(|r| f(&r.outcome)).count();
    let passed = count(|o| *o == Outcome::Passed);
    let failed = count(|o| matches!(o, Outcome::Failed(_)));
    let not_run = count(|o| matches!(o, Outcome::Error(_)));
    let errors = diags.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = diags.iter().filter(|d| d.severity == Severity::Warning).count();
    let not_run = if not_run > 0 {
        format!(", {not_run} could not run")
    } else {
        String::new()
    };
    eprintln!(
        "{} tests: {passed} passed, {failed} failed{not_run}; {errors} errors, {warnings} warnings",
        run.results.len(),
    );
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Text for an XML attribute. Control characters XML 1.0 cannot hold even as references (a test
/// name or value may carry one) become U+FFFD, so the report always parses; line breaks and tabs are
/// kept as references (attribute values would otherwise fold them into spaces).
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: one suite per file the tests are written in, one case per test. A test that could not
/// run (malformed, unevaluable detection, events without time) is an `<error>` case, so its suite
/// is never shown green.
pub fn junit(results: &[TestResult]) -> String {
    let mut by_file: std::collections::BTreeMap<String, Vec<&TestResult>> = Default::default();
    for r in results {
        by_file.entry(r.path.display().to_string()).or_default().push(r);
    }
    let tally = |cases: &[&TestResult]| {
        let failures = cases.iter().filter(|c| matches!(c.outcome, Outcome::Failed(_))).count();
        let errors = cases.iter().filter(|c| matches!(c.outcome, Outcome::Error(_))).count();
        format!("tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\"", cases.len())
    };
    let all: Vec<&TestResult> = results.iter().collect();
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"detc\" {}>\n",
        tally(&all)
    );
    for (file, cases) in by_file {
        let file = xml_escape(&file);
        out.push_str(&format!("  <testsuite name=\"{file}\" {}>\n", tally(&cases)));
        for c in cases {
            let name = xml_escape(&format!("{} :: {}", c.document, c.test));
            let open = format!("    <testcase classname=\"{file}\" name=\"{name}\"");
            match &c.outcome {
                Outcome::Passed => out.push_str(&format!("{open}/>\n")),
                Outcome::Failed(m) => out.push_str(&format!(
                    "{open}>\n      <failure message=\"{}\"/>\n    </testcase>\n",
                    xml_escape(m)
                )),
                Outcome::Error(m) => out.push_str(&format!(
                    "{open}>\n      <error message=\"{}\"/>\n    </testcase>\n",
                    xml_escape(m)
                )),
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::xml_escape;

    #[test]
    fn attribute_text_is_always_well_formed_xml() {
        assert_eq!(xml_escape("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
        assert_eq!(xml_escape("one\ntwo\u{1}\u{1b}"), "one&#10;two\u{FFFD}\u{FFFD}");
    }
}
