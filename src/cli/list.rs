use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::model::modifier::Modifier;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum What {
    /// Every diagnostic code: code, name, default severity, summary.
    Lints,
    /// The Sigma value modifiers detc understands.
    Modifiers,
    /// The query languages of `detc convert -t`.
    Targets,
    /// The built-in processing pipelines (`-p NAME`, `pipelines:` in detc.yaml).
    Pipelines,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// What to list.
    what: What,
}

pub fn run(args: ListArgs) -> ExitCode {
    match args.what {
        What::Lints => {
            for c in crate::codes::all() {
                println!("{}  {:<32} {:<8} {}", c.code, c.name, c.severity.as_str(), c.summary);
            }
        }
        What::Pipelines => {
            for (name, about, _) in crate::pipeline::BUILTIN {
                println!("{name:<14} {about}");
            }
        }
        What::Targets => {
            for t in crate::backend::QueryLanguage::all() {
                println!("{:<8} {}", t.name(), t.describe());
            }
        }
        What::Modifiers => {
            for m in Modifier::all() {
                println!("{:<14} {}", m.name(), m.describe());
            }
        }
    }
    ExitCode::SUCCESS
}
