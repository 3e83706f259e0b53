use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use crate::catalog::Catalog;
use crate::config::Config;
use crate::render::{BuildPolicy, Templates, build, write::unified};

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The git revision to compare the working tree with (`HEAD~1`, a branch, a commit).
    rev: String,
    /// A folder of templates overriding the built-in ones (used for both sides).
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
}

/// Build the artifacts of the catalog as it is in `dir` (with its detc.yaml, if any).
fn artifacts_in(dir: &Path, templates: &Templates) -> Result<std::collections::BTreeMap<PathBuf, String>, String> {
    let here = std::env::current_dir().map_err(|e| e.to_string())?;
    // Paths inside artifacts are relative to the project root: build from inside `dir`.
    std::env::set_current_dir(dir).map_err(|e| e.to_string())?;
    let result = Config::load(None)
        .map_err(|d| d.iter().map(|d| d.message.clone()).collect::<Vec<_>>().join("; "))
        .map(|config| {
            let policy = BuildPolicy {
                exclude_broken: config.exclude_broken,
            };
            build(&Catalog::load(&config.catalog), &config, templates, policy).files
        });
    std::env::set_current_dir(here).map_err(|e| e.to_string())?;
    result
}

pub fn run(args: DiffArgs) -> ExitCode {
    let templates = match Templates::load(args.templates.as_deref()) {
        Ok(t) => t,
        Err(d) => {
            eprintln!("error: {}", d.message);
            return ExitCode::from(2);
        }
    };
    let old_tree = match super::git::checkout(&args.rev) {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("error: cannot read revision `{}`: {e}", args.rev);
            return ExitCode::from(2);
        }
    };
    let (old, new) = match (
        artifacts_in(old_tree.path(), &templates),
        artifacts_in(Path::new("."), &templates),
    ) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut paths: Vec<&PathBuf> = old.keys().chain(new.keys()).collect();
    paths.sort();
    paths.dedup();
    let mut changed = 0;
    for p in paths {
        let (a, b) = (
            old.get(p).map_or("", String::as_str),
            new.get(p).map_or("", String::as_str),
        );
        if a != b {
            changed += 1;
            print!("{}", unified(&p.display().to_string(), a, b));
        }
    }
    eprintln!("{changed} artifact(s) differ between {} and the working tree", args.rev);
    // As `diff` and `git diff --exit-code`: 1 when something differs, so CI can gate on it.
    if changed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
