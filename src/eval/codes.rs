//! T7xx: detection tests.

use crate::diag::{Code, Severity};

pub static MISSING_TESTS: Code = Code {
    code: "T701",
    name: "missing-tests",
    severity: Severity::Warning,
    summary: "a rule or correlation has no detection tests",
    doc: "A detection that was never run against an event is a guess. With `require_tests: true` in \
          detc.yaml (our own catalog sets it), every rule and correlation needs `tests:` (or a \
          `<stem>.tests.yml` sidecar) with at least one event that must match and one that must not.",
    bad: "",
    good: "",
};

pub static TEST_FAILED: Code = Code {
    code: "T702",
    name: "test-failed",
    severity: Severity::Error,
    summary: "a detection test's events did not give the expected verdict",
    doc: "The rule (or correlation) was evaluated in-process over the test's events and the result \
          differs from `expect`. The finding shows the event and, for each predicate of the rule, \
          whether it held, so the deciding field is visible.",
    bad: "",
    good: "",
};

pub static INVALID_TEST: Code = Code {
    code: "T703",
    name: "invalid-test",
    severity: Severity::Error,
    summary: "a detection test cannot be run",
    doc: "The test is malformed (no `event`/`events`, an event that is not a mapping, `expect: {alerts: N}` \
          on a rule), a correlation test event has no timestamp, a sidecar test names no document of its \
          rule file, or the rule itself cannot be evaluated.",
    bad: "",
    good: "",
};

pub static CODES: &[&Code] = &[&MISSING_TESTS, &TEST_FAILED, &INVALID_TEST];
