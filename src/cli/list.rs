use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::model::modifier::Modifier;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum What {
    Lints,
    Modifiers,
    Targets,
    Pipelines,
}

#[derive(Args, Debug)]
pub struct ListArgs {
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
