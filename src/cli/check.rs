use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::changed::ChangedScope;
use crate::check::check_paths;
use crate::diag::Severity;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Rule files or folders (default: the `catalog` of detc.yaml, else `detections/`).
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Only report these codes, prefixes (`C2`) or names; comma-separated. Replaces `lint.select` of
    /// detc.yaml.
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Do not report these codes, prefixes or names; comma-separated. Adds to `lint.ignore` of
    /// detc.yaml.
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Print only findings of this severity or above [default: warning with `--format github`, else
    /// info]. The summary and the exit code still count every finding.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    min_severity: Option<super::MinSeverity>,
    /// Exit with 1 when there are warnings, not only errors.
    #[arg(long)]
    deny_warnings: bool,
    /// Value of a `{name}` token, as NAME=VALUE (repeatable; overrides `variables` of detc.yaml).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// Apply the automatic fixes of the selected findings to the files, then report what remains.
    #[arg(long, conflicts_with = "diff")]
    fix: bool,
    /// Print the unified diff `--fix` would apply and change nothing (exit 1 when there is one).
    #[arg(long)]
    diff: bool,
    /// Report only findings in files changed since this git revision (committed, staged, unstaged
    /// or untracked); the whole catalog is still checked, so references resolve against all of it.
    #[arg(long, value_name = "REV")]
    changed_since: Option<String>,
}

pub fn run(args: CheckArgs, config_path: Option<&std::path::Path>) -> ExitCode {
    let config = match super::load_config(config_path) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let paths = config.paths_or(&args.paths);
    let mut options = crate::config::LintOptions {
        variables: config.variables.clone(),
        require_tests: config.require_tests,
        sidecars: config.sidecar_layout(&args.paths),
    };
    if let Err(code) = super::add_vars(&args.vars, &mut options.variables) {
        return code;
    }
    if let Err(code) = super::check_selectors(args.select.iter().chain(&args.ignore)) {
        return code;
    }
    let lint_config = config.lint.clone().with_flags(&args.select, &args.ignore);
    // Ask git first: a wrong revision is a usage error before any work is done.
    let changed = match args.changed_since.as_deref().map(super::git::changed_since).transpose() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: --changed-since: {e}");
            return ExitCode::from(2);
        }
    };
    let selection = super::check_fix::Selection {
        options: &options,
        lint: &lint_config,
        changed: changed.as_ref(),
        config: config.path.as_deref(),
    };
    if args.diff {
        return super::check_fix::preview(&paths, &selection);
    }
    let fixed = match args.fix.then(|| super::check_fix::apply(&paths, &selection)) {
        Some(Err(code)) => return code,
        Some(Ok(summary)) => Some(summary),
        None => None,
    };
    let mut report = check_paths(&paths, &options, &lint_config);
    let all_findings = report.diagnostics.len();
    let scope = changed.map(|files| {
        let scope = ChangedScope::new(files, &report.catalog, &options.sidecars, config.path.as_deref());
        scope.retain(&mut report.diagnostics);
        scope
    });
    // Findings outside the change are not shown; say how many, so none is left out unsaid.
    let outside = all_findings - report.diagnostics.len();
    let min = super::MinSeverity::or_default(args.min_severity, args.format);
    let (errors, warnings, infos) = (
        report.count(Severity::Error),
        report.count(Severity::Warning),
        report.count(Severity::Info),
    );
    let fixable = report.diagnostics.iter().filter(|d| d.fix.is_some()).count();
    // Counted: what is not shown can go (a filtered copy was the run's largest allocation).
    let before = report.diagnostics.len();
    report.diagnostics.retain(|d| d.severity >= min);
    let hidden = before - report.diagnostics.len();
    super::print_diagnostics(&report.diagnostics, &report.catalog, args.format);
    eprintln!(
        "checked {} files, {} documents in {:.2}s: {} error{}, {} warning{}, {} info{}",
        report.catalog.files.len(),
        report.documents,
        report.elapsed.as_secs_f64(),
        errors,
        if errors == 1 { "" } else { "s" },
        warnings,
        if warnings == 1 { "" } else { "s" },
        infos,
        super::hidden_note(hidden, min),
    );
    if let (Some(scope), Some(rev)) = (&scope, &args.changed_since) {
        if scope.everything() {
            eprintln!("detc.yaml changed since {rev}: findings of every file are reported");
        } else {
            eprintln!(
                "findings of the {} rule file{} changed since {rev} only ({outside} finding{} in other files not reported)",
                scope.changed_rules,
                if scope.changed_rules == 1 { "" } else { "s" },
                if outside == 1 { "" } else { "s" }
            );
        }
    }
    match fixed {
        Some(summary) => eprintln!("{summary}"),
        None if fixable > 0 => eprintln!("{fixable} fixable with `detc check --fix` (preview with `--diff`)"),
        None => {}
    }
    let code = if errors > 0 || (args.deny_warnings && warnings > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    // The process ends here: freeing every document tree one by one would cost a few percent of the
    // run for memory the operating system takes back at once.
    std::mem::forget(report);
    code
}
