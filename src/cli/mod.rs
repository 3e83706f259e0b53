//! The command line: one file per subcommand. Exit codes: 0 clean, 1 findings, 2 usage or configuration error.

mod build;
mod changed;
mod check;
mod check_fix;
mod convert;
mod convert_explain;
mod diff;
mod eval;
mod explain;
mod git;
mod list;
mod output;
mod test;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "detc",
    version,
    about = "Detection-as-code compiler and linter for Sigma catalogs"
)]
pub struct Cli {
    /// Project configuration (default: ./detc.yaml when present).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Load, validate and lint rules, correlations and filters.
    Check(check::CheckArgs),
    /// Render the deployable artifacts (Splunk app, Kibana rules, Sumo searches, docs, ATT&CK layer).
    Build(build::BuildArgs),
    /// Compile rules and correlations to a target query language.
    Convert(convert::ConvertArgs),
    /// Show how the built artifacts change between a git revision and the working tree.
    Diff(diff::DiffArgs),
    /// Evaluate rules and correlations over a file of JSON events (hunting, backtesting).
    Eval(eval::EvalArgs),
    /// Run the detection tests of rules and correlations.
    Test(test::TestArgs),
    /// List lints, modifiers, targets or pipelines.
    List(list::ListArgs),
    /// Print the documentation of one lint code.
    Explain(explain::ExplainArgs),
}

/// Parse the command line, or the exit code of a usage error (or of `--help`, which is not one).
pub fn parse() -> Result<Cli, ExitCode> {
    Cli::try_parse().map_err(|e| {
        let _ = e.print();
        if e.use_stderr() {
            ExitCode::from(2)
        } else {
            ExitCode::SUCCESS
        }
    })
}

impl Cli {
    /// Whether the allocator should hand freed pages back to the system soon (see `main`). `check` and
    /// `convert` hold little at a time, so their peak memory falls when freed pages go back; `build`,
    /// `test` and `eval` allocate and free far more, and giving pages back only to fault them in again
    /// cost `build` a quarter of its CPU time (DESIGN-NOTES "Where build's time went").
    pub fn frees_memory_promptly(&self) -> bool {
        matches!(self.command, Command::Check(_) | Command::Convert(_))
    }
}

/// Run a parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    let config = cli.config.as_deref();
    match cli.command {
        Command::Build(args) => build::run(args, config),
        Command::Check(args) => check::run(args, config),
        Command::Convert(args) => convert::run(args, config),
        Command::Test(args) => test::run(args, config),
        Command::Eval(args) => eval::run(args, config),
        Command::Diff(args) => diff::run(args, config),
        Command::List(args) => list::run(args),
        Command::Explain(args) => explain::run(args, config),
    }
}

/// Load detc.yaml; on errors print them and return the exit code (2).
fn load_config(path: Option<&std::path::Path>) -> Result<crate::config::Config, ExitCode> {
    crate::config::Config::load(path).map_err(|diags| {
        eprint!(
            "{}",
            crate::diag::emit::render_human(&diags, &FileTexts::read(&diags), false)
        );
        ExitCode::from(2)
    })
}

/// Source texts read from disk, for quoting files that are not part of a catalog (detc.yaml).
struct FileTexts(std::collections::HashMap<std::path::PathBuf, String>);

impl FileTexts {
    fn read(diags: &[crate::diag::Diagnostic]) -> Self {
        FileTexts(
            diags
                .iter()
                .filter_map(|d| Some((d.path.to_path_buf(), std::fs::read_to_string(&d.path).ok()?)))
                .collect(),
        )
    }
}

impl crate::diag::emit::SourceLookup for FileTexts {
    fn source(&self, path: &std::path::Path) -> Option<&str> {
        self.0.get(path).map(String::as_str)
    }
}

/// Print diagnostics to stdout in the chosen format.
fn print_diagnostics(diags: &[crate::diag::Diagnostic], catalog: &crate::catalog::Catalog, format: check::Format) {
    use crate::diag::emit::{render_github, render_human, render_json, render_sarif};
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let check::Format::Sarif = format {
        let _ = stdout.write_all(render_sarif(diags, &crate::codes::all()).as_bytes());
    } else {
        let color = std::io::IsTerminal::is_terminal(&std::io::stdout());
        // One finding's text never depends on another's: written a few thousand at a time, the
        // output of a large catalog is never all in memory.
        for chunk in diags.chunks(4096) {
            let out = match format {
                check::Format::Human => render_human(chunk, catalog, color),
                check::Format::Json => render_json(chunk),
                _ => render_github(chunk),
            };
            let _ = stdout.write_all(out.as_bytes());
        }
    }
    let _ = stdout.flush();
}

