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
    let mut out = String::new();
    match args.what {
        What::Lints => {
            // The tag lints (Q513–Q516) judge against this table; a header line says which.
            out.push_str(&format!(
                "# ATT&CK tags are checked against the embedded ATT&CK Enterprise {} table (plus the v19 tactics {})\n",
                crate::data::attack::VERSION,
                crate::data::attack::DEFENSE_EVASION_SUCCESSORS.join(", ")
            ));
            for c in crate::codes::all() {
                out.push_str(&format!(
                    "{}  {:<32} {:<8} {}\n",
                    c.code,
                    c.name,
                    c.severity.as_str(),
                    c.summary
                ));
            }
        }
        What::Pipelines => {
            for b in &crate::pipeline::BUILTIN {
                let aliases = if b.aliases.is_empty() {
                    String::new()
                } else {
                    format!(" (also -p {})", b.aliases.join(", "))
                };
                out.push_str(&format!(
                    "{:<15} [{}] {}{aliases}\n",
                    b.name,
                    b.targets.join(", "),
                    b.about
                ));
            }
        }
        What::Targets => {
            for t in crate::backend::QueryLanguage::all() {
                out.push_str(&format!("{:<8} {}\n", t.name(), t.describe()));
            }
        }
        What::Modifiers => {
            for m in Modifier::all() {
                out.push_str(&format!("{:<14} {}\n", m.name(), m.describe()));
            }
        }
    }
    super::write_stdout(&out);
    ExitCode::SUCCESS
}
