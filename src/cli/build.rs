use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::load_config;
use crate::catalog::Catalog;
use crate::diag::{Severity, emit::render_human, sort_diagnostics};
use crate::render::{BuildPolicy, Templates, build, write};

#[derive(Args, Debug)]
pub struct BuildArgs {
    /// Output folder.
    #[arg(long, default_value = "dist")]
    out: PathBuf,
    /// Render in memory and compare with the output folder: print unified diffs, exit 1 on any difference.
    #[arg(long)]
    check: bool,
    /// Leave documents with errors out of every artifact (each listed, and recorded in report.json)
    /// instead of failing; also `exclude_broken: true` in detc.yaml.
    #[arg(long)]
    exclude_broken: bool,
    /// Write into a folder detc did not create (no manifest), or over files it did not write that sit where
    /// artifacts go. Other files are still kept; only files detc wrote are ever removed.
    #[arg(long)]
    force: bool,
    /// A folder of templates (`<target>/<artifact>.j2`) that override the built-in ones by name.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// Print only findings of this severity or above. Errors are always printed, and the build's
    /// outcome does not depend on it.
    #[arg(long, value_enum, value_name = "SEVERITY", default_value = "info")]
    min_severity: super::MinSeverity,
}

pub fn run(args: BuildArgs, config_path: Option<&std::path::Path>) -> ExitCode {
    let config = match load_config(config_path) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let templates = match Templates::load(args.templates.as_deref()) {
        Ok(t) => t,
        Err(d) => {
            eprint!("{}", render_human(&[d], &Catalog::default(), false));
            return ExitCode::from(2);
        }
    };
    let catalog = Catalog::load(&config.catalog);
    let policy = BuildPolicy {
        exclude_broken: args.exclude_broken || config.exclude_broken,
        record_detections: false,
        ends_process: true,
    };
    let artifacts = build(&catalog, &config, &templates, policy);
    let code = finish(&args, &catalog, &artifacts);
    // The process ends here: freeing thousands of document trees and rendered files one by one would
    // cost a noticeable share of the run for memory the operating system takes back at once.
    std::mem::forget(artifacts);
    std::mem::forget(catalog);
    code
}

/// Report the build's findings, then compare with or write the output folder.
fn finish(args: &BuildArgs, catalog: &Catalog, artifacts: &crate::render::Artifacts) -> ExitCode {
    // The build's check already holds the catalog's load errors.
    let mut diags = artifacts.diagnostics.clone();
    sort_diagnostics(&mut diags);
    eprint!(
        "{}",
        render_human(
            &super::at_least(&diags, args.min_severity.severity()),
            catalog,
            std::io::IsTerminal::is_terminal(&std::io::stderr())
        )
    );
    if diags.iter().any(|d| d.severity == Severity::Error) {
        eprintln!(
            "build failed: {} error(s)",
            diags.iter().filter(|d| d.severity == Severity::Error).count()
        );
        return ExitCode::from(1);
    }
    if args.check {
        let diffs = write::check(&args.out, &artifacts.files);
        if diffs.is_empty() {
            eprintln!(
                "{} artifacts in {} are up to date",
                artifacts.files.len(),
                args.out.display()
            );
            return ExitCode::SUCCESS;
        }
        super::write_stdout(&diffs.to_string());
        eprintln!(
            "artifacts in {} differ from a fresh build (run `detc build --out {}`)",
            args.out.display(),
            args.out.display()
        );
        return ExitCode::from(1);
    }
    match write::write(&args.out, &artifacts.files, args.force) {
        Ok(w) => {
            for note in &w.notes {
                eprintln!("note: {note}");
            }
            if !w.removed.is_empty() {
                eprintln!("removed {} artifact(s) no longer produced", w.removed.len());
            }
            if !w.replaced.is_empty() {
                eprintln!(
                    "replaced {} file(s) detc did not write (--force): {}",
                    w.replaced.len(),
                    shown(&w.replaced)
                );
            }
            if !w.kept.is_empty() {
                eprintln!("kept {} file(s) detc did not write: {}", w.kept.len(), shown(&w.kept));
            }
            if w.unchanged > 0 {
                eprintln!(
                    "wrote {} artifacts to {} ({} changed, {} unchanged since the last build and kept as they were)",
                    w.files,
                    args.out.display(),
                    w.files - w.unchanged,
                    w.unchanged
                );
            } else {
                eprintln!("wrote {} artifacts to {}", w.files, args.out.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}", e.message);
            if let Some(h) = &e.help {
                eprintln!("  = help: {h}");
            }
            eprintln!("nothing in {} was changed", args.out.display());
            ExitCode::from(2)
        }
    }
}

/// The first few paths of a list, for a one-line message.
fn shown(paths: &[PathBuf]) -> String {
    let mut s: Vec<String> = paths.iter().take(5).map(|p| p.display().to_string()).collect();
    if paths.len() > 5 {
        s.push(format!("and {} more", paths.len() - 5));
    }
    s.join(", ")
}
