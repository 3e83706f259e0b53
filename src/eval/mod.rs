//! Stage 6, evaluation: rules and correlations run in-process over JSON events, from the same IR
//! the backends render, so a passing detection test is evidence about every generated query.

pub mod compile;
pub mod correlate;
pub mod engine;
pub mod event;
pub mod fields;
pub mod matcher;
pub mod prefilter;
pub mod reader;
pub mod runner;
pub mod spec;
pub mod stream;
pub mod time;

pub use runner::{TestOptions, TestResult, TestRun, check_tests, run_tests};
