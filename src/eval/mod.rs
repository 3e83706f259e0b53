//! Stage 6, evaluation: rules and correlations run in-process over JSON events, from the same IR
//! the backends render, so a passing detection test is evidence about every generated query.

pub mod classify;
pub mod collect;
pub mod compile;
pub mod correlate;
pub mod engine;
pub mod event;
pub mod fields;
pub mod lines;
pub mod matcher;
pub mod outcome;
pub mod prefilter;
pub mod reader;
pub mod runner;
pub mod scan;
pub mod spec;
pub mod stream;
pub mod structure;
pub mod time;

pub use collect::{check_tests, tests_by_document};
pub use outcome::{Outcome, TestResult, TestRun};
pub use runner::{TestOptions, run_tests, run_tests_parsed};
