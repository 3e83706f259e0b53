//! Stage 6, evaluation: rules and correlations run in-process over JSON events, from the same IR
//! the backends render, so a passing detection test is evidence about every generated query.

pub mod compile;
pub mod correlate;
pub mod engine;
pub mod event;
pub mod matcher;
pub mod runner;
pub mod spec;
pub mod stream;
pub mod time;

pub use runner::{Outcome, TestOptions, TestResult, TestRun, check_tests, run_tests, tests_by_document};
