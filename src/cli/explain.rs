use std::process::ExitCode;

use clap::Args;

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// A lint code (`C205`) or name (`null-from-commented-items`).
    code: String,
}

pub fn run(args: ExplainArgs) -> ExitCode {
    let Some(c) = crate::codes::find(&args.code) else {
        eprintln!("error: no lint `{}` (see `detc list lints`)", args.code);
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
        println!("Does not fire on:\n\n{}", indent(c.good));
    }
    ExitCode::SUCCESS
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}
