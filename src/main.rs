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

/// The purge delay, in milliseconds, of commands that free memory promptly.
const PROMPT_PURGE_DELAY_MS: c_long = 10;

fn main() -> ExitCode {
    let cli = match detc::cli::parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    // mimalloc returns freed pages to the system only after a delay (a second in mimalloc 3),
    // longer than most runs: the peak memory of `check` was then everything it ever allocated.
    // A short delay returns what a run is done with (check goes file by file, convert batch by
    // batch) while pages freed and soon needed again are kept: no delay at all cost `check` a
    // sixth of its time in page faults on a virtual machine (2026-12-01: 0.36 s against 0.30 s
    // for 20 ms, 34.7 against 36.5 MiB; 10 ms is as fast as 20 and holds 5 MiB less on 34,100
    // rules, 187 MiB, where 200 is the goal). Commands that churn through much more memory keep the
    // default (see `Cli::frees_memory_promptly`). Set before any thread starts (the setter is not
    // thread-safe). A `MIMALLOC_PURGE_DELAY` in the environment wins (mimalloc reads it when the
    // option is first used), for measuring other delays.
    if cli.frees_memory_promptly() && std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, PROMPT_PURGE_DELAY_MS) };
    }
    detc::cli::run(cli)
}
