use std::process::ExitCode;

use clap::Args;

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// A lint code (`C205`) or name (`null-from-commented-items`).
    code: String,
}

pub fn run(args: ExplainArgs) -> ExitCode {
    let Some(c) = crate::codes::find(&args.code) else {
        eprintln!(
            "error: no lint `{}`\n  = help: {}",
            args.code,
            not_found_help(&args.code)
        );
        return ExitCode::from(2);
    };
    println!(
        "{} {} ({} by default)\n\n{}\n\n{}",
        c.code,
        c.name,
        c.severity.as_str(),
        c.summary,
        c.doc
    );
    if !c.bad.is_empty() {
        println!("\nFires on:\n\n{}", indent(c.bad));
        print!("Does not fire on:\n\n{}", indent(c.good));
    }
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
