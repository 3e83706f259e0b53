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
            // The tag lints (Q513–Q516) judge against this table; a header line says which.
            println!(
                "# ATT&CK tags are checked against the embedded ATT&CK Enterprise {} table (plus the v19 tactics {})",
                crate::data::attack::VERSION,
                crate::data::attack::DEFENSE_EVASION_SUCCESSORS.join(", ")
            );
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
