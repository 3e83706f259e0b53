//! `detc check --fix` / `--diff`: apply or preview the automatic fixes before the check reports.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::changed::ChangedScope;
use crate::catalog::Catalog;
use crate::check::check_reported;
use crate::config::{LintConfig, LintOptions};
use crate::diag::Diagnostic;
use crate::fix::{Change, fix_catalog, unified_diff, write_in_place};

/// What `check` would report: the findings whose fixes apply.
pub struct Selection<'a> {
    pub options: &'a LintOptions,
    /// The lint settings and flags: suppressed or ignored findings are not fixed either.
    pub lint: &'a LintConfig,
    /// `--changed-since`: only files changed since the revision are fixed, as only they are reported.
    pub changed: Option<&'a HashSet<PathBuf>>,
    /// detc.yaml, which `--changed-since` watches too.
    pub config: Option<&'a Path>,
}

impl Selection<'_> {
    fn reported(&self, catalog: &Catalog) -> Vec<Diagnostic> {
        let mut diags = check_reported(catalog, self.options, self.lint);
        if let Some(files) = self.changed {
            ChangedScope::new(files.clone(), catalog, &self.options.sidecars, self.config).retain(&mut diags);
        }
        diags
    }
}

/// `--diff`: print what `--fix` would change and change nothing. Exit 1 when there is something to fix.
pub fn preview(paths: &[PathBuf], selection: &Selection<'_>) -> ExitCode {
    let outcome = fix_catalog(&Catalog::load(paths), &|c| selection.reported(c));
    let changes = distinct(&outcome.changes);
    let mut stdout = std::io::stdout().lock();
    for change in &changes {
        let _ = stdout.write_all(unified_diff(change).as_bytes());
    }
    let _ = stdout.flush();
    let fixed = changes.iter().map(|c| c.fixed).sum();
    eprintln!("{}", summary("would fix", fixed, changes.len()));
    ExitCode::from(u8::from(fixed > 0))
}

/// `--fix`: write the fixed files; the summary line to print after the remaining findings, or exit
/// code 1 when a file could not be written.
pub fn apply(paths: &[PathBuf], selection: &Selection<'_>) -> Result<String, ExitCode> {
    let outcome = fix_catalog(&Catalog::load(paths), &|c| selection.reported(c));
    let (mut failed, mut fixed, mut files) = (false, 0, 0);
    for change in distinct(&outcome.changes) {
        match write_in_place(&change.path, &change.before, &change.after, paths) {
            Ok(()) => (fixed, files) = (fixed + change.fixed, files + 1),
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
            }
        }
    }
    if failed {
        return Err(ExitCode::from(1));
    }
    Ok(summary("fixed", fixed, files))
}

/// One change per real file: a file reached twice (through a link inside the catalog) is fixed once,
/// under its first path, with a note.
fn distinct(changes: &[Change]) -> Vec<&Change> {
    let mut first: HashMap<PathBuf, &Path> = HashMap::new();
    let mut out = Vec::new();
    for change in changes {
        let real = change.path.canonicalize().unwrap_or_else(|_| change.path.to_path_buf());
        match first.get(&real) {
            Some(p) => eprintln!("note: {} is {}, fixed once", change.path.display(), p.display()),
            None => {
                first.insert(real, &change.path);
                out.push(change);
            }
        }
    }
    out
}

fn summary(verb: &str, findings: usize, files: usize) -> String {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    format!(
        "{verb} {findings} finding{} in {files} file{}",
        plural(findings),
        plural(files)
    )
}
