use std::process::ExitCode;

fn main() -> ExitCode {
    detc::cli::main()
}
