use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::catalog::Catalog;
use crate::config::Config;
use crate::diag::Severity;
use crate::render::changes::Changes;
use crate::render::pr_comment::{Sides, pr_comment};
use crate::render::{Artifacts, BuildPolicy, Templates, build, write::unified};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DiffFormat {
    /// Unified diffs of the artifact files.
    Text,
    /// A pull-request comment: detections added, removed and changed, query diffs per target.
    Markdown,
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The git revision to compare the working tree with (`HEAD~1`, a branch, a commit).
    rev: String,
    /// A folder of templates overriding the built-in ones (used for both sides).
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: DiffFormat,
    /// Exit with 1 when anything differs (as `git diff --exit-code`); without it a difference is not a failure.
    #[arg(long)]
    exit_code: bool,
}

/// `--config` relative to the project root, so it can be read in both trees (REV has its own copy).
fn project_relative(config: &Path) -> Result<PathBuf, String> {
    if config.is_relative() {
        return Ok(config.to_path_buf());
    }
    let here = std::env::current_dir().map_err(|e| e.to_string())?;
    let inside = |root: &Path| config.strip_prefix(root).ok().map(Path::to_path_buf);
    inside(&here)
        .or_else(|| inside(&here.canonicalize().ok()?))
        .ok_or_else(|| {
            format!(
                "--config {} is outside the project: `diff` reads it at REV too, so it must be a file of the project",
                config.display()
            )
        })
}

/// Build the artifacts of the catalog as it is in `dir`, with its detc.yaml or the `--config` file
/// (a path relative to the project root, read in each tree).
fn artifacts_in(dir: &Path, config: Option<&Path>, templates: &Templates) -> Result<Artifacts, String> {
    let here = std::env::current_dir().map_err(|e| e.to_string())?;
    // Paths inside artifacts are relative to the project root: build from inside `dir`.
    std::env::set_current_dir(dir).map_err(|e| e.to_string())?;
    let result = Config::load(config)
        .map_err(|d| d.iter().map(|d| d.message.clone()).collect::<Vec<_>>().join("; "))
        .map(|mut config| {
            // The site shows what the other artifacts hold (again in its pages and search index):
            // a review compares those, not the HTML.
            let site = config
                .targets
                .entry("site".into())
                .or_insert_with(|| serde_json::json!({}));
            if !site.is_object() {
                *site = serde_json::json!({});
            }
            site["enabled"] = serde_json::Value::Bool(false);
            let policy = BuildPolicy {
                exclude_broken: config.exclude_broken,
                record_detections: true,
                ends_process: false,
            };
            build(&Catalog::load(&config.catalog), &config, templates, policy)
        });
    std::env::set_current_dir(here).map_err(|e| e.to_string())?;
    result
}

pub fn run(args: DiffArgs, config: Option<&Path>) -> ExitCode {
    let templates = match Templates::load(args.templates.as_deref()) {
        Ok(t) => t,
        Err(d) => {
            eprintln!("error: {}", d.message);
            return ExitCode::from(2);
        }
    };
    let config = match config.map(project_relative).transpose() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let config = config.as_deref();
    let old_tree = match super::git::checkout(&args.rev) {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("error: cannot read revision `{}`: {e}", args.rev);
            return ExitCode::from(2);
        }
    };
    let (old, new) = match (
        artifacts_in(old_tree.path(), config, &templates),
        artifacts_in(Path::new("."), config, &templates),
    ) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let changes = Changes::between(&old.detections, &new.detections, &old.files, &new.files);
    match args.format {
        DiffFormat::Text => super::write_stdout(&text(&old.files, &new.files, &changes)),
        DiffFormat::Markdown => {
            let (new_errors, old_errors) = new_errors(&old, &new);
            let sides = Sides {
                rev: &args.rev,
                old_files: &old.files,
                new_files: &new.files,
                new_errors: &new_errors,
                old_errors,
            };
            super::write_stdout(&pr_comment(&changes, &sides));
        }
    }
    eprintln!(
        "{} artifact(s) differ between {} and the working tree: {} detection(s) added, {} removed, {} changed",
        changes.files.len(),
        args.rev,
        changes.added.len(),
        changes.removed.len(),
        changes.changed.len()
    );
    // As `git diff`: a difference is the answer, not a failure, unless `--exit-code` asks to gate on it.
    if args.exit_code && !changes.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Unified diffs of the artifact files that differ.
fn text(old: &BTreeMap<PathBuf, String>, new: &BTreeMap<PathBuf, String>, changes: &Changes<'_>) -> String {
    changes
        .files
        .iter()
        .map(|p| {
            let (a, b) = (
                old.get(p).map_or("", String::as_str),
                new.get(p).map_or("", String::as_str),
            );
            unified(&p.display().to_string(), a, b)
        })
        .collect()
}

/// The working tree build's errors that REV's build does not have, as `path:line: CODE message`
/// (compared without the line, which edits above an old error move), and how many it has too.
fn new_errors(old: &Artifacts, new: &Artifacts) -> (Vec<String>, usize) {
    let errors = |a: &Artifacts| -> Vec<(String, String)> {
        a.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| {
                let path = crate::diag::emit::display_path(&d.path);
                let at = d.span.map_or(String::new(), |s| format!(":{}", s.start.line));
                let what = format!("{} {}", d.code.code, d.message);
                (format!("{path} {what}"), format!("{path}{at}: {what}"))
            })
            .collect()
    };
    let before: std::collections::HashSet<String> = errors(old).into_iter().map(|(key, _)| key).collect();
    let (known, fresh): (Vec<_>, Vec<_>) = errors(new).into_iter().partition(|(key, _)| before.contains(key));
    (fresh.into_iter().map(|(_, shown)| shown).collect(), known.len())
}
