use std::ffi::{c_int, c_long};
use std::process::ExitCode;

// Evaluation and loading allocate many small trees (JSON events, YAML nodes); mimalloc is markedly
// faster than the system allocator for that pattern (see benches/eval.sh).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

unsafe extern "C" {
    /// mimalloc's own setter (the `mimalloc` crate exposes options only with a feature that pulls
    /// in another crate); always linked with the allocator.
    fn mi_option_set(option: c_int, value: c_long);
}

/// `mi_option_purge_delay` of mimalloc.h (the same slot in mimalloc 2 and 3).
const MI_OPTION_PURGE_DELAY: c_int = 15;

fn main() -> ExitCode {
    let cli = match detc::cli::parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    // mimalloc returns freed pages to the system only after a delay (a second in mimalloc 3),
    // longer than most runs: the peak memory of `check` was then everything it ever allocated.
    // Returning them at once cut a fifth of it, for no measurable time. Commands that churn through
    // much more memory keep the delay (see `Cli::frees_memory_promptly`). Set before any thread
    // starts (the setter is not thread-safe).
    if cli.frees_memory_promptly() {
        unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    }
    detc::cli::run(cli)
}
