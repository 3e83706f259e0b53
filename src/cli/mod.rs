//! The command line: one file per subcommand. Exit codes: 0 clean, 1 findings, 2 usage or configuration error.

mod check;
mod convert;
mod explain;
mod list;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "detc",
    version,
    about = "Detection-as-code compiler and linter for Sigma catalogs"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Load, validate and lint rules, correlations and filters.
    Check(check::CheckArgs),
    /// Compile rules and correlations to a target query language.
    Convert(convert::ConvertArgs),
    /// List lints, modifiers, targets or formats.
    List(list::ListArgs),
    /// Print the documentation of one lint code.
    Explain(explain::ExplainArgs),
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Convert(args) => convert::run(args),
        Command::List(args) => list::run(args),
        Command::Explain(args) => explain::run(args),
    }
}