/// Load and merge `-p` pipelines; on errors print them (quoting the file) and return exit code 2.
fn load_pipelines(names: &[String]) -> Result<Option<crate::pipeline::Pipeline>, ExitCode> {
    if names.is_empty() {
        return Ok(None);
    }
    let mut loaded = Vec::new();
    for n in names {
        // A built-in name wins over a file of the same name, as sigma-cli's resolver does; say so.
        if crate::pipeline::builtin(n).is_some() && std::path::Path::new(n).exists() {
            eprintln!(
                "warning: `{n}` is both a built-in pipeline and a file here; using the built-in (write ./{n} for the file)"
            );
        }
        match crate::pipeline::resolve(n) {
            Ok(p) => loaded.push((n.clone(), p)),
            Err(diags) => {
                eprint!(
                    "{}",
                    crate::diag::emit::render_human(&diags, &FileTexts::read(&diags), false)
                );
                return Err(ExitCode::from(2));
            }
        }
    }
    Ok(Some(crate::pipeline::Pipeline::merge(loaded)))
}

/// A pipeline whose file names the targets it is written for (`allowed_backends`) is refused for
/// the others, as sigma-cli refuses it: its field names would not exist there (exit code 2).
fn pipeline_suits(
    pipeline: &crate::pipeline::Pipeline,
    targets: &[crate::backend::QueryLanguage],
) -> Result<(), ExitCode> {
    for t in targets {
        if let Some((name, suits)) = pipeline.refuses(t.name()) {
            eprintln!(
                "error: pipeline `{name}` is written for {}, not {}\n  help: convert to {} separately, or drop the pipeline for this target",
                suits.join(", "),
                t.name(),
                t.name()
            );
            return Err(ExitCode::from(2));
        }
    }
    Ok(())
}

/// Add `--var NAME=VALUE` arguments to `vars` (they override detc.yaml); a malformed one is exit code 2.
fn add_vars(args: &[String], vars: &mut std::collections::BTreeMap<String, String>) -> Result<(), ExitCode> {
    for v in args {
        let Some((name, value)) = v.split_once('=') else {
            eprintln!("error: --var expects NAME=VALUE, got `{v}`");
            return Err(ExitCode::from(2));
        };
        vars.insert(name.to_string(), value.to_string());
    }
    Ok(())
}

/// `--min-severity`: the least severe findings a command prints.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum MinSeverity {
    Info,
    Warning,
    Error,
}

impl MinSeverity {
    fn severity(self) -> crate::diag::Severity {
        use crate::diag::Severity;
        match self {
            MinSeverity::Info => Severity::Info,
            MinSeverity::Warning => Severity::Warning,
            MinSeverity::Error => Severity::Error,
        }
    }

    /// The chosen level, else the format's default: GitHub annotations leave notices out, because a
    /// pull request flooded with info annotations hides the warnings and errors.
    fn or_default(chosen: Option<MinSeverity>, format: check::Format) -> crate::diag::Severity {
        match (chosen, format) {
            (Some(m), _) => m.severity(),
            (None, check::Format::Github) => crate::diag::Severity::Warning,
            (None, _) => crate::diag::Severity::Info,
        }
    }
}

/// The summary's note on findings `--min-severity` kept from the output.
fn hidden_note(hidden: usize, min: crate::diag::Severity) -> String {
    if hidden == 0 {
        String::new()
    } else {
        format!(" ({hidden} below {min} not shown; --min-severity info shows them)")
    }
}

/// The findings at or above `min`.
fn at_least(diags: &[crate::diag::Diagnostic], min: crate::diag::Severity) -> Vec<crate::diag::Diagnostic> {
    diags.iter().filter(|d| d.severity >= min).cloned().collect()
}

/// `--select`/`--ignore` values must each name a code; an unknown one is a usage error (exit code 2).
fn check_selectors<'a>(tokens: impl Iterator<Item = &'a String>) -> Result<(), ExitCode> {
    for token in tokens {
        if !crate::codes::is_selector(token) {
            eprintln!(
                "error: `{token}` matches no lint code, prefix or name\n  = help: {}",
                crate::config::unknown_selector_help(token)
            );
            return Err(ExitCode::from(2));
        }
    }
    Ok(())
}

/// Write `text` to stdout. A closed pipe (`detc list lints | head`) ends the output quietly instead
/// of panicking as `print!` does.
fn write_stdout(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush());
}
