use std::process::ExitCode;

// Evaluation and loading allocate many small trees (JSON events, YAML nodes); mimalloc is markedly
// faster than the system allocator for that pattern (see benches/eval.sh).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    detc::cli::main()
}
