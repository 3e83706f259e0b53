//! What a test run produced: each test's outcome and the findings, shared by collecting tests
//! (which records the ones that cannot run) and running them.

use std::path::Path;
use std::sync::Arc;

use crate::diag::Diagnostic;

/// How one test ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Passed,
    /// It ran and the verdict was not the expected one.
    Failed(String),
    /// It could not run: malformed (T703), its detection cannot be evaluated (T704), events
    /// without a timestamp (T705). JUnit shows these as `<error>`, so the suite is not green.
    Error(String),
}

/// One test's result, for summaries and JUnit.
#[derive(Debug, Clone)]
pub struct TestResult {
    pub path: Arc<Path>,
    pub document: String,
    pub test: String,
    pub outcome: Outcome,
}

#[derive(Debug, Default)]
pub struct TestRun {
    pub results: Vec<TestResult>,
    pub diagnostics: Vec<Diagnostic>,
}
