//! `detc check --fix` / `--diff`: apply or preview the automatic fixes before the check reports.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::catalog::Catalog;
use crate::check::CodeFilter;
use crate::config::LintOptions;
use crate::fix::{fix_catalog, unified_diff, write_in_place};

/// `--diff`: print what `--fix` would change and change nothing. Exit 1 when there is something to fix.
pub fn preview(paths: &[PathBuf], options: &LintOptions, filter: &CodeFilter) -> ExitCode {
    let outcome = fix_catalog(&Catalog::load(paths), options, filter);
    let mut stdout = std::io::stdout().lock();
    for change in &outcome.changes {
        let _ = stdout.write_all(unified_diff(change).as_bytes());
    }
    let _ = stdout.flush();
    eprintln!("{}", summary("would fix", outcome.fixed, outcome.changes.len()));
    ExitCode::from(u8::from(outcome.fixed > 0))
}

/// `--fix`: write the fixed files; the summary line to print after the remaining findings, or exit
/// code 1 when a file could not be written.
pub fn apply(paths: &[PathBuf], options: &LintOptions, filter: &CodeFilter) -> Result<String, ExitCode> {
    let outcome = fix_catalog(&Catalog::load(paths), options, filter);
    let mut failed = false;
    for change in &outcome.changes {
        if let Err(e) = write_in_place(&change.path, &change.before, &change.after, paths) {
            eprintln!("error: {e}");
            failed = true;
        }
    }
    if failed {
        return Err(ExitCode::from(1));
    }
    Ok(summary("fixed", outcome.fixed, outcome.changes.len()))
}

fn summary(verb: &str, findings: usize, files: usize) -> String {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    format!(
        "{verb} {findings} finding{} in {files} file{}",
        plural(findings),
        plural(files)
    )
}
