use std::process::ExitCode;

use clap::Args;

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// A lint code (`C205`) or name (`null-from-commented-items`).
    code: String,
}

pub fn run(args: ExplainArgs, config_path: Option<&std::path::Path>) -> ExitCode {
    let Some(c) = crate::codes::find(&args.code) else {
        eprintln!(
            "error: no lint `{}`\n  = help: {}",
            args.code,
            not_found_help(&args.code)
        );
        return ExitCode::from(2);
    };
    let mut out = format!(
        "{} {} ({} by default)\n\n{}\n\n{}\n",
        c.code,
        c.name,
        c.severity.as_str(),
        c.summary,
        c.doc
    );
    // What this project's detc.yaml changes; a broken config is `check`'s to report, not explain's.
    let notes = crate::config::Config::load(config_path).map_or_else(|_| Vec::new(), |cfg| cfg.lint.describe(c));
    if !notes.is_empty() {
        out.push_str(&format!("\nIn this project (detc.yaml): {}.\n", notes.join("; ")));
    }
    if !c.bad.is_empty() {
        out.push_str(&format!("\nFires on:\n\n{}\n", indent(c.bad)));
        out.push_str(&format!("Does not fire on:\n\n{}", indent(c.good)));
    }
    super::write_stdout(&out);
    ExitCode::SUCCESS
}

/// A prefix lists the codes it names (`detc explain C22`); anything else gets the nearest code.
fn not_found_help(text: &str) -> String {
    let named: Vec<&str> = crate::codes::all()
        .into_iter()
        .filter(|c| crate::codes::selects(text, c))
        .map(|c| c.code)
        .collect();
    if named.is_empty() {
        crate::config::unknown_selector_help(text)
    } else {
        format!("`{text}` is a prefix of {}; explain one of them", named.join(", "))
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}
